using DuckDB.NET.Data;
using Sluice.Checkpoints;
using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;
using static Sluice.Connectors.DuckDb.Tests.Sinks.SinkTestSupport;

namespace Sluice.Connectors.DuckDb.Tests.Sinks;

/// <summary>
/// The exactly-once Parquet lake sink beyond the two-phase sink contract (Contracts/ParquetLakeSinkContractTests):
/// hive partitions, rolling files, lost staged files and partition-column names; DuckDB reads the lake back.
/// </summary>
public sealed class ParquetLakeSinkTests : IDisposable
{
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

    public sealed record HourRow(long Hour);

    [Fact]
    public async Task Write_Retraction_FailsTheJobNamingTheTableAndTheRow()
    {
        var schema = Schema.Parse("id BIGINT NOT NULL");
        var delete = Row.Of(schema, 7L);
        delete.Kind = RowKind.Delete;
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection([delete]).SinkTo(ParquetLakeSink.ForRows(Lake, "events", schema, static r => r.GetInt64(0)));

        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());

        error.ToString().ShouldContain("The DuckDB sink of table 'events' received the retraction -D[7];");
    }
}
