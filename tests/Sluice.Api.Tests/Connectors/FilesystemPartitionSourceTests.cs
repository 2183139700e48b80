using CsCheck;
using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Api.Tests.Connectors;

/// <summary>The 'filesystem' source over a table directory: partition values read back from Hive-style paths.</summary>
public sealed class FilesystemPartitionSourceTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(1);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-partition-source-" + Guid.NewGuid().ToString("N"));
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory());

    public FilesystemPartitionSourceTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ConnectorContext Context(Schema schema, IReadOnlyList<string> partitionKeys, string path, ConnectorCapabilities capability)
    {
        var options = new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = path, ["format"] = "csv" };
        return _registry.CreateContext("t", schema, options, capability, out _) with { PartitionKeys = partitionKeys };
    }

    private ISource<Row> Source(Schema schema, IReadOnlyList<string> partitionKeys) =>
        new FilesystemConnectorFactory().CreateSource(Context(schema, partitionKeys, _root, ConnectorCapabilities.Source));

    private void WriteFile(string relativePath, string text)
    {
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public async Task SinkThenSource_PartitionedByEverySupportedType_RowsComeBackWithNullsAndSpecialCharacters()
    {
        var schema = Schema.Parse("id INT NOT NULL, country STRING, dt DATE, ok BOOLEAN, n BIGINT, price DECIMAL(6, 2), k INT");
        string[] keys = ["country", "dt", "ok", "n", "price", "k"];
        var day = new DateOnly(2026, 12, 5);
        var write = StreamEnvironment.Create();
        write.FromCollection([
            Row.Of(schema, 1, "FR", day, true, 10L, 12.5m, 7),
            Row.Of(schema, 2, "a/b=c%", day, false, -3L, -0.25m, -1),
            Row.Of(schema, 3, null, null, null, null, null, null),
            Row.Of(schema, 4, "", day, true, 10L, 12.5m, 7),
            Row.Of(schema, 5, "new\nline: {ok}?", day, true, 10L, 12.5m, 7),
            Row.Of(schema, 6, "FR", day, true, 10L, 12.5m, 7),
        ]).SinkTo(new FilesystemConnectorFactory().CreateSink(Context(schema, keys, _root, ConnectorCapabilities.Sink)));
        await write.ExecuteAsync().WaitAsync(s_timeout);

        var read = StreamEnvironment.Create();
        var back = read.FromSource(Source(schema, keys));
        var rows = back.Collect();
        var dead = back.GetSideOutput(DeadLetters.Tag).Collect();
        await read.ExecuteAsync().WaitAsync(s_timeout);

        dead.Items.ShouldBeEmpty();
        rows.Items.ShouldBe([
            Row.Of(schema, 1, "FR", day, true, 10L, 12.50m, 7),
            Row.Of(schema, 2, "a/b=c%", day, false, -3L, -0.25m, -1),
            Row.Of(schema, 3, null, null, null, null, null, null),
            Row.Of(schema, 4, null, day, true, 10L, 12.50m, 7), // an empty string is the default partition, as in Flink
            Row.Of(schema, 5, "new\nline: {ok}?", day, true, 10L, 12.50m, 7),
            Row.Of(schema, 6, "FR", day, true, 10L, 12.50m, 7),
        ], ignoreOrder: true);
    }

    [Fact]
    public async Task Source_UnpartitionedDirectory_ReadsEveryFileButStagingAndHiddenOnes()
    {
        var schema = Schema.Parse("id INT NOT NULL, name STRING");
        WriteFile("part-0-1.csv", "1,Ada\n");
        WriteFile("sub/part-0-2.csv", "2,Bob\n");
        WriteFile(".staging/part-0-3.inprogress", "3,Cy\n");
        WriteFile("_SUCCESS", "");
        WriteFile("_temporary/0/part-0-4.csv", "4,Dee\n");
        var env = StreamEnvironment.Create();
        var rows = env.FromSource(Source(schema, [])).Collect();

        await env.ExecuteAsync().WaitAsync(s_timeout);

        rows.Items.ShouldBe([Row.Of(schema, 1, "Ada"), Row.Of(schema, 2, "Bob")]);
    }

    [Fact]
    public async Task Source_PartitionValueThatDoesNotConvert_OneDeadLetterNamingTheFileAndColumn()
    {
        var schema = Schema.Parse("id INT NOT NULL, n INT");
        WriteFile("n=7/a.csv", "1\n");
        WriteFile("n=abc/b.csv", "2\n3\n");
        WriteFile("c.csv", "4\n");
        var env = StreamEnvironment.Create();
        var source = env.FromSource(Source(schema, ["n"]));
        var rows = source.Collect();
        var dead = source.GetSideOutput(DeadLetters.Tag).Collect();

        await env.ExecuteAsync().WaitAsync(s_timeout);

        rows.Items.ShouldBe([Row.Of(schema, 1, 7)]);
        dead.Items.ShouldBe([
            new DeadLetter(Path.Combine(_root, "c.csv"), "path", "The file is not inside a 'n=…' directory at depth 1, so partition column 'n' has no value.", "c.csv", "n") { Kind = DeadLetterKind.Schema },
            new DeadLetter(Path.Combine(_root, "n=abc/b.csv"), "path", "Partition column 'n': 'abc' does not convert to INT.", "n=abc/b.csv", "n") { Kind = DeadLetterKind.Schema },
        ]);
    }

    [Fact]
    public void Reader_RestoredMidTable_ResumesAfterTheCheckpointedLinesWithoutDuplicates()
    {
        var schema = Schema.Parse("id INT NOT NULL, country STRING");
        WriteFile("country=FR/part-a.csv", "1\n2\n");
        WriteFile("country=__DEFAULT_PARTITION__/part-b.csv", "3\n");
        var source = Source(schema, ["country"]);

        var first = new Output();
        Dictionary<string, byte[]> checkpoint;
        using (var reader = source.CreateReader(new SourceReaderContext(0, 1, TimeProvider.System, static () => { }, 1)))
        {
            reader.PollNext(first).ShouldBe(SourceStatus.MoreAvailable);
            var positions = (ICheckpointedSourceReader)reader;
            checkpoint = new Dictionary<string, byte[]>
            {
                [positions.SplitId(0)] = positions.SnapshotSplit(0),
                [positions.SplitId(1)] = positions.SnapshotSplit(1),
            };
        }
        var second = new Output();
        using (var reader = source.CreateReader(new SourceReaderContext(0, 1, TimeProvider.System, static () => { }, 10) { RestoredSplits = checkpoint }))
        {
            while (reader.PollNext(second) != SourceStatus.Finished)
            {
            }
        }

        checkpoint.Keys.ShouldBe(["file:country=FR/part-a.csv", "file:country=__DEFAULT_PARTITION__/part-b.csv"], ignoreOrder: true);
        checkpoint["file:country=FR/part-a.csv"].ShouldBe([1, 0, 0, 0, 0, 0, 0, 0]);
        checkpoint["file:country=__DEFAULT_PARTITION__/part-b.csv"].ShouldBe([0, 0, 0, 0, 0, 0, 0, 0]);
        first.Rows.ShouldBe([Row.Of(schema, 1, "FR")]);
        second.Rows.ShouldBe([Row.Of(schema, 2, "FR"), Row.Of(schema, 3, null)]);
    }

    [Fact]
    public void Reader_HandWrittenCheckpoint_SkipsTheLinesOfEachFileByItsRelativePath()
    {
        var schema = Schema.Parse("id INT NOT NULL, country STRING");
        WriteFile("country=DE/p.csv", "1\n2\n3\n");
        WriteFile("country=FR/p.csv", "4\n5\n");
        var restored = new Dictionary<string, byte[]>
        {
            ["file:country=DE/p.csv"] = [3, 0, 0, 0, 0, 0, 0, 0],
            ["file:country=FR/p.csv"] = [1, 0, 0, 0, 0, 0, 0, 0],
        };
        var output = new Output();

        using (var reader = Source(schema, ["country"]).CreateReader(new SourceReaderContext(0, 1, TimeProvider.System, static () => { }, 10) { RestoredSplits = restored }))
        {
            while (reader.PollNext(output) != SourceStatus.Finished)
            {
            }
            ((ICheckpointedSourceReader)reader).SnapshotSplit(1).ShouldBe([2, 0, 0, 0, 0, 0, 0, 0]);
        }

        output.Rows.ShouldBe([Row.Of(schema, 5, "FR")]);
    }

    [Fact]
    public void Reader_RestoredAfterABadFileWasReported_DoesNotReportItAgain()
    {
        var schema = Schema.Parse("id INT NOT NULL, n INT NOT NULL");
        WriteFile("n=__DEFAULT_PARTITION__/a.csv", "1\n");
        WriteFile("n=2/b.csv", "2\n");
        var restored = new Dictionary<string, byte[]> { ["file:n=__DEFAULT_PARTITION__/a.csv"] = [1, 0, 0, 0, 0, 0, 0, 0] };
        var output = new Output(); // throws on a dead letter

        using (var reader = Source(schema, ["n"]).CreateReader(new SourceReaderContext(0, 1, TimeProvider.System, static () => { }, 10) { RestoredSplits = restored }))
        {
            while (reader.PollNext(output) != SourceStatus.Finished)
            {
            }
        }

        output.Rows.ShouldBe([Row.Of(schema, 2, 2)]);
    }

    [Fact]
    public async Task Source_DefaultNameInANotNullColumn_IsADeadLetterNamingTheColumn()
    {
        var schema = Schema.Parse("id INT NOT NULL, n INT NOT NULL");
        WriteFile("n=__DEFAULT_PARTITION__/a.csv", "1\n");
        var env = StreamEnvironment.Create();
        var source = env.FromSource(Source(schema, ["n"]));
        var rows = source.Collect();
        var dead = source.GetSideOutput(DeadLetters.Tag).Collect();

        await env.ExecuteAsync().WaitAsync(s_timeout);

        rows.Items.ShouldBeEmpty();
        dead.Items.ShouldBe([new DeadLetter(Path.Combine(_root, "n=__DEFAULT_PARTITION__/a.csv"), "path",
            "Partition column 'n' is INT NOT NULL but its directory holds the default partition name '__DEFAULT_PARTITION__' (NULL).", "n=__DEFAULT_PARTITION__/a.csv", "n") { Kind = DeadLetterKind.Schema }]);
    }

    [Fact]
    public void Unescape_OfEscape_IsTheTextForAnyString() =>
        Gen.String.Sample(text => PartitionPaths.Unescape(PartitionPaths.Escape(text)).ShouldBe(text));

    [Fact]
    public void CreateSource_PartitionedTableGivenAFile_SaysToNameTheDirectory()
    {
        var schema = Schema.Parse("id INT NOT NULL, n INT");
        var file = Path.Combine(_root, "x.csv");

        Should.Throw<ConfigOptionsException>(() => new FilesystemConnectorFactory().CreateSource(Context(schema, ["n"], file, ConnectorCapabilities.Source)))
            .Message.ShouldBe($"Option 'path' of connector 'filesystem' must name the table directory of a partitioned table: its partition values are read from the directories under it (got '{file}').");
    }

    [Theory]
    [InlineData("a%2Fb", "a/b")]
    [InlineData("50%25 %7Bok%7D", "50% {ok}")]
    [InlineData("100%", "100%")]
    [InlineData("%zz%4", "%zz%4")]
    [InlineData("%e9t%C3", "\u00e9t\u00c3")]
    public void Unescape_EscapedSegment_GivesTheValueBack(string segment, string expected) =>
        PartitionPaths.Unescape(segment).ShouldBe(expected);

    private sealed class Output : ISourceOutput<Row>
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

        public void ReportDeadLetter(DeadLetter letter) => throw new InvalidOperationException($"Unexpected dead letter: {letter}");
    }
}
