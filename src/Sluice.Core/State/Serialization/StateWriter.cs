using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Sluice.State.Serialization;

/// <summary>
/// An append-only, growable byte buffer that state serializers write checkpoint bytes into. All fixed-width numbers
/// are little-endian; variable-length integers are unsigned LEB128 (with zig-zag variants for signed values).
/// </summary>
/// <remarks>
/// <para>
/// Length prefixes (strings, byte blocks, collections) are an unsigned LEB128 <c>uint32</c>; the value
/// <c>0xFFFFFFFF</c> (encoded <c>FF FF FF FF 0F</c>) is reserved to mean <c>null</c>, so null and empty stay distinct.
/// </para>
/// <para>
/// The writer owns a plain <see cref="byte"/> array that only grows (doubling). Once it is large enough, writing a
/// value allocates nothing — strings are encoded straight into the buffer. <see cref="Reset"/> keeps the array, so
/// one writer per task can be reused for every snapshot. It also implements <see cref="IBufferWriter{T}"/> so
/// encoders such as <see cref="System.Text.Json.Utf8JsonWriter"/> can append directly; such bytes are raw (no prefix).
/// </para>
/// <para>Not thread-safe: one writer belongs to one thread at a time.</para>
/// </remarks>
public sealed class StateWriter : IBufferWriter<byte>
{
    /// <summary>The length-prefix value reserved for <c>null</c>.</summary>
    internal const uint NullLength = uint.MaxValue;

    private const int DefaultCapacity = 256;

    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer whose buffer starts at <paramref name="initialCapacity"/> bytes.</summary>
    /// <param name="initialCapacity">Initial buffer size in bytes; the buffer grows on demand.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCapacity"/> is negative.</exception>
    public StateWriter(int initialCapacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _buffer = initialCapacity == 0 ? [] : new byte[initialCapacity];
    }

    /// <summary>Number of bytes written since construction or the last <see cref="Reset"/>.</summary>
    public int Length => _length;

    /// <summary>Current size of the underlying buffer in bytes (at least <see cref="Length"/>).</summary>
    public int Capacity => _buffer.Length;

    /// <summary>
    /// The bytes written so far. The span aliases the internal buffer: it is invalidated by the next write that
    /// grows the buffer and overwritten after <see cref="Reset"/>; copy it if it must outlive either.
    /// </summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The bytes written so far; aliases the internal buffer exactly like <see cref="WrittenSpan"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>Forgets the written bytes but keeps the buffer, so the next snapshot reuses it without allocating.</summary>
    public void Reset() => _length = 0;

    /// <summary>Grows the buffer so that at least <paramref name="additionalBytes"/> more bytes fit without growing again.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="additionalBytes"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The buffer would exceed the maximum array length (about 2 GiB).</exception>
    public void EnsureCapacity(int additionalBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(additionalBytes);
        if (_buffer.Length - _length < additionalBytes)
        {
            Grow(additionalBytes);
        }
    }

    /// <summary>Copies the written bytes to <paramref name="destination"/>; the writer is unchanged.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    public void CopyTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(_buffer, 0, _length);
    }

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value)
    {
        if (_length >= _buffer.Length)
        {
            Grow(1);
        }
        _buffer[_length++] = value;
    }

    /// <summary>Writes a boolean as one byte: <c>00</c> or <c>01</c>.</summary>
    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a 16-bit signed integer, 2 bytes little-endian.</summary>
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16LittleEndian(Reserve(2), value);

    /// <summary>Writes a 16-bit unsigned integer, 2 bytes little-endian.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    /// <summary>Writes a 32-bit signed integer, 4 bytes little-endian (1 is <c>01 00 00 00</c>).</summary>
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    /// <summary>Writes a 32-bit unsigned integer, 4 bytes little-endian.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    /// <summary>Writes a 64-bit signed integer, 8 bytes little-endian.</summary>
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    /// <summary>Writes a 64-bit unsigned integer, 8 bytes little-endian.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    /// <summary>Writes a 32-bit float as its IEEE 754 bits, 4 bytes little-endian (NaN payloads are preserved).</summary>
    public void WriteSingle(float value) => BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);

    /// <summary>Writes a 64-bit float as its IEEE 754 bits, 8 bytes little-endian (NaN payloads are preserved).</summary>
    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    /// <summary>
    /// Writes a decimal as the four 32-bit words of <see cref="decimal.GetBits(decimal, Span{int})"/> (lo, mid, hi,
    /// flags), each little-endian: 16 bytes. The scale is preserved (1.0m and 1.00m stay distinct).
    /// </summary>
    public void WriteDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var span = Reserve(16);
        BinaryPrimitives.WriteInt32LittleEndian(span, bits[0]);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], bits[1]);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], bits[2]);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], bits[3]);
    }

    /// <summary>Writes a Guid as the 16 bytes of <see cref="Guid.TryWriteBytes(Span{byte})"/> (the .NET mixed-endian layout).</summary>
    public void WriteGuid(Guid value) => value.TryWriteBytes(Reserve(16));

    /// <summary>Writes an unsigned 32-bit integer as unsigned LEB128: 1 to 5 bytes (300 is <c>AC 02</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarInt32(uint value)
    {
        if (value < 0x80 && _length < _buffer.Length)
        {
            _buffer[_length++] = (byte)value;
            return;
        }
        WriteVarInt64Slow(value);
    }

    /// <summary>Writes an unsigned 64-bit integer as unsigned LEB128: 1 to 10 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarInt64(ulong value)
    {
        if (value < 0x80 && _length < _buffer.Length)
        {
            _buffer[_length++] = (byte)value;
            return;
        }
        WriteVarInt64Slow(value);
    }

    /// <summary>Writes a signed 32-bit integer zig-zag encoded then as unsigned LEB128 (0, -1, 1, -2 → 0, 1, 2, 3): 1 to 5 bytes.</summary>
    public void WriteZigZagInt32(int value) => WriteVarInt32((uint)((value << 1) ^ (value >> 31)));

    /// <summary>Writes a signed 64-bit integer zig-zag encoded then as unsigned LEB128: 1 to 10 bytes.</summary>
    public void WriteZigZagInt64(long value) => WriteVarInt64((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>
    /// Writes a length prefix (unsigned LEB128) for a string, byte block or collection of <paramref name="length"/>
    /// items. Pair with <see cref="StateReader.ReadLength"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public void WriteLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        WriteVarInt32((uint)length);
    }

    /// <summary>Writes the length prefix that stands for <c>null</c> (<c>FF FF FF FF 0F</c>); <see cref="StateReader.ReadLength"/> returns -1 for it.</summary>
    public void WriteNullLength() => WriteVarInt32(NullLength);

    /// <summary>
    /// Writes a string as its UTF-8 byte length (see <see cref="WriteLength"/>) followed by the UTF-8 bytes
    /// ("é" is <c>02 C3 A9</c>, "" is <c>00</c>); <c>null</c> is written as the null length prefix. Encodes
    /// directly into the buffer without allocating.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The string is not valid UTF-16 (it contains a lone surrogate) and so has no UTF-8 form; storing a replacement
    /// character instead would silently change keys and values.
    /// </exception>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteNullLength();
            return;
        }
        var start = _length;
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarInt32((uint)byteCount);
        var destination = Reserve(byteCount);
        var status = Utf8.FromUtf16(value, destination, out _, out var written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done || written != byteCount)
        {
            _length = start;
            throw new ArgumentException(
                "The string contains a lone UTF-16 surrogate and cannot be stored as UTF-8; sanitize it before putting it in state.",
                nameof(value));
        }
    }

    /// <summary>Writes a byte block as its length (see <see cref="WriteLength"/>) followed by the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarInt32((uint)value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    /// <summary>Writes a byte array like <see cref="WriteBytes"/>, or the null length prefix when <paramref name="value"/> is null.</summary>
    public void WriteByteArray(byte[]? value)
    {
        if (value is null)
        {
            WriteNullLength();
            return;
        }
        WriteBytes(value);
    }

    /// <summary>Appends bytes as they are, with no length prefix; the reader must know how many to read.</summary>
    public void WriteRaw(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    /// <summary>
    /// Inserts the length prefix for the bytes appended since <paramref name="start"/> (a former <see cref="Length"/>)
    /// in front of them, turning raw output (e.g. from a <see cref="System.Text.Json.Utf8JsonWriter"/>) into a block
    /// that <see cref="StateReader.ReadBytes"/> reads. Costs one move of those bytes.
    /// </summary>
    internal void PrefixLengthSince(int start)
    {
        var count = _length - start;
        var prefixSize = VarIntSize((uint)count);
        Reserve(prefixSize);
        _buffer.AsSpan(start, count).CopyTo(_buffer.AsSpan(start + prefixSize));
        var end = _length;
        _length = start;
        WriteVarInt32((uint)count);
        _length = end;
    }

    /// <summary>Drops the bytes written after <paramref name="length"/> (a former <see cref="Length"/>).</summary>
    internal void TruncateTo(int length)
    {
        Debug.Assert((uint)length <= (uint)_length);
        _length = length;
    }

    /// <summary>Number of bytes the unsigned LEB128 form of <paramref name="value"/> takes.</summary>
    internal static int VarIntSize(uint value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : value < 0x1000_0000 ? 4 : 5;

    void IBufferWriter<byte>.Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _length))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Advanced past the span handed out.");
        }
        _length += count;
    }

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint)
    {
        EnsureCapacity(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_length);
    }

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint)
    {
        EnsureCapacity(Math.Max(sizeHint, 1));
        return _buffer.AsSpan(_length);
    }

    /// <summary>Advances by <paramref name="count"/> bytes and returns the span to fill.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    private void WriteVarInt64Slow(ulong value)
    {
        if (_buffer.Length - _length < 10)
        {
            Grow(10);
        }
        var buffer = _buffer;
        var i = _length;
        while (value >= 0x80)
        {
            buffer[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[i++] = (byte)value;
        _length = i;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int additionalBytes)
    {
        var required = (long)_length + additionalBytes;
        if (required > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"State buffer would exceed {Array.MaxLength} bytes ({required} needed); split the state into smaller values or key groups.");
        }
        var newSize = Math.Max(Math.Max(_buffer.Length * 2L, DefaultCapacity), required);
        var grown = new byte[(int)Math.Min(newSize, Array.MaxLength)];
        _buffer.AsSpan(0, _length).CopyTo(grown);
        _buffer = grown;
    }
}
