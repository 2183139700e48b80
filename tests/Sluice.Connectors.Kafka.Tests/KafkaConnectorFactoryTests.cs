using System.Text;
using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Kafka;
using Sluice.Schemas;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>The 'kafka' connector factory from option dictionaries, against the mock cluster.</summary>
public sealed class KafkaConnectorFactoryTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromMinutes(1);
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING, score INT");
    private readonly ConnectorRegistry _registry = new ConnectorRegistry().AddAssembly(typeof(KafkaConnectorFactory).Assembly);

    private Dictionary<string, string> Options(string topic, params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string>
        {
            ["connector"] = "kafka",
            ["topic"] = topic,
            ["properties.bootstrap.servers"] = kafka.Cluster.BootstrapServers,
            ["properties.session.timeout.ms"] = "2000",
            ["properties.heartbeat.interval.ms"] = "250",
        };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        return options;
    }

    private Dictionary<string, string> SourceOptions(string topic, params (string Key, string Value)[] more) =>
        Options(topic, [("properties.group.id", kafka.NewGroup()), ("scan.startup.mode", "earliest-offset"), ("scan.bounded.mode", "latest-offset"), .. more]);

    [Fact]
    public async Task SinkThenSource_JsonValueCsvKey_RoundTripsTheRowsWithKeys()
    {
        var topic = kafka.NewTopic(1);
        var rows = new[] { Row.Of(s_schema, 1L, "Ada", 7), Row.Of(s_schema, 2L, null, null) };
        var write = StreamEnvironment.Create();
        write.FromCollection(rows).SinkTo(_registry.CreateSink("out", s_schema,
            Options(topic, ("value.format", "json"), ("key.format", "csv"), ("key.fields", "id;name"), ("sink.delivery-guarantee", "at-least-once"))));
        await write.ExecuteAsync().WaitAsync(s_jobTimeout);

        var messages = kafka.ReadAll(topic, 1);
        messages.Select(m => Encoding.UTF8.GetString(m.Message.Key!)).ShouldBe(["1,Ada", "2,"]);
        messages.Select(m => Encoding.UTF8.GetString(m.Message.Value!)).ShouldBe(["""{"id":1,"name":"Ada","score":7}""", """{"id":2,"name":null,"score":null}"""]);

        var read = StreamEnvironment.Create();
        var back = read.FromSource(_registry.CreateSource("in", s_schema, SourceOptions(topic, ("format", "json")))).Collect();
        await read.ExecuteAsync().WaitAsync(s_jobTimeout);

        back.Items.ShouldBe(rows);
    }

    [Fact]
    public async Task Source_BadRecord_IsADeadLetterWithOffsetAndFieldPath()
    {
        var topic = kafka.NewTopic(1);
        kafka.ProduceText(topic, [(null, "1;Ada;3", 0, null), (null, "2;Bob;many", 0, null)]);
        var env = StreamEnvironment.Create();
        var rows = env.FromSource(_registry.CreateSource("in", s_schema, SourceOptions(topic, ("value.format", "csv"), ("value.csv.field-delimiter", ";"))));
        var good = rows.Collect();
        var letters = rows.GetSideOutput(DeadLetters.Tag).Collect();

        await env.ExecuteAsync().WaitAsync(s_jobTimeout);

        good.Items.ShouldBe([Row.Of(s_schema, 1L, "Ada", 3)]);
        var letter = letters.Items.ShouldHaveSingleItem();
        letter.Position.ShouldBe($"{topic}/0/1");
        letter.FieldPath.ShouldBe("score");
        letter.Payload.ShouldBe("2;Bob;many");
    }

    [Theory]
    [InlineData("scan.startup.mode", "earliest", "Option 'scan.startup.mode' of connector 'kafka' must be one of 'earliest-offset', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets' (got 'earliest').")]
    [InlineData("format", "avro", "Option 'format' of connector 'kafka' must be one of 'json', 'csv', 'raw' (got 'avro').")]
    [InlineData("scan.startup.mode", "timestamp", "Connector 'kafka' needs option 'scan.startup.timestamp-millis' with 'scan.startup.mode' = 'timestamp'.")]
    [InlineData("csv.field-delimiter", ";", "Option 'csv.field-delimiter' of connector 'kafka' is an option of the csv format, but 'format' is 'json'; give it only with that format, so remove it (got ';').")]
    [InlineData("scan.startup.timestamp-milis", "5", "Connector 'kafka' has no option 'scan.startup.timestamp-milis'; its options are: csv.#, format, json.#, key.csv.#, key.fields, key.format, key.json.#, key.raw.#, properties.#, properties.bootstrap.servers, properties.group.id, raw.#, scan.bounded.mode, scan.startup.mode, scan.startup.specific-offsets, scan.startup.timestamp-millis, sink.delivery-guarantee, sink.transactional-id-prefix, topic, topic-pattern, value.csv.#, value.format, value.json.#, value.raw.#.")]
    public void CreateSource_BadOption_OneSentenceNamingOptionValueAndChoices(string key, string value, string expected)
    {
        var options = SourceOptions("orders", ("format", "json"));
        options[key] = value;

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSource("in", s_schema, options)).Message.ShouldBe(expected);
    }

    [Theory]
    [InlineData("key.fields", "id;nmae", "Option 'key.fields' of connector 'kafka' must name columns of the table (id, name, score), but 'nmae' is not one (got 'id;nmae').")]
    [InlineData("sink.delivery-guarantee", "exactly-once", "Connector 'kafka' needs option 'sink.transactional-id-prefix' with 'sink.delivery-guarantee' = 'exactly-once' (a prefix that stays the same across restarts).")]
    [InlineData("sink.delivery-guarantee", "exactly_once", "Option 'sink.delivery-guarantee' of connector 'kafka' must be one of 'at-least-once', 'exactly-once', 'none' (got 'exactly_once').")]
    [InlineData("value.format", "json", "Option 'value.format' of connector 'kafka' cannot be given with option 'format' (they name the same thing) (got 'json').")]
    public void CreateSink_BadOption_OneSentenceNamingOptionValueAndChoices(string key, string value, string expected)
    {
        var options = Options("orders", ("format", "json"), ("key.format", "raw"), ("key.fields", "name"));
        options[key] = value;

        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, options)).Message.ShouldBe(expected);
    }

    [Fact]
    public void CreateSink_NoFormat_NamesBothKeys()
    {
        Should.Throw<ConfigOptionsException>(() => _registry.CreateSink("out", s_schema, Options("orders"))).Message
            .ShouldBe("Connector 'kafka' needs option 'format' or 'value.format' (the row format of the message value: json, csv or raw).");
    }
}
