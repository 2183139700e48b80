using System.Text;
using Confluent.Kafka;
using Sluice.Connectors.Kafka;
using Sluice.Connectors.Kafka.Testing;
using Sluice.Formats;

namespace Sluice.Bench.Cli.Chaos;

/// <summary>
/// The chaos job's input in <c>sluice chaos --kafka</c> mode: the topic <see cref="ChaosPipeline.InputTopic"/> on a
/// Kafka cluster — the driver's <see cref="KafkaMockCluster"/>, which lives in the driver process so it survives the
/// child's kills — read through the consumer group <paramref name="GroupId"/> in bounded mode; the source's positions
/// travel in the job's checkpoints, so a restarted child resumes exactly at the checkpointed offsets.
/// </summary>
/// <param name="BootstrapServers">The cluster's bootstrap servers (passed to the child on its command line).</param>
/// <param name="GroupId">The consumer group: one for the reference run, another for the killed child's runs.</param>
internal sealed record ChaosKafkaInput(string BootstrapServers, string GroupId)
{
    /// <summary>The group of the reference run.</summary>
    public const string ReferenceGroup = "chaos-reference";

    /// <summary>The group every run of the killed child joins (a restarted child rejoins it).</summary>
    public const string RunGroup = "chaos-run";

    /// <summary>
    /// The connection. The mock's group coordinator waits session.timeout.ms − 1 s for members to rejoin a rebalance
    /// and a killed child's member stays in the group until its session times out, so each restart waits about one
    /// short session (2 s) instead of Kafka's default 45 s.
    /// </summary>
    public KafkaConnectionOptions Connection => new()
    {
        BootstrapServers = BootstrapServers,
        ClientId = "sluice-chaos",
        Properties = new Dictionary<string, string> { ["session.timeout.ms"] = "2000", ["heartbeat.interval.ms"] = "250" },
    };

    /// <summary>
    /// Creates the input topic on <paramref name="cluster"/> with <see cref="ChaosPipeline.InputPartitions"/>
    /// partitions and produces <paramref name="lines"/> into it, each to its <see cref="ChaosInputLine.Partition"/>
    /// with its event time as CreateTime, in order; returns once every record is acknowledged.
    /// </summary>
    /// <exception cref="KafkaException">The topic exists or a record was not acknowledged.</exception>
    /// <exception cref="InvalidOperationException">The mock dropped records (too much input for its ~5 MB per partition).</exception>
    public static void Produce(KafkaMockCluster cluster, IReadOnlyList<ChaosInputLine> lines)
    {
        cluster.CreateTopic(ChaosPipeline.InputTopic, ChaosPipeline.InputPartitions);
        var config = new ProducerConfig { BootstrapServers = cluster.BootstrapServers, EnableIdempotence = true, LingerMs = 5 };
        using var producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        Error? failure = null;
        foreach (var line in lines)
        {
            var message = new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes(line.Key),
                Value = Encoding.UTF8.GetBytes(line.Value),
                Timestamp = new Timestamp(line.Ts, TimestampType.CreateTime),
            };
            producer.Produce(new TopicPartition(ChaosPipeline.InputTopic, line.Partition), message, report =>
            {
                if (report.Error.IsError)
                {
                    Interlocked.CompareExchange(ref failure, report.Error, null);
                }
            });
        }
        var pending = producer.Flush(TimeSpan.FromSeconds(60));
        if (failure is not null || pending > 0)
        {
            throw new KafkaException(failure ?? new Error(ErrorCode.Local_TimedOut,
                $"{pending} chaos input records to '{ChaosPipeline.InputTopic}' were not acknowledged within 60 s."));
        }
        // The mock keeps about 5 MB per partition and drops older records: the input must be complete, or the verdict
        // would compare runs over a truncated input.
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "chaos-setup" }).Build();
        for (var p = 0; p < ChaosPipeline.InputPartitions; p++)
        {
            var offsets = consumer.QueryWatermarkOffsets(new TopicPartition(ChaosPipeline.InputTopic, p), TimeSpan.FromSeconds(30));
            if (offsets.Low.Value != 0)
            {
                throw new InvalidOperationException($"The mock cluster dropped the first {offsets.Low.Value} records of {ChaosPipeline.InputTopic}/{p} "
                    + "(it keeps about 5 MB per partition): use fewer --events with --kafka.");
            }
        }
    }

    /// <summary>
    /// The input stream: bounded (ends at the end offsets seen at start), from the earliest offset when there is no
    /// checkpoint to restore (a run killed before its first checkpoint starts over; its sinks committed nothing).
    /// One reader (parallelism 1) owns both partitions, each a split with its own watermark: with two readers, which
    /// reader owns a partition depends on the timing of the group's rebalances, and a partition that moves no longer
    /// holds back its first reader's watermark — which records count as late would then differ between the reference
    /// and the killed runs. Operators after the source run at the job's parallelism.
    /// </summary>
    public DataStream<string> Read(StreamEnvironment env, WatermarkStrategy<string> watermarks) =>
        env.FromKafka(Connection, new KafkaSourceOptions
        {
            Topics = [ChaosPipeline.InputTopic],
            GroupId = GroupId,
            StartingPosition = KafkaStartingPosition.Earliest,
            Bounded = true,
        }, MessageDeserializers.Utf8String(), watermarks).SetParallelism(1);
}
