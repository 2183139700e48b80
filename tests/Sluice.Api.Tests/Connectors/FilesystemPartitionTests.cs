using System.Text;
using CsCheck;
using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Api.Tests.Connectors;

/// <summary>The 'filesystem' sink with partition keys: Hive-style directories escaped as Flink does, bodies without partition columns.</summary>
public sealed class FilesystemPartitionTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(1);
    private static readonly Schema s_schema = Schema.Parse("id INT NOT NULL, country STRING, dt DATE");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sluice-partitions-" + Guid.NewGuid().ToString("N"));
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory());

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private ISink<Row> Sink(IReadOnlyList<string> partitionKeys, params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = _root, ["format"] = "csv" };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        var context = _registry.CreateContext("out", s_schema, options, ConnectorCapabilities.Sink, out var factory) with { PartitionKeys = partitionKeys };
        return factory.CreateSink(context);
    }

    private Dictionary<string, string> CommittedByDirectory() =>
        PartFileSink<Row>.CommittedFiles(_root, ".csv").ToDictionary(
            f => Path.GetRelativePath(_root, Path.GetDirectoryName(f)!).Replace('\\', '/'),
            File.ReadAllText);

    [Fact]
    public async Task Sink_TwoPartitionColumns_WritesNestedDirectoriesAndOmitsThemFromTheFiles()
    {
        var day = new DateOnly(2026, 12, 5);
        var env = StreamEnvironment.Create();
        env.FromCollection([Row.Of(s_schema, 1, "FR", day), Row.Of(s_schema, 2, "DE", day), Row.Of(s_schema, 3, "FR", day)])
            .SinkTo(Sink(["dt", "country"]));

        await env.ExecuteAsync().WaitAsync(s_timeout);

        CommittedByDirectory().ShouldBe(new Dictionary<string, string>
        {
            ["dt=2026-12-05/country=FR"] = "1\n3\n",
            ["dt=2026-12-05/country=DE"] = "2\n",
        }, ignoreOrder: true);
        Directory.GetFiles(Path.Combine(_root, ".staging")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Sink_NullEmptyAndSpecialValues_AreTheDefaultNameOrEscapedAsFlinkDoes()
    {
        var env = StreamEnvironment.Create();
        env.FromCollection([
            Row.Of(s_schema, 1, null, null), Row.Of(s_schema, 2, "", null), Row.Of(s_schema, 3, "a/b", null),
            Row.Of(s_schema, 4, "x=y%", null), Row.Of(s_schema, 5, "new\nline: 50% {ok}?", null), Row.Of(s_schema, 6, "São Tomé & co", null),
        ]).SinkTo(Sink(["country"]));

        await env.ExecuteAsync().WaitAsync(s_timeout);

        CommittedByDirectory().ShouldBe(new Dictionary<string, string>
        {
            ["country=__DEFAULT_PARTITION__"] = "1,\n2,\n",
            ["country=a%2Fb"] = "3,\n",
            ["country=x%3Dy%25"] = "4,\n",
            ["country=new%0Aline%3A 50%25 %7Bok%7D%3F"] = "5,\n",
            ["country=São Tomé & co"] = "6,\n",
        }, ignoreOrder: true);
    }

    [Fact]
    public async Task Sink_PartitionDefaultName_NamesTheNullPartition()
    {
        var env = StreamEnvironment.Create();
        env.FromCollection([Row.Of(s_schema, 1, null, null)]).SinkTo(Sink(["country"], ("partition.default-name", "unknown")));

        await env.ExecuteAsync().WaitAsync(s_timeout);

        CommittedByDirectory().Keys.ShouldBe(["country=unknown"]);
    }

    [Theory]
    [InlineData("a/b", "Option 'partition.default-name' of connector 'filesystem' must be a directory name without characters that partition paths escape (\" # % ' * / : = ? \\ { } [ ] ^) (got 'a/b').")]
    [InlineData("..", "Option 'partition.default-name' of connector 'filesystem' must be a directory name without characters that partition paths escape (\" # % ' * / : = ? \\ { } [ ] ^) (got '..').")]
    public void CreateSink_BadDefaultName_OneSentenceNamingTheOption(string name, string expected) =>
        Should.Throw<ConfigOptionsException>(() => Sink(["country"], ("partition.default-name", name))).Message.ShouldBe(expected);

    [Fact]
    public void CreateSink_EveryColumnAPartitionColumn_Rejected() =>
        Should.Throw<ConfigOptionsException>(() => Sink(["id", "country", "dt"])).Message
            .ShouldBe("Every column of the table is a partition column, so connector 'filesystem' would write empty rows; keep at least one column out of PARTITIONED BY.");

    [Fact]
    public void CreateSink_PartitionByTimestamp_RejectedNamingTheColumnAndTheSupportedTypes()
    {
        var schema = Schema.Parse("id INT, ts TIMESTAMP(3)");
        var context = _registry.CreateContext("out", schema, new Dictionary<string, string> { ["connector"] = "filesystem", ["path"] = _root, ["format"] = "json" },
            ConnectorCapabilities.Sink, out var factory) with
        { PartitionKeys = ["ts"] };

        Should.Throw<ConfigOptionsException>(() => factory.CreateSink(context)).Message
            .ShouldBe("Partition column 'ts' is TIMESTAMP(3), which connector 'filesystem' cannot write as a directory name; partition by a BOOLEAN, INT, BIGINT, DECIMAL, VARCHAR or DATE column.");
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a:b", "a%3Ab")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("\"#%'*/:=?\\{}[]^\u007F", "%22%23%25%27%2A%2F%3A%3D%3F%5C%7B%7D%5B%5D%5E%7F")]
    [InlineData("a b&c+d", "a b&c+d")]
    public void Escape_FlinksCharacters_AsUpperCaseHex(string text, string expected) =>
        PartitionPaths.Escape(text).ShouldBe(expected);

    [Fact]
    public void Escape_AnyText_IsOneSafeSegmentThatUnescapesBack()
    {
        Gen.String.Sample(text =>
        {
            var escaped = PartitionPaths.Escape(text);
            foreach (var c in escaped)
            {
                (c == '%' || !PartitionPaths.MustEscape(c)).ShouldBeTrue($"'{escaped}' holds '{c}'");
            }
            Unescape(escaped).ShouldBe(text);
        });
    }

    /// <summary>The inverse of the escaping, written here independently of the code under test.</summary>
    private static string Unescape(string escaped)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '%')
            {
                builder.Append((char)Convert.ToInt32(escaped.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                builder.Append(escaped[i]);
            }
        }
        return builder.ToString();
    }

    [Fact]
    public void Committable_Version2_IsPinnedByHandWrittenBytes()
    {
        byte[] golden =
        [
            2, 2, 0, 0, 0,
            5, 0, 0, 0, (byte)'s', (byte)'1', (byte)'.', (byte)'s', (byte)'t',
            5, 0, 0, 0, (byte)'a', (byte)'=', (byte)'1', (byte)'/', (byte)'f',
            2, 0, 0, 0, (byte)'s', (byte)'2',
            1, 0, 0, 0, (byte)'g',
        ];

        PartFileSink<Row>.Encode([("s1.st", "a=1/f"), ("s2", "g")]).ShouldBe(golden);
        PartFileSink<Row>.Decode(golden).ShouldBe([("s1.st", "a=1/f"), ("s2", "g")]);
    }

    [Fact]
    public void Committable_Version1_StillReads()
    {
        byte[] golden = [1, 2, 0, 0, 0, (byte)'s', (byte)'1', 3, 0, 0, 0, (byte)'p', (byte)'.', (byte)'c'];

        PartFileSink<Row>.Decode(golden).ShouldBe([("s1", "p.c")]);
        PartFileSink<Row>.Encode([("s1", "p.c")]).ShouldBe(golden, "one file at the root is still written as version 1");
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a//b")]
    [InlineData("/etc/x")]
    public void Committable_PathOutsideTheDirectory_Rejected(string final) =>
        Should.Throw<InvalidDataException>(() => PartFileSink<Row>.Decode(PartFileSink<Row>.Encode([("s", final), ("t", "u")])));

    [Fact]
    public void Write_MoreBucketsThanMayBeOpen_ClosesTheLeastRecentlyUsed_AndCommitsEveryRecordOfEveryBucket()
    {
        var sink = (PartFileSink<Row>)Sink(["country"]);
        sink.MaxOpenBuckets = 2;
        sink.AbortPending(0);
        var writer = (PartFileSink<Row>.Writer)sink.CreateWriter(new SinkContext("out", 0, 1, TimeProvider.System));
        var open = new List<int>();
        var id = 0;
        foreach (var country in new[] { "a", "b", "c", "a", "d", "b", "b", "e", "a" })
        {
            writer.Write(Row.Of(s_schema, ++id, country, null), 0);
            open.Add(writer.OpenFiles);
        }

        var committable = ((ITwoPhaseSinkWriter<Row>)writer).PrepareCommit(1);
        sink.Commit(1, 0, committable);
        writer.Dispose();

        open.ShouldBe([1, 2, 2, 2, 2, 2, 2, 2, 2], "never more than two open files");
        CommittedByDirectory().ShouldBe(new Dictionary<string, string>
        {
            ["country=a"] = "1,\n4,\n9,\n",
            ["country=b"] = "2,\n6,\n7,\n",
            ["country=c"] = "3,\n",
            ["country=d"] = "5,\n",
            ["country=e"] = "8,\n",
        }, ignoreOrder: true);
    }

    [Fact]
    public void BucketOf_MoreBucketsThanRemembered_MemoryStartsOverAndPathsStayRight()
    {
        var bodySchema = Schema.Parse("id INT NOT NULL, dt DATE");
        var bucketer = new RowPartitionBucketer(s_schema, [1], bodySchema, "__DEFAULT_PARTITION__");
        string? last = null;
        for (var i = 0; i <= RowPartitionBucketer.MaxRememberedBuckets; i++)
        {
            last = bucketer.BucketOf(Row.Of(s_schema, i, "c" + i, null), out _);
        }

        last.ShouldBe("country=c1024");
        bucketer.RememberedBuckets.ShouldBe(1, "the 1025th bucket started the memory over");
        bucketer.BucketOf(Row.Of(s_schema, 0, "c1024", null), out _).ShouldBeSameAs(last, "a remembered bucket is the same string");
    }
}
