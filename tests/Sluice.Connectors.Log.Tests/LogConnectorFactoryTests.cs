using System.Text;
using Sluice.Configuration;
using Sluice.Connectors.Log.Tests.Support;
using Sluice.Log;
using Sluice.Schemas;

namespace Sluice.Connectors.Log.Tests;

/// <summary>The 'sluice-log' connector factory from option dictionaries: round trips, a shared open per directory, bad options.</summary>
public sealed class LogConnectorFactoryTests : IDisposable
{
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromMinutes(1);
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING, score INT");
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().AddAssembly(typeof(LogConnectorFactory).Assembly);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-logfactory-" + Guid.NewGuid().ToString("N"));

    private Dictionary<string, string> Options(params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string> { ["connector"] = "sluice-log", ["path"] = _directory, ["topic"] = "orders", ["topic.partitions"] = "2" };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        return options;
    }

    private Dictionary<string, string> SourceOptions(params (string Key, string Value)[] more) =>
        Options([("format", "json"), ("scan.startup.mode", "earliest-offset"), ("scan.bounded.mode", "latest-offset"), .. more]);

    [Fact]
    public async Task SinkThenSource_SameDirectory_ShareOneOpenLogAndRoundTripTheRowsWithKeys()
    {
        var rows = new[] { Row.Of(s_schema, 1L, "Ada", 7), Row.Of(s_schema, 2L, null, null) };
        var sink = _registry.CreateSink("out", s_schema, Options(("value.format", "json"), ("key.format", "csv"), ("key.fields", "id;name")));
        var source = _registry.CreateSource("in", s_schema, SourceOptions());
        SharedLogs.ReferencesTo(_directory).ShouldBe(2, "the sink and the source hold the one open log");

        var write = StreamEnvironment.Create();
        write.FromCollection(rows).SinkTo(sink);
        await write.ExecuteAsync().WaitAsync(s_jobTimeout);
        var read = StreamEnvironment.Create();
        var back = read.FromSource(source).Collect();
        await read.ExecuteAsync().WaitAsync(s_jobTimeout);

        back.Items.OrderBy(r => r.GetInt64(0)).ShouldBe(rows);
        ((IDisposable)sink).Dispose();
        ((IDisposable)source).Dispose();
        SharedLogs.ReferencesTo(_directory).ShouldBe(0);
        using var reopened = PartitionedLog.Open(_directory);
        var stored = TempLog.ReadAll(reopened, "orders").Select(r => Encoding.UTF8.GetString(r.Record.Key!)).Order().ToList();
        stored.ShouldBe(["1,Ada", "2,"], "keys are key.fields in key.format; the last lease closed the log, so it opens again");
    }

    [Fact]
    public async Task Source_GroupOffsets_ResumesAfterTheRecordsAnEarlierJobOfTheGroupRead()
    {
        var write = StreamEnvironment.Create();
        write.FromCollection([Row.Of(s_schema, 1L, "a", 1)]).SinkTo(_registry.CreateSink("out", s_schema, Options(("format", "json"))));
        await write.ExecuteAsync().WaitAsync(s_jobTimeout);
        var first = await ReadAsync(("properties.group.id", "g"), ("scan.startup.mode", "group-offsets"));
        var write2 = StreamEnvironment.Create();
        write2.FromCollection([Row.Of(s_schema, 2L, "b", 2)]).SinkTo(_registry.CreateSink("out", s_schema, Options(("format", "json"))));
        await write2.ExecuteAsync().WaitAsync(s_jobTimeout);

        var second = await ReadAsync(("properties.group.id", "g"));

        first.Select(r => r.GetInt64(0)).ShouldBe([1L]);
        second.Select(r => r.GetInt64(0)).ShouldBe([2L], "the group's committed offsets skip what the first job read");
    }

    [Fact]
    public async Task JobEnd_Finished_ReleasesTheLeasesOfItsTables()
    {
        var sink = _registry.CreateSink("out", s_schema, Options(("format", "json")));
        var source = _registry.CreateSource("in", s_schema, SourceOptions());
        SharedLogs.ReferencesTo(_directory).ShouldBe(2);
        var write = StreamEnvironment.Create();
        write.FromCollection([Row.Of(s_schema, 1L, "a", 1)]).SinkTo(sink);

        await write.ExecuteAsync().WaitAsync(s_jobTimeout);

        SharedLogs.ReferencesTo(_directory).ShouldBe(1, "the write job ended: its sink let go, the source not yet run holds on");
        var read = StreamEnvironment.Create();
        read.FromSource(source).Collect();
        await read.ExecuteAsync().WaitAsync(s_jobTimeout);
        SharedLogs.ReferencesTo(_directory).ShouldBe(0);
        using var reopened = PartitionedLog.Open(_directory); // the log is closed: its directory lock is free
    }

    [Fact]
    public async Task JobEnd_Failed_ReleasesTheLease()
    {
        var delete = Row.Of(s_schema, 1L, "a", 1);
        delete.Kind = RowKind.Delete;
        var env = StreamEnvironment.Create();
        env.FromCollection([delete]).SinkTo(_registry.CreateSink("out", s_schema, Options(("format", "json"))));

        await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().WaitAsync(s_jobTimeout));

        SharedLogs.ReferencesTo(_directory).ShouldBe(0);
    }

    [Fact]
    public async Task JobEnd_Cancelled_ReleasesTheLease()
    {
        var options = SourceOptions();
        options.Remove("scan.bounded.mode"); // never ends by itself
        var env = StreamEnvironment.Create();
        env.FromSource(_registry.CreateSource("in", s_schema, options)).Collect();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = env.Start(client => client.StatusChanged += change =>
        {
            if (change.NewStatus == JobStatus.Running)
            {
                running.TrySetResult();
            }
        });
        await running.Task.WaitAsync(s_jobTimeout);

        job.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => job.Completion.WaitAsync(s_jobTimeout));
        SharedLogs.ReferencesTo(_directory).ShouldBe(0);
    }

    private async Task<IReadOnlyList<Row>> ReadAsync(params (string Key, string Value)[] options)
    {
        var all = SourceOptions(options);
        all.Remove("scan.startup.mode");
        foreach (var (key, value) in options)
        {
            all[key] = value;
        }
        var source = _registry.CreateSource("in", s_schema, all);
        var env = StreamEnvironment.Create();
        var rows = env.FromSource(source).Collect();
        await env.ExecuteAsync().WaitAsync(s_jobTimeout);
        ((IDisposable)source).Dispose();
        return rows.Items;
    }

    [Theory]
    [InlineData("scan.startup.mode", "specific-offsets", "Option 'scan.startup.mode' of connector 'sluice-log' must be one of 'earliest-offset', 'latest-offset', 'group-offsets', 'timestamp' ('specific-offsets' is not supported yet) (got 'specific-offsets').")]
    [InlineData("scan.startup.mode", "group-offsets", "Connector 'sluice-log' needs option 'properties.group.id' with 'scan.startup.mode' = 'group-offsets' (the default); give a consumer group or choose 'earliest-offset'.")]
    [InlineData("scan.startup.mode", "timestamp", "Connector 'sluice-log' needs option 'scan.startup.timestamp-millis' with 'scan.startup.mode' = 'timestamp'.")]
    [InlineData("topic.partitions", "0", "Option 'topic.partitions' of connector 'sluice-log' must be a whole number between 1 and 10000 (got '0').")]
    [InlineData("properties.bootstrap.servers", "localhost:9092", "Connector 'sluice-log' has no option 'properties.bootstrap.servers'; its options are: csv.#, format, json.#, key.csv.#, key.fields, key.format, key.json.#, key.raw.#, path, properties.group.id, raw.#, scan.bounded.mode, scan.startup.mode, scan.startup.timestamp-millis, sink.delivery-guarantee, sink.transactional-id-prefix, topic, topic.partitions, value.csv.#, value.format, value.json.#, value.raw.#.")]
    public void CreateSource_BadOption_OneSentenceNamingOptionValueAndChoices(string key, string value, string expected)
    {
        var options = SourceOptions();
        options[key] = value;

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSource("in", s_schema, options)).Message.ShouldBe(expected);
        SharedLogs.ReferencesTo(_directory).ShouldBe(0, "a rejected table holds no lease");
    }

    [Theory]
    [InlineData("key.fields", "id;nmae", "Option 'key.fields' of connector 'sluice-log' must name columns of the table (id, name, score), but 'nmae' is not one (got 'id;nmae').")]
    [InlineData("sink.delivery-guarantee", "exactly-once", "Connector 'sluice-log' needs option 'sink.transactional-id-prefix' with 'sink.delivery-guarantee' = 'exactly-once' (a prefix that stays the same across restarts).")]
    [InlineData("topic", "bad/name", "Option 'topic' of connector 'sluice-log' must be a valid topic name")]
    public void CreateSink_BadOption_OneSentenceNamingOptionValueAndChoices(string key, string value, string expected)
    {
        var options = Options(("format", "json"), ("key.format", "raw"), ("key.fields", "name"));
        options[key] = value;

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, options)).Message.ShouldStartWith(expected);
        SharedLogs.ReferencesTo(_directory).ShouldBe(0, "a rejected table holds no lease");
    }

    [Fact]
    public void CreateSink_MissingTopicWithoutPartitions_SaysHowToCreateIt()
    {
        var options = Options(("format", "json"));
        options.Remove("topic.partitions");

        var error = Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, options));

        error.Message.ShouldBe($"Option 'topic' of connector 'sluice-log' must name a topic of the log at '{Path.GetFullPath(_directory)}', or give option 'topic.partitions' to create it (or create it with 'sluice log topics create orders') (got 'orders').");
        error.Key.ShouldBe("topic");
    }

    [Fact]
    public void CreateSink_NoPath_NamesTheOption()
    {
        var options = Options(("format", "json"));
        options.Remove("path");

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, options)).Message
            .ShouldBe("Connector 'sluice-log' needs option 'path' (The log's data directory (as 'sluice log --data-dir'); created if missing).");
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
