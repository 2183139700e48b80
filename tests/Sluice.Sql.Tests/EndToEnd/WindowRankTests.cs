using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Sql.Session;
using Sluice.Sql.Tests.Session;

namespace Sluice.Sql.Tests.EndToEnd;

/// <summary>Window Top-N and window deduplication: ranks partitioned by a window's bounds run once per window, append-only.</summary>
public sealed class WindowRankTests : IDisposable
{
    private const string TopAuction = """
        SELECT auction, total, rn FROM (
          SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC) AS rn
          FROM (SELECT window_start, window_end, auction, SUM(price) AS total
                FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE price IS NOT NULL
                GROUP BY window_start, window_end, auction))
        WHERE rn <= 1
        """;

    private const string FirstBidPerAuction = """
        SELECT auction, bidder FROM (
          SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, auction ORDER BY ts) AS rn
          FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND)))
        WHERE rn = 1
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sql-window-rank-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Select_WindowTopNOverAWindowAggregate_OneInsertPerWindow(int parallelism)
    {
        var rows = await QueryRows.SortedTextAsync(WindowedBids.Session(parallelism), TopAuction);

        // [10:00:00, 10:00:10): auction 1 has 100 + 150; [10:00:10, 10:00:20): auction 3 has 70, auction 2 has 20.
        rows.ShouldBe(["+I[1, 250, 1]", "+I[3, 70, 1]"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Select_WindowDeduplicate_KeepsEachAuctionsFirstBidPerWindow(int parallelism)
    {
        var rows = await QueryRows.SortedTextAsync(WindowedBids.Session(parallelism), FirstBidPerAuction);

        rows.ShouldBe(["+I[1, 10]", "+I[1, 11]", "+I[2, 11]", "+I[2, 13]", "+I[3, 10]"]);
    }

    [Fact]
    public void Explain_WindowTopNAndDeduplicate_AreTheWindowNodes()
    {
        var session = WindowedBids.Session();

        var topN = session.Execute("EXPLAIN " + TopAuction).ShouldHaveSingleItem().ShouldBeOfType<SqlExplainResult>().Plan;
        var dedup = session.Execute("EXPLAIN " + FirstBidPerAuction).ShouldHaveSingleItem().ShouldBeOfType<SqlExplainResult>().Plan;

        topN.ShouldContain("WindowRank(rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=1], partitionBy=[window_start, window_end]");
        // The TVF keeps only window_time as a time attribute, so ORDER BY ts is a window Top-1 (the same operator).
        dedup.ShouldContain("WindowRank(rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=1], partitionBy=[window_start, window_end, auction], orderBy=[ts ASC]");
    }

    [Fact]
    public async Task Insert_WindowTopNIntoAnAppendOnlySink_IsAcceptedAndWritesTheRows()
    {
        var session = WindowedBids.Session();
        var path = Path.Combine(_directory, "top");
        session.Execute($"CREATE TABLE top_auction (auction BIGINT, total BIGINT, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'json')");

        var job = session.Execute("INSERT INTO top_auction " + TopAuction).ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.OrTimeout();

        var lines = Directory.GetFiles(path, "*", SearchOption.AllDirectories)
            .Where(static f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).StartsWith('_'))
            .SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal).ToList();
        lines.ShouldBe(["{\"auction\":1,\"total\":250,\"rn\":1}", "{\"auction\":3,\"total\":70,\"rn\":1}"]);
    }
}
