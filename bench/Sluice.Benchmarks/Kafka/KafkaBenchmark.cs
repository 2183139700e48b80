using System.Buffers.Binary;
using System.Diagnostics;
using Confluent.Kafka;
using Sluice.Connectors.Kafka;
using Sluice.Connectors.Kafka.Testing;
using Sluice.Formats;
using Sluice.Sinks;

namespace Sluice.Benchmarks.Kafka;

/// <summary>Settings of <see cref="KafkaBenchmark"/>.</summary>
public sealed record KafkaBenchmarkOptions
{
    /// <summary>Records per scenario.</summary>
    public int Records { get; init; } = 1_000_000;

    /// <summary>Value size in bytes (keys are 8 bytes).</summary>
    public int RecordBytes { get; init; } = 100;

    /// <summary>Partitions of each topic.</summary>
    public int Partitions { get; init; } = 8;

    /// <summary>Sluice source/sink parallelism.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>A cluster to use; null starts librdkafka's mock cluster in this process.</summary>
    public string? BootstrapServers { get; init; }

    /// <summary>Pass-through client properties (SASL/SSL for a real cluster).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}

/// <summary>One measured scenario.</summary>
public sealed record KafkaBenchmarkResult(string Scenario, long Records, double Seconds, double? VersusRaw)
{
    /// <summary>Throughput.</summary>
    public double RecordsPerSecond => Records / Seconds;
}

/// <summary>
/// Produce and consume throughput of Sluice's Kafka sink and source next to a raw Confluent.Kafka producer and
/// consumer with the same settings, in the same run, on the same cluster (sluice bench kafka; docs/benchmarks.md).
/// </summary>
public static class KafkaBenchmark
{
    /// <summary>
    /// Runs raw produce, Sluice sink, raw consume, Sluice source (in that order), after a warm-up pass of the same
    /// four with a tenth of the records (JIT, connections, the mock broker's allocations).
    /// </summary>
    public static IReadOnlyList<KafkaBenchmarkResult> Run(KafkaBenchmarkOptions o, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        using var mock = o.BootstrapServers is null ? new KafkaMockCluster(3) : null;
        var bootstrap = o.BootstrapServers ?? mock!.BootstrapServers;
        log?.Invoke("warm-up pass");
        RunOnce(o with { Records = Math.Max(1_000, o.Records / 10) }, mock, bootstrap, null);
        return RunOnce(o, mock, bootstrap, log);
    }

    private static List<KafkaBenchmarkResult> RunOnce(KafkaBenchmarkOptions o, KafkaMockCluster? mock, string bootstrap, Action<string>? log)
    {
        var connection = new KafkaConnectionOptions { BootstrapServers = bootstrap, Properties = o.Properties };
        var suffix = DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var rawTopic = $"bench-raw-{suffix}";
        var sluiceTopic = $"bench-sluice-{suffix}";
        var eosTopic = $"bench-sluice-eos-{suffix}";
        if (mock is not null)
        {
            mock.CreateTopic(rawTopic, o.Partitions);
            mock.CreateTopic(sluiceTopic, o.Partitions);
            mock.CreateTopic(eosTopic, o.Partitions);
        }
        var value = new byte[o.RecordBytes];
        Random.Shared.NextBytes(value);
        var results = new List<KafkaBenchmarkResult>();

        var rawProduce = Measure("raw Confluent.Kafka producer", o.Records, () => RawProduce(connection, rawTopic, o.Records, value));
        log?.Invoke($"{rawProduce.Scenario}: {rawProduce.RecordsPerSecond:N0} records/s");
        results.Add(rawProduce);
        var sink = Measure("Sluice Kafka sink (at-least-once)", o.Records, () => SluiceProduce(connection, sluiceTopic, o, value, exactlyOnce: false));
        results.Add(sink with { VersusRaw = sink.RecordsPerSecond / rawProduce.RecordsPerSecond });
        log?.Invoke($"{sink.Scenario}: {sink.RecordsPerSecond:N0} records/s");
        var transactional = Measure("Sluice Kafka sink (exactly-once, checkpoint every 1 s)", o.Records,
            () => SluiceProduce(connection, eosTopic, o, value, exactlyOnce: true));
        results.Add(transactional with { VersusRaw = transactional.RecordsPerSecond / rawProduce.RecordsPerSecond });
        log?.Invoke($"{transactional.Scenario}: {transactional.RecordsPerSecond:N0} records/s");

        // Both read the Sluice sink's topic from its first retained record to its end (librdkafka's mock broker keeps
        // about 5 MB per partition, so with the mock the consumers see fewer records than were produced).
        var rawConsume = Measure("raw Confluent.Kafka consumer", () => RawConsume(connection, sluiceTopic, o.Partitions));
        results.Add(rawConsume);
        log?.Invoke($"{rawConsume.Scenario}: {rawConsume.RecordsPerSecond:N0} records/s");
        var source = Measure("Sluice Kafka source (bounded, bytes)", () => SluiceConsume(connection, sluiceTopic, o));
        if (source.Records != rawConsume.Records)
        {
            throw new InvalidOperationException($"The Sluice source read {source.Records} records, the raw consumer {rawConsume.Records}.");
        }
        results.Add(source with { VersusRaw = source.RecordsPerSecond / rawConsume.RecordsPerSecond });
        log?.Invoke($"{source.Scenario}: {source.RecordsPerSecond:N0} records/s");
        return results;
    }

    private static KafkaBenchmarkResult Measure(string scenario, long records, Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return new KafkaBenchmarkResult(scenario, records, watch.Elapsed.TotalSeconds, null);
    }

    private static KafkaBenchmarkResult Measure(string scenario, Func<long> action)
    {
        var watch = Stopwatch.StartNew();
        var records = action();
        return new KafkaBenchmarkResult(scenario, records, watch.Elapsed.TotalSeconds, null);
    }

    private static Dictionary<string, string> ProducerConfig(KafkaConnectionOptions connection)
    {
        var config = new Dictionary<string, string>(connection.Properties)
        {
            ["bootstrap.servers"] = connection.BootstrapServers,
            ["linger.ms"] = "5",
            ["partitioner"] = "murmur2_random",
            ["enable.idempotence"] = "true",
            ["acks"] = "all",
        };
        return config;
    }

    private static byte[] Key(long index)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, index);
        return key;
    }

    private static void RawProduce(KafkaConnectionOptions connection, string topic, int records, byte[] value)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(ProducerConfig(connection)).Build();
        Exception? failure = null;
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery = r =>
        {
            if (r.Error.IsError)
            {
                failure ??= new KafkaException(r.Error);
            }
        };
        for (var i = 0; i < records; i++)
        {
            var message = new Message<byte[]?, byte[]?> { Key = Key(i), Value = value };
            while (true)
            {
                try
                {
                    producer.Produce(topic, message, onDelivery);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }
        if (producer.Flush(TimeSpan.FromMinutes(2)) > 0 || failure is not null)
        {
            throw new InvalidOperationException("The raw producer did not deliver every record.", failure);
        }
    }

    private static void SluiceProduce(KafkaConnectionOptions connection, string topic, KafkaBenchmarkOptions o, byte[] value, bool exactlyOnce)
    {
        var checkpoints = exactlyOnce ? Path.Combine(Path.GetTempPath(), $"sluice-bench-kafka-{Guid.NewGuid():N}") : null;
        try
        {
            var env = StreamEnvironment.Create(new JobOptions
            {
                Parallelism = o.Parallelism,
                JobName = "bench-kafka-sink",
                Checkpoints = checkpoints is null ? null : global::Sluice.Checkpoints.CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromSeconds(1)),
            });
            var options = exactlyOnce
                ? new KafkaSinkOptions { Topic = topic, DeliveryGuarantee = KafkaDeliveryGuarantee.ExactlyOnce, TransactionalIdPrefix = topic }
                : new KafkaSinkOptions { Topic = topic };
            env.Generate(1e12, i => i, o.Records).ToKafka(connection, options, MessageSerializers.Create<long>(_ => value, Key));
            env.ExecuteAsync().GetAwaiter().GetResult();
        }
        finally
        {
            if (checkpoints is not null && Directory.Exists(checkpoints))
            {
                Directory.Delete(checkpoints, recursive: true);
            }
        }
    }

    private static long RawConsume(KafkaConnectionOptions connection, string topic, int partitions)
    {
        var config = new Dictionary<string, string>(connection.Properties)
        {
            ["bootstrap.servers"] = connection.BootstrapServers,
            ["group.id"] = $"bench-raw-{Guid.NewGuid():N}",
            ["enable.auto.commit"] = "false",
            ["enable.partition.eof"] = "true",
            ["isolation.level"] = "read_committed",
        };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        long count = 0, bytes = 0;
        var ended = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (ended.Count < partitions)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"The raw consumer read {count} records and did not reach the end of {topic}.");
                }
                continue;
            }
            if (r.IsPartitionEOF)
            {
                ended.Add(r.Partition.Value);
                continue;
            }
            count++;
            bytes += r.Message.Value?.Length ?? 0;
        }
        return count;
    }

    private static long SluiceConsume(KafkaConnectionOptions connection, string topic, KafkaBenchmarkOptions o)
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = o.Parallelism, JobName = "bench-kafka-source" });
        long count = 0;
        var options = new KafkaSourceOptions
        {
            Topics = [topic],
            GroupId = $"bench-sluice-{Guid.NewGuid():N}",
            Bounded = true,
            StartingPosition = KafkaStartingPosition.Earliest,
            // The mock coordinator waits session.timeout.ms - 1 s for members to rejoin a rebalance.
            ConsumerProperties = o.BootstrapServers is null
                ? new Dictionary<string, string> { ["session.timeout.ms"] = "2000", ["heartbeat.interval.ms"] = "250" }
                : new Dictionary<string, string>(),
        };
        env.FromKafka(connection, options, MessageDeserializers.Bytes())
            .SinkTo(new CallbackSink<byte[]>(_ => Interlocked.Increment(ref count)));
        env.ExecuteAsync().GetAwaiter().GetResult();
        return count;
    }
}
