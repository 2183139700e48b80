using Sluice.Nexmark.Model;
using Sluice.Nexmark.Queries;
using Sluice.Nexmark.Results;
using Sluice.Nexmark.Streaming;

namespace Sluice.Nexmark.Tests;

/// <summary>
/// Seven bids, three auctions and two persons written by hand, with every query's result worked out by hand from the
/// Flink SQL (see the comments), checked on every engine.
/// </summary>
public class HandComputedTests
{
    private const long T = 1_000_000_000_000; // aligned to 10 s

    private static readonly Person s_ann = new(1001, "Ann A", "ann@x.com", "0000 0000 0000 0000", "Portland", "OR", T + 1000, default);
    private static readonly Person s_bob = new(1002, "Bob B", "bob@x.com", "1111 1111 1111 1111", "Seattle", "WA", T + 2000, default);
    private static readonly Auction s_a1 = new(2001, "a1", "d", 1, 2, T + 3000, T + 20_000, Seller: 1001, Category: 10, default);
    private static readonly Auction s_a2 = new(2002, "a2", "d", 1, 2, T + 4000, T + 8000, Seller: 1002, Category: 10, default);
    private static readonly Auction s_a3 = new(2003, "a3", "d", 1, 2, T + 12_000, T + 30_000, Seller: 1001, Category: 11, default);
    private static readonly Bid s_b1 = new(2001, 1002, 100, "c", "u", T + 5000, new ExtraString(1, 1));
    private static readonly Bid s_b2 = new(2001, 1002, 300, "c", "u", T + 9000, new ExtraString(2, 2));
    private static readonly Bid s_b3 = new(2002, 1001, 200, "c", "u", T + 7000, new ExtraString(3, 3));
    private static readonly Bid s_b4 = new(2002, 1001, 500, "c", "u", T + 9000, new ExtraString(4, 4));
    private static readonly Bid s_b5 = new(2003, 1002, 50, "c", "u", T + 10_000, new ExtraString(5, 5));
    private static readonly Bid s_b7 = new(2001, 1001, 50, "c", "u", T + 20_000, new ExtraString(7, 7));
    private static readonly Bid s_b6 = new(2460, 1001, 300, "c", "u", T + 25_000, new ExtraString(6, 6));

    private static readonly Event[] s_events =
    [
        Event.Of(s_ann), Event.Of(s_bob), Event.Of(s_a1), Event.Of(s_a2), Event.Of(s_b1), Event.Of(s_b3), Event.Of(s_b2),
        Event.Of(s_b4), Event.Of(s_b5), Event.Of(s_a3), Event.Of(s_b7), Event.Of(s_b6),
    ];

    public static TheoryData<NexmarkEngine, int> Engines() => new()
    {
        { NexmarkEngine.Handwritten, 1 },
        { NexmarkEngine.Sluice, 1 },
        { NexmarkEngine.Sluice, 2 },
        { NexmarkEngine.Rx, 1 },
        { NexmarkEngine.DuckDb, 1 },
    };

    private static IReadOnlyList<INexmarkRow>? Run(NexmarkEngine kind, int parallelism, NexmarkQuery query)
    {
        using var engine = kind == NexmarkEngine.Sluice ? new SluiceEngine(ExecutionMode.Deterministic) : Running.NexmarkRunner.Create(kind);
        if (!engine.Supports(query))
        {
            return null;
        }
        engine.Prepare(s_events, parallelism);
        return engine.Run(query, s_events, new QueryRunSettings(parallelism, KeepRows: true)).Rows;
    }

    private static void Check(NexmarkEngine engine, int parallelism, NexmarkQuery query, params INexmarkRow[] expected)
    {
        var rows = Run(engine, parallelism, query);
        if (rows is null)
        {
            return;
        }
        rows.Select(RowJson.Format).Order(StringComparer.Ordinal).ShouldBe(expected.Select(RowJson.Format).Order(StringComparer.Ordinal), $"{query.Name()} on {engine} p={parallelism}");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Q0Q1Q2_Stateless(NexmarkEngine engine, int parallelism)
    {
        Bid[] bids = [s_b1, s_b2, s_b3, s_b4, s_b5, s_b6, s_b7];
        Check(engine, parallelism, NexmarkQuery.Q0, [.. bids.Select(b => (INexmarkRow)BidRow.From(b))]);
        Check(engine, parallelism, NexmarkQuery.Q1, [.. bids.Select(b => (INexmarkRow)new CurrencyRow(b.Auction, b.Bidder, b.Price * 908, b.DateTime, b.Extra))]);
        // Only auction 2460 = 20 × 123.
        Check(engine, parallelism, NexmarkQuery.Q2, new AuctionPriceRow(2460, 300));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Q3_OnlyOregonSellerOfCategory10(NexmarkEngine engine, int parallelism) =>
        // Ann (OR) sells a1 (cat 10) and a3 (cat 11); Bob is in WA.
        Check(engine, parallelism, NexmarkQuery.Q3, new LocalItemRow("Ann A", "Portland", "OR", 2001));

    [Theory]
    [MemberData(nameof(Engines))]
    public void Q4_AverageOfWinningBidsInsideAuctionLifetime(NexmarkEngine engine, int parallelism) =>
        // a1: max(100, 300, 50 at its expiry) = 300; a2: 200 (500 came after expiry); a3: 50 came before it opened.
        // Category 10: (300 + 200) / 2 = 250.
        Check(engine, parallelism, NexmarkQuery.Q4, new CategoryAverageRow(10, 250));

    [Theory]
    [MemberData(nameof(Engines))]
    public void Q5_HottestAuctionsPerSlidingWindow(NexmarkEngine engine, int parallelism) =>
        // Bids (ms after T, auction): 5000 a1, 7000 a2, 9000 a1, 9000 a2, 10000 a3, 20000 a1, 25000 2460.
        Check(engine, parallelism, NexmarkQuery.Q5,
            new HotItemRow(2001, 1, T - 4000),
            new HotItemRow(2001, 1, T - 2000), new HotItemRow(2002, 1, T - 2000),
            new HotItemRow(2001, 2, T), new HotItemRow(2002, 2, T),
            new HotItemRow(2001, 2, T + 2000), new HotItemRow(2002, 2, T + 2000),
            new HotItemRow(2001, 2, T + 4000), new HotItemRow(2002, 2, T + 4000),
            new HotItemRow(2002, 2, T + 6000),
            new HotItemRow(2001, 1, T + 8000), new HotItemRow(2002, 1, T + 8000), new HotItemRow(2003, 1, T + 8000),
            new HotItemRow(2003, 1, T + 10_000),
            new HotItemRow(2001, 1, T + 12_000),
            new HotItemRow(2001, 1, T + 14_000),
            new HotItemRow(2001, 1, T + 16_000), new HotItemRow(2460, 1, T + 16_000),
            new HotItemRow(2001, 1, T + 18_000), new HotItemRow(2460, 1, T + 18_000),
            new HotItemRow(2001, 1, T + 20_000), new HotItemRow(2460, 1, T + 20_000),
            new HotItemRow(2460, 1, T + 22_000),
            new HotItemRow(2460, 1, T + 24_000));

    [Theory]
    [MemberData(nameof(Engines))]
    public void Q7_HighestBidPerWindow_IncludesBidAtWindowEnd(NexmarkEngine engine, int parallelism) =>
        // [T, T+10s): max 500 (b4). [T+10s, T+20s): max 50 (b5), and b7 at exactly T+20s with price 50 matches too
        // (BETWEEN is inclusive). [T+20s, T+30s): max 300 (b6).
        Check(engine, parallelism, NexmarkQuery.Q7, BidRow.From(s_b4), BidRow.From(s_b5), BidRow.From(s_b7), BidRow.From(s_b6));

    [Theory]
    [MemberData(nameof(Engines))]
    public void Q8_SellersWhoRegisteredInTheSameWindow(NexmarkEngine engine, int parallelism) =>
        // Both persons and a1/a2 are in [T, T+10s); a3 (Ann, T+12s) is in the next window and adds nothing.
        Check(engine, parallelism, NexmarkQuery.Q8, new NewUserRow(1001, "Ann A", T), new NewUserRow(1002, "Bob B", T));

    [Theory]
    [MemberData(nameof(Engines))]
    public void Q11_SessionsSplitByMoreThanTheGap(NexmarkEngine engine, int parallelism) =>
        // Bob: 5000, 9000, 10000 → one session [5000, 20000). Ann: 7000, 9000 | 20000, 25000 (11 s gap > 10 s).
        Check(engine, parallelism, NexmarkQuery.Q11,
            new SessionRow(1002, 3, T + 5000, T + 20_000),
            new SessionRow(1001, 2, T + 7000, T + 19_000),
            new SessionRow(1001, 2, T + 20_000, T + 35_000));

    [Theory]
    [MemberData(nameof(Engines))]
    public void Q12_CountsEveryBidOncePerBidder(NexmarkEngine engine, int parallelism)
    {
        var rows = Run(engine, parallelism, NexmarkQuery.Q12);
        if (rows is null)
        {
            return;
        }
        var totals = rows.Cast<ProcessingTimeCountRow>().GroupBy(r => r.Bidder).Select(g => (g.Key, g.Sum(r => r.BidCount))).Order().ToList();
        totals.ShouldBe([(1001L, 4L), (1002L, 3L)]);
    }
}
