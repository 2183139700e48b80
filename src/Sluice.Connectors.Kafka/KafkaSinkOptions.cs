namespace Sluice.Connectors.Kafka;

/// <summary>Settings of a <see cref="KafkaSink{T}"/>. Immutable.</summary>
public sealed record KafkaSinkOptions
{
    /// <summary>The topic to write to; it must exist. Required.</summary>
    public required string Topic { get; init; }

    /// <summary>Delivery guarantee. Default <see cref="KafkaDeliveryGuarantee.AtLeastOnce"/>.</summary>
    public KafkaDeliveryGuarantee DeliveryGuarantee { get; init; } = KafkaDeliveryGuarantee.AtLeastOnce;

    /// <summary>
    /// For <see cref="KafkaDeliveryGuarantee.ExactlyOnce"/>: subtask <c>i</c> uses the transactional ids
    /// <c>{prefix}-{i}-{k}</c> (<c>k</c> = 0, 1, …: one per transaction open at once, usually two). Keep it stable across
    /// restarts of the job and unique per job and sink: a restarted job fences its predecessor's producers and aborts
    /// the transactions they left open. Required for exactly-once.
    /// </summary>
    public string? TransactionalIdPrefix { get; init; }

    /// <summary>
    /// librdkafka partitioner for keyed records. Default <c>murmur2_random</c>: the Java client's partitioner, so keys
    /// land in the same partitions as with Kafka Streams, Flink or Java producers (null keys spread randomly).
    /// </summary>
    public string Partitioner { get; init; } = "murmur2_random";

    /// <summary>How long <see cref="Sinks.ISinkWriter{T}.Flush"/> and transaction calls wait for the cluster. Default 60 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// librdkafka producer properties added after the connection's (e.g. <c>linger.ms</c>, <c>compression.type</c>,
    /// <c>batch.size</c>); the connector's own settings (idempotence, acks=all, transactional id) still win.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProducerProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>Throws when a setting is invalid.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Topic, nameof(Topic));
        ArgumentException.ThrowIfNullOrWhiteSpace(Partitioner, nameof(Partitioner));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentNullException.ThrowIfNull(ProducerProperties, nameof(ProducerProperties));
        if (DeliveryGuarantee == KafkaDeliveryGuarantee.ExactlyOnce && string.IsNullOrWhiteSpace(TransactionalIdPrefix))
        {
            throw new ArgumentException("Exactly-once Kafka sinks need a TransactionalIdPrefix that stays the same across restarts of the job.", nameof(TransactionalIdPrefix));
        }
    }
}

/// <summary>What a <see cref="KafkaSink{T}"/> guarantees.</summary>
public enum KafkaDeliveryGuarantee
{
    /// <summary>
    /// Idempotent producer (no duplicates from producer retries, order kept per partition); everything written is
    /// flushed and acknowledged by the brokers at flush/end of input, delivery errors fail the job. A replay after a
    /// failure may write records again.
    /// </summary>
    AtLeastOnce,

    /// <summary>
    /// Kafka transactions, one per checkpoint and subtask: records become visible to read-committed consumers when the
    /// checkpoint that covers them completes (without checkpoints: at the end of input). Set the producer property
    /// <c>transaction.timeout.ms</c> (default here 15 min) above the checkpoint interval plus the longest restart.
    /// </summary>
    ExactlyOnce,
}
