using System.Buffers;
using System.Diagnostics;

namespace Sluice.Server.Ingest;

/// <summary>
/// The values an <see cref="IRecordEncoder"/> wrote for one request's records, one after another in one pooled buffer
/// that can be cut back to an earlier length (a refused record's partial bytes are discarded). Owned by one
/// <see cref="IngestBatch"/>, used from one thread at a time; <see cref="Dispose"/> returns the buffer.
/// </summary>
internal sealed class EncodedValues : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;

    /// <summary>Creates the buffer with room for about <paramref name="capacity"/> bytes.</summary>
    public EncodedValues(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 256));

    /// <summary>Bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>The buffer the values are slices of (it changes when it grows: read it after writing).</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Forgets everything written from <paramref name="length"/> on.</summary>
    public void Truncate(int length)
    {
        Debug.Assert(length >= 0 && length <= Length, "Encoded values are only cut back to an earlier length.");
        Length = length;
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        Debug.Assert(count >= 0 && Length + count <= _buffer.Length, "An encoder advances by at most the span it was given.");
        Length += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(Length);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(Length);
    }

    private void Reserve(int sizeHint)
    {
        var needed = Length + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, needed));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
    }

    /// <summary>Returns the pooled buffer; nothing may be read or written afterwards.</summary>
    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
