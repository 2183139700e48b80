namespace Sluice.Nexmark.Model;

/// <summary>
/// An auction (Nexmark <c>auction</c> table). A class for the same reason as <see cref="Person"/>. Prices in cents,
/// times in ms since the epoch.
/// </summary>
/// <param name="Id">Unique id (from 1000).</param>
/// <param name="ItemName">Random item name.</param>
/// <param name="Description">Random description.</param>
/// <param name="InitialBid">Starting price in cents.</param>
/// <param name="Reserve">Reserve price in cents.</param>
/// <param name="DateTime">Event time (auction opens), ms since the Unix epoch.</param>
/// <param name="Expires">When the auction closes, ms since the Unix epoch.</param>
/// <param name="Seller">The selling person's id.</param>
/// <param name="Category">Category id, 10–14.</param>
/// <param name="Extra">Padding to the spec's average event size.</param>
public sealed record Auction(long Id, string ItemName, string Description, long InitialBid, long Reserve, long DateTime, long Expires, long Seller, long Category, ExtraString Extra);
