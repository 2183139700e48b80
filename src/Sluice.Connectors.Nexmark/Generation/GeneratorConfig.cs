namespace Sluice.Nexmark.Generation;

/// <summary>
/// Settings of the Nexmark generator, with the defaults of the reference implementation (nexmark/nexmark
/// <c>NexmarkConfiguration</c>): proportions 1:3:46, 10 000 events/s of event time, hot ratios 2/4/4, 100 in-flight
/// auctions, 1000 active people, average sizes 200/500/100 bytes.
/// </summary>
public sealed record GeneratorConfig
{
    /// <summary>First person id (spec: 1000).</summary>
    public const long FirstPersonId = 1000;

    /// <summary>First auction id (spec: 1000).</summary>
    public const long FirstAuctionId = 1000;

    /// <summary>First category id (spec: 10); categories are 10–14.</summary>
    public const long FirstCategoryId = 10;

    /// <summary>Number of categories (spec: 5).</summary>
    public const int CategoryCount = 5;

    /// <summary>Seed of the run: the same seed and settings give the same events on every machine.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Number of events to generate.</summary>
    public long EventCount { get; init; } = 1_000_000;

    /// <summary>Event time of the first event, ms since the epoch. Default 2026-11-21T00:00:00Z.</summary>
    public long BaseTime { get; init; } = 1_795_219_200_000;

    /// <summary>Events per second of event time (spec <c>firstEventRate</c>: 10 000, i.e. one event per 100 µs).</summary>
    public int EventsPerSecond { get; init; } = 10_000;

    /// <summary>Weight of persons (spec: 1).</summary>
    public int PersonProportion { get; init; } = 1;

    /// <summary>Weight of auctions (spec: 3).</summary>
    public int AuctionProportion { get; init; } = 3;

    /// <summary>Weight of bids (spec: 46).</summary>
    public int BidProportion { get; init; } = 46;

    /// <summary>1 in this many bids goes to a random in-flight auction, the rest to the hot one (spec: 2).</summary>
    public int HotAuctionRatio { get; init; } = 2;

    /// <summary>1 in this many auctions has a random seller, the rest the hot one (spec: 4).</summary>
    public int HotSellersRatio { get; init; } = 4;

    /// <summary>1 in this many bids has a random bidder, the rest the hot one (spec: 4).</summary>
    public int HotBiddersRatio { get; init; } = 4;

    /// <summary>Auctions likely to be open at any time (spec: 100).</summary>
    public int InFlightAuctions { get; init; } = 100;

    /// <summary>People likely to bid or sell at any time (spec: 1000).</summary>
    public int ActivePeople { get; init; } = 1000;

    /// <summary>Average person size in bytes, reached with <c>extra</c> padding (spec: 200).</summary>
    public int AvgPersonByteSize { get; init; } = 200;

    /// <summary>Average auction size in bytes (spec: 500).</summary>
    public int AvgAuctionByteSize { get; init; } = 500;

    /// <summary>Average bid size in bytes (spec: 100).</summary>
    public int AvgBidByteSize { get; init; } = 100;

    /// <summary>
    /// Events are shuffled within consecutive groups of this many (spec <c>outOfOrderGroupSize</c>; the spec's default
    /// of 1 means in order). The benchmark uses 1000: at 10 000 events/s timestamps then go back by up to 100 ms,
    /// well inside the 4 s watermark bound of the Flink DDL, so no event is late and streaming results equal batch ones.
    /// </summary>
    public long OutOfOrderGroupSize { get; init; } = 1000;

    /// <summary>The watermark bound of the Flink DDL (<c>dateTime - INTERVAL '4' SECOND</c>), ms.</summary>
    public long MaxOutOfOrdernessMs { get; init; } = 4000;

    /// <summary>Sum of the three proportions.</summary>
    public int TotalProportion => PersonProportion + AuctionProportion + BidProportion;

    /// <summary>Microseconds of event time between consecutive events.</summary>
    public double InterEventDelayUs => 1_000_000.0 / EventsPerSecond;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(EventCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(EventsPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(OutOfOrderGroupSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(PersonProportion, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(AuctionProportion, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BidProportion, 1);
    }
}
