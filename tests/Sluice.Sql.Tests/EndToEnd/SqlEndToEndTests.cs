using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Connectors.Print;
using Sluice.Schemas;
using Sluice.Sql.Session;
using Sluice.Sql.Tests.Session;

namespace Sluice.Sql.Tests.EndToEnd;

/// <summary>Statements run through the whole stack: parser, binder, optimizer, physical planner and a real job.</summary>
public sealed class SqlEndToEndTests : IDisposable
{
    private const string Bids = "CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3), "
        + "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'rows')";

    private static readonly DateTime s_t0 = new(2026, 12, 5, 10, 0, 0);

    /// <summary>The rows of the <c>bid</c> table: auction, bidder, price, ts (seconds after t0, out of order); shared with <see cref="CheckConstraintTests"/>.</summary>
    internal static readonly object?[][] BidRows =
    [
        [1L, 10L, 100L, s_t0.AddSeconds(1)],
        [2L, 11L, 5L, s_t0.AddSeconds(3)],
        [1L, 12L, 150L, s_t0.AddSeconds(2)],
        [3L, 10L, 70L, s_t0.AddSeconds(12)],
        [2L, 13L, 20L, s_t0.AddSeconds(11)],
        [1L, 11L, null, s_t0.AddSeconds(14)],
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sql-e2e-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private SqlSession Session(int parallelism = 1)
    {
        var registry = new ConnectorRegistry()
            .Register(new RowsConnectorFactory(BidRows))
            .Register(new FilesystemConnectorFactory())
            .Register(new PrintConnectorFactory(TextWriter.Null));
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute(Bids);
        session.Execute($"SET 'parallelism.default' = '{parallelism}'");
        return session;
    }

    /// <summary>The rows left after applying a changelog, as text, sorted.</summary>
    private static List<string> Materialize(IEnumerable<Row> changelog)
    {
        var rows = new List<string>();
        foreach (var row in changelog)
        {
            var copy = row.Copy();
            copy.Kind = RowKind.Insert;
            var text = copy.ToString();
            if (row.Kind is RowKind.Insert or RowKind.UpdateAfter)
            {
                rows.Add(text);
            }
            else
            {
                rows.Remove(text).ShouldBeTrue($"A retraction of a row that is not there: {text}");
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    [Fact]
    public async Task Select_FilterAndProjection_ReturnsTheMatchingRowsComputed()
    {
        var rows = await QueryRows.ChangelogAsync(Session(), "SELECT auction, price * 2 AS doubled FROM bid WHERE price > 50");

        rows.Select(static r => (r.Kind, r.GetInt64(0), r.GetInt64(1))).OrderBy(static r => r.Item2).ThenBy(static r => r.Item3)
            .ShouldBe([(RowKind.Insert, 1L, 200L), (RowKind.Insert, 1L, 300L), (RowKind.Insert, 3L, 140L)]);
    }

    [Fact]
    public void Explain_CalcAndSinkProjectionOverAScan_RunInTheScanOperator()
    {
        var session = Session();
        session.Execute("CREATE TABLE sink (auction BIGINT, doubled BIGINT) WITH ('connector' = 'print')");

        var plan = session.Execute("EXPLAIN INSERT INTO sink SELECT auction, price * 2 FROM bid WHERE price > 10")
            .ShouldHaveSingleItem().ShouldBeOfType<SqlExplainResult>().Plan;

        // One operator between the source and the sink: the scan with the Calc and the sink's projection fused in.
        plan.ShouldContain("task [1x] TableSource(bid) -> TableScan(bid) + Calc(select=[auction, (price * 2) AS doubled], where=[(price > 10)]) + Sink(sink) -> TableSink(sink)\n");
    }

    [Fact]
    public void Explain_ParallelismOneSourceInAParallelJob_RunsTheScanChainedAtTheSourcesParallelism()
    {
        var session = Session(parallelism: 4);
        session.Execute("CREATE TABLE sink (auction BIGINT, n BIGINT) WITH ('connector' = 'print')");

        var plan = session.Execute("EXPLAIN INSERT INTO sink SELECT auction, COUNT(*) FROM bid GROUP BY auction")
            .ShouldHaveSingleItem().ShouldBeOfType<SqlExplainResult>().Plan;

        // The rows source runs at 1: the scan, which gives rows their rowtimes, runs beside it instead of after a
        // rebalance, so the watermark and the rows reach the aggregate over one channel in the source's order.
        plan.ShouldContain("task [1x] TableSource(bid) -> TableScan(bid)");
        plan.ShouldNotContain("rebalance");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Select_GroupBy_ProducesAnUpdatingChangelogThatMaterializesToTheGroups(int parallelism)
    {
        var rows = await QueryRows.ChangelogAsync(Session(parallelism), "SELECT auction, COUNT(*) AS bids, MAX(price) AS top FROM bid GROUP BY auction");

        rows.ShouldContain(static r => r.Kind == RowKind.UpdateBefore);
        Materialize(rows).ShouldBe(
        [
            Row.Of(Schema.Parse("auction BIGINT, bids BIGINT NOT NULL, top BIGINT"), 1L, 3L, 150L).ToString(),
            Row.Of(Schema.Parse("auction BIGINT, bids BIGINT NOT NULL, top BIGINT"), 2L, 2L, 20L).ToString(),
            Row.Of(Schema.Parse("auction BIGINT, bids BIGINT NOT NULL, top BIGINT"), 3L, 1L, 70L).ToString(),
        ]);
    }

    [Fact]
    public async Task Insert_IntoAFilesystemTable_WritesTheRowsAsJsonLines()
    {
        var session = Session();
        var path = Path.Combine(_directory, "out");
        session.Execute($"CREATE TABLE cheap (auction BIGINT, price BIGINT) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'json')");

        var job = session.Execute("INSERT INTO cheap SELECT auction, price FROM bid WHERE price < 50").ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.OrTimeout();

        var lines = Directory.GetFiles(path, "*", SearchOption.AllDirectories)
            .Where(static f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).StartsWith('_'))
            .SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal).ToList();
        lines.ShouldBe(["{\"auction\":2,\"price\":20}", "{\"auction\":2,\"price\":5}"]);
    }

    [Fact]
    public void Insert_UpdatingQueryIntoAnAppendOnlySink_IsRejectedNamingTheAggregate()
    {
        var session = Session();
        session.Execute($"CREATE TABLE counts (auction BIGINT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '{Path.Combine(_directory, "counts")}', 'format' = 'json')");

        var error = Should.Throw<SqlException>(() => session.Execute("INSERT INTO counts SELECT auction, COUNT(*) FROM bid GROUP BY auction"));

        error.Reason.ShouldContain("'counts'");
        error.Reason.ShouldContain("GroupAggregate");
    }

    [Fact]
    public void Explain_Insert_PrintsTheLogicalAndPhysicalPlans()
    {
        var session = Session();
        session.Execute("CREATE TABLE sink (auction BIGINT, price BIGINT) WITH ('connector' = 'print')");

        var plan = session.Execute("EXPLAIN INSERT INTO sink SELECT auction, price FROM bid WHERE price > 10")
            .ShouldHaveSingleItem().ShouldBeOfType<SqlExplainResult>().Plan;

        plan.ShouldContain("== Abstract Syntax Tree ==");
        plan.ShouldContain("== Optimized Logical Plan ==");
        plan.ShouldContain("== Physical Execution Plan ==");
        plan.ShouldContain("TableSource(bid)");
        plan.ShouldContain("TableSink(sink)");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Select_TumbleWindowAggregate_EmitsOneRowPerWindowAndKeyWhenTheWindowCloses(int parallelism)
    {
        var rows = await QueryRows.ChangelogAsync(Session(parallelism),
            "SELECT auction, window_start, window_end, COUNT(*) AS n, SUM(price) AS total "
            + "FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end");

        rows.ShouldAllBe(static r => r.Kind == RowKind.Insert);
        rows.Select(static r => $"{r.GetInt64(0)} {r.GetTimestamp(1):HH:mm:ss}-{r.GetTimestamp(2):HH:mm:ss} {r.GetInt64(3)} {(r.IsNull(4) ? "null" : r.GetInt64(4))}")
            .Order(StringComparer.Ordinal)
            .ShouldBe(
            [
                "1 10:00:00-10:00:10 2 250",
                "1 10:00:10-10:00:20 1 null",
                "2 10:00:00-10:00:10 1 5",
                "2 10:00:10-10:00:20 1 20",
                "3 10:00:10-10:00:20 1 70",
            ]);
    }

    [Fact]
    public async Task Set_SourceIdleTimeout_AQuietTableInAUnionStopsHoldingBackItsWindows()
    {
        // bid ends (its last watermark is the maximum); quiet never has a row and never ends. Without the setting its
        // watermark holds the union's back for good and no window closes (TableBridgeTests shows that case); with it,
        // quiet turns idle after 100 ms and both windows close.
        var registry = new ConnectorRegistry()
            .Register(new RowsConnectorFactory(BidRows))
            .Register(new RowsConnectorFactory(null, identifier: "quiet"));
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute(Bids);
        session.Execute("CREATE TABLE quiet (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3), "
            + "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'quiet')");
        session.Execute("CREATE VIEW bids AS SELECT * FROM bid UNION ALL SELECT * FROM quiet");
        session.Execute("SET 'table.exec.source.idle-timeout' = '100 ms'");

        await using var result = session.Execute("SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
            + "GROUP BY window_start, window_end").ShouldHaveSingleItem().ShouldBeOfType<SqlQueryResult>();
        var rows = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var row in result.ReadAllAsync().WithCancellation(timeout.Token))
        {
            rows.Add($"{row.GetTimestamp(0):HH:mm:ss} {row.GetInt64(1)}");
            if (rows.Count == 2)
            {
                break;
            }
        }

        rows.Order(StringComparer.Ordinal).ShouldBe(["10:00:00 3", "10:00:10 3"]);
    }

    [Fact]
    public async Task ProcessingTimeTumble_RowsOfOneTaskStepShareOneReadingOfTheClock()
    {
        // The six rows reach the window aggregation in one batch, handled in one task step, which reads the
        // processing-time clock once: with a clock that moves on a second at every reading, a reading per row would put
        // each row into a one-second window of its own.
        var registry = new ConnectorRegistry().Register(new RowsConnectorFactory(BidRows));
        var session = SqlSession.Create(new SqlSessionOptions
        {
            Connectors = registry,
            ConfigureJob = options => options with { TimeProvider = new TickingClock() },
        });
        session.Execute("CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3), pt AS PROCTIME()) WITH ('connector' = 'rows')");

        var rows = await QueryRows.ChangelogAsync(session,
            "SELECT COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(pt), INTERVAL '1' SECOND)) GROUP BY window_start, window_end");

        rows.Select(static r => r.GetInt64(0)).ShouldBe([6L]);
    }

    [Fact]
    public async Task Select_LegacyGroupWindow_MatchesTheWindowTvf()
    {
        var rows = await QueryRows.ChangelogAsync(Session(),
            "SELECT TUMBLE_START(ts, INTERVAL '10' SECOND) AS ws, COUNT(*) AS n FROM bid GROUP BY TUMBLE(ts, INTERVAL '10' SECOND)");

        rows.Select(static r => $"{r.GetTimestamp(0):HH:mm:ss} {r.GetInt64(1)}").Order(StringComparer.Ordinal).ShouldBe(["10:00:00 3", "10:00:10 3"]);
    }

    [Fact]
    public async Task Select_HopWindowTableFunctionAlone_EmitsARowPerWindow()
    {
        var rows = await QueryRows.ChangelogAsync(Session(),
            "SELECT auction, window_start, window_end FROM TABLE(HOP(TABLE bid, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) WHERE auction = 3");

        // ts = t0 + 12 s is in [5, 15) and [10, 20).
        rows.Select(static r => $"{r.GetTimestamp(1):HH:mm:ss}-{r.GetTimestamp(2):HH:mm:ss}").Order(StringComparer.Ordinal)
            .ShouldBe(["10:00:05-10:00:15", "10:00:10-10:00:20"]);
    }

    [Fact]
    public async Task Select_OverAggregate_RunningCountPerAuctionInEventTimeOrder()
    {
        var rows = await QueryRows.ChangelogAsync(Session(),
            "SELECT auction, bidder, COUNT(*) OVER (PARTITION BY auction ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n FROM bid");

        rows.Select(static r => $"{r.GetInt64(0)} {r.GetInt64(1)} {r.GetInt64(2)}").Order(StringComparer.Ordinal)
            .ShouldBe(["1 10 1", "1 11 3", "1 12 2", "2 11 1", "2 13 2", "3 10 1"]);
    }

    [Fact]
    public async Task Select_TopN_KeepsTheHighestPricePerAuction()
    {
        var rows = await QueryRows.ChangelogAsync(Session(),
            "SELECT auction, price FROM (SELECT auction, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bid WHERE price IS NOT NULL) WHERE rn <= 1");

        Materialize(rows).ShouldBe(
        [
            Row.Of(Schema.Parse("auction BIGINT, price BIGINT NOT NULL"), 1L, 150L).ToString(),
            Row.Of(Schema.Parse("auction BIGINT, price BIGINT NOT NULL"), 2L, 20L).ToString(),
            Row.Of(Schema.Parse("auction BIGINT, price BIGINT NOT NULL"), 3L, 70L).ToString(),
        ]);
    }

    [Fact]
    public async Task Select_IntervalJoin_PairsBidsOfTheSameBidderWithinFifteenSeconds()
    {
        var rows = await QueryRows.ChangelogAsync(Session(),
            "SELECT a.auction, b.auction AS other FROM bid a JOIN bid b ON a.bidder = b.bidder AND a.auction < b.auction "
            + "AND a.ts BETWEEN b.ts - INTERVAL '15' SECOND AND b.ts + INTERVAL '15' SECOND");

        // bidder 10: auctions 1 (t+1) and 3 (t+12); bidder 11: 1 (t+14) and 2 (t+3); the others bid once.
        rows.Select(static r => $"{r.GetInt64(0)} {r.GetInt64(1)}").Order(StringComparer.Ordinal).ShouldBe(["1 2", "1 3"]);
    }

    /// <summary>A clock that moves on by one second every time it is read.</summary>
    private sealed class TickingClock : TimeProvider
    {
        private long _ms = 1_000_000;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Add(ref _ms, 1_000));
    }
}
