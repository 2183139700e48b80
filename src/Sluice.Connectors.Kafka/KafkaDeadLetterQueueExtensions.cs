using Sluice.Formats;

namespace Sluice.Connectors.Kafka;

/// <summary>Writes dead letters to their dead-letter topic in Kafka, in the one envelope (<see cref="DeadLetterEnvelope"/>).</summary>
public static class KafkaDeadLetterQueueExtensions
{
    /// <summary>
    /// Writes <paramref name="letters"/> to the Kafka topic <c>&lt;<paramref name="source"/>&gt;.dlq</c>
    /// (<see cref="DeadLetters.TopicFor"/>; it must exist, or the cluster must auto-create it) as
    /// <see cref="DeadLetterEnvelope"/> messages: letters without a job get the environment's
    /// <see cref="JobOptions.JobName"/>, letters without an origin get <paramref name="source"/>. Exactly-once by
    /// default (transactional id prefix <c>&lt;job&gt;/&lt;source&gt;.dlq</c>), like the embedded-log
    /// <c>ToDeadLetterQueue</c>.
    /// </summary>
    /// <param name="letters">The dead letters, e.g. <c>stream.GetSideOutput(DeadLetters.Tag)</c>.</param>
    /// <param name="connection">Cluster address and pass-through client properties.</param>
    /// <param name="source">The topic the letters' records came from (<c>orders</c> → <c>orders.dlq</c>).</param>
    /// <param name="options">Sink settings (their topic is replaced by the dead-letter topic); null = exactly-once with the prefix above.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is empty or itself a dead-letter topic; an option is invalid.</exception>
    public static DataStreamSink<DeadLetter> ToDeadLetterQueue(this DataStream<DeadLetter> letters, KafkaConnectionOptions connection, string source, KafkaSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(letters);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (DeadLetters.IsDeadLetterTopic(source))
        {
            throw new ArgumentException($"'{source}' is a dead-letter topic; give the topic it serves ('{source[..^DeadLetters.TopicSuffix.Length]}').", nameof(source));
        }
        var topic = DeadLetters.TopicFor(source);
        var job = letters.Environment.Options.JobName;
        options = options is null
            ? new KafkaSinkOptions { Topic = topic, DeliveryGuarantee = KafkaDeliveryGuarantee.ExactlyOnce, TransactionalIdPrefix = $"{job}/{topic}" }
            : options with { Topic = topic };
        return letters.ToKafka(connection, options, DeadLetterEnvelope.Serializer(job, source));
    }
}
