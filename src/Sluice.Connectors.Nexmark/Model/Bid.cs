namespace Sluice.Nexmark.Model;

/// <summary>A bid (Nexmark <c>bid</c> table). Prices are in cents; <paramref name="DateTime"/> is event time in ms since the epoch.</summary>
/// <param name="Auction">The auction's id.</param>
/// <param name="Bidder">The bidding person's id.</param>
/// <param name="Price">Bid in cents.</param>
/// <param name="Channel">Where the bid came from (4 hot channels or channel-N).</param>
/// <param name="Url">The bid's URL.</param>
/// <param name="DateTime">Event time, ms since the Unix epoch.</param>
/// <param name="Extra">Padding to the spec's average event size.</param>
public readonly record struct Bid(long Auction, long Bidder, long Price, string Channel, string Url, long DateTime, ExtraString Extra);
