using Sluice.Nexmark.Model;
using Sluice.Schemas;

namespace Sluice.Connectors.Nexmark;

/// <summary>
/// The tables the 'nexmark' connector produces — the Flink Nexmark benchmark's <c>datagen</c> table (nexmark/nexmark
/// <c>ddl_gen.sql</c>): <c>event_type</c> (0 person, 1 auction, 2 bid), one nested row per kind of which only the
/// event's own is set, and, in <see cref="Table"/> only, <c>dateTime</c>, the event time. <see cref="Physical"/> is
/// exactly what ddl_gen.sql declares as stored columns (its <c>dateTime</c> is a computed column over the nested rows).
/// Times are TIMESTAMP(3) wall-clock values in UTC; prices are in cents.
/// </summary>
public static class NexmarkSchema
{
    /// <summary>The table's schema.</summary>
    public static Schema Table { get; } = Schema.Parse(
        "event_type INT, "
        + "person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR>, "
        + "auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>, "
        + "bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR>, "
        + "dateTime TIMESTAMP(3)");

    /// <summary>
    /// The physical columns of ddl_gen.sql: <see cref="Table"/> without <c>dateTime</c>, which that DDL computes from
    /// the nested rows (<c>CASE WHEN event_type = 0 THEN person.dateTime …</c>).
    /// </summary>
    public static Schema Physical { get; } = Schema.Parse(
        "event_type INT, "
        + "person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR>, "
        + "auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>, "
        + "bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR>");

    private static readonly Schema s_person = Table[1].Type.Fields!;
    private static readonly Schema s_auction = Table[2].Type.Fields!;
    private static readonly Schema s_bid = Table[3].Type.Fields!;

    /// <summary>The row of <paramref name="e"/> in <see cref="Table"/> (a new row and one nested row: what the result needs).</summary>
    public static Row ToRow(in Event e) => ToRow(e, Table);

    /// <summary>The row of <paramref name="e"/> in <see cref="Physical"/>, without <c>dateTime</c> (a new row and one nested row).</summary>
    public static Row ToPhysicalRow(in Event e) => ToRow(e, Physical);

    private static Row ToRow(in Event e, Schema schema)
    {
        var row = new Row(schema);
        row.SetInt32(0, (int)e.Kind);
        switch (e.Kind)
        {
            case EventKind.Person:
                var p = e.AsPerson;
                var person = new Row(s_person);
                person.SetInt64(0, p.Id);
                person.SetString(1, p.Name);
                person.SetString(2, p.EmailAddress);
                person.SetString(3, p.CreditCard);
                person.SetString(4, p.City);
                person.SetString(5, p.State);
                person.SetTimestamp(6, Timestamp(p.DateTime));
                person.SetString(7, p.Extra.ToString());
                row.SetRow(1, person);
                break;
            case EventKind.Auction:
                var a = e.AsAuction;
                var auction = new Row(s_auction);
                auction.SetInt64(0, a.Id);
                auction.SetString(1, a.ItemName);
                auction.SetString(2, a.Description);
                auction.SetInt64(3, a.InitialBid);
                auction.SetInt64(4, a.Reserve);
                auction.SetTimestamp(5, Timestamp(a.DateTime));
                auction.SetTimestamp(6, Timestamp(a.Expires));
                auction.SetInt64(7, a.Seller);
                auction.SetInt64(8, a.Category);
                auction.SetString(9, a.Extra.ToString());
                row.SetRow(2, auction);
                break;
            default:
                var b = e.Bid;
                var bid = new Row(s_bid);
                bid.SetInt64(0, b.Auction);
                bid.SetInt64(1, b.Bidder);
                bid.SetInt64(2, b.Price);
                bid.SetString(3, b.Channel);
                bid.SetString(4, b.Url);
                bid.SetTimestamp(5, Timestamp(b.DateTime));
                bid.SetString(6, b.Extra.ToString());
                row.SetRow(3, bid);
                break;
        }
        if (schema.Count > 4)
        {
            row.SetTimestamp(4, Timestamp(e.DateTime));
        }
        return row;
    }

    /// <summary>Milliseconds since the epoch as a TIMESTAMP value (UTC wall-clock).</summary>
    public static DateTime Timestamp(long epochMs) => new(DateTime.UnixEpoch.Ticks + (epochMs * TimeSpan.TicksPerMillisecond), DateTimeKind.Unspecified);
}
