using DuckDB.NET.Data;
using Sluice.Checkpoints;
using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Sinks;
using static Sluice.Connectors.DuckDb.Tests.Sinks.SinkTestSupport;

namespace Sluice.Connectors.DuckDb.Tests.Sinks;

/// <summary>
/// The exactly-once Parquet lake sink: hive-partitioned files appear only when committed; crash + restore (also with
/// another parallelism) leaves exactly the uninterrupted rows across all files; DuckDB reads the lake back.
/// </summary>
public sealed class ParquetLakeSinkTests : IDisposable
{
    private const long Count = 20_000;
    private readonly TempDirectory _dir = new();
    private readonly DuckDBConnection _conn = DuckDbQueries.Open(":memory:");

    private string Lake => _dir.File("lake");

    private string Table => Path.Combine(Lake, "views");

    private string ReadLake => $"read_parquet('{Table}/**/*.parquet', hive_partitioning = true)";

    public void Dispose()
    {
        _conn.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task ToParquetLake_NoCheckpoints_HivePartitionsReadableWithCorrectCounts()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 3 });
        env.FromCollection(Enumerable.Range(0, 5000).Select(i => PageView.Of(i))).ToParquetLake(Lake, "views", v => v.EventTimeMs);

        await env.ExecuteAsync().OrTimeout();

        // 5000 events 5 s apart from 00:00: 720 per hour, hours 0..6 of 2025-03-01.
        var result = _conn.Query($"SELECT CAST(event_date AS VARCHAR), hour, count(*), min(event_id), max(event_id) FROM {ReadLake} GROUP BY ALL ORDER BY ALL");
        result.RowCount.ShouldBe(7);
        for (var h = 0; h < 7; h++)
        {
            result.GetString(h, 0).ShouldBe("2025-03-01");
            result.GetInt64(h, 1).ShouldBe(h);
            result.GetInt64(h, 2).ShouldBe(h < 6 ? 720 : 5000 - (6 * 720));
            result.GetInt64(h, 3).ShouldBe(h * 720);
        }
        _conn.Query($"SELECT count(DISTINCT event_id) FROM {ReadLake}").GetInt64(0, 0).ShouldBe(5000);
        ParquetLakeSink<PageView>.CommittedFiles(Table).ShouldAllBe(f => f.Contains("/event_date=2025-03-01/hour="));
        Directory.GetFiles(Path.Combine(Table, ParquetLakeSink<PageView>.StagingDirectoryName)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ToParquetLake_DailyPartitionsAndMaxRowsPerFile_RollsFiles()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(Enumerable.Range(0, 2500).Select(i => PageView.Of(i)))
            .ToParquetLake(Lake, "views", v => v.EventTimeMs, new ParquetLakeOptions { PartitionByHour = false, MaxRowsPerFile = 1000 });

        await env.ExecuteAsync().OrTimeout();

        var files = ParquetLakeSink<PageView>.CommittedFiles(Table);
        files.Select(f => Path.GetRelativePath(Table, f).Split('/')[0]).Distinct().ShouldBe(["event_date=2025-03-01"]);
        files.Count.ShouldBe(3);
        files.Select(f => _conn.Query($"SELECT count(*) FROM read_parquet('{f}')").GetInt64(0, 0)).Order().ShouldBe([500L, 1000L, 1000L]);
        _conn.Query($"SELECT count(*), count(DISTINCT event_id) FROM {ReadLake}").GetInt64(0, 1).ShouldBe(2500);
    }

    [Fact]
    public void Commit_Twice_IsIdempotent()
    {
        var sink = new ParquetLakeSink<PageView>(Lake, "views", v => v.EventTimeMs);
        sink.AbortPending(0);
        using var writer = (ITwoPhaseSinkWriter<PageView>)sink.CreateWriter(Context(1));
        writer.Write(PageView.Of(1), 0);
        writer.Write(PageView.Of(1_000), 0); // another hour
        var committable = writer.PrepareCommit(7);
        ParquetLakeSink<PageView>.CommittedFiles(Table).ShouldBeEmpty("nothing is visible before the commit");

        sink.Commit(7, 1, committable);
        var committed = ParquetLakeSink<PageView>.CommittedFiles(Table);
        sink.Commit(7, 1, committable);
        sink.AbortPending(7);
        sink.Commit(7, 1, committable);

        ParquetLakeSink<PageView>.CommittedFiles(Table).ShouldBe(committed);
        committed.Count.ShouldBe(2);
        committed.ShouldAllBe(f => Path.GetFileName(f).StartsWith("part-1-1-0-"));
        _conn.Query($"SELECT count(*) FROM {ReadLake}").GetInt64(0, 0).ShouldBe(2);
    }

    [Fact]
    public void AbortPending_DeletesStagedFilesOfLaterCheckpoints_KeepsTheRestoredOnes()
    {
        var sink = new ParquetLakeSink<PageView>(Lake, "views", v => v.EventTimeMs);
        sink.AbortPending(0);
        var writer0 = (ITwoPhaseSinkWriter<PageView>)sink.CreateWriter(Context(0));
        var writer1 = (ITwoPhaseSinkWriter<PageView>)sink.CreateWriter(Context(1));
        writer0.Write(PageView.Of(3), 0);
        var three = writer0.PrepareCommit(3);
        writer1.Write(PageView.Of(33), 0);
        var threeB = writer1.PrepareCommit(3);
        writer0.Write(PageView.Of(4), 0);
        writer0.PrepareCommit(4).ShouldNotBeEmpty();
        writer0.Dispose();
        writer1.Dispose();
        File.WriteAllText(Path.Combine(sink.StagingDirectory, "part-0-5-0-abc.inprogress"), "torn");
        Directory.GetFiles(sink.StagingDirectory).Length.ShouldBe(4);

        sink.AbortPending(3);
        Directory.GetFiles(sink.StagingDirectory).Length.ShouldBe(2);
        sink.Commit(3, 0, three);
        sink.Commit(3, 1, threeB);

        _conn.Query($"SELECT event_id FROM {ReadLake} ORDER BY event_id").RowCount.ShouldBe(2);
        Directory.GetFiles(sink.StagingDirectory).ShouldBeEmpty();
    }

    [Fact]
    public void Commit_StagedFileLost_Throws()
    {
        var sink = new ParquetLakeSink<PageView>(Lake, "views", v => v.EventTimeMs);
        sink.AbortPending(0);
        using var writer = (ITwoPhaseSinkWriter<PageView>)sink.CreateWriter(Context(0));
        writer.Write(PageView.Of(1), 0);
        var committable = writer.PrepareCommit(2);
        sink.AbortPending(0);
        Should.Throw<IOException>(() => sink.Commit(2, 0, committable)).Message.ShouldContain("neither the staged file");
    }

    [Fact]
    public void Constructor_PropertyNamedLikeAPartitionColumn_Throws() =>
        Should.Throw<ArgumentException>(() => new ParquetLakeSink<HourRow>(Lake, "t", r => r.Hour)).Message.ShouldContain("'hour'");

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    public async Task Restore_AfterCrashWithStagedFiles_LakeHoldsExactlyTheUninterruptedResult(int before, int after)
    {
        var checkpoints = _dir.File("checkpoints");
        var source1 = new PausableRangeSource(Count) { PauseAt = 7_000 };
        var env1 = StreamEnvironment.Create(new JobOptions
        {
            Parallelism = before,
            Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)),
            BatchSize = 256,
        });
        Build(env1, source1);
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        _conn.Query($"SELECT count(*) FROM {ReadLake}").GetInt64(0, 0).ShouldBe(7_000);
        source1.AdvanceTo(12_000);
        await PausableRangeSource.CrashAsync(run1);
        _conn.Query($"SELECT count(*) FROM {ReadLake}").GetInt64(0, 0).ShouldBe(7_000, "rows after the checkpoint stay staged");

        var env2 = StreamEnvironment.Create(new JobOptions
        {
            Parallelism = after,
            Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)),
            BatchSize = 256,
        });
        Build(env2, new PausableRangeSource(Count));
        var result = await env2.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        var counts = _conn.Query($"SELECT count(*), count(DISTINCT event_id), sum(event_id), count(DISTINCT filename) FROM {ReadLake.Replace(")", ", filename = true)", StringComparison.Ordinal)}");
        counts.GetInt64(0, 0).ShouldBe(Count);
        counts.GetInt64(0, 1).ShouldBe(Count);
        counts.GetDecimal(0, 2).ShouldBe(Count * (Count - 1) / 2);
        // Every row sits in the partition of its event time.
        _conn.Query($"SELECT count(*) FROM {ReadLake} WHERE hour <> hour(epoch_ms(event_time_ms)) OR event_date <> CAST(epoch_ms(event_time_ms) AS DATE)").GetInt64(0, 0).ShouldBe(0);
        Directory.GetFiles(Path.Combine(Table, ParquetLakeSink<PageView>.StagingDirectoryName)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Restore_CommitLostBeforeCrash_CommitsTheRestoredCheckpointOnce()
    {
        var checkpoints = _dir.File("checkpoints");
        var source1 = new PausableRangeSource(Count) { PauseAt = 5_000 };
        var env1 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        env1.FromSource(source1, null, "Range").Uid("range").Map(PageView.Of).Uid("map")
            .SinkTo(new CommitDroppingSink<PageView>(new ParquetLakeSink<PageView>(Lake, "views", v => v.EventTimeMs))).Uid("sink");
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        await PausableRangeSource.CrashAsync(run1);

        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 3, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        Build(env2, new PausableRangeSource(Count));
        (await env2.ExecuteAsync().OrTimeout()).RestoredCheckpointId.ShouldBeGreaterThan(0);

        _conn.Query($"SELECT count(*) FROM {ReadLake}").GetInt64(0, 0).ShouldBe(Count);
    }

    private void Build(StreamEnvironment env, PausableRangeSource source) =>
        env.FromSource(source, null, "Range").Uid("range")
            .Map(PageView.Of).Uid("map")
            .ToParquetLake(Lake, "views", v => v.EventTimeMs).Uid("sink");

    public sealed record HourRow(long Hour);
}
