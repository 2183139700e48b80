using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Api.Tests.Connectors;

/// <summary>The 'filesystem' connector with <c>format = 'parquet'</c>: part files finished at checkpoints, the source, dead letters.</summary>
public sealed class FilesystemParquetTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(1);
    private static readonly Schema s_all = Schema.Parse(
        "b BOOLEAN, i INT NOT NULL, l BIGINT, f FLOAT, d DOUBLE, m DECIMAL(10, 2), big DECIMAL(25, 4), s STRING, y BYTES, dt DATE, t TIME(3), "
        + "ts TIMESTAMP(6), tl TIMESTAMP_LTZ(3)");
    private static readonly Schema s_partitioned = Schema.Parse("id INT NOT NULL, country STRING");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-parquet-" + Guid.NewGuid().ToString("N"));
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory());

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private ConnectorContext Context(Schema schema, IReadOnlyList<string> partitionKeys, ConnectorCapabilities capability, params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = _root, ["format"] = "parquet" };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        return _registry.CreateContext("t", schema, options, capability, out _) with { PartitionKeys = partitionKeys };
    }

    private PartFileSink<Row> Sink(Schema schema, IReadOnlyList<string> partitionKeys, params (string Key, string Value)[] more) =>
        (PartFileSink<Row>)new FilesystemConnectorFactory().CreateSink(Context(schema, partitionKeys, ConnectorCapabilities.Sink, more));

    private ISource<Row> Source(Schema schema, IReadOnlyList<string> partitionKeys) =>
        new FilesystemConnectorFactory().CreateSource(Context(schema, partitionKeys, ConnectorCapabilities.Source));

    private static List<Row> ReadAll(ISource<Row> source, List<DeadLetter>? dead = null)
    {
        var output = new Output(dead);
        using var reader = source.CreateReader(new SourceReaderContext(0, 1, TimeProvider.System, static () => { }, 7));
        while (reader.PollNext(output) != SourceStatus.Finished)
        {
        }
        return output.Rows;
    }

    private static Row[] EveryTypeRows() =>
    [
        Row.Of(s_all, true, 1, 10_000_000_000L, 1.5f, -2.25, 12.34m, 123456789012345678901.2345m, "héllo", new byte[] { 0, 255 },
            new DateOnly(2026, 12, 5), new TimeOnly(13, 14, 15, 123), new DateTime(2026, 12, 5, 1, 2, 3, 456, 789), new DateTimeOffset(2026, 12, 5, 23, 59, 58, 7, TimeSpan.Zero)),
        Row.Of(s_all, null, -7, null, null, null, null, null, null, null, null, null, null, null),
        Row.Of(s_all, false, int.MaxValue, long.MinValue, float.NegativeInfinity, double.NaN, -0.01m, -1m, "", Array.Empty<byte>(),
            new DateOnly(1970, 1, 1), new TimeOnly(0, 0), new DateTime(1969, 12, 31, 23, 59, 59), new DateTimeOffset(2000, 2, 29, 12, 0, 0, TimeSpan.Zero)),
    ];

    [Fact]
    public async Task SinkThenSource_EveryTypeWithNulls_ReadsBackTheSameRows()
    {
        var rows = EveryTypeRows();
        var env = StreamEnvironment.Create();
        env.FromCollection(rows).SinkTo(Sink(s_all, []));
        await env.ExecuteAsync().WaitAsync(s_timeout);

        var files = PartFileSink<Row>.CommittedFiles(_root, ".parquet");
        files.Count.ShouldBe(1);
        File.ReadAllBytes(files[0]).AsSpan(0, 4).ToArray().ShouldBe("PAR1"u8.ToArray(), "a Parquet file starts with PAR1");
        ReadAll(Source(s_all, [])).ShouldBe(rows);
    }

    [Fact]
    public async Task Sink_PartitionedTable_WritesParquetPerPartitionWithoutThePartitionColumn_SourceAddsItBack()
    {
        var env = StreamEnvironment.Create();
        env.FromCollection([Row.Of(s_partitioned, 1, "FR"), Row.Of(s_partitioned, 2, null), Row.Of(s_partitioned, 3, "FR")])
            .SinkTo(Sink(s_partitioned, ["country"]));
        await env.ExecuteAsync().WaitAsync(s_timeout);

        PartFileSink<Row>.CommittedFiles(_root, ".parquet").Select(f => Path.GetRelativePath(_root, f).Replace('\\', '/'))
            .ShouldBe(["country=FR/part-0-0000000000.parquet", "country=__DEFAULT_PARTITION__/part-0-0000000000.parquet"], ignoreOrder: true);
        var dead = new List<DeadLetter>();
        var unpartitioned = ReadAll(Source(s_partitioned, []), dead);
        unpartitioned.ShouldBe([Row.Of(s_partitioned, 1, null), Row.Of(s_partitioned, 3, null), Row.Of(s_partitioned, 2, null)], ignoreOrder: true,
            "read as an unpartitioned table, the files lack the nullable column 'country': null");
        dead.ShouldBeEmpty();
        ReadAll(Source(s_partitioned, ["country"])).ShouldBe(
            [Row.Of(s_partitioned, 1, "FR"), Row.Of(s_partitioned, 3, "FR"), Row.Of(s_partitioned, 2, null)], ignoreOrder: true);
    }

    [Fact]
    public void Write_BucketClosedByTheOpenFilesBound_FinishesItsFile_TheNextRowsGoToANewFileOfTheSameCheckpoint()
    {
        var sink = Sink(s_partitioned, ["country"]);
        sink.MaxOpenBuckets = 1;
        sink.AbortPending(0);
        var writer = (PartFileSink<Row>.Writer)sink.CreateWriter(new SinkContext("out", 0, 1, TimeProvider.System));
        var id = 0;
        foreach (var country in new[] { "a", "b", "a", "a", "b" })
        {
            writer.Write(Row.Of(s_partitioned, ++id, country), 0);
        }

        var committable = ((ITwoPhaseSinkWriter<Row>)writer).PrepareCommit(4);
        sink.Commit(4, 0, committable);
        writer.Dispose();

        PartFileSink<Row>.Decode(committable).Select(f => f.Final).ShouldBe(
            ["country=a/part-0-0000000004.parquet", "country=b/part-0-0000000004.parquet", "country=a/part-0-0000000004-1.parquet", "country=b/part-0-0000000004-1.parquet"]);
        ReadAll(Source(s_partitioned, ["country"])).ShouldBe(
            [Row.Of(s_partitioned, 1, "a"), Row.Of(s_partitioned, 3, "a"), Row.Of(s_partitioned, 4, "a"), Row.Of(s_partitioned, 2, "b"), Row.Of(s_partitioned, 5, "b")],
            ignoreOrder: true);
        Directory.GetFiles(Path.Combine(_root, PartFileSink<Row>.StagingDirectoryName)).ShouldBeEmpty();
    }

    [Fact]
    public void Write_ParquetFileReachesTheRollingSize_FinishesIt_AndStartsANewPartFile()
    {
        // One row per row group (block size 1 byte), so the file grows with every row; it rolls past 1 kb.
        var sink = Sink(s_partitioned, [], ("parquet.block.size", "1"), ("sink.rolling-policy.file-size", "1kb"));
        sink.AbortPending(0);
        var writer = (PartFileSink<Row>.Writer)sink.CreateWriter(new SinkContext("out", 0, 1, TimeProvider.System));
        for (var id = 1; id <= 40; id++)
        {
            writer.Write(Row.Of(s_partitioned, id, new string('x', 100)), 0);
        }

        var committable = ((ITwoPhaseSinkWriter<Row>)writer).PrepareCommit(1);
        sink.Commit(1, 0, committable);
        writer.Dispose();

        var files = PartFileSink<Row>.CommittedFiles(_root, ".parquet");
        files.Count.ShouldBeInRange(2, 39, "40 rows of 100 bytes are more than 1 kb, and a file holds more than one row");
        var sizes = files.Select(f => new FileInfo(f).Length).ToList();
        sizes.Count(size => size < 1024).ShouldBeLessThanOrEqualTo(1, "only the last file of the checkpoint is finished before it reaches 1 kb");
        var read = ReadAll(Source(s_partitioned, []));
        read.Select(r => r.GetInt32(0)).Order().ShouldBe(Enumerable.Range(1, 40));
    }

    [Fact]
    public void Source_NotParquet_IsOneDeadLetterNamingTheFile_TheOtherFilesAreRead()
    {
        var env = StreamEnvironment.Create();
        Directory.CreateDirectory(_root);
        var sink = Sink(s_partitioned, []);
        sink.AbortPending(0);
        using (var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("out", 0, 1, TimeProvider.System)))
        {
            writer.Write(Row.Of(s_partitioned, 1, "x"), 0);
            sink.Commit(1, 0, writer.PrepareCommit(1));
        }
        File.WriteAllText(Path.Combine(_root, "a-damaged.parquet"), "this is not parquet at all");
        var dead = new List<DeadLetter>();

        var rows = ReadAll(Source(s_partitioned, []), dead);

        rows.ShouldBe([Row.Of(s_partitioned, 1, "x")]);
        dead.Count.ShouldBe(1);
        dead[0].Source.ShouldBe(Path.Combine(_root, "a-damaged.parquet"));
        dead[0].Position.ShouldBe("file");
        dead[0].Payload.ShouldBe("a-damaged.parquet");
        dead[0].Reason.ShouldStartWith("The file is not a valid Parquet file: ");
    }

    [Fact]
    public void Sink_RowsGainANullableColumnMidCheckpoint_ANewPartFileCarriesIt_OlderFilesReadItAsNull()
    {
        var v1 = new Schema(Schema.Parse("id INT NOT NULL, country STRING")) { Origin = "subject 't-value' version 1 (id 1)" };
        var v2 = new Schema(Schema.Parse("id INT NOT NULL, country STRING, city STRING")) { Origin = "subject 't-value' version 2 (id 2)" };
        var sink = Sink(v1, []);
        sink.AbortPending(0);
        using (var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("out", 0, 1, TimeProvider.System)))
        {
            writer.Write(Row.Of(v1, 1, "FR"), 0);
            writer.Write(Row.Of(v2, 2, "FR", "Lyon"), 0);
            writer.Write(Row.Of(v1, 3, "DE"), 0); // a producer still on v1: null in the new column
            sink.Commit(1, 0, writer.PrepareCommit(1));
            writer.Write(Row.Of(v2, 4, "DE", "Bonn"), 0);
            sink.Commit(2, 0, writer.PrepareCommit(2));
        }

        PartFileSink<Row>.CommittedFiles(_root, ".parquet").Count.ShouldBe(3, "the v1 file of checkpoint 1, its v2 file, and checkpoint 2's file");
        var dead = new List<DeadLetter>();
        ReadAll(Source(v2, []), dead).ShouldBe(
            [Row.Of(v2, 1, "FR", null), Row.Of(v2, 2, "FR", "Lyon"), Row.Of(v2, 3, "DE", null), Row.Of(v2, 4, "DE", "Bonn")], ignoreOrder: true);
        dead.ShouldBeEmpty();
        ReadAll(Source(v1, [])).Select(r => r.GetInt32(0)).Order().ToArray().ShouldBe([1, 2, 3, 4], "the table as v1 still reads every file");
    }

    [Fact]
    public void Sink_RowsOfAnIncompatibleSchema_FailTheWriteNamingSubjectVersionAndField()
    {
        var v3 = new Schema(Schema.Parse("id INT NOT NULL, country INT")) { Origin = "subject 't-value' version 3 (id 9)" };
        var sink = Sink(s_partitioned, []);
        sink.AbortPending(0);
        using var writer = sink.CreateWriter(new SinkContext("out", 0, 1, TimeProvider.System));
        writer.Write(Row.Of(s_partitioned, 1, "FR"), 0);

        var error = Should.Throw<InvalidDataException>(() => writer.Write(Row.Of(v3, 2, 7), 0));

        error.Message.ShouldStartWith($"The filesystem sink of '{_root}' cannot write the row: The field 'country' changed type from VARCHAR to INT in rows of subject 't-value' version 3 (id 9)");
    }

    [Fact]
    public void Source_FileMissingANotNullColumn_IsADeadLetterNamingTheFileAndTheColumn()
    {
        var sink = Sink(s_partitioned, []);
        sink.AbortPending(0);
        using (var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("out", 0, 1, TimeProvider.System)))
        {
            writer.Write(Row.Of(s_partitioned, 1, "FR"), 0);
            sink.Commit(1, 0, writer.PrepareCommit(1));
        }
        var table = Schema.Parse("id INT NOT NULL, country STRING, rank INT NOT NULL");
        var dead = new List<DeadLetter>();

        ReadAll(Source(table, []), dead).ShouldBeEmpty();

        var file = PartFileSink<Row>.CommittedFiles(_root, ".parquet").Single();
        dead.Select(d => (d.Source, d.Position, d.FieldPath, d.Reason)).ShouldBe(
            [(file, "file", "rank", "The file has no column 'rank', which the table declares NOT NULL (INT NOT NULL); a file may lack nullable columns only (they read as null).")]);
    }

    [Fact]
    public void Source_ColumnOfAnIncompatibleType_IsADeadLetterNamingTheColumn()
    {
        var written = Schema.Parse("id INT NOT NULL, country INT");
        var sink = Sink(written, []);
        sink.AbortPending(0);
        using (var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("out", 0, 1, TimeProvider.System)))
        {
            writer.Write(Row.Of(written, 1, 2), 0);
            sink.Commit(1, 0, writer.PrepareCommit(1));
        }
        var dead = new List<DeadLetter>();

        ReadAll(Source(s_partitioned, []), dead).ShouldBeEmpty();

        dead.Select(d => (d.Position, d.FieldPath, d.Reason)).ShouldBe(
            [("file", "country", "Column 'country' is Int32 in the file, which does not convert to the table's VARCHAR.")]);
    }

    [Fact]
    public void Reader_RestoredMidFile_SkipsTheCheckpointedRows()
    {
        var sink = Sink(s_partitioned, [], ("parquet.block.size", "40"));
        sink.AbortPending(0);
        using (var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("out", 0, 1, TimeProvider.System)))
        {
            for (var id = 1; id <= 10; id++)
            {
                writer.Write(Row.Of(s_partitioned, id, "c"), 0);
            }
            sink.Commit(1, 0, writer.PrepareCommit(1));
        }
        var restored = new Dictionary<string, byte[]> { ["file:part-0-0000000001.parquet"] = [6, 0, 0, 0, 0, 0, 0, 0] };
        var output = new Output(null);

        using (var reader = Source(s_partitioned, []).CreateReader(new SourceReaderContext(0, 1, TimeProvider.System, static () => { }, 3) { RestoredSplits = restored }))
        {
            while (reader.PollNext(output) != SourceStatus.Finished)
            {
            }
            ((ICheckpointedSourceReader)reader).SnapshotSplit(0).ShouldBe([10, 0, 0, 0, 0, 0, 0, 0]);
        }

        output.Rows.Select(r => r.GetInt32(0)).ShouldBe([7, 8, 9, 10]);
    }

    [Fact]
    public void CreateSink_NestedColumn_SaysParquetCannotWriteItNamingTheColumn() =>
        Should.Throw<ConfigOptionsException>(() => Sink(Schema.Parse("id INT, tags ARRAY<STRING>"), [])).Message
            .ShouldBe("Column 'tags' is ARRAY<VARCHAR>, which format 'parquet' cannot write or read yet; use a scalar type (or format 'json' for nested values).");

    [Fact]
    public void CreateSink_UnknownCompression_ListsTheCodecs() =>
        Should.Throw<ConfigOptionsException>(() => Sink(s_partitioned, [], ("parquet.compression", "lzo"))).Message
            .ShouldBe("Option 'parquet.compression' of connector 'filesystem' must be one of 'snappy', 'gzip', 'zstd', 'lz4_raw', 'brotli', 'uncompressed' (got 'lzo').");

    [Fact]
    public void CreateSink_JsonOptionWithParquet_SaysToRemoveIt() =>
        Should.Throw<ConfigOptionsException>(() => Sink(s_partitioned, [], ("json.ignore-parse-errors", "true"))).Message
            .ShouldContain("'json.ignore-parse-errors'");

    private sealed class Output(List<DeadLetter>? dead) : ISourceOutput<Row>
    {
        public List<Row> Rows { get; } = [];

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

        public void ReportDeadLetter(DeadLetter letter) =>
            (dead ?? throw new InvalidOperationException($"Unexpected dead letter: {letter}")).Add(letter);
    }
}
