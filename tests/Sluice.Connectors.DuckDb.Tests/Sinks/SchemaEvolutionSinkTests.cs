using System.Diagnostics.Metrics;
using Sluice.Checkpoints;
using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Schemas;
using static Sluice.Connectors.DuckDb.Tests.Sinks.SinkTestSupport;

namespace Sluice.Connectors.DuckDb.Tests.Sinks;

/// <summary>
/// Schema evolution into the warehouse and lake sinks: rows gain a nullable column mid-stream (a producer moving from
/// v1 to v2 of a registry subject), across a crash, and incompatible rows failing the job or going to the dead letters.
/// </summary>
public sealed class SchemaEvolutionSinkTests : IDisposable
{
    private const string V3Origin = "subject 'views-value' version 3 (id 12)";
    private static readonly Schema s_v1 = new(Schema.Parse("id BIGINT NOT NULL, page STRING")) { Origin = "subject 'views-value' version 1 (id 4)" };
    private static readonly Schema s_v2 = new(Schema.Parse("id BIGINT NOT NULL, page STRING, email STRING")) { Origin = "subject 'views-value' version 2 (id 7)" };
    private static readonly Schema s_v3 = new(Schema.Parse("id BIGINT NOT NULL, page BIGINT")) { Origin = V3Origin };

    private readonly TempDirectory _dir = new();

    private string Database => _dir.File("evolution.duckdb");

    private string Lake => _dir.File("lake");

    public void Dispose()
    {
        DuckDbWarehouse.Release(Database);
        _dir.Dispose();
    }

    /// <summary>
    /// Record <paramref name="i"/>: v1 before <paramref name="switchAt"/>; after it v2, except every 5th record (a producer
    /// still on v1); with <paramref name="badEvery"/>, every such record is of v3 (page changed from STRING to BIGINT).
    /// </summary>
    private static Row Record(long i, long switchAt, long badEvery = 0)
    {
        if (badEvery > 0 && i % badEvery == badEvery - 1)
        {
            return Row.Of(s_v3, i, i);
        }
        return i < switchAt || i % 5 == 0
            ? Row.Of(s_v1, i, "/p/" + (i % 13))
            : Row.Of(s_v2, i, "/p/" + (i % 13), $"u{i}@example.com");
    }

    private static long ExpectedWithEmail(long count, long switchAt, long badEvery = 0) =>
        Enumerable.Range(0, (int)count).LongCount(i => i >= switchAt && i % 5 != 0 && !(badEvery > 0 && i % badEvery == badEvery - 1));

    [Fact]
    public async Task ToDuckDb_RowsGainANullableColumnMidStream_TableHasItOldRowsNullNewRowsValued()
    {
        const long count = 3_000, switchAt = 1_000;
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2, BatchSize = 128 });
        env.FromCollection(Enumerable.Range(0, (int)count).Select(i => Record(i, switchAt))).ToDuckDb(Database, "views", s_v1);

        var result = await env.ExecuteAsync().OrTimeout();

        result.Restarts.ShouldBe(0);
        Scalar(Database, "SELECT count(*) FROM views").ShouldBe(count);
        Scalar(Database, "SELECT count(DISTINCT id) FROM views").ShouldBe(count);
        Scalar(Database, "SELECT count(email) FROM views").ShouldBe(ExpectedWithEmail(count, switchAt));
        Scalar(Database, "SELECT count(*) FROM views WHERE email IS NOT NULL AND email <> 'u' || id || '@example.com'").ShouldBe(0);
        Scalar(Database, $"SELECT count(*) FROM views WHERE id < {switchAt} AND email IS NOT NULL").ShouldBe(0);
        Scalar(Database, $"SELECT count(*) FROM views WHERE id >= {switchAt} AND id % 5 = 0 AND email IS NULL").ShouldBe(count / 5 - switchAt / 5, "v1 rows after the change get null");
        var types = Query(Database, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'views' ORDER BY ordinal_position");
        Enumerable.Range(0, types.RowCount).Select(r => $"{types.GetString(r, 0)} {types.GetString(r, 1)}").ShouldBe(["id BIGINT", "page VARCHAR", "email VARCHAR"]);
    }

    /// <summary>
    /// The column first appears in rows staged after checkpoint 1; the job crashes before they commit. The table then has
    /// neither the column nor those rows (the ALTER runs in the commit transaction); the restored job adds both, exactly once.
    /// </summary>
    [Fact]
    public async Task ToDuckDb_ColumnAddedAcrossACrash_NeitherColumnNorRowsBeforeCommit_ExactlyOnceAfterRestore()
    {
        const long count = 20_000, switchAt = 9_000;
        var checkpoints = _dir.File("checkpoints");
        var source1 = new PausableRangeSource(count) { PauseAt = 7_000 };
        var env1 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        BuildWarehouse(env1, source1, switchAt, new DuckDbSinkOptions());
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        source1.AdvanceTo(12_000);
        await PausableRangeSource.CrashAsync(run1);
        Scalar(Database, "SELECT count(*) FROM views").ShouldBe(7_000, "rows after the checkpoint stay staged");
        Scalar(Database, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'views' AND column_name = 'email'").ShouldBe(0, "the column comes with its rows' commit");

        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        BuildWarehouse(env2, new PausableRangeSource(count), switchAt, new DuckDbSinkOptions());
        var result = await env2.ExecuteAsync().OrTimeout();

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        result.Restarts.ShouldBe(0);
        Scalar(Database, "SELECT count(*) FROM views").ShouldBe(count);
        Scalar(Database, "SELECT count(DISTINCT id) FROM views").ShouldBe(count);
        Scalar(Database, "SELECT count(email) FROM views").ShouldBe(ExpectedWithEmail(count, switchAt));
        Scalar(Database, "SELECT sum(row_count) FROM _sluice_commits").ShouldBe(count, "each checkpoint's rows are committed once");
        Directory.GetFiles(Database + ".sluice-staging", "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task ToDuckDb_IncompatibleRowsToDeadLetters_AcrossACrash_EachCountedOnceWithItsReason()
    {
        const long count = 20_000, switchAt = 5_000, badEvery = 1_000;
        var options = new DuckDbSinkOptions { OnIncompatibleSchema = IncompatibleSchemaAction.DeadLetter };
        var checkpoints = _dir.File("checkpoints");
        var source1 = new PausableRangeSource(count) { PauseAt = 7_000 };
        var env1 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        BuildWarehouse(env1, source1, switchAt, options, badEvery);
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        source1.AdvanceTo(12_000);
        await PausableRangeSource.CrashAsync(run1);
        Scalar(Database, "SELECT count(*) FROM \"views.dlq\"").ShouldBe(7, "records 999 … 6999 were refused before the checkpoint");

        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        BuildWarehouse(env2, new PausableRangeSource(count), switchAt, options, badEvery);
        var result = await env2.ExecuteAsync().OrTimeout();

        result.Restarts.ShouldBe(0);
        Scalar(Database, "SELECT count(*) FROM views").ShouldBe(count - (count / badEvery));
        Scalar(Database, "SELECT count(email) FROM views").ShouldBe(ExpectedWithEmail(count, switchAt, badEvery));
        Scalar(Database, "SELECT count(*) FROM \"views.dlq\"").ShouldBe(count / badEvery);
        Scalar(Database, "SELECT count(DISTINCT payload) FROM \"views.dlq\"").ShouldBe(count / badEvery);
        var letter = Query(Database, "SELECT source, position, reason, payload, field_path FROM \"views.dlq\" WHERE payload = '+I[1999, 1999]'");
        letter.RowCount.ShouldBe(1);
        letter.GetString(0, 0).ShouldBe("DuckDb(views)");
        letter.GetString(0, 1).ShouldBe("row at event time 1999");
        letter.GetString(0, 2).ShouldBe($"The DuckDB sink of table 'views' in '{Database}' cannot write the row: The field 'page' changed type from VARCHAR to BIGINT in rows of {V3Origin}; a column's type is never changed (only INT into BIGINT and FLOAT into DOUBLE columns are widened).");
        letter.GetString(0, 4).ShouldBe("page");
    }

    [Fact]
    public async Task ToDuckDb_Evolution_OneLogLinePerWriterAndCommit_AndCountedInMetrics()
    {
        const string table = "views_observed";
        var logs = new CollectingLoggerFactory();
        long changes = 0, deadLetters = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name is "sluice.sink.schema_changes" or "sluice.sink.dead_letters")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "table", Value: table })
                {
                    Interlocked.Add(ref instrument.Name == "sluice.sink.schema_changes" ? ref changes : ref deadLetters, value);
                }
            }
        });
        listener.Start();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1, LoggerFactory = logs });
        env.FromCollection(new[] { Row.Of(s_v1, 1L, "/a"), Row.Of(s_v2, 2L, "/b", "b@x"), Row.Of(s_v3, 3L, 3L), Row.Of(s_v2, 4L, "/d", "d@x") })
            .ToDuckDb(Database, table, s_v1, new DuckDbSinkOptions { OnIncompatibleSchema = IncompatibleSchemaAction.DeadLetter });

        await env.ExecuteAsync().OrTimeout();

        logs.WithEventId(3100).Select(e => e.Message).ShouldBe([$"Schema evolution of table '{table}' (DuckDb({table})): adds email VARCHAR, for rows of subject 'views-value' version 2 (id 7)."]);
        logs.WithEventId(3101).Select(e => e.Message).Single().ShouldStartWith($"Table '{table}' of '{Database}' gained column(s) email VARCHAR in the commit of checkpoint #0");
        Interlocked.Read(ref changes).ShouldBe(1);
        Interlocked.Read(ref deadLetters).ShouldBe(1);
    }

    [Fact]
    public async Task ToDuckDb_UpsertWithPrimaryKey_RowsGainAColumn_KeyedRowsReplacedWithIt()
    {
        var options = new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["id"] };
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(new[] { Row.Of(s_v1, 1L, "/a"), Row.Of(s_v1, 2L, "/b"), Row.Of(s_v2, 2L, "/b2", "b@x"), Row.Of(s_v2, 3L, "/c", "c@x") })
            .ToDuckDb(Database, "views", s_v1, options);

        await env.ExecuteAsync().OrTimeout();

        var rows = Query(Database, "SELECT id, page, coalesce(email, '-') FROM views ORDER BY id");
        Enumerable.Range(0, rows.RowCount).Select(r => $"{rows.GetInt64(r, 0)} {rows.GetString(r, 1)} {rows.GetString(r, 2)}").ShouldBe(["1 /a -", "2 /b2 b@x", "3 /c c@x"]);
    }

    [Fact]
    public async Task ToDuckDb_IncompatibleRowWithFail_JobFailsNamingFieldAndOrigin_NothingWritten()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(new[] { Row.Of(s_v1, 1L, "/a"), Row.Of(s_v3, 2L, 2L), Row.Of(s_v1, 3L, "/c") }).ToDuckDb(Database, "views", s_v1);

        var error = await Should.ThrowAsync<Exception>(() => env.ExecuteAsync().OrTimeout());

        var messages = string.Join(" | ", Flatten(error).Select(e => e.Message));
        messages.ShouldContain($"The DuckDB sink of table 'views' in '{Database}' cannot write the row: The field 'page' changed type from VARCHAR to BIGINT in rows of {V3Origin}");
        messages.ShouldContain("Nothing of the row was written");
        Scalar(Database, "SELECT count(*) FROM views").ShouldBe(0, "the failed job committed nothing, so no row of the wrong type is in the table");
        Scalar(Database, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'views.dlq'").ShouldBe(0);
    }

    [Fact]
    public async Task ToDuckDb_EvolutionNone_RowOfAnotherSchemaFailsTheWrite()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(new[] { Row.Of(s_v1, 1L, "/a"), Row.Of(s_v2, 2L, "/b", "e") })
            .ToDuckDb(Database, "views", s_v1, new DuckDbSinkOptions { SchemaEvolution = SchemaEvolutionMode.None });

        var error = await Should.ThrowAsync<Exception>(() => env.ExecuteAsync().OrTimeout());

        string.Join(" | ", Flatten(error).Select(e => e.Message)).ShouldContain("The sink writes rows of ROW<id BIGINT NOT NULL, page VARCHAR>, not of ROW<id BIGINT NOT NULL, page VARCHAR, email VARCHAR>");
    }

    [Fact]
    public async Task ToParquetLake_RowsGainANullableColumnMidStream_NewFilesCarryItOldReadNullByName()
    {
        const long count = 3_000, switchAt = 1_000;
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2, BatchSize = 128 });
        env.FromCollection(Enumerable.Range(0, (int)count).Select(i => Record(i, switchAt)))
            .SinkTo(ParquetLakeSink.ForRows(Lake, "views", s_v1, EventTime, new ParquetLakeOptions { PartitionByHour = false }));

        var result = await env.ExecuteAsync().OrTimeout();

        result.Restarts.ShouldBe(0);
        var files = ParquetLakeSink<Row>.CommittedFiles(Path.Combine(Lake, "views"));
        var widths = files.Select(f => Scalar(Database, $"SELECT count(*) FROM parquet_schema('{f}') WHERE num_children IS NULL")).ToList();
        widths.ShouldContain(2, "files written before the change keep two columns");
        widths.ShouldContain(3, "files written after it carry the new one");
        widths.ShouldAllBe(w => w == 2 || w == 3);
        var lake = $"read_parquet('{Lake}/views/**/*.parquet', hive_partitioning = true, union_by_name = true)";
        Scalar(Database, $"SELECT count(*) FROM {lake}").ShouldBe(count);
        Scalar(Database, $"SELECT count(DISTINCT id) FROM {lake}").ShouldBe(count);
        Scalar(Database, $"SELECT count(email) FROM {lake}").ShouldBe(ExpectedWithEmail(count, switchAt));
        Scalar(Database, $"SELECT count(*) FROM {lake} WHERE id < {switchAt} AND email IS NOT NULL").ShouldBe(0);
        Scalar(Database, $"SELECT count(*) FROM {lake} WHERE email IS NOT NULL AND email <> 'u' || id || '@example.com'").ShouldBe(0);
    }

    [Fact]
    public async Task ToParquetLake_NewColumnNamedLikeAPartitionColumn_FailsNamingIt()
    {
        var withHour = new Schema(Schema.Parse("id BIGINT NOT NULL, page STRING, hour INT")) { Origin = V3Origin };
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(new[] { Row.Of(s_v1, 1L, "/a"), Row.Of(withHour, 2L, "/b", 7) })
            .SinkTo(ParquetLakeSink.ForRows(Lake, "views", s_v1, EventTime));

        var error = await Should.ThrowAsync<Exception>(() => env.ExecuteAsync().OrTimeout());

        string.Join(" | ", Flatten(error).Select(e => e.Message)).ShouldContain($"The new field 'hour' of rows of {V3Origin} has the name of a partition column of the lake; rename it");
        ParquetLakeSink<Row>.CommittedFiles(Path.Combine(Lake, "views")).ShouldBeEmpty();
    }

    [Fact]
    public async Task ToParquetLake_ColumnAddedAcrossACrash_ExactlyOnceAfterRestore_DeadLettersCountedOnce()
    {
        const long count = 20_000, switchAt = 9_000, badEvery = 1_000;
        var options = new ParquetLakeOptions { OnIncompatibleSchema = IncompatibleSchemaAction.DeadLetter };
        var checkpoints = _dir.File("checkpoints");
        var source1 = new PausableRangeSource(count) { PauseAt = 7_000 };
        var env1 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        BuildLake(env1, source1, switchAt, options, badEvery);
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        source1.AdvanceTo(12_000);
        await PausableRangeSource.CrashAsync(run1);
        var lake = $"read_parquet('{Lake}/views/**/*.parquet', hive_partitioning = true, union_by_name = true)";
        Scalar(Database, $"SELECT count(*) FROM {lake}").ShouldBe(7_000 - 7);

        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)), BatchSize = 256 });
        BuildLake(env2, new PausableRangeSource(count), switchAt, options, badEvery);
        var result = await env2.ExecuteAsync().OrTimeout();

        result.Restarts.ShouldBe(0);
        Scalar(Database, $"SELECT count(*) FROM {lake}").ShouldBe(count - (count / badEvery));
        Scalar(Database, $"SELECT count(DISTINCT id) FROM {lake}").ShouldBe(count - (count / badEvery));
        Scalar(Database, $"SELECT count(email) FROM {lake}").ShouldBe(ExpectedWithEmail(count, switchAt, badEvery));
        var deadLetters = $"read_parquet('{Lake}/views.dlq/*.parquet')";
        Scalar(Database, $"SELECT count(*) FROM {deadLetters}").ShouldBe(count / badEvery);
        Scalar(Database, $"SELECT count(*) FROM {deadLetters} WHERE field_path = 'page' AND reason LIKE '%{V3Origin.Replace("'", "''", StringComparison.Ordinal)}%'").ShouldBe(count / badEvery);
        Directory.GetFiles(Path.Combine(Lake, "views", ParquetLakeSink<Row>.StagingDirectoryName)).ShouldBeEmpty();
    }

    private static long EventTime(Row row) => PageView.Epoch + (row.GetInt64(0) * 5_000);

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }

    private void BuildWarehouse(StreamEnvironment env, PausableRangeSource source, long switchAt, DuckDbSinkOptions options, long badEvery = 0) =>
        env.FromSource(source, null, "Range").Uid("range")
            .Map(i => Record(i, switchAt, badEvery)).Uid("map")
            .ToDuckDb(Database, "views", s_v1, options).Uid("sink");

    private void BuildLake(StreamEnvironment env, PausableRangeSource source, long switchAt, ParquetLakeOptions options, long badEvery = 0) =>
        env.FromSource(source, null, "Range").Uid("range")
            .Map(i => Record(i, switchAt, badEvery)).Uid("map")
            .SinkTo(ParquetLakeSink.ForRows(Lake, "views", s_v1, EventTime, options), "sink").Uid("sink");
}
