using System.Text;
using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Kafka;
using Sluice.Schemas;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>The 'upsert-kafka' connector from option dictionaries: upserts by key, tombstones for deletes, no update-before rows; read back as a changelog.</summary>
public sealed class UpsertKafkaConnectorFactoryTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromMinutes(1);
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING");
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().AddAssembly(typeof(UpsertKafkaConnectorFactory).Assembly);

    private Dictionary<string, string> Options(string topic) => new()
    {
        ["connector"] = "upsert-kafka",
        ["topic"] = topic,
        ["properties.bootstrap.servers"] = kafka.Cluster.BootstrapServers,
        ["key.format"] = "json",
        ["key.fields"] = "id",
        ["value.format"] = "json",
    };

    private static Row Of(RowKind kind, long id, string name)
    {
        var row = Row.Of(s_schema, id, name);
        row.Kind = kind;
        return row;
    }

    [Fact]
    public async Task Sink_Changelog_WritesUpsertsAndTombstonesAndDropsUpdateBefore()
    {
        var topic = kafka.NewTopic(1);
        var env = StreamEnvironment.Create();
        env.FromCollection([
            Of(RowKind.Insert, 1, "Ada"),
            Of(RowKind.Insert, 2, "Bob"),
            Of(RowKind.UpdateBefore, 1, "Ada"),
            Of(RowKind.UpdateAfter, 1, "Ann"),
            Of(RowKind.Delete, 2, "Bob"),
        ]).SinkTo(_registry.CreateSink("users", s_schema, Options(topic)));

        await env.ExecuteAsync().WaitAsync(s_jobTimeout);

        var messages = kafka.ReadAll(topic, 1);
        messages.Select(m => Encoding.UTF8.GetString(m.Message.Key!)).ShouldBe(["""{"id":1}""", """{"id":2}""", """{"id":1}""", """{"id":2}"""]);
        messages.Select(m => m.Message.Value is null ? null : Encoding.UTF8.GetString(m.Message.Value))
            .ShouldBe(["""{"id":1,"name":"Ada"}""", """{"id":2,"name":"Bob"}""", """{"id":1,"name":"Ann"}""", null]);
    }

    [Fact]
    public void CreateSink_NoKey_NamesPrimaryKeyAndOption()
    {
        var options = Options("users");
        options.Remove("key.fields");

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("users", s_schema, options)).Message
            .ShouldBe("Connector 'upsert-kafka' needs the table's key: declare a PRIMARY KEY, or give option 'key.fields' (the key columns, separated by ';').");
    }

    [Fact]
    public void CreateSink_KeyFieldsOtherThanThePrimaryKey_NamesBoth()
    {
        var options = Options("users");
        options["key.fields"] = "name";
        var context = _registry.CreateContext("users", s_schema, options, ConnectorCapabilities.Sink, out var factory) with { PrimaryKey = ["id"] };

        Should.Throw<ConfigOptionsException>(() => factory.CreateSink(context)).Message
            .ShouldBe("Option 'key.fields' of connector 'upsert-kafka' must be left out or equal the table's PRIMARY KEY (id) (got 'name').");
    }

    [Fact]
    public void CreateSink_BadValueFormat_OneSentenceWithChoices()
    {
        var options = Options("users");
        options["value.format"] = "debezium-json";

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("users", s_schema, options)).Message
            .ShouldBe("Option 'value.format' of connector 'upsert-kafka' must be one of 'json', 'csv', 'raw' (got 'debezium-json').");
    }

    [Fact]
    public void ChangelogModes_SourceAndSink_AreUpsert()
    {
        var context = _registry.CreateContext("users", s_schema, Options("users"), ConnectorCapabilities.Sink, out var factory);

        factory.GetSourceChangelogMode(context).ShouldBe(ChangelogMode.Upsert);
        factory.GetSinkChangelogMode(context).ShouldBe(ChangelogMode.Upsert);
    }

    [Fact]
    public void CreateSource_NoGroup_NamesTheOption() =>
        Should.Throw<ConfigOptionsException>(() => _registry.CreateSource("users", s_schema, Options("users"))).Message
            .ShouldBe("Connector 'upsert-kafka' needs option 'properties.group.id' to read (the consumer group of the source).");

    /// <summary>
    /// A changelog written by the sink (keyed by the PRIMARY KEY) and read back by the source: values are +U, tombstones
    /// -D holding only the key; normalized by key they become +I, -U/+U pairs and one -D per deleted row.
    /// </summary>
    [Fact]
    public async Task Source_WrittenChangelog_ReadsUpsertsAndTombstones_NormalizeRestoresTheFullChangelog()
    {
        var topic = kafka.NewTopic(2);
        var writeOptions = Options(topic);
        writeOptions.Remove("key.fields");
        var sinkContext = _registry.CreateContext("users", s_schema, writeOptions, ConnectorCapabilities.Sink, out var factory) with { PrimaryKey = ["id"] };
        var write = StreamEnvironment.Create();
        write.FromCollection([
            Of(RowKind.Insert, 1, "Ada"),
            Of(RowKind.Insert, 2, "Bob"),
            Of(RowKind.UpdateBefore, 1, "Ada"),
            Of(RowKind.UpdateAfter, 1, "Ann"),
            Of(RowKind.UpdateAfter, 1, "Ann"),
            Of(RowKind.Delete, 2, "Bob"),
            Of(RowKind.Delete, 2, "Bob"),
        ]).SinkTo(factory.CreateSink(sinkContext));
        await write.ExecuteAsync().WaitAsync(s_jobTimeout);

        var readOptions = new Dictionary<string, string>(writeOptions) { ["properties.group.id"] = kafka.NewGroup(), ["scan.bounded.mode"] = "latest-offset" };
        var sourceContext = _registry.CreateContext("users", s_schema, readOptions, ConnectorCapabilities.Source, out _) with { PrimaryKey = ["id"] };
        var read = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var raw = read.FromSource(factory.CreateSource(sourceContext), null, "users");
        var upserts = raw.Map(static r => r.ToString()).Collect();
        var normalized = raw.NormalizeChangelog(s_schema, ["id"]).Map(static r => r.ToString()).Collect();
        var letters = raw.GetSideOutput(DeadLetters.Tag).Collect();
        await read.ExecuteAsync().WaitAsync(s_jobTimeout);
        letters.Items.ShouldBeEmpty();
        kafka.ReadAll(topic, 2).Count.ShouldBe(6);

        // Per key in order (the two keys may sit in different partitions, read in any interleaving).
        upserts.Items.Where(static r => r.Contains("[1,", StringComparison.Ordinal)).ShouldBe(["+U[1, Ada]", "+U[1, Ann]", "+U[1, Ann]"]);
        upserts.Items.Where(static r => r.Contains("[2,", StringComparison.Ordinal)).ShouldBe(["+U[2, Bob]", "-D[2, null]", "-D[2, null]"]);
        normalized.Items.Where(static r => r.Contains("[1,", StringComparison.Ordinal)).ShouldBe(["+I[1, Ada]", "-U[1, Ada]", "+U[1, Ann]"]);
        normalized.Items.Where(static r => r.Contains("[2,", StringComparison.Ordinal)).ShouldBe(["+I[2, Bob]", "-D[2, Bob]"]);
    }
}
