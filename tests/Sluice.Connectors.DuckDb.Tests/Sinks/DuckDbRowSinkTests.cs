using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;
using static Sluice.Connectors.DuckDb.Tests.Sinks.SinkTestSupport;

namespace Sluice.Connectors.DuckDb.Tests.Sinks;

/// <summary>The warehouse and lake sinks of <see cref="Row"/>s with an explicit schema: columns named and typed from it.</summary>
public sealed class DuckDbRowSinkTests : IDisposable
{
    private static readonly Schema s_schema = Schema.Parse(
        "id BIGINT NOT NULL, name STRING, ok BOOLEAN, n INT, f FLOAT, d DOUBLE, price DECIMAL(10, 2), big DECIMAL(28, 10), " +
        "blob BYTES, `day` DATE, t TIME(3), ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3), tags ARRAY<STRING>");

    private readonly TempDirectory _dir = new();

    private string Database => _dir.File("rows.duckdb");

    public void Dispose()
    {
        DuckDbWarehouse.Release(Database);
        _dir.Dispose();
    }

    private static Row[] Rows() =>
    [
        Row.Of(s_schema, 1L, "one", true, -7, 1.5f, -2.25, 12.34m, 123456789012345678.0123456789m, new byte[] { 0xCA, 0xFE }, new DateOnly(2026, 12, 5),
            new TimeOnly(13, 45, 1, 500), new DateTime(2026, 12, 5, 13, 45, 1, 250), new DateTimeOffset(2026, 12, 5, 15, 45, 1, 125, TimeSpan.FromHours(2)),
            new object?[] { "a", null }),
        Row.Of(s_schema, 2L, null, null, null, null, null, null, null, null, null, null, null, null, null),
    ];

    [Fact]
    public async Task ToDuckDb_RecordIntoTableOfAnEarlierVersion_AppendsIntoItsColumns()
    {
        // The DDL earlier versions issued for LegacyReading (float → DOUBLE, DateTimeOffset → TIMESTAMP, decimal → DECIMAL(18,4), enum and Guid → VARCHAR).
        using (var conn = DuckDbQueries.Open(Database))
        {
            conn.Run("CREATE TABLE readings (\"sensor\" VARCHAR, \"value\" DOUBLE, \"seen\" TIMESTAMP, \"price\" DECIMAL(18,4), \"level\" VARCHAR, \"id\" VARCHAR)");
            conn.Run("INSERT INTO readings VALUES ('old', 0.5, TIMESTAMP '2025-01-01 00:00:00', 1.2345, 'Low', '00000000-0000-0000-0000-000000000000')");
        }
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(new[] { new LegacyReading("new", 1.25f, new DateTimeOffset(2026, 12, 5, 14, 0, 0, TimeSpan.FromHours(1)), 2.00005m, Level.High, id) })
            .ToDuckDb(Database, "readings");

        await env.ExecuteAsync().OrTimeout();

        var types = Query(Database, "SELECT data_type FROM information_schema.columns WHERE table_name = 'readings' ORDER BY ordinal_position");
        Enumerable.Range(0, types.RowCount).Select(r => types.GetString(r, 0)).ShouldBe(["VARCHAR", "DOUBLE", "TIMESTAMP", "DECIMAL(18,4)", "VARCHAR", "VARCHAR"]);
        var result = Query(Database, "SELECT sensor, \"value\", CAST(seen AS VARCHAR), CAST(price AS VARCHAR), \"level\", id FROM readings ORDER BY sensor");
        result.RowCount.ShouldBe(2);
        result.GetString(0, 0).ShouldBe("new");
        result.GetDouble(0, 1).ShouldBe(1.25);
        result.GetString(0, 2).ShouldBe("2026-12-05 13:00:00");
        result.GetString(0, 3).ShouldBe("2.0001");
        result.GetString(0, 4).ShouldBe("High");
        result.GetString(0, 5).ShouldBe("00112233-4455-6677-8899-aabbccddeeff");
        result.GetString(1, 0).ShouldBe("old");
    }

    public enum Level
    {
        Low,
        High,
    }

    public sealed record LegacyReading(string Sensor, float Value, DateTimeOffset Seen, decimal Price, Level Level, Guid Id);

    [Fact]
    public void ForRows_ColumnDefinitions_FollowTheSchema()
    {
        TableSchema.ForRows(s_schema).ColumnDefinitions.ShouldBe(
            "\"id\" BIGINT, \"name\" VARCHAR, \"ok\" BOOLEAN, \"n\" INTEGER, \"f\" FLOAT, \"d\" DOUBLE, \"price\" DECIMAL(10,2), " +
            "\"big\" DECIMAL(28,10), \"blob\" BLOB, \"day\" DATE, \"t\" TIME, \"ts\" TIMESTAMP, \"ltz\" TIMESTAMPTZ, \"tags\" VARCHAR");
    }

    [Fact]
    public async Task ToDuckDb_RowsWithSchema_CreatesTypedColumnsAndCommitsEveryValue()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        env.FromCollection(Rows()).ToDuckDb(Database, "events", s_schema);

        await env.ExecuteAsync().OrTimeout();

        var types = Query(Database, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position");
        Enumerable.Range(0, types.RowCount).Select(r => types.GetString(r, 0) + " " + types.GetString(r, 1)).ShouldBe([
            "id BIGINT", "name VARCHAR", "ok BOOLEAN", "n INTEGER", "f FLOAT", "d DOUBLE", "price DECIMAL(10,2)", "big DECIMAL(28,10)",
            "blob BLOB", "day DATE", "t TIME", "ts TIMESTAMP", "ltz TIMESTAMP WITH TIME ZONE", "tags VARCHAR"]);
        var result = Query(Database,
            "SELECT id, name, ok, n, f, d, CAST(price AS VARCHAR), CAST(big AS VARCHAR), hex(blob), CAST(\"day\" AS VARCHAR), " +
            "CAST(t AS VARCHAR), epoch_us(ts), epoch_us(ltz), tags FROM events ORDER BY id");
        result.RowCount.ShouldBe(2);
        result.GetString(0, 1).ShouldBe("one");
        result.GetBoolean(0, 2).ShouldBeTrue();
        result.GetInt32(0, 3).ShouldBe(-7);
        result.GetDouble(0, 4).ShouldBe(1.5);
        result.GetDouble(0, 5).ShouldBe(-2.25);
        result.GetString(0, 6).ShouldBe("12.34");
        result.GetString(0, 7).ShouldBe("123456789012345678.0123456789");
        result.GetString(0, 8).ShouldBe("CAFE");
        result.GetString(0, 9).ShouldBe("2026-12-05");
        result.GetString(0, 10).ShouldBe("13:45:01.5");
        result.GetInt64(0, 11).ShouldBe(1_796_478_301_250_000); // 2026-12-05T13:45:01.250 as µs since the epoch
        result.GetInt64(0, 12).ShouldBe(1_796_478_301_125_000); // 15:45:01.125+02:00 is 13:45:01.125Z
        result.GetString(0, 13).ShouldBe("[a, null]");
        Enumerable.Range(1, 13).ShouldAllBe(c => result.IsNull(1, c));
    }

    [Fact]
    public async Task ForRows_Upsert_KeysByTheFieldName()
    {
        var schema = Schema.Parse("user_id STRING NOT NULL, visits BIGINT");
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var rows = new[] { Row.Of(schema, "u1", 1L), Row.Of(schema, "u2", 5L), Row.Of(schema, "u1", 2L) };
        env.FromCollection(rows).SinkTo(DuckDbWarehouseSink.ForRows(Database, "visits", schema,
            new DuckDbSinkOptions { Mode = WarehouseWriteMode.Upsert, PrimaryKey = ["user_id"] }));

        await env.ExecuteAsync().OrTimeout();

        var result = Query(Database, "SELECT user_id, visits FROM visits ORDER BY user_id");
        result.RowCount.ShouldBe(2);
        (result.GetString(0, 0), result.GetInt64(0, 1)).ShouldBe(("u1", 2L));
        (result.GetString(1, 0), result.GetInt64(1, 1)).ShouldBe(("u2", 5L));
    }

    [Fact]
    public void Writer_EvolutionNoneRowOfAnotherSchema_ThrowsNamingBothSchemas()
    {
        var sink = DuckDbWarehouseSink.ForRows(Database, "events", Schema.Parse("a INT"), new DuckDbSinkOptions { SchemaEvolution = SchemaEvolutionMode.None });
        sink.AbortPending(0);
        using var writer = sink.CreateWriter(Context(0, 1));

        var ex = Should.Throw<ArgumentException>(() => writer.Write(Row.Of(Schema.Parse("a BIGINT"), 1L), 0));

        ex.Message.ShouldContain("ROW<a INT>");
        ex.Message.ShouldContain("ROW<a BIGINT>");
    }

    [Fact]
    public void Writer_ChangedTypeWithDefaultEvolution_ThrowsNamingFieldAndBothTypes_NothingStaged()
    {
        var sink = DuckDbWarehouseSink.ForRows(Database, "events", Schema.Parse("a INT"));
        sink.AbortPending(0);
        using var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(Context(0, 1));

        var ex = Should.Throw<InvalidDataException>(() => writer.Write(Row.Of(Schema.Parse("a BIGINT"), 1L), 0));

        ex.Message.ShouldStartWith($"The DuckDB sink of table 'events' in '{Database}' cannot write the row: The field 'a' changed type from INT to BIGINT in rows of ROW<a BIGINT>;");
        writer.PrepareCommit(1).ShouldBeEmpty("nothing of the refused row was staged");
    }

    [Fact]
    public void Constructor_RowWithoutSchema_ThrowsPointingToForRows() =>
        Should.Throw<ArgumentException>(() => new DuckDbWarehouseSink<Row>(Database, "events")).Message.ShouldContain("ForRows");

    [Fact]
    public async Task ParquetLakeForRows_WritesTheFieldsAsColumns()
    {
        var schema = Schema.Parse("id BIGINT NOT NULL, at_ms BIGINT NOT NULL, price DECIMAL(10, 2)");
        var lake = _dir.File("lake");
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var at = 1_740_787_200_000L; // 2025-03-01T00:00Z
        env.FromCollection(new[] { Row.Of(schema, 1L, at, 1.5m), Row.Of(schema, 2L, at + 1000, null) })
            .SinkTo(ParquetLakeSink.ForRows(lake, "t", schema, row => row.GetInt64(1)));

        await env.ExecuteAsync().OrTimeout();

        var files = ParquetLakeSink<Row>.CommittedFiles(Path.Combine(lake, "t"));
        files.Count.ShouldBe(1);
        files[0].ShouldContain("event_date=2025-03-01");
        var result = Query(":memory:", $"SELECT id, CAST(price AS VARCHAR) FROM read_parquet('{files[0]}') ORDER BY id");
        result.RowCount.ShouldBe(2);
        result.GetString(0, 1).ShouldBe("1.50");
        result.IsNull(1, 1).ShouldBeTrue();
    }
}
