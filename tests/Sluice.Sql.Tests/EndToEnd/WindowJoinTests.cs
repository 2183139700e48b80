using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Sql.Session;
using Sluice.Sql.Tests.Session;

namespace Sluice.Sql.Tests.EndToEnd;

/// <summary>Window joins: both sides windowed alike and joined on the window's bounds run once per window, append-only.</summary>
public sealed class WindowJoinTests : IDisposable
{
    private const string NextBidder = """
        SELECT l.auction, l.bidder, r.bidder AS other FROM
          (SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND))) AS l
          LEFT JOIN (SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND))) AS r
          ON l.window_start = r.window_start AND l.window_end = r.window_end AND l.auction = r.auction AND l.bidder < r.bidder
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sql-window-join-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Select_WindowLeftJoin_OnlyInsertsEachWindowsPairsAndPaddedRows(int parallelism)
    {
        var rows = await QueryRows.SortedTextAsync(WindowedBids.Session(parallelism), NextBidder);

        // [10:00:00, 10:00:10): auction 1 has bidders 10 and 12; every other bid has no higher bidder on its auction in
        // its window. A regular LEFT join would also emit (and retract) a padded row for bidder 10.
        rows.ShouldBe(["+I[1, 10, 12]", "+I[1, 11, null]", "+I[1, 12, null]", "+I[2, 11, null]", "+I[2, 13, null]", "+I[3, 10, null]"]);
    }

    [Fact]
    public async Task Insert_WindowJoinIntoAnAppendOnlySink_IsPlannedAsAWindowJoinAndRuns()
    {
        var session = WindowedBids.Session();
        var path = Path.Combine(_directory, "pairs");
        session.Execute($"CREATE TABLE pairs (auction BIGINT, bidder BIGINT, other BIGINT) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'json')");

        var explain = session.Execute("EXPLAIN " + NextBidder).ShouldHaveSingleItem().ShouldBeOfType<SqlExplainResult>().Plan;
        var job = session.Execute("INSERT INTO pairs " + NextBidder).ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.OrTimeout();

        explain.ShouldContain("WindowJoin(joinType=[LeftOuterJoin]");
        var lines = Directory.GetFiles(path, "*", SearchOption.AllDirectories)
            .Where(static f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).StartsWith('_'))
            .SelectMany(File.ReadAllLines).ToList();
        lines.Count.ShouldBe(6);
        lines.ShouldContain("{\"auction\":1,\"bidder\":10,\"other\":12}");
    }
}
