using Sluice.Checkpoints;
using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;
using static Sluice.Connectors.DuckDb.Tests.Sinks.SinkTestSupport;

namespace Sluice.Connectors.DuckDb.Tests.Sinks;

public sealed record Order(string OrderId, long Quantity, decimal Price, DateTime At, bool Paid, int? Coupon);

public sealed record OrderV2(string OrderId, long Quantity, decimal Price, DateTime At, bool Paid, int? Coupon, string? Channel);

/// <summary>
/// The exactly-once DuckDB warehouse sink beyond the two-phase sink contract (Contracts/DuckDbWarehouseSinkContractTests):
/// column types, upserts, schema evolution, and one DuckDB transaction per batch recorded in _sluice_commits.
/// </summary>
public sealed class DuckDbWarehouseSinkTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Database => _dir.File("warehouse.duckdb");

    public void Dispose()
    {
        DuckDbWarehouse.Release(Database);
        _dir.Dispose();
    }

    [Fact]
    public async Task ToDuckDb_NoCheckpoints_CommitsAllRowsAtEndOfInput()
    {
        var at = new DateTime(2025, 3, 1, 12, 30, 0, DateTimeKind.Utc);
        var orders = Enumerable.Range(0, 1000).Select(i => new Order($"o{i}", i, i * 1.25m, at.AddSeconds(i), i % 2 == 0, i % 3 == 0 ? null : i)).ToList();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 3 });
        env.FromCollection(orders).ToDuckDb(Database, "orders");

        await env.ExecuteAsync().OrTimeout();

        var result = Query(Database, "SELECT order_id, quantity, price, \"at\", paid, coupon FROM orders ORDER BY quantity");
        result.RowCount.ShouldBe(1000);
        result.GetString(7, 0).ShouldBe("o7");
        result.GetDecimal(7, 2).ShouldBe(8.75m);
        result.GetDateTime(7, 3).ShouldBe(at.AddSeconds(7));
        result.GetBoolean(7, 4).ShouldBeFalse();
        result.GetInt32(7, 5).ShouldBe(7);
        result.IsNull(6, 5).ShouldBeTrue();
        Scalar(Database, "SELECT count(*) FROM _sluice_commits WHERE sink_table = 'orders' AND checkpoint_id = 0").ShouldBeGreaterThan(0);
        Directory.GetFiles(Database + ".sluice-staging", "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task ToDuckDb_RunTwiceWithoutCheckpoints_AppendsBothRuns()
    {
        for (var run = 0; run < 2; run++)
        {
            var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
            env.FromCollection(Enumerable.Range(0, 100).Select(i => PageView.Of(i))).ToDuckDb(Database, "views");
            await env.ExecuteAsync().OrTimeout();
        }

        Scalar(Database, "SELECT count(*) FROM views").ShouldBe(200, "a second job is not mistaken for a replay of the first");
    }

    [Fact]
    public async Task ToDuckDb_Upsert_LaterValuesWin()
    {
        // Keyed by the primary key so every version of a key goes through one writer, in order.
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        var at = new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        env.FromCollection(Enumerable.Range(0, 3000).Select(i => new Order($"o{i % 100}", i, i, at, true, null)))
            .KeyBy(o => o.OrderId).Reduce((_, latest) => latest)
            .ToDuckDb(Database, "orders", new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["order_id"] });
        await env.ExecuteAsync().OrTimeout();

        var result = Query(Database, "SELECT order_id, quantity FROM orders ORDER BY quantity");
        result.RowCount.ShouldBe(100);
        Longs(result, 1).ShouldBe(Enumerable.Range(2900, 100).Select(i => (long)i));

        // A later job updates some keys again.
        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env2.FromCollection([new Order("o5", -5, 0, at, false, 1), new Order("new", 1, 0, at, false, null)])
            .ToDuckDb(Database, "orders", new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["order_id"] });
        await env2.ExecuteAsync().OrTimeout();

        Scalar(Database, "SELECT count(*) FROM orders").ShouldBe(101);
        Scalar(Database, "SELECT quantity FROM orders WHERE order_id = 'o5'").ShouldBe(-5);
    }

    [Fact]
    public async Task ToDuckDb_NewNullableProperty_AddsColumn()
    {
        var at = new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([new Order("a", 1, 1, at, true, null)]).ToDuckDb(Database, "orders");
        await env.ExecuteAsync().OrTimeout();

        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env2.FromCollection([new OrderV2("b", 2, 2, at, true, null, "web")]).ToDuckDb(Database, "orders");
        await env2.ExecuteAsync().OrTimeout();

        var result = Query(Database, "SELECT order_id, channel FROM orders ORDER BY order_id");
        result.RowCount.ShouldBe(2);
        result.IsNull(0, 1).ShouldBeTrue();
        result.GetString(1, 1).ShouldBe("web");
    }

    [Fact]
    public void Commit_Twice_IsIdempotentAndRecordsTheCheckpoint()
    {
        var sink = new DuckDbWarehouseSink<PageView>(Database, "views");
        sink.AbortPending(0);
        using var writer = (ITwoPhaseSinkWriter<PageView>)sink.CreateWriter(Context(1));
        writer.Write(PageView.Of(1), 0);
        writer.Write(PageView.Of(2), 0);
        var committable = writer.PrepareCommit(7);
        Scalar(Database, "SELECT count(*) FROM views").ShouldBe(0, "nothing is visible before the commit");
        Directory.GetFiles(sink.StagingDirectory).Length.ShouldBe(1);

        sink.Commit(7, 1, committable);
        sink.Commit(7, 1, committable);
        sink.AbortPending(7);
        sink.Commit(7, 1, committable);

        Scalar(Database, "SELECT count(*) FROM views").ShouldBe(2);
        var commits = Query(Database, "SELECT subtask, sequence, checkpoint_id, row_count FROM _sluice_commits");
        commits.RowCount.ShouldBe(1);
        (commits.GetInt32(0, 0), commits.GetInt64(0, 1), commits.GetInt64(0, 2), commits.GetInt64(0, 3)).ShouldBe((1, 1L, 7L, 2L));
        Directory.GetFiles(sink.StagingDirectory).ShouldBeEmpty();
    }

    [Fact]
    public void Commit_StagedFileLost_Throws()
    {
        var sink = new DuckDbWarehouseSink<PageView>(Database, "views");
        sink.AbortPending(0);
        using var writer = (ITwoPhaseSinkWriter<PageView>)sink.CreateWriter(Context(0));
        writer.Write(PageView.Of(1), 0);
        var committable = writer.PrepareCommit(2);
        sink.AbortPending(0);
        Should.Throw<IOException>(() => sink.Commit(2, 0, committable)).Message.ShouldContain("does not exist");
    }

    [Fact]
    public void Constructor_UpsertWithoutKey_Throws()
    {
        Should.Throw<ArgumentException>(() => new DuckDbWarehouseSink<Order>(Database, "orders", new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert }))
            .Message.ShouldContain("PrimaryKey");
        Should.Throw<ArgumentException>(() => new DuckDbWarehouseSink<Order>(Database, "orders", new DuckDbSinkOptions { PrimaryKey = ["OrderId"] }))
            .Message.ShouldContain("order_id");
    }

    [Fact]
    public void Constructor_AppendWithPrimaryKey_RefusedNamingTheTable() =>
        Should.Throw<ArgumentException>(() => new DuckDbWarehouseSink<Order>(Database, "orders", new DuckDbSinkOptions { Mode = WarehouseWriteMode.Append, PrimaryKey = ["order_id"] }))
            .Message.ShouldBe("The DuckDB sink of table 'orders' cannot append with a primary key (order_id): the first repeated key would fail its checkpoint's commit on every retry. Use WarehouseWriteMode.Upsert, or no primary key. (Parameter 'options')");

    /// <summary>Upsert mode across a crash (the contract suite covers append): replayed keys overwrite, none doubles.</summary>
    [Fact]
    public async Task Restore_AfterCrashInUpsertMode_TableHoldsExactlyTheUninterruptedResult()
    {
        const long count = 20_000;
        var options = new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["event_id"] };
        var checkpoints = _dir.File("checkpoints");
        var source1 = new PausableRangeSource(count) { PauseAt = 7_000 };
        var env1 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        BuildUpsert(env1, source1, options);
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        source1.AdvanceTo(12_000);
        await PausableRangeSource.CrashAsync(run1);
        Scalar(Database, "SELECT count(*) FROM views").ShouldBe(7_000, "rows after the checkpoint stay staged");

        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        BuildUpsert(env2, new PausableRangeSource(count), options);
        var result = await env2.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        Scalar(Database, "SELECT count(*) FROM views").ShouldBe(count);
        Scalar(Database, "SELECT count(DISTINCT event_id) FROM views").ShouldBe(count);
        Scalar(Database, "SELECT sum(user_id) FROM views").ShouldBe(Enumerable.Range(0, (int)count).Sum(i => (long)PageView.Of(i).UserId));
        Scalar(Database, "SELECT sum(row_count) FROM _sluice_commits").ShouldBe(count, "each checkpoint's rows are committed once");
        Directory.GetFiles(Database + ".sluice-staging", "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    /// <summary>
    /// A changelog with deletes across a crash: per key k, +I(k, 4k), -U(k, 4k), +U(k, 4k+2), then -D for an even k and
    /// +U(k, 4k+3) for an odd one. Replayed deletes and upserts after the restore leave exactly the uninterrupted result.
    /// </summary>
    [Fact]
    public async Task Restore_AfterCrashWithDeletes_TableHoldsExactlyTheUninterruptedResult()
    {
        const long count = 20_000; // keys 0..4999
        var checkpoints = _dir.File("checkpoints");
        var source1 = new PausableRangeSource(count) { PauseAt = 7_000 };
        var env1 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        BuildChangelog(env1, source1);
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        source1.AdvanceTo(12_000);
        await PausableRangeSource.CrashAsync(run1);
        Scalar(Database, "SELECT count(*) FROM changes").ShouldBe(875, "keys 0..1749 were checkpointed: the odd ones remain");

        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        BuildChangelog(env2, new PausableRangeSource(count));
        var result = await env2.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        Scalar(Database, "SELECT count(*) FROM changes").ShouldBe(2_500);
        Scalar(Database, "SELECT count(*) FROM changes WHERE k % 2 = 0").ShouldBe(0, "every even key was deleted");
        Scalar(Database, "SELECT count(*) FROM changes WHERE v <> 4 * k + 3").ShouldBe(0, "every odd key holds its last update");
        Scalar(Database, "SELECT sum(v) FROM changes").ShouldBe(25_007_500); // 4 · (1 + 3 + … + 4999) + 3 · 2500
        Scalar(Database, "SELECT sum(row_count) FROM _sluice_commits").ShouldBe(count, "four staged rows per key (-U as a delete), committed once");
        Directory.GetFiles(Database + ".sluice-staging", "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    /// <summary>
    /// A row that stops matching a filter (HAVING COUNT(*) &lt; 10) is retracted by a -U with no +U: the -U deletes its
    /// key. A -U followed by its +U in the same batch still ends as one upsert.
    /// </summary>
    [Fact]
    public void Commit_UpdateBeforeWithoutUpdateAfter_DeletesTheKey_UpdateBeforeThenAfter_Upserts()
    {
        var sink = DuckDbWarehouseSink.ForRows(Database, "changes", s_changes, new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["k"] });
        sink.AbortPending(0);
        using var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(Context(0));
        writer.Write(Changed(RowKind.Insert, 1, 9), 0);
        writer.Write(Changed(RowKind.Insert, 2, 5), 0);
        sink.Commit(1, 0, writer.PrepareCommit(1));

        writer.Write(Changed(RowKind.UpdateBefore, 1, 9), 0);
        writer.Write(Changed(RowKind.UpdateBefore, 2, 5), 0);
        writer.Write(Changed(RowKind.UpdateAfter, 2, 6), 0);
        sink.Commit(2, 0, writer.PrepareCommit(2));

        var result = Query(Database, "SELECT k, v FROM changes ORDER BY k");
        result.RowCount.ShouldBe(1, "key 1 was retracted without an update after");
        (result.GetInt64(0, 0), result.GetInt64(0, 1)).ShouldBe((2L, 6L));
    }

    private static Row Changed(RowKind kind, long k, long v)
    {
        var row = Row.Of(s_changes, k, v);
        row.Kind = kind;
        return row;
    }

    private static readonly Schema s_changes = Schema.Parse("k BIGINT NOT NULL, v BIGINT");

    private static Row Change(long i)
    {
        var k = i / 4;
        var (kind, v) = (i % 4) switch
        {
            0 => (RowKind.Insert, i),
            1 => (RowKind.UpdateBefore, i - 1),
            2 => (RowKind.UpdateAfter, i),
            _ => k % 2 == 0 ? (RowKind.Delete, i - 1) : (RowKind.UpdateAfter, i),
        };
        var row = Row.Of(s_changes, k, v);
        row.Kind = kind;
        return row;
    }

    private sealed class PassThrough : KeyedProcessFunction<long, Row, Row>
    {
        public override void ProcessElement(Row value, KeyedProcessContext<long> context, ICollector<Row> output) => output.Collect(value);
    }

    // One source task keeps the changelog in order; keying sends every change of a key through one writer, in order.
    private void BuildChangelog(StreamEnvironment env, PausableRangeSource source) =>
        env.FromSource(source, null, "Range").Uid("range")
            .Map(Change).SetParallelism(1).Uid("changes")
            .KeyBy(static r => r.GetInt64(0)).Process(new PassThrough()).Uid("by-key")
            .ToDuckDb(Database, "changes", s_changes, new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["k"] }).Uid("sink");

    private void BuildUpsert(StreamEnvironment env, PausableRangeSource source, DuckDbSinkOptions options) =>
        env.FromSource(source, null, "Range").Uid("range")
            .Map(PageView.Of).Uid("map")
            .ToDuckDb(Database, "views", options).Uid("sink");
}
