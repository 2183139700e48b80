using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sluice.State.Serialization;

/// <summary>
/// Reads values written by <see cref="StateWriter"/> from a block of checkpoint bytes, front to back. Every read
/// checks bounds: truncated or malformed input throws <see cref="StateFormatException"/> naming the offset, never
/// <see cref="IndexOutOfRangeException"/>. On failure the position is left where the bad value starts.
/// </summary>
/// <remarks>
/// Reading fixed-width and variable-length numbers allocates nothing; strings and byte arrays allocate their result.
/// <see cref="ReadBytes"/> and <see cref="ReadRaw"/> return slices of the input (no copy) that live as long as it.
/// Not thread-safe: one reader belongs to one thread at a time.
/// </remarks>
public sealed class StateReader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ReadOnlyMemory<byte> _input;
    private int _position;

    /// <summary>Creates a reader positioned at the start of <paramref name="input"/>.</summary>
    /// <param name="input">The bytes to read; not copied, so they must not change while being read.</param>
    public StateReader(ReadOnlyMemory<byte> input) => _input = input;

    /// <summary>Offset in bytes of the next read from the start of the input.</summary>
    public int Position => _position;

    /// <summary>Bytes left to read.</summary>
    public int Remaining => _input.Length - _position;

    /// <summary>Total size of the input in bytes.</summary>
    public int Length => _input.Length;

    /// <summary>True when every byte has been read.</summary>
    public bool IsAtEnd => _position == _input.Length;

    /// <summary>Starts reading <paramref name="input"/> from its beginning, so one reader can serve many blocks.</summary>
    public void Reset(ReadOnlyMemory<byte> input)
    {
        _input = input;
        _position = 0;
    }

    /// <summary>Throws unless every byte has been read; call after the last value to detect trailing garbage.</summary>
    /// <exception cref="StateFormatException">Bytes remain.</exception>
    public void EnsureAtEnd()
    {
        if (!IsAtEnd)
        {
            throw new StateFormatException($"State has {Remaining} unexpected trailing byte(s) at offset {_position} of {_input.Length}.");
        }
    }

    /// <summary>Reads one byte.</summary>
    /// <exception cref="StateFormatException">The input is exhausted.</exception>
    public byte ReadByte()
    {
        if (_position >= _input.Length)
        {
            ThrowTruncated(1);
        }
        return _input.Span[_position++];
    }

    /// <summary>Reads a boolean written by <see cref="StateWriter.WriteBool"/>.</summary>
    /// <exception cref="StateFormatException">The input is exhausted or the byte is neither 0 nor 1.</exception>
    public bool ReadBool()
    {
        var b = ReadByte();
        if (b > 1)
        {
            _position--;
            ThrowInvalid($"boolean byte 0x{b:X2}");
        }
        return b == 1;
    }

    /// <summary>Reads a little-endian 16-bit signed integer.</summary>
    /// <exception cref="StateFormatException">Fewer than 2 bytes remain.</exception>
    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    /// <summary>Reads a little-endian 16-bit unsigned integer.</summary>
    /// <exception cref="StateFormatException">Fewer than 2 bytes remain.</exception>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>Reads a little-endian 32-bit signed integer.</summary>
    /// <exception cref="StateFormatException">Fewer than 4 bytes remain.</exception>
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads a little-endian 32-bit unsigned integer.</summary>
    /// <exception cref="StateFormatException">Fewer than 4 bytes remain.</exception>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>Reads a little-endian 64-bit signed integer.</summary>
    /// <exception cref="StateFormatException">Fewer than 8 bytes remain.</exception>
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads a little-endian 64-bit unsigned integer.</summary>
    /// <exception cref="StateFormatException">Fewer than 8 bytes remain.</exception>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>Reads a little-endian IEEE 754 32-bit float.</summary>
    /// <exception cref="StateFormatException">Fewer than 4 bytes remain.</exception>
    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    /// <summary>Reads a little-endian IEEE 754 64-bit float.</summary>
    /// <exception cref="StateFormatException">Fewer than 8 bytes remain.</exception>
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>Reads a decimal written by <see cref="StateWriter.WriteDecimal"/>.</summary>
    /// <exception cref="StateFormatException">Fewer than 16 bytes remain or the flags word is not a valid decimal.</exception>
    public decimal ReadDecimal()
    {
        var start = _position;
        var span = Take(16);
        Span<int> bits = stackalloc int[4];
        bits[0] = BinaryPrimitives.ReadInt32LittleEndian(span);
        bits[1] = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        bits[2] = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        bits[3] = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        // Valid flags: bits 16-23 hold a scale of at most 28, bit 31 the sign, everything else zero.
        var flags = bits[3];
        if ((flags & 0x7F00FFFF) != 0 || ((flags >> 16) & 0xFF) > 28)
        {
            _position = start;
            ThrowInvalid($"decimal flags 0x{flags:X8}");
        }
        return new decimal(bits);
    }

    /// <summary>Reads a Guid written by <see cref="StateWriter.WriteGuid"/>.</summary>
    /// <exception cref="StateFormatException">Fewer than 16 bytes remain.</exception>
    public Guid ReadGuid() => new(Take(16));

    /// <summary>Reads an unsigned LEB128 value of at most 32 bits.</summary>
    /// <exception cref="StateFormatException">The input ends inside the value, or the value exceeds 32 bits.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadVarInt32()
    {
        var span = _input.Span;
        var p = _position;
        if ((uint)p < (uint)span.Length && span[p] < 0x80)
        {
            _position = p + 1;
            return span[p];
        }
        var value = ReadVarInt64Slow(maxBytes: 5);
        if (value > uint.MaxValue)
        {
            _position = p;
            ThrowInvalid("32-bit varint (value exceeds 32 bits)");
        }
        return (uint)value;
    }

    /// <summary>Reads an unsigned LEB128 value of at most 64 bits.</summary>
    /// <exception cref="StateFormatException">The input ends inside the value, or the value exceeds 64 bits.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarInt64()
    {
        var span = _input.Span;
        var p = _position;
        if ((uint)p < (uint)span.Length && span[p] < 0x80)
        {
            _position = p + 1;
            return span[p];
        }
        return ReadVarInt64Slow(maxBytes: 10);
    }

    /// <summary>Reads a value written by <see cref="StateWriter.WriteZigZagInt32"/>.</summary>
    /// <exception cref="StateFormatException">The varint is truncated or too long.</exception>
    public int ReadZigZagInt32()
    {
        var raw = ReadVarInt32();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    /// <summary>Reads a value written by <see cref="StateWriter.WriteZigZagInt64"/>.</summary>
    /// <exception cref="StateFormatException">The varint is truncated or too long.</exception>
    public long ReadZigZagInt64()
    {
        var raw = ReadVarInt64();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>
    /// Reads a length prefix written by <see cref="StateWriter.WriteLength"/>, or -1 for one written by
    /// <see cref="StateWriter.WriteNullLength"/>. Does not check the length against <see cref="Remaining"/>
    /// (collection items may be of any size); callers must not pre-allocate more than the input can hold.
    /// </summary>
    /// <exception cref="StateFormatException">The prefix is truncated or exceeds <see cref="int.MaxValue"/>.</exception>
    public int ReadLength()
    {
        var start = _position;
        var raw = ReadVarInt32();
        if (raw == StateWriter.NullLength)
        {
            return -1;
        }
        if (raw > int.MaxValue)
        {
            _position = start;
            ThrowInvalid($"length prefix {raw}");
        }
        return (int)raw;
    }

    /// <summary>Reads a string written by <see cref="StateWriter.WriteString"/>; returns null for a written null.</summary>
    /// <exception cref="StateFormatException">The string is truncated or its bytes are not valid UTF-8.</exception>
    public string? ReadString()
    {
        var start = _position;
        var length = ReadLength();
        if (length < 0)
        {
            return null;
        }
        if (length == 0)
        {
            return string.Empty;
        }
        var bytes = TakeAfterPrefix(length, start);
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            _position = start;
            throw new StateFormatException($"Invalid state: string at offset {start} is not valid UTF-8.", ex);
        }
    }

    /// <summary>
    /// Reads a byte block written by <see cref="StateWriter.WriteBytes"/> as a slice of the input (no copy).
    /// </summary>
    /// <exception cref="StateFormatException">The block is truncated, or a null was written there.</exception>
    public ReadOnlyMemory<byte> ReadBytes()
    {
        var start = _position;
        var length = ReadLength();
        if (length < 0)
        {
            _position = start;
            ThrowInvalid("null where a byte block was expected");
        }
        TakeAfterPrefix(length, start);
        return _input.Slice(_position - length, length);
    }

    /// <summary>Reads a byte array written by <see cref="StateWriter.WriteByteArray"/> (a copy); returns null for a written null.</summary>
    /// <exception cref="StateFormatException">The block is truncated.</exception>
    public byte[]? ReadByteArray()
    {
        var start = _position;
        var length = ReadLength();
        return length < 0 ? null : TakeAfterPrefix(length, start).ToArray();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes written by <see cref="StateWriter.WriteRaw"/>, as a slice of the input.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="StateFormatException">Fewer than <paramref name="count"/> bytes remain.</exception>
    public ReadOnlyMemory<byte> ReadRaw(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Take(count);
        return _input.Slice(_position - count, count);
    }

    /// <summary>Throws a <see cref="StateFormatException"/> saying the value at the current position is invalid.</summary>
    /// <param name="what">What was found, e.g. <c>DateTime kind 3</c>.</param>
    /// <exception cref="StateFormatException">Always.</exception>
    [DoesNotReturn]
    public void ThrowInvalid(string what) =>
        throw new StateFormatException($"Invalid state: {what} at offset {_position} of {_input.Length}.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        var p = _position;
        if (_input.Length - p < count)
        {
            ThrowTruncated(count);
        }
        _position = p + count;
        return _input.Span.Slice(p, count);
    }

    /// <summary>Takes the body of a length-prefixed value; on truncation reports the prefix offset and rewinds to it.</summary>
    private ReadOnlySpan<byte> TakeAfterPrefix(int length, int prefixStart)
    {
        if (Remaining < length)
        {
            var bodyStart = _position;
            _position = prefixStart;
            throw new StateFormatException(
                $"Truncated state: value at offset {prefixStart} declares {length} byte(s) but only {_input.Length - bodyStart} remain after its prefix (input is {_input.Length} bytes).");
        }
        return Take(length);
    }

    private ulong ReadVarInt64Slow(int maxBytes)
    {
        var span = _input.Span;
        var start = _position;
        var p = start;
        ulong value = 0;
        for (var shift = 0; shift < maxBytes * 7; shift += 7)
        {
            if (p >= span.Length)
            {
                ThrowTruncated(p - start + 1);
            }
            var b = span[p++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (shift == 63 && b > 1)
                {
                    ThrowInvalid("varint (value exceeds 64 bits)");
                }
                _position = p;
                return value;
            }
        }
        ThrowInvalid($"varint (longer than {maxBytes} bytes)");
        return 0;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTruncated(int needed) =>
        throw new StateFormatException(
            $"Truncated state: needed {needed} byte(s) at offset {_position} but only {Remaining} remain (input is {_input.Length} bytes).");
}
