using Confluent.Kafka;

namespace Sluice.Connectors.Kafka.Serialization;

/// <summary>
/// One consumed Kafka record as a deserializer sees it. A view over the consumer's result: valid only during the
/// <see cref="IKafkaDeserializer{T}.TryDeserialize"/> call; copy what the decoded value keeps.
/// </summary>
public readonly ref struct KafkaMessageView
{
    private readonly ConsumeResult<byte[]?, byte[]?> _result;

    internal KafkaMessageView(ConsumeResult<byte[]?, byte[]?> result) => _result = result;

    /// <summary>Topic the record was read from.</summary>
    public string Topic => _result.Topic;

    /// <summary>Partition number.</summary>
    public int Partition => _result.Partition.Value;

    /// <summary>Offset in the partition.</summary>
    public long Offset => _result.Offset.Value;

    /// <summary>The record's timestamp, Unix milliseconds (<see cref="TimestampType"/> says whose).</summary>
    public long TimestampMs => _result.Message.Timestamp.UnixTimestampMs;

    /// <summary>Whether the producer (CreateTime) or the broker (LogAppendTime) set the timestamp, or none is available.</summary>
    public TimestampType TimestampType => _result.Message.Timestamp.Type;

    /// <summary>Key bytes; empty when <see cref="HasKey"/> is false.</summary>
    public ReadOnlySpan<byte> Key => _result.Message.Key;

    /// <summary>True when the record has a key.</summary>
    public bool HasKey => _result.Message.Key is not null;

    /// <summary>Value bytes; empty for a tombstone (<see cref="IsTombstone"/>).</summary>
    public ReadOnlySpan<byte> Value => _result.Message.Value;

    /// <summary>True when the record has no value (a deletion marker on compacted topics).</summary>
    public bool IsTombstone => _result.Message.Value is null;

    /// <summary>The record's headers in stored order; null when it has none.</summary>
    public Headers? Headers => _result.Message.Headers;
}
