namespace Sluice.Log;

/// <summary>
/// A record to append: optional key, optional value (a null value is a tombstone on compacted topics), optional
/// headers and a timestamp in Unix milliseconds (negative = use the log's clock at the time it is added to a batch).
/// The memory is borrowed: it must stay unchanged until the append returns.
/// <para>Hazard: C# converts a null <c>byte[]</c> to an <em>empty</em> <see cref="ReadOnlyMemory{T}"/>, not to null, so
/// <c>new ProducerRecord(keyArray, valueArray)</c> with a null array writes an empty key/value instead of a null one.
/// Use <see cref="FromArrays"/> when starting from possibly-null arrays.</para>
/// </summary>
/// <param name="Key">Key bytes, or null for a record without key (partitioned round-robin/sticky).</param>
/// <param name="Value">Value bytes, or null for a tombstone.</param>
/// <param name="TimestampMs">Unix time in milliseconds; negative means "now" according to the log's clock.</param>
/// <param name="Headers">Optional headers; null or empty for none.</param>
public readonly record struct ProducerRecord(
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    long TimestampMs = -1,
    IReadOnlyList<LogHeader>? Headers = null)
{
    /// <summary>Creates a record from arrays, mapping null arrays to null key/value (a null value is a tombstone).</summary>
    /// <param name="key">Key bytes or null.</param>
    /// <param name="value">Value bytes or null.</param>
    /// <param name="timestampMs">Unix ms; negative = now.</param>
    /// <param name="headers">Optional headers.</param>
    public static ProducerRecord FromArrays(byte[]? key, byte[]? value, long timestampMs = -1, IReadOnlyList<LogHeader>? headers = null) =>
        new(key is null ? (ReadOnlyMemory<byte>?)null : key, value is null ? (ReadOnlyMemory<byte>?)null : value, timestampMs, headers);
}

/// <summary>A record header: a UTF-8 name and optional bytes, as in Kafka.</summary>
/// <param name="Key">Header name (encoded as UTF-8, at most 32767 bytes).</param>
/// <param name="Value">Header value, or null.</param>
public readonly record struct LogHeader(string Key, ReadOnlyMemory<byte>? Value);
