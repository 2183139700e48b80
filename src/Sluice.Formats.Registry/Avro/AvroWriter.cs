using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sluice.Formats.Registry.Avro;

/// <summary>
/// Writes Avro binary encoding straight into an <see cref="IBufferWriter{T}"/>: it asks for a span, fills it and
/// advances the destination in <see cref="Flush"/> (or when it needs a larger span), so nothing is allocated when the
/// destination reuses its buffer. Not thread-safe (a stack value per record); call <see cref="Flush"/> once at the end.
/// </summary>
internal ref struct AvroWriter
{
    private const int MinimumSpan = 256;

    private readonly IBufferWriter<byte> _destination;
    private Span<byte> _span;
    private int _position;

    public AvroWriter(IBufferWriter<byte> destination)
    {
        _destination = destination;
        _span = destination.GetSpan(MinimumSpan);
        _position = 0;
    }

    /// <summary>Hands the written bytes to the destination.</summary>
    public void Flush()
    {
        _destination.Advance(_position);
        _span = default;
        _position = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int count)
    {
        if (_span.Length - _position < count)
        {
            Grow(count);
        }
        return _span.Slice(_position, count);
    }

    private void Grow(int count)
    {
        _destination.Advance(_position);
        _position = 0;
        _span = _destination.GetSpan(Math.Max(count, MinimumSpan));
    }

    public void WriteRaw(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _position += bytes.Length;
    }

    public void WriteLong(long value)
    {
        var span = Reserve(10);
        var n = (ulong)((value << 1) ^ (value >> 63));
        var i = 0;
        while (n >= 0x80)
        {
            span[i++] = (byte)(n | 0x80);
            n >>= 7;
        }
        span[i++] = (byte)n;
        _position += i;
    }

    public void WriteInt(int value) => WriteLong(value);

    public void WriteBoolean(bool value)
    {
        Reserve(1)[0] = value ? (byte)1 : (byte)0;
        _position++;
    }

    public void WriteFloat(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);
        _position += 4;
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);
        _position += 8;
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        WriteLong(bytes.Length);
        WriteRaw(bytes);
    }

    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteLong(count);
        var written = Encoding.UTF8.GetBytes(value, Reserve(count));
        _position += written;
    }
}
