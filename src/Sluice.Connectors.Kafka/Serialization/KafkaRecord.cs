using Confluent.Kafka;

namespace Sluice.Connectors.Kafka.Serialization;

/// <summary>
/// A decoded Kafka record with its metadata, for jobs that need more than the value (key, headers, position,
/// timestamp type). Produced by <see cref="KafkaDeserializers.Record{T}"/>. Immutable; key and header bytes are owned
/// by the record.
/// </summary>
/// <typeparam name="T">Value type.</typeparam>
/// <param name="Topic">Topic the record was read from.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="Offset">Offset in the partition.</param>
/// <param name="TimestampMs">The record's timestamp, Unix milliseconds.</param>
/// <param name="TimestampType">Whether the producer or the broker set the timestamp.</param>
/// <param name="Key">Key bytes, or null for a record without key.</param>
/// <param name="Headers">Headers in stored order (empty when none).</param>
/// <param name="Value">The decoded value; default when <paramref name="IsTombstone"/>.</param>
/// <param name="IsTombstone">True when the record has no value.</param>
public sealed record KafkaRecord<T>(
    string Topic,
    int Partition,
    long Offset,
    long TimestampMs,
    TimestampType TimestampType,
    byte[]? Key,
    IReadOnlyList<KafkaHeader> Headers,
    T? Value,
    bool IsTombstone);

/// <summary>One record header: a name and a value that may be null.</summary>
/// <param name="Name">Header name.</param>
/// <param name="Value">Header bytes, or null.</param>
public sealed record KafkaHeader(string Name, byte[]? Value);
