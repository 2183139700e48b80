using Sluice.Nexmark.Queries;
using Sluice.Nexmark.Results;
using Sluice.Nexmark.Sql;
using Sluice.Nexmark.Streaming;

namespace Sluice.Nexmark.Tests;

/// <summary>The nexmark Flink SQL on Sluice SQL against the DataStream queries, over the same out-of-order events.</summary>
public class SqlEngineTests(EventsFixture fixture) : IClassFixture<EventsFixture>
{
    public static TheoryData<NexmarkQuery, int> QueriesAndParallelism()
    {
        var data = new TheoryData<NexmarkQuery, int>();
        foreach (var q in NexmarkQueries.All)
        {
            data.Add(q, 1);
            data.Add(q, 4);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(QueriesAndParallelism))]
    public void Run_SmallOutOfOrderInput_MaterializesToTheDataStreamResult(NexmarkQuery query, int parallelism)
    {
        using var sluice = new SluiceEngine(ExecutionMode.Deterministic);
        var expected = sluice.Run(query, fixture.Events, new QueryRunSettings(1, KeepRows: true));
        using var sql = new SqlEngine();

        var actual = sql.Run(query, fixture.Events, new QueryRunSettings(parallelism, KeepRows: true));

        var what = $"{query.Name()} p={parallelism}";
        if (query == NexmarkQuery.Q12)
        {
            // Processing-time windows: which window a bid lands in depends on the clock, so rows differ between runs;
            // the checksum adds count × hash(bidder), so it is equal when every bid is counted once (at the latest
            // in the windows that fire at the end of input).
            actual.Count.ShouldBeGreaterThan(0, what);
            actual.Checksum.ShouldBe(expected.Checksum, what);
            return;
        }
        actual.Count.ShouldBe(expected.Count, what);
        switch (query)
        {
            case NexmarkQuery.Q5:
                // The SQL's sink table has no window start: compare (auction, num).
                Project(actual).ShouldBe(Project(expected), what);
                break;
            default:
                actual.Checksum.ShouldBe(expected.Checksum, what);
                Sorted(actual).ShouldBe(Sorted(expected), what);
                break;
        }
    }

    [Fact]
    public void Script_Q1_SubstitutesNothingButTheSink()
    {
        using var sql = new SqlEngine();

        var script = sql.Script(NexmarkQuery.Q1, 1000);

        script.ShouldContain("'connector' = 'nexmark-collect'");
        script.ShouldNotContain("blackhole");
        script.ShouldContain("0.908 * price as price");
    }

    [Theory]
    [InlineData(NexmarkQuery.Q3)]
    [InlineData(NexmarkQuery.Q7)]
    public void Run_OnRocksDb_MaterializesToTheDataStreamResult(NexmarkQuery query)
    {
        using var sluice = new SluiceEngine(ExecutionMode.Deterministic);
        var expected = sluice.Run(query, fixture.Events, new QueryRunSettings(1, KeepRows: true));
        using var sql = new SqlEngine();
        var rocksDb = new Sluice.State.RocksDbStateBackend { Directory = Path.Combine(Path.GetTempPath(), "sluice-tests-rocksdb") };

        var actual = sql.Run(query, fixture.Events, new QueryRunSettings(1, KeepRows: true, StateBackend: rocksDb));

        actual.Checksum.ShouldBe(expected.Checksum, query.Name());
        Sorted(actual).ShouldBe(Sorted(expected), query.Name());
    }

    [Fact]
    public void Run_Q5OnRocksDb_HopSlicesGiveTheHeapResult()
    {
        // q5's two HOP aggregations keep slices: on RocksDB a firing window walks the key's slices with an iterator.
        using var sql = new SqlEngine();
        var heap = sql.Run(NexmarkQuery.Q5, fixture.Events, new QueryRunSettings(1, KeepRows: true));
        var rocksDb = new Sluice.State.RocksDbStateBackend { Directory = Path.Combine(Path.GetTempPath(), "sluice-tests-rocksdb") };

        var actual = sql.Run(NexmarkQuery.Q5, fixture.Events, new QueryRunSettings(1, KeepRows: true, StateBackend: rocksDb));

        actual.Count.ShouldBeGreaterThan(0);
        actual.Checksum.ShouldBe(heap.Checksum);
        Sorted(actual).ShouldBe(Sorted(heap));
    }

    [Fact]
    public void Run_GivesTheJobsTheRunsStateBackend()
    {
        // A RocksDB backend whose directory is a file cannot open: the run fails exactly when the job uses it.
        var file = Path.GetTempFileName();
        try
        {
            using var sql = new SqlEngine();
            var rocksDb = new Sluice.State.RocksDbStateBackend { Directory = file };

            var error = Should.Throw<Exception>(() => sql.Run(NexmarkQuery.Q7, fixture.Events, new QueryRunSettings(1, KeepRows: false, StateBackend: rocksDb)));
            // Whatever wraps it, the failure is the backend's: its directory is named somewhere in the chain.
            Chain(error).ShouldContain(e => e.Message.Contains(file, StringComparison.Ordinal), $"no error in the chain names {file}: {error}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void CountChar_CountsTheFirstCharacter()
    {
        CountChar.Eval("banana", "a").ShouldBe(3);
        CountChar.Eval("banana", "").ShouldBe(0);
        CountChar.Eval(null, "a").ShouldBe(0);
    }

    private static List<string> Sorted(QueryOutput output) => output.Rows!.Select(RowJson.Format).Order(StringComparer.Ordinal).ToList();

    private static List<(long, long)> Project(QueryOutput output) =>
        output.Rows!.Cast<HotItemRow>().Select(static r => (r.Auction, r.Num)).Order().ToList();

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
