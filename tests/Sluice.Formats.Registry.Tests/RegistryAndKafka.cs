using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Sluice.Connectors;
using Sluice.Connectors.Kafka;
using Sluice.Connectors.Kafka.Testing;
using Sluice.SchemaRegistry.Server;

namespace Sluice.Formats.Registry.Tests;

/// <summary>A real Sluice schema registry (standalone, free loopback port, temporary data directory) and a mock Kafka cluster, shared by a test class.</summary>
public sealed class RegistryAndKafka : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-registry-formats-" + Guid.NewGuid().ToString("N"));
    private int _next;

    public SchemaRegistryServer Registry { get; private set; } = null!;

    public KafkaMockCluster Kafka { get; } = new(1);

    public string Url => Registry.BaseAddress.ToString().TrimEnd('/');

    public ConnectorRegistry Connectors { get; } = ConnectorRegistry.FromLoadedAssemblies()
        .AddAssembly(typeof(KafkaConnectorFactory).Assembly)
        .AddAssembly(typeof(AvroConfluentFormat).Assembly);

    public async Task InitializeAsync() =>
        Registry = await SchemaRegistryServer.StartAsync(new SchemaRegistryServerOptions { DataDirectory = _directory, Port = 0 });

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        Kafka.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public string NewTopic()
    {
        var topic = $"topic-{Interlocked.Increment(ref _next)}";
        Kafka.CreateTopic(topic, 1);
        return topic;
    }

    public string NewGroup() => $"group-{Interlocked.Increment(ref _next)}";

    public CachedSchemaRegistryClient Client() => new(new SchemaRegistryConfig { Url = Url });

    public IProducer<byte[]?, byte[]?> Producer() =>
        new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = Kafka.BootstrapServers }).Build();

    /// <summary>
    /// Waits (polling, with a deadline) until partition 0 of <paramref name="topic"/> shows <paramref name="count"/>
    /// records as its high watermark, so a bounded source started next sees them all.
    /// </summary>
    public void WaitForEnd(string topic, long count)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = Kafka.BootstrapServers, GroupId = NewGroup() }).Build();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long end;
        while ((end = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10)).High.Value) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Topic {topic} shows {end} records after 30 s, not {count}.");
            }
            Thread.Yield();
        }
    }

    /// <summary>Every record of a one-partition topic, from the start.</summary>
    public List<ConsumeResult<byte[]?, TValue>> ReadAll<TValue>(string topic, IDeserializer<TValue> values)
    {
        using var consumer = new ConsumerBuilder<byte[]?, TValue>(new ConsumerConfig
        {
            BootstrapServers = Kafka.BootstrapServers,
            GroupId = NewGroup(),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).SetValueDeserializer(values).Build();
        var end = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10)).High.Value;
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var results = new List<ConsumeResult<byte[]?, TValue>>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (results.Count < end && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { } result)
            {
                results.Add(result);
            }
        }
        return results;
    }

    /// <summary>The options of a kafka table on <paramref name="topic"/>, read from the start to its current end.</summary>
    public Dictionary<string, string> KafkaTable(string topic, string format, params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string>
        {
            ["connector"] = "kafka",
            ["topic"] = topic,
            ["properties.bootstrap.servers"] = Kafka.BootstrapServers,
            ["properties.group.id"] = NewGroup(),
            ["scan.startup.mode"] = "earliest-offset",
            ["scan.bounded.mode"] = "latest-offset",
            ["value.format"] = format,
            [$"value.{format}.url"] = Url,
            // The mock coordinator waits session.timeout.ms - 1 s for members to rejoin a rebalance (45 s by default).
            ["properties.session.timeout.ms"] = "2000",
            ["properties.heartbeat.interval.ms"] = "250",
        };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        return options;
    }
}
