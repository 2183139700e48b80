using System.Diagnostics.CodeAnalysis;
using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>
/// Wraps a value deserializer into a <see cref="LogRecord{T}"/> envelope carrying topic, partition, offset,
/// timestamp, key and headers. Tombstones are delivered (with <see cref="LogRecord{T}.IsTombstone"/> set) instead of
/// being reported. Allocates the envelope and copies of key and headers per record. Thread-safe when the inner
/// deserializer is.
/// </summary>
/// <typeparam name="T">Value type.</typeparam>
/// <param name="values">Decodes the value; its errors become dead letters as usual.</param>
public sealed class LogRecordDeserializer<T>(ILogDeserializer<T> values) : ILogDeserializer<LogRecord<T>>
{
    private readonly ILogDeserializer<T> _values = values ?? throw new ArgumentNullException(nameof(values));

    /// <inheritdoc />
    public bool TryDeserialize(TopicPartition source, in LogRecordView record, [MaybeNullWhen(false)] out LogRecord<T> value, [NotNullWhen(false)] out string? error)
    {
        T? decoded = default;
        if (record.HasValue && !_values.TryDeserialize(source, record, out decoded, out error))
        {
            value = default;
            return false;
        }
        value = new LogRecord<T>(
            source.Topic,
            source.Partition,
            record.Offset,
            record.TimestampMs,
            record.HasKey ? record.Key.ToArray() : null,
            record.CopyHeaders(),
            decoded,
            !record.HasValue);
        error = null;
        return true;
    }
}
