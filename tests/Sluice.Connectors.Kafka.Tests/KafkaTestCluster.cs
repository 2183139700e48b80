using System.Text;
using System.Text.Json.Serialization;
using Confluent.Kafka;
using Sluice.Connectors.Kafka.Testing;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>One mock cluster per test class (xunit class fixture); each test uses its own topics and groups.</summary>
public sealed class KafkaTestCluster : IDisposable
{
    private int _next;

    public KafkaMockCluster Cluster { get; } = new(3);

    /// <summary>
    /// The mock coordinator waits session.timeout.ms − 1 s for members to rejoin a rebalance (45 s by default), so the
    /// tests' consumers use a short session.
    /// </summary>
    public KafkaConnectionOptions Connection => new()
    {
        BootstrapServers = Cluster.BootstrapServers,
        Properties = new Dictionary<string, string> { ["session.timeout.ms"] = "2000", ["heartbeat.interval.ms"] = "250" },
    };

    public string NewTopic(int partitions, string prefix = "topic")
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _next)}";
        Cluster.CreateTopic(name, partitions);
        return name;
    }

    public string NewGroup() => $"group-{Interlocked.Increment(ref _next)}";

    public IProducer<byte[]?, byte[]?> Producer() =>
        new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = Cluster.BootstrapServers, LingerMs = 1, Partitioner = Partitioner.Murmur2Random }).Build();

    /// <summary>Produces <paramref name="values"/> as UTF-8 text with key = value's key part, waits for every acknowledgement.</summary>
    public void ProduceText(string topic, IEnumerable<(string? Key, string Value, int? Partition, long? TimestampMs)> values)
    {
        using var producer = Producer();
        foreach (var (key, value, partition, timestamp) in values)
        {
            var message = new Message<byte[]?, byte[]?>
            {
                Key = key is null ? null : Encoding.UTF8.GetBytes(key),
                Value = Encoding.UTF8.GetBytes(value),
                Timestamp = timestamp is { } t ? new Timestamp(t, TimestampType.CreateTime) : Timestamp.Default,
            };
            if (partition is { } p)
            {
                producer.Produce(new TopicPartition(topic, p), message, r => r.Error.IsError.ShouldBeFalse(r.Error.Reason));
            }
            else
            {
                producer.Produce(topic, message, r => r.Error.IsError.ShouldBeFalse(r.Error.Reason));
            }
        }
        producer.Flush(TimeSpan.FromSeconds(30)).ShouldBe(0);
    }

    /// <summary>
    /// Everything in <paramref name="topic"/> (read-uncommitted), read with a raw consumer until every partition's end.
    /// The consumer commits nothing (auto-commit would send commits while it is destroyed; this throwaway group needs no
    /// offsets) and is closed before it is disposed, so no group work is left for the destroy.
    /// </summary>
    public List<ConsumeResult<byte[]?, byte[]?>> ReadAll(string topic, int partitions, IsolationLevel isolation = IsolationLevel.ReadUncommitted)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = Cluster.BootstrapServers,
            GroupId = NewGroup(),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = isolation,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var eof = new HashSet<int>();
        var results = new List<ConsumeResult<byte[]?, byte[]?>>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (eof.Count < partitions)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "reading the topic back timed out");
            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is null)
            {
                continue;
            }
            if (r.IsPartitionEOF)
            {
                eof.Add(r.Partition.Value);
                continue;
            }
            eof.Remove(r.Partition.Value);
            results.Add(r);
        }
        consumer.Close();
        return results;
    }

    public void Dispose() => Cluster.Dispose();
}

public sealed record Order(string Id, string Customer, int Amount, long Time);

[JsonSerializable(typeof(Order))]
public sealed partial class TestJsonContext : JsonSerializerContext;
