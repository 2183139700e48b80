using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>
/// A decoded log record with its metadata, for jobs that need more than the value (key, headers, position). Produced
/// by <see cref="LogRecordDeserializer{T}"/>. Immutable; the key and header bytes are copies owned by the record.
/// </summary>
/// <typeparam name="T">Value type.</typeparam>
/// <param name="Topic">Topic the record was read from.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="Offset">Offset in the partition.</param>
/// <param name="TimestampMs">The record's timestamp, Unix milliseconds.</param>
/// <param name="Key">Key bytes, or null for a record without key.</param>
/// <param name="Headers">Headers in stored order (empty when none).</param>
/// <param name="Value">The decoded value; default when <paramref name="IsTombstone"/>.</param>
/// <param name="IsTombstone">True when the record has no value (a deletion marker on compacted topics).</param>
public sealed record LogRecord<T>(
    string Topic,
    int Partition,
    long Offset,
    long TimestampMs,
    byte[]? Key,
    IReadOnlyList<LogHeader> Headers,
    T? Value,
    bool IsTombstone);
