using DuckDB.NET.Data;
using Sluice.Connectors.Filesystem;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.DuckDb.Tests;

/// <summary>
/// The 'filesystem' connector's Parquet files are readable by another engine: DuckDB's <c>read_parquet</c> sees every
/// Sluice type as the logical type Flink and Spark write, with the values and nulls written.
/// </summary>
public sealed class FilesystemParquetDuckDbTests : IDisposable
{
    private static readonly Schema s_all = Schema.Parse(
        "b BOOLEAN, i INT NOT NULL, l BIGINT, f FLOAT, d DOUBLE, m DECIMAL(10, 2), big DECIMAL(25, 4), s STRING, y BYTES, dt DATE, t TIME(3), "
        + "ts TIMESTAMP(6), tl TIMESTAMP_LTZ(3), country STRING");
    private readonly TempDirectory _dir = new();
    private readonly DuckDBConnection _conn = DuckDbQueries.Open(":memory:");

    public void Dispose()
    {
        _conn.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task ReadParquet_EveryTypeWrittenBySluice_HasFlinksLogicalTypesAndTheValues()
    {
        var options = new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = _dir.Path, ["format"] = "parquet", ["parquet.compression"] = "zstd" };
        var registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory());
        var context = registry.CreateContext("t", s_all, options, ConnectorCapabilities.Sink, out var factory) with { PartitionKeys = ["country"] };
        var env = StreamEnvironment.Create();
        env.FromCollection([
            Row.Of(s_all, true, 1, 10_000_000_000L, 1.5f, -2.25, 12.34m, 123456789012345678901.2345m, "héllo", new byte[] { 0, 255 },
                new DateOnly(2026, 12, 5), new TimeOnly(13, 14, 15, 123), new DateTime(2026, 12, 5, 1, 2, 3, 456, 789),
                new DateTimeOffset(2026, 12, 5, 23, 59, 58, 7, TimeSpan.Zero), "FR"),
            Row.Of(s_all, null, -7, null, null, null, null, null, null, null, null, null, null, null, "FR"),
        ]).SinkTo(factory.CreateSink(context));
        await env.ExecuteAsync().WaitAsync(TimeSpan.FromMinutes(1));

        using var command = _conn.CreateCommand();
        command.CommandText = $"""
            SELECT typeof(b), typeof(i), typeof(l), typeof(f), typeof(d), typeof(m), typeof(big), typeof(s), typeof(y), typeof(dt), typeof(t), typeof(ts), typeof(tl),
                   CAST(b AS VARCHAR), CAST(i AS VARCHAR), CAST(l AS VARCHAR), CAST(f AS VARCHAR), CAST(d AS VARCHAR), CAST(m AS VARCHAR), CAST(big AS VARCHAR),
                   s, hex(y), CAST(dt AS VARCHAR), CAST(t AS VARCHAR), CAST(ts AS VARCHAR), CAST(epoch_us(tl) AS VARCHAR), country
            FROM read_parquet('{_dir.Path}/**/*.parquet', hive_partitioning = true) ORDER BY i DESC
            """;
        using var reader = command.ExecuteReader();
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            var row = new string?[reader.FieldCount];
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = reader.IsDBNull(c) ? null : reader.GetValue(c).ToString();
            }
            rows.Add(row);
        }

        string[] types = ["BOOLEAN", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL(10,2)", "DECIMAL(25,4)", "VARCHAR", "BLOB", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"];
        rows.Count.ShouldBe(2);
        rows[0].ShouldBe([
            .. types, "true", "1", "10000000000", "1.5", "-2.25", "12.34", "123456789012345678901.2345", "héllo", "00FF", "2026-12-05", "13:14:15.123",
            "2026-12-05 01:02:03.456789", "1796515198007000", "FR",
        ]);
        rows[1].ShouldBe([.. types, null, "-7", null, null, null, null, null, null, null, null, null, null, null, "FR"]);
    }

    [Fact]
    public void FilesystemSource_FileWrittenByDuckDb_ReadsEveryColumnAndNull()
    {
        var schema = Schema.Parse("i INT NOT NULL, l BIGINT, d DOUBLE, m DECIMAL(10, 2), s STRING, dt DATE, ts TIMESTAMP(6)");
        var file = _dir.File("duck.parquet");
        _conn.Run($"""
            COPY (SELECT * FROM (VALUES
                (1, 10000000000::BIGINT, 2.5::DOUBLE, 12.34::DECIMAL(10,2), 'héllo', DATE '2026-12-05', TIMESTAMP '2026-12-05 01:02:03.456789'),
                (2, NULL, NULL, NULL, NULL, NULL, NULL)) t(i, l, d, m, s, dt, ts)) TO '{file}' (FORMAT parquet)
            """);
        var registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory());
        var context = registry.CreateContext("t", schema, new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = _dir.Path, ["format"] = "parquet" },
            ConnectorCapabilities.Source, out var factory);
        var output = new CollectingOutput();

        using (var reader = factory.CreateSource(context).CreateReader(new SourceReaderContext(0, 1, TimeProvider.System, static () => { }, 100)))
        {
            while (reader.PollNext(output) != SourceStatus.Finished)
            {
            }
        }

        output.DeadLetters.ShouldBeEmpty();
        output.Rows.ShouldBe([
            Row.Of(schema, 1, 10_000_000_000L, 2.5, 12.34m, "héllo", new DateOnly(2026, 12, 5), new DateTime(2026, 12, 5, 1, 2, 3, 456, 789)),
            Row.Of(schema, 2, null, null, null, null, null, null),
        ]);
    }

    private sealed class CollectingOutput : ISourceOutput<Row>
    {
        public List<Row> Rows { get; } = [];

        public List<DeadLetter> DeadLetters { get; } = [];

        public void Collect(int split, Row value, long timestamp = EventTime.NoTimestamp) => Rows.Add(value);

        public void CollectBatch(int split, ReadOnlySpan<Row> values, ReadOnlySpan<long> timestamps) => Rows.AddRange(values);

        public void EmitWatermark(int split, long watermark)
        {
        }

        public void MarkSplitFinished(int split)
        {
        }

        public void MarkSplitIdle(int split, bool idle)
        {
        }

        public void ReportDeadLetter(DeadLetter letter) => DeadLetters.Add(letter);
    }
}
