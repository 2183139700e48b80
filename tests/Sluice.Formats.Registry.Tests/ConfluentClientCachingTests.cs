using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Sluice.SchemaRegistry.Server;

namespace Sluice.Formats.Registry.Tests;

/// <summary>
/// Confluent's serdes against Sluice's registry keep what they fetched: decoding or encoding many records costs a few
/// registry requests in all, not one per record (a response the client does not cache would make every record a
/// loopback round trip). The requests are counted from the registry's own request log.
/// </summary>
public sealed class ConfluentClientCachingTests : IAsyncLifetime
{
    private const string OrderSchema = """
        {"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null}]}
        """;

    private readonly TempDirectory _directory = new();
    private readonly CollectingLoggerFactory _logs = new();
    private SchemaRegistryServer _registry = null!;

    public async Task InitializeAsync() =>
        _registry = await SchemaRegistryServer.StartAsync(new SchemaRegistryServerOptions { DataDirectory = _directory.Path, Port = 0, LoggerFactory = _logs });

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _directory.Dispose();
    }

    private List<string> Requests() =>
        [.. _logs.Entries.Where(e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && e.Message.StartsWith("Request starting", StringComparison.Ordinal)).Select(e => e.Message)];

    private CachedSchemaRegistryClient Client() => new(new SchemaRegistryConfig { Url = _registry.BaseAddress.ToString().TrimEnd('/') });

    /// <summary>As in the benchmark: the schema registered beforehand, a producer with UseLatestVersion, a consumer with its own client.</summary>
    [Fact]
    public async Task AvroSerdes_ThousandRecordsEachWay_AFewRegistryRequestsInAll()
    {
        using var admin = Client();
        await admin.RegisterSchemaAsync("orders-value", new Schema(OrderSchema, SchemaType.Avro));
        using var producerClient = Client();
        using var consumerClient = Client();
        var serializer = new AvroSerializer<GenericRecord>(producerClient, new AvroSerializerConfig { AutoRegisterSchemas = false, UseLatestVersion = true });
        var deserializer = new AvroDeserializer<GenericRecord>(consumerClient);
        var context = new SerializationContext(MessageComponentType.Value, "orders");
        var record = new GenericRecord((global::Avro.RecordSchema)global::Avro.Schema.Parse(OrderSchema));
        record.Add("id", 7L);
        record.Add("note", null);
        var before = Requests().Count;

        byte[] message = [];
        for (var i = 0; i < 1000; i++)
        {
            message = await serializer.SerializeAsync(record, context);
        }
        for (var i = 0; i < 1000; i++)
        {
            (await deserializer.DeserializeAsync(message, isNull: false, context))["id"].ShouldBe(7L);
        }

        var requests = Requests().Skip(before).ToList();
        requests.ShouldNotBeEmpty("the registry logs its requests, and each client needs the schema once");
        // Per client: the topic's association (404: none), then the latest version (producer) or the schema by id (consumer).
        requests.Count.ShouldBeLessThanOrEqualTo(4, string.Join("\n", requests));
    }
}
