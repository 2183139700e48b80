using System.Text;
using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Kafka;
using Sluice.Schemas;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>The 'upsert-kafka' sink from option dictionaries: upserts by key, tombstones for deletes, no update-before rows.</summary>
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
    public void CreateSink_NoKeyFields_NamesTheOption()
    {
        var options = Options("users");
        options.Remove("key.fields");

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("users", s_schema, options)).Message
            .ShouldBe("Connector 'upsert-kafka' needs option 'key.fields' (The table's key columns, separated by ';'; Flink takes the PRIMARY KEY, which schemas do not have yet).");
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
    public void CreateSource_UpsertKafka_IsASinkOnly()
    {
        Should.Throw<ConfigOptionsException>(() => _registry.CreateSource("users", s_schema, Options("users"))).Message
            .ShouldBe("Table 'users' uses connector 'upsert-kafka' as a source, but it is a sink only.");
    }
}
