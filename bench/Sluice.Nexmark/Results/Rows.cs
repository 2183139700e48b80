using System.Text.Json;
using Sluice.Nexmark.Model;

namespace Sluice.Nexmark.Results;

/// <summary>q0 and q7 row: a bid's auction, bidder, price, dateTime and extra.</summary>
public readonly record struct BidRow(long Auction, long Bidder, long Price, long DateTime, ExtraString Extra) : INexmarkRow
{
    /// <summary>Projects a bid.</summary>
    public static BidRow From(in Bid bid) => new(bid.Auction, bid.Bidder, bid.Price, bid.DateTime, bid.Extra);

    /// <inheritdoc />
    public ulong Fingerprint() => RowHash.Of(0xB0, Auction, Bidder, Price, DateTime, (long)Extra.Fingerprint());

    /// <inheritdoc />
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("auction", Auction);
        writer.WriteNumber("bidder", Bidder);
        writer.WriteNumber("price", Price);
        writer.WriteNumber("dateTime", DateTime);
        writer.WriteString("extra", Extra.Span);
        writer.WriteEndObject();
    }
}

/// <summary>q1 row: the bid with its price converted to euros (<c>0.908 * price</c>, exact, in thousandths of a cent).</summary>
public readonly record struct CurrencyRow(long Auction, long Bidder, long PriceMilli, long DateTime, ExtraString Extra) : INexmarkRow
{
    /// <summary>The conversion factor in thousandths (0.908).</summary>
    public const long EuroPerDollarMilli = 908;

    /// <summary>Converts a bid.</summary>
    public static CurrencyRow From(in Bid bid) => new(bid.Auction, bid.Bidder, bid.Price * EuroPerDollarMilli, bid.DateTime, bid.Extra);

    /// <inheritdoc />
    public ulong Fingerprint() => RowHash.Of(0xB1, Auction, Bidder, PriceMilli, DateTime, (long)Extra.Fingerprint());

    /// <inheritdoc />
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("auction", Auction);
        writer.WriteNumber("bidder", Bidder);
        writer.WriteNumber("price", PriceMilli / 1000m);
        writer.WriteNumber("dateTime", DateTime);
        writer.WriteString("extra", Extra.Span);
        writer.WriteEndObject();
    }
}

/// <summary>q2 row.</summary>
public readonly record struct AuctionPriceRow(long Auction, long Price) : INexmarkRow
{
    /// <inheritdoc />
    public ulong Fingerprint() => RowHash.Of(0xB2, Auction, Price);

    /// <inheritdoc />
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("auction", Auction);
        writer.WriteNumber("price", Price);
        writer.WriteEndObject();
    }
}

/// <summary>q3 row: a seller in OR/ID/CA and one of their category-10 auctions.</summary>
public readonly record struct LocalItemRow(string Name, string City, string State, long Id) : INexmarkRow
{
    /// <inheritdoc />
    public ulong Fingerprint() => RowHash.Of(0xB3, RowHash.Str(Name), RowHash.Str(City), RowHash.Str(State), Id);

    /// <inheritdoc />
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("name", Name);
        writer.WriteString("city", City);
        writer.WriteString("state", State);
        writer.WriteNumber("id", Id);
        writer.WriteEndObject();
    }
}

/// <summary>q4 row: a category and the (integer) average of its auctions' winning bids.</summary>
public readonly record struct CategoryAverageRow(long Category, long Average) : INexmarkRow
{
    /// <inheritdoc />
    public ulong Fingerprint() => RowHash.Of(0xB4, Category, Average);

    /// <inheritdoc />
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", Category);
        writer.WriteNumber("final", Average);
        writer.WriteEndObject();
    }
}

/// <summary>q5 row: a hot auction of a sliding window (the window start is kept so rows of different windows differ).</summary>
public readonly record struct HotItemRow(long Auction, long Num, long StartTime) : INexmarkRow
{
    /// <inheritdoc />
    public ulong Fingerprint() => RowHash.Of(0xB5, Auction, Num, StartTime);

    /// <inheritdoc />
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("auction", Auction);
        writer.WriteNumber("num", Num);
        writer.WriteNumber("starttime", StartTime);
        writer.WriteEndObject();
    }
}

/// <summary>q8 row: a person who opened an auction in the 10 s window in which they registered.</summary>
public readonly record struct NewUserRow(long Id, string Name, long StartTime) : INexmarkRow
{
    /// <inheritdoc />
    public ulong Fingerprint() => RowHash.Of(0xB8, Id, RowHash.Str(Name), StartTime);

    /// <inheritdoc />
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", Id);
        writer.WriteString("name", Name);
        writer.WriteNumber("stime", StartTime);
        writer.WriteEndObject();
    }
}

/// <summary>q11 row: a bidder's session (start = first bid, end = last bid + gap).</summary>
public readonly record struct SessionRow(long Bidder, long BidCount, long StartTime, long EndTime) : INexmarkRow
{
    /// <inheritdoc />
    public ulong Fingerprint() => RowHash.Of(0xBB, Bidder, BidCount, StartTime, EndTime);

    /// <inheritdoc />
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("bidder", Bidder);
        writer.WriteNumber("bid_count", BidCount);
        writer.WriteNumber("starttime", StartTime);
        writer.WriteNumber("endtime", EndTime);
        writer.WriteEndObject();
    }
}

/// <summary>
/// q12 row: a bidder's bid count in a 10 s processing-time window. Which window a bid falls in depends on when it
/// was processed, so engines cannot agree on the rows; the fingerprint is <c>count × hash(bidder)</c>, which makes the
/// checksum depend only on each bidder's total count — equal across engines that count every bid exactly once.
/// </summary>
public readonly record struct ProcessingTimeCountRow(long Bidder, long BidCount, long StartTime, long EndTime) : INexmarkRow
{
    /// <inheritdoc />
    public ulong Fingerprint() => unchecked((ulong)BidCount * RowHash.Of(0xBC, Bidder, 0));

    /// <inheritdoc />
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("bidder", Bidder);
        writer.WriteNumber("bid_count", BidCount);
        writer.WriteNumber("starttime", StartTime);
        writer.WriteNumber("endtime", EndTime);
        writer.WriteEndObject();
    }
}
