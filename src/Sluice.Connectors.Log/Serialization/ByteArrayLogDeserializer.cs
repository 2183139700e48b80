using System.Diagnostics.CodeAnalysis;
using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>
/// Copies the record value into a new array (the fetch buffer is reused, so the bytes must be copied). A tombstone
/// (no value) is reported as an error; use <see cref="LogRecordDeserializer{T}"/> to receive tombstones. Thread-safe.
/// </summary>
public sealed class ByteArrayLogDeserializer : ILogDeserializer<byte[]>
{
    /// <summary>The shared instance.</summary>
    public static ByteArrayLogDeserializer Instance { get; } = new();

    /// <inheritdoc />
    public bool TryDeserialize(TopicPartition source, in LogRecordView record, [MaybeNullWhen(false)] out byte[] value, [NotNullWhen(false)] out string? error)
    {
        if (!record.HasValue)
        {
            value = default;
            error = "The record has no value (a tombstone).";
            return false;
        }
        value = record.Value.ToArray();
        error = null;
        return true;
    }
}
