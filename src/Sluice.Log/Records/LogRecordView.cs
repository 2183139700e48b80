using System.Buffers.Binary;
using System.Text;

namespace Sluice.Log;

/// <summary>
/// A zero-copy view of one stored record inside a <see cref="FetchResult"/> buffer. Valid only until the fetch
/// result is reused or disposed; copy what you keep (<see cref="ConsumedRecord.From"/>).
/// </summary>
public readonly ref struct LogRecordView
{
    private readonly ReadOnlySpan<byte> _record;
    private readonly int _keyLength;
    private readonly int _valueLength;
    private readonly int _valueStart;
    private readonly int _headersStart;

    internal LogRecordView(ReadOnlySpan<byte> record, long offset)
    {
        // record = bytes after the length prefix: offsetDelta, timestamp, key, value, headers.
        _record = record;
        Offset = offset;
        TimestampMs = BinaryPrimitives.ReadInt64LittleEndian(record[4..]);
        _keyLength = BinaryPrimitives.ReadInt32LittleEndian(record[12..]);
        int p = 16 + Math.Max(_keyLength, 0);
        _valueLength = BinaryPrimitives.ReadInt32LittleEndian(record[p..]);
        _valueStart = p + 4;
        _headersStart = _valueStart + Math.Max(_valueLength, 0);
    }

    /// <summary>The record's offset in its partition.</summary>
    public long Offset { get; }

    /// <summary>Record timestamp, Unix milliseconds.</summary>
    public long TimestampMs { get; }

    /// <summary>False when the record was written without key.</summary>
    public bool HasKey => _keyLength >= 0;

    /// <summary>Key bytes (empty when <see cref="HasKey"/> is false).</summary>
    public ReadOnlySpan<byte> Key => _keyLength > 0 ? _record.Slice(16, _keyLength) : default;

    /// <summary>False for a tombstone (null value).</summary>
    public bool HasValue => _valueLength >= 0;

    /// <summary>Value bytes (empty for a tombstone).</summary>
    public ReadOnlySpan<byte> Value => _valueLength > 0 ? _record.Slice(_valueStart, _valueLength) : default;

    /// <summary>Number of headers.</summary>
    public int HeaderCount => BinaryPrimitives.ReadInt16LittleEndian(_record[_headersStart..]);

    /// <summary>Encoded record after the timestamp (key, value, headers): used to copy a record verbatim.</summary>
    internal ReadOnlySpan<byte> EncodedTail => _record[12..];

    /// <summary>Finds the first header named <paramref name="name"/> (UTF-8 bytes, ordinal). Allocation-free.</summary>
    /// <param name="name">Header name as UTF-8.</param>
    /// <param name="value">Its value (empty when null or absent).</param>
    /// <returns>True when the header exists.</returns>
    public bool TryGetHeader(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value) => TryGetHeader(EncodedHeaders, name, last: false, out value);

    /// <summary>Copies the headers into new objects (allocates; for convenience paths).</summary>
    public LogHeader[] CopyHeaders() => CopyHeaders(EncodedHeaders);

    /// <summary>The encoded headers: a 16-bit count, then per header a 16-bit name length, the UTF-8 name, a 32-bit value length (−1 = null) and the value.</summary>
    internal ReadOnlySpan<byte> EncodedHeaders => _record[_headersStart..];

    /// <summary>The number of headers in <paramref name="encoded"/> (see <see cref="EncodedHeaders"/>).</summary>
    internal static int HeaderCountOf(ReadOnlySpan<byte> encoded) => encoded.Length < 2 ? 0 : BinaryPrimitives.ReadInt16LittleEndian(encoded);

    /// <summary>Finds the first (or, with <paramref name="last"/>, the last) header named <paramref name="name"/> in <paramref name="encoded"/>.</summary>
    internal static bool TryGetHeader(ReadOnlySpan<byte> encoded, scoped ReadOnlySpan<byte> name, bool last, out ReadOnlySpan<byte> value)
    {
        int count = HeaderCountOf(encoded);
        int p = 2;
        bool found = false;
        value = default;
        for (int i = 0; i < count; i++)
        {
            int keyLength = BinaryPrimitives.ReadInt16LittleEndian(encoded[p..]);
            ReadOnlySpan<byte> key = encoded.Slice(p + 2, keyLength);
            p += 2 + keyLength;
            int valueLength = BinaryPrimitives.ReadInt32LittleEndian(encoded[p..]);
            p += 4;
            if (key.SequenceEqual(name))
            {
                value = valueLength > 0 ? encoded.Slice(p, valueLength) : default;
                found = true;
                if (!last)
                {
                    return true;
                }
            }

            p += Math.Max(valueLength, 0);
        }

        return found;
    }

    /// <summary>Copies the headers of <paramref name="encoded"/> into new objects.</summary>
    internal static LogHeader[] CopyHeaders(ReadOnlySpan<byte> encoded)
    {
        int count = HeaderCountOf(encoded);
        if (count == 0)
        {
            return [];
        }

        var headers = new LogHeader[count];
        int p = 2;
        for (int i = 0; i < count; i++)
        {
            int keyLength = BinaryPrimitives.ReadInt16LittleEndian(encoded[p..]);
            string key = Encoding.UTF8.GetString(encoded.Slice(p + 2, keyLength));
            p += 2 + keyLength;
            int valueLength = BinaryPrimitives.ReadInt32LittleEndian(encoded[p..]);
            p += 4;
            headers[i] = new LogHeader(key, valueLength < 0 ? (ReadOnlyMemory<byte>?)null : encoded.Slice(p, valueLength).ToArray());
            p += Math.Max(valueLength, 0);
        }

        return headers;
    }
}
