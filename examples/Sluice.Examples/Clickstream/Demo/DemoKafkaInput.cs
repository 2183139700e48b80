using System.Diagnostics.CodeAnalysis;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Sluice.Connectors.Kafka;

namespace Sluice.Examples.Clickstream.Demo;

/// <summary>
/// The demo's input on Kafka (<c>sluice demo --kafka</c>): the generator's lines in the topic
/// <see cref="DemoInput.Topic"/> (one partition, see <see cref="DemoInput.Partitions"/>), read back through the
/// consumer group <see cref="GroupId"/> by a bounded Kafka source whose positions travel in the demo's checkpoints.
/// </summary>
public static class DemoKafkaInput
{
    /// <summary>The consumer group of the demo job.</summary>
    public const string GroupId = "sluice-clickstream-demo";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Makes sure the topic holds the input: creates it with one partition when it is missing (AdminClient), then
    /// produces the lines — keyed by user, with the event time as CreateTime, in generator order — unless the topic
    /// already holds them all (a restarted run). Returns once every record is acknowledged.
    /// </summary>
    /// <exception cref="InvalidOperationException">The topic exists with another partition count, or holds only part of the input.</exception>
    /// <exception cref="KafkaException">The cluster cannot be reached or refused a request.</exception>
    public static void Produce(DemoKafkaOptions kafka, DemoInputTruth input)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(input);
        var connection = kafka.Connection;
        var config = Config(connection);
        var present = EnsureTopic(config, connection.BootstrapServers) ? EndOffset(config) : 0;
        if (present >= input.Lines.Count)
        {
            return;
        }
        if (present > 0)
        {
            throw new InvalidOperationException($"Kafka topic '{DemoInput.Topic}' on {connection.BootstrapServers} holds {present} of {input.Lines.Count} input lines: "
                + "the input was cut short or is another run's. Delete the topic (or use another cluster) and the data directory, and run again.");
        }
        var producerConfig = new ProducerConfig(new Dictionary<string, string>(config)) { EnableIdempotence = true, LingerMs = 5 };
        using var producer = new ProducerBuilder<byte[], byte[]>(producerConfig).SetLogHandler(IgnoreLog).Build();
        Error? failure = null;
        var partition = new TopicPartition(DemoInput.Topic, 0);
        foreach (var (line, ts) in input.Lines)
        {
            var message = new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes(DemoInput.KeyOf(line)),
                Value = Encoding.UTF8.GetBytes(line),
                Timestamp = new Timestamp(ts, TimestampType.CreateTime),
            };
            while (true)
            {
                try
                {
                    producer.Produce(partition, message, report =>
                    {
                        if (report.Error.IsError)
                        {
                            Interlocked.CompareExchange(ref failure, report.Error, null);
                        }
                    });
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(100)); // Backpressure: serve acknowledgements until the queue has room.
                }
            }
        }
        var pending = producer.Flush(TimeSpan.FromSeconds(60));
        if (failure is not null || pending > 0)
        {
            throw new KafkaException(failure ?? new Error(ErrorCode.Local_TimedOut,
                $"{pending} demo input records to '{DemoInput.Topic}' on {connection.BootstrapServers} were not acknowledged within 60 s."));
        }
        var (low, high) = Offsets(config);
        if (low != 0 || high != input.Lines.Count)
        {
            throw new InvalidOperationException($"Kafka topic '{DemoInput.Topic}' on {connection.BootstrapServers} keeps offsets {low}..{high} of the "
                + $"{input.Lines.Count} lines produced: older records were dropped (the mock cluster keeps about 5 MB per partition, roughly "
                + $"{MockCapacityHint:N0} demo lines). Use fewer --events.");
        }
    }

    /// <summary>About how many demo lines fit in one partition of a <see cref="Sluice.Connectors.Kafka.Testing.KafkaMockCluster"/> (5 MB).</summary>
    public const int MockCapacityHint = 30_000;

    /// <summary>
    /// The input stream: a bounded Kafka source (ends at the end offset seen at start) in group <see cref="GroupId"/>,
    /// from the earliest offset when there is no checkpoint to restore, at parallelism <see cref="DemoInput.Partitions"/>
    /// — one reader owning the partition, as the log source's single busy subtask does (a group member without a
    /// partition would hold back the watermark until it went idle, and which events count as late would depend on
    /// timing).
    /// </summary>
    public static DataStream<DemoLine> Read(StreamEnvironment env, DemoKafkaOptions kafka, WatermarkStrategy<DemoLine> watermarks) =>
        env.FromKafka(kafka.Connection, new KafkaSourceOptions
        {
            Topics = [DemoInput.Topic],
            GroupId = GroupId,
            StartingPosition = KafkaStartingPosition.Earliest,
            Bounded = true,
            ConsumerProperties = kafka.ConsumerProperties,
        }, new DemoLine.Deserializer("kafka"), watermarks).SetParallelism(DemoInput.Partitions);

    private static Dictionary<string, string> Config(KafkaConnectionOptions connection)
    {
        connection.Validate();
        return new Dictionary<string, string>(connection.Properties, StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = connection.BootstrapServers,
            ["client.id"] = connection.ClientId ?? "sluice-demo",
        };
    }

    /// <summary>Creates the topic when it is missing; true when it existed already.</summary>
    private static bool EnsureTopic(Dictionary<string, string> config, string bootstrap)
    {
        // No auto-creation by the metadata lookup: a broker would create the topic with its default partition count.
        var adminConfig = new AdminClientConfig(new Dictionary<string, string>(config)) { AllowAutoCreateTopics = false };
        using var admin = new AdminClientBuilder(adminConfig).SetLogHandler(IgnoreLog).Build();
        TopicMetadata? topic;
        try
        {
            topic = admin.GetMetadata(DemoInput.Topic, s_timeout).Topics.FirstOrDefault(t => t.Topic == DemoInput.Topic);
        }
        catch (KafkaException e)
        {
            throw new KafkaException(new Error(e.Error.Code, $"Could not read the metadata of topic '{DemoInput.Topic}' from Kafka at {bootstrap} "
                + $"within {s_timeout.TotalSeconds:F0} s ({e.Error.Reason}): check the bootstrap servers, or use --kafka mock."), e);
        }
        if (topic is { Error.IsError: false, Partitions.Count: > 0 })
        {
            if (topic.Partitions.Count != DemoInput.Partitions)
            {
                throw new InvalidOperationException($"Kafka topic '{DemoInput.Topic}' on {bootstrap} has {topic.Partitions.Count} partitions; the demo needs "
                    + $"{DemoInput.Partitions} (its results are deterministic only then). Delete the topic and run again.");
            }
            return true;
        }
        try
        {
            admin.CreateTopicsAsync([new TopicSpecification { Name = DemoInput.Topic, NumPartitions = DemoInput.Partitions, ReplicationFactor = -1 }],
                new CreateTopicsOptions { RequestTimeout = s_timeout }).GetAwaiter().GetResult();
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // Created meanwhile by someone else: count what it holds.
            return true;
        }
        return false;
    }

    private static long EndOffset(Dictionary<string, string> config) => Offsets(config).High;

    /// <summary>The partition's first and end offsets.</summary>
    private static (long Low, long High) Offsets(Dictionary<string, string> config)
    {
        var consumerConfig = new ConsumerConfig(new Dictionary<string, string>(config)) { GroupId = GroupId + "-setup", EnableAutoCommit = false };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig).SetLogHandler(IgnoreLog).Build();
        var offsets = consumer.QueryWatermarkOffsets(new TopicPartition(DemoInput.Topic, 0), s_timeout);
        return (offsets.Low.Value, offsets.High.Value);
    }

    /// <summary>
    /// The generator's clients do not print librdkafka's log (an unreachable broker logs every retry): failures reach
    /// the user as the exception of the call that failed, with librdkafka's reason.
    /// </summary>
    private static void IgnoreLog<TClient>(TClient client, LogMessage message)
    {
    }
}
