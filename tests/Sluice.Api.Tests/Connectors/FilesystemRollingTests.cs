using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Schemas;
using Sluice.Sinks;
using Sluice.Testing;

namespace Sluice.Api.Tests.Connectors;

/// <summary>The 'filesystem' sink's rolling policy (Flink's <c>sink.rolling-policy.*</c>) for the line formats.</summary>
public sealed class FilesystemRollingTests : IDisposable
{
    private static readonly Schema s_schema = Schema.Parse("id INT NOT NULL, country STRING");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-rolling-" + Guid.NewGuid().ToString("N"));
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory());

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private PartFileSink<Row> Sink(IReadOnlyList<string> partitionKeys, params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = _root, ["format"] = "csv" };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        var context = _registry.CreateContext("out", s_schema, options, ConnectorCapabilities.Sink, out var factory) with { PartitionKeys = partitionKeys };
        return (PartFileSink<Row>)factory.CreateSink(context);
    }

    private Dictionary<string, string> Committed() =>
        PartFileSink<Row>.CommittedFiles(_root, ".csv").ToDictionary(f => Path.GetRelativePath(_root, f).Replace('\\', '/'), File.ReadAllText);

    [Fact]
    public void Write_FileReachesTheSize_RollsToANewPartFile_AllCommittedWithTheCheckpoint()
    {
        var sink = Sink([], ("sink.rolling-policy.file-size", "8 b"));
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("out", 0, 1, TimeProvider.System));
        writer.Write(Row.Of(s_schema, 1, "FR"), 0); // "1,FR\n": 5 bytes
        writer.Write(Row.Of(s_schema, 2, "DE"), 0); // 10 bytes: rolls
        writer.Write(Row.Of(s_schema, 3, "ITALY"), 0); // "3,ITALY\n": 8 bytes: rolls
        writer.Write(Row.Of(s_schema, 4, null), 0);

        var committable = writer.PrepareCommit(7);
        Committed().ShouldBeEmpty("nothing is visible before the commit");
        sink.Commit(7, 0, committable);
        writer.Dispose();

        Committed().ShouldBe(new Dictionary<string, string>
        {
            ["part-0-0000000007.csv"] = "1,FR\n2,DE\n",
            ["part-0-0000000007-1.csv"] = "3,ITALY\n",
            ["part-0-0000000007-2.csv"] = "4,\n",
        }, ignoreOrder: true);
        Directory.GetFiles(Path.Combine(_root, PartFileSink<Row>.StagingDirectoryName)).ShouldBeEmpty();
    }

    [Fact]
    public void Write_FileOlderThanTheRolloverInterval_RollsAtTheNextCheck_InEveryBucket()
    {
        var clock = new ManualTimeProvider();
        var sink = Sink(["country"], ("sink.rolling-policy.rollover-interval", "10 min"), ("sink.rolling-policy.check-interval", "1 min"));
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("out", 0, 1, clock));
        writer.Write(Row.Of(s_schema, 1, "FR"), 0);
        clock.Advance(TimeSpan.FromMinutes(5));
        writer.Write(Row.Of(s_schema, 2, "DE"), 0);
        clock.Advance(TimeSpan.FromMinutes(5));
        writer.Write(Row.Of(s_schema, 3, "DE"), 0); // FR is 10 minutes old: rolls after this write; DE (5 minutes) does not
        writer.Write(Row.Of(s_schema, 4, "FR"), 0);
        clock.Advance(TimeSpan.FromSeconds(30));
        writer.Write(Row.Of(s_schema, 5, "FR"), 0); // no check within the check interval

        sink.Commit(2, 0, writer.PrepareCommit(2));
        writer.Dispose();

        Committed().ShouldBe(new Dictionary<string, string>
        {
            ["country=FR/part-0-0000000002.csv"] = "1\n",
            ["country=FR/part-0-0000000002-1.csv"] = "4\n5\n",
            ["country=DE/part-0-0000000002.csv"] = "2\n3\n",
        }, ignoreOrder: true);
    }

    [Fact]
    public void Committable_SeveralFilesOfOneBucket_IsVersion2_GoldenBytes()
    {
        byte[] golden =
        [
            2, 2, 0, 0, 0,
            2, 0, 0, 0, (byte)'s', (byte)'1',
            5, 0, 0, 0, (byte)'b', (byte)'=', (byte)'1', (byte)'/', (byte)'f',
            2, 0, 0, 0, (byte)'s', (byte)'2',
            7, 0, 0, 0, (byte)'b', (byte)'=', (byte)'1', (byte)'/', (byte)'f', (byte)'-', (byte)'1',
        ];

        PartFileSink<Row>.Encode([("s1", "b=1/f"), ("s2", "b=1/f-1")]).ShouldBe(golden);
        PartFileSink<Row>.Decode(golden).ShouldBe([("s1", "b=1/f"), ("s2", "b=1/f-1")]);
    }

    [Theory]
    [InlineData("128mb", 128L << 20)]
    [InlineData("1 KB", 1024L)]
    [InlineData("42", 42L)]
    [InlineData("2g", 2L << 30)]
    public void TryParseSize_FlinkMemorySizes_AreBytes(string text, long expected)
    {
        FilesystemConnectorFactory.TryParseSize(text, out var bytes).ShouldBeTrue();
        bytes.ShouldBe(expected);
    }

    [Theory]
    [InlineData("sink.rolling-policy.file-size", "12 parsecs",
        "Option 'sink.rolling-policy.file-size' of connector 'filesystem' must be a positive size in bytes, or a number with unit b, kb, mb or gb such as '128mb' (got '12 parsecs').")]
    [InlineData("sink.rolling-policy.file-size", "0",
        "Option 'sink.rolling-policy.file-size' of connector 'filesystem' must be a positive size in bytes, or a number with unit b, kb, mb or gb such as '128mb' (got '0').")]
    [InlineData("sink.rolling-policy.rollover-interval", "0 s",
        "Option 'sink.rolling-policy.rollover-interval' of connector 'filesystem' must be a positive duration such as '30 min' (got '0 s').")]
    public void CreateSink_BadRollingOption_IsOneSentenceNamingTheOptionAndTheValidValues(string key, string value, string expected) =>
        Should.Throw<ConfigOptionsException>(() => Sink([], (key, value))).Message.ShouldBe(expected);
}
