using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>
/// Encodes records into one batch in a pooled buffer, ready to be appended to a partition. Reuse one builder per
/// writer thread: <see cref="Clear"/> keeps the buffer, so steady-state appends allocate nothing.
/// Not thread-safe. Dispose returns the buffer to the pool.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private byte[] _buffer;
    private int _length;
    private int _count;
    private long _firstTimestamp;
    private long _maxTimestamp;
    private int _lastOffsetDelta;

    /// <summary>Creates a builder with an initial capacity in bytes (grown on demand).</summary>
    /// <param name="initialCapacity">Initial buffer size in bytes.</param>
    /// <param name="timeProvider">Clock for records added without a timestamp; defaults to <see cref="TimeProvider.System"/>.</param>
    public RecordBatchBuilder(int initialCapacity = 64 * 1024, TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, BatchFormat.HeaderSize + 64));
        Clear();
    }

    /// <summary>Number of records added since the last <see cref="Clear"/>.</summary>
    public int Count => _count;

    /// <summary>Encoded size in bytes of the batch so far, header included.</summary>
    public int SizeInBytes => _length;

    /// <summary>Forgets all records; keeps the buffer.</summary>
    public void Clear()
    {
        _length = BatchFormat.HeaderSize;
        _count = 0;
        _lastOffsetDelta = -1;
        _firstTimestamp = -1;
        _maxTimestamp = long.MinValue;
    }

    /// <summary>Adds a record with a non-null key and value.</summary>
    /// <param name="key">Key bytes.</param>
    /// <param name="value">Value bytes.</param>
    /// <param name="timestampMs">Unix ms; negative = now.</param>
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long timestampMs = -1) =>
        AddCore(key, false, value, false, timestampMs, null, _lastOffsetDelta + 1);

    /// <summary>Adds a record without key (and a non-null value).</summary>
    /// <param name="value">Value bytes.</param>
    /// <param name="timestampMs">Unix ms; negative = now.</param>
    public void AddWithoutKey(ReadOnlySpan<byte> value, long timestampMs = -1) =>
        AddCore(default, true, value, false, timestampMs, null, _lastOffsetDelta + 1);

    /// <summary>Adds a record with optional key, value and headers.</summary>
    /// <param name="record">The record; its memory is copied into the batch.</param>
    public void Add(in ProducerRecord record) =>
        AddCore(
            record.Key is { } k ? k.Span : default,
            record.Key is null,
            record.Value is { } v ? v.Span : default,
            record.Value is null,
            record.TimestampMs,
            record.Headers,
            _lastOffsetDelta + 1);

    /// <summary>Adds a record at an explicit offset delta (used when rewriting compacted segments).</summary>
    internal void AddAt(int offsetDelta, ReadOnlySpan<byte> encodedRecordTail, long timestampMs)
    {
        // encodedRecordTail = everything of an encoded record after its timestamp field.
        int size = 4 + 4 + 8 + encodedRecordTail.Length;
        EnsureCapacity(size);
        Span<byte> dst = _buffer.AsSpan(_length, size);
        BinaryPrimitives.WriteInt32LittleEndian(dst, size - 4);
        BinaryPrimitives.WriteInt32LittleEndian(dst[4..], offsetDelta);
        BinaryPrimitives.WriteInt64LittleEndian(dst[8..], timestampMs);
        encodedRecordTail.CopyTo(dst[16..]);
        Track(offsetDelta, timestampMs, size);
    }

    private void AddCore(
        ReadOnlySpan<byte> key, bool keyNull, ReadOnlySpan<byte> value, bool valueNull, long timestampMs,
        IReadOnlyList<LogHeader>? headers, int offsetDelta)
    {
        if (timestampMs < 0)
        {
            timestampMs = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        }

        int headerBytes = 0;
        int headerCount = headers?.Count ?? 0;
        for (int i = 0; i < headerCount; i++)
        {
            LogHeader h = headers![i];
            headerBytes += 2 + Encoding.UTF8.GetByteCount(h.Key) + 4 + (h.Value?.Length ?? 0);
        }

        int size = BatchFormat.RecordOverhead + key.Length + value.Length + headerBytes;
        EnsureCapacity(size);
        Span<byte> dst = _buffer.AsSpan(_length, size);
        BinaryPrimitives.WriteInt32LittleEndian(dst, size - 4);
        BinaryPrimitives.WriteInt32LittleEndian(dst[4..], offsetDelta);
        BinaryPrimitives.WriteInt64LittleEndian(dst[8..], timestampMs);
        int p = 16;
        BinaryPrimitives.WriteInt32LittleEndian(dst[p..], keyNull ? -1 : key.Length);
        p += 4;
        key.CopyTo(dst[p..]);
        p += key.Length;
        BinaryPrimitives.WriteInt32LittleEndian(dst[p..], valueNull ? -1 : value.Length);
        p += 4;
        value.CopyTo(dst[p..]);
        p += value.Length;
        BinaryPrimitives.WriteInt16LittleEndian(dst[p..], checked((short)headerCount));
        p += 2;
        for (int i = 0; i < headerCount; i++)
        {
            LogHeader h = headers![i];
            int n = Encoding.UTF8.GetBytes(h.Key, dst[(p + 2)..]);
            BinaryPrimitives.WriteInt16LittleEndian(dst[p..], checked((short)n));
            p += 2 + n;
            ReadOnlySpan<byte> hv = h.Value is { } m ? m.Span : default;
            BinaryPrimitives.WriteInt32LittleEndian(dst[p..], h.Value is null ? -1 : hv.Length);
            p += 4;
            hv.CopyTo(dst[p..]);
            p += hv.Length;
        }

        Track(offsetDelta, timestampMs, size);
    }

    private void Track(int offsetDelta, long timestampMs, int size)
    {
        if (_count == 0)
        {
            _firstTimestamp = timestampMs;
        }

        _maxTimestamp = Math.Max(_maxTimestamp, timestampMs);
        _lastOffsetDelta = offsetDelta;
        _count++;
        _length += size;
    }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra > BatchFormat.MaxBatchBytes)
        {
            throw new InvalidOperationException(
                $"A record batch may hold at most {BatchFormat.MaxBatchBytes} bytes; append the current batch before adding more.");
        }

        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    /// <summary>
    /// Writes the header (everything except base offset and header CRC, which the partition stamps under its
    /// append lock) and returns the encoded batch. Valid until the builder is changed.
    /// </summary>
    internal Span<byte> Build(short attributes, long producerId, short producerEpoch)
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("Cannot append an empty record batch.");
        }

        Span<byte> b = _buffer.AsSpan(0, _length);
        b[..BatchFormat.HeaderSize].Clear();
        BinaryPrimitives.WriteInt32LittleEndian(b[BatchFormat.OffsetBatchLength..], _length - BatchFormat.LengthFieldEnd);
        b[BatchFormat.OffsetMagic] = BatchFormat.Magic;
        b[BatchFormat.OffsetVersion] = BatchFormat.Version;
        BinaryPrimitives.WriteInt16LittleEndian(b[BatchFormat.OffsetAttributes..], attributes);
        BinaryPrimitives.WriteInt32LittleEndian(b[BatchFormat.OffsetLastOffsetDelta..], _lastOffsetDelta);
        BinaryPrimitives.WriteInt32LittleEndian(b[BatchFormat.OffsetRecordCount..], _count);
        BinaryPrimitives.WriteInt64LittleEndian(b[BatchFormat.OffsetFirstTimestamp..], _firstTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(b[BatchFormat.OffsetMaxTimestamp..], _maxTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(b[BatchFormat.OffsetProducerId..], producerId);
        BinaryPrimitives.WriteInt16LittleEndian(b[BatchFormat.OffsetProducerEpoch..], producerEpoch);
        BinaryPrimitives.WriteUInt32LittleEndian(b[BatchFormat.OffsetBodyCrc..], Crc32C.Compute(0, b[BatchFormat.HeaderSize..]));
        return b;
    }

    /// <summary>Returns the buffer to the pool. The builder must not be used afterwards.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
