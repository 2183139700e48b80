namespace Sluice.Orchestration;

/// <summary>
/// Reads where the partitions of a topic are, for <see cref="Definitions.TopicSensorAction"/> pokes. The host
/// implements it (the server on its own embedded log and on Kafka; the CLI on Kafka and on a log no other process
/// holds) and hands it to the scheduler in <see cref="DagSchedulerOptions.TopicProbe"/>, so the orchestration assembly
/// needs no log or Kafka client. Called from several tasks at once: implementations are thread-safe.
/// </summary>
public interface ITopicProbe
{
    /// <summary>
    /// The end offset of each selected partition and, when <see cref="TopicProbeRequest.EventTime"/> is set, an offset
    /// whose record timestamp is at or after it (the partition's newest record is that recent). Honours <paramref name="cancellationToken"/> (the sensor's timeout).
    /// </summary>
    /// <exception cref="TopicProbeException">
    /// The topic or partition does not exist, or the source cannot be read as configured (the message names the topic,
    /// the partition and the fix): the poke fails at once instead of waiting for the timeout.
    /// </exception>
    Task<IReadOnlyList<TopicPartitionPosition>> ProbeAsync(TopicProbeRequest request, CancellationToken cancellationToken);
}

/// <summary>What a topic sensor asks of an <see cref="ITopicProbe"/>.</summary>
/// <param name="BootstrapServers">The Kafka cluster, or null for the host's embedded log.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">One partition, or null for all of them.</param>
/// <param name="EventTime">The timestamp to look up in each partition, or null (offsets only).</param>
public sealed record TopicProbeRequest(string? BootstrapServers, string Topic, int? Partition, DateTimeOffset? EventTime)
{
    /// <summary>Where the topic is, for messages: <c>Kafka topic 't' (host:port)</c> or <c>embedded log topic 't'</c>.</summary>
    public string Describe() => BootstrapServers is null ? $"embedded log topic '{Topic}'" : $"Kafka topic '{Topic}' ({BootstrapServers})";
}

/// <summary>Where one partition is.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="EndOffset">The offset the next record will get (the high watermark).</param>
/// <param name="OffsetAtEventTime">
/// An offset whose record timestamp is ≥ the requested event time (the first such on the embedded log, one of the
/// newest on Kafka); null when the partition has none (or no event time was asked for).
/// </param>
public sealed record TopicPartitionPosition(int Partition, long EndOffset, long? OffsetAtEventTime);
