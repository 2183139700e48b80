using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry.Serdes;
using Newtonsoft.Json;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Formats.Registry.Tests;

/// <summary>json-registry against Confluent's official JSON Schema serdes (Confluent.SchemaRegistry.Serdes.Json 2.16.0).</summary>
public sealed class ConfluentJsonInteropTests(RegistryAndKafka env) : IClassFixture<RegistryAndKafka>
{
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromSeconds(60);

    public sealed class Payment
    {
        [JsonProperty("id")]
        public long Id { get; set; }

        [JsonProperty("customer")]
        public string? Customer { get; set; }

        [JsonProperty("amount")]
        public double Amount { get; set; }
    }

    /// <summary>The payments' JSON Schema, draft 7, given to the serializer (otherwise it generates a draft-04 one).</summary>
    private const string PaymentSchema = """
        {"$schema":"http://json-schema.org/draft-07/schema#","title":"Payment","type":"object",
         "properties":{"id":{"type":"integer"},"customer":{"type":["null","string"]},"amount":{"type":"number"}},
         "required":["id","amount"]}
        """;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)] // the draft-04 schema NJsonSchema generates, as a producer with default settings registers it
    public async Task KafkaSource_RecordsOfConfluentsJsonSerializer_AreDecoded(bool validate, bool generatedSchema)
    {
        var topic = env.NewTopic();
        using (var client = env.Client())
        using (var producer = new ProducerBuilder<Null, Payment>(new ProducerConfig { BootstrapServers = env.Kafka.BootstrapServers })
            .SetValueSerializer(generatedSchema
                ? new JsonSerializer<Payment>(client)
                : new JsonSerializer<Payment>(client, new Confluent.SchemaRegistry.Schema(PaymentSchema, Confluent.SchemaRegistry.SchemaType.Json)))
            .Build())
        {
            await producer.ProduceAsync(topic, new Message<Null, Payment> { Value = new Payment { Id = 1, Customer = "ada", Amount = 9.5 } });
            await producer.ProduceAsync(topic, new Message<Null, Payment> { Value = new Payment { Id = 2, Amount = 1 } });
        }
        env.WaitForEnd(topic, 2);
        var schema = Schema.Parse("id BIGINT NOT NULL, customer STRING, amount DOUBLE");
        var job = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var rows = job.FromSource(env.Connectors.CreateSource("payments", schema,
            env.KafkaTable(topic, "json-registry", ("value.json-registry.validate", validate ? "true" : "false"))));
        var sink = rows.Collect();
        var letters = rows.GetSideOutput(DeadLetters.Tag).Collect();

        await job.ExecuteAsync().WaitAsync(s_jobTimeout);

        letters.Items.ShouldBeEmpty();
        sink.Items.ShouldBe([Row.Of(schema, 1L, "ada", 9.5), Row.Of(schema, 2L, null, 1.0)]);
    }

    [Fact]
    public async Task KafkaSink_RowsAreReadByConfluentsJsonDeserializer()
    {
        var topic = env.NewTopic();
        var schema = Schema.Parse("id BIGINT NOT NULL, customer STRING, amount DOUBLE NOT NULL");
        var job = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        job.FromCollection([Row.Of(schema, 7L, "cy", 3.5), Row.Of(schema, 8L, null, 0.0)])
            .SinkTo(env.Connectors.CreateSink("payments", schema, env.KafkaTable(topic, "json-registry")));
        await job.ExecuteAsync().WaitAsync(s_jobTimeout);

        using var client = env.Client();
        var records = env.ReadAll(topic, new JsonDeserializer<Payment>(client).AsSyncOverAsync());

        records.Select(static r => (r.Message.Value.Id, r.Message.Value.Customer, r.Message.Value.Amount)).ShouldBe([(7L, "cy", 3.5), (8L, null, 0.0)]);
        (await client.GetLatestSchemaAsync($"{topic}-value")).SchemaType.ShouldBe(Confluent.SchemaRegistry.SchemaType.Json);
    }
}
