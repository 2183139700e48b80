using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sluice.Formats.Registry.Avro;

/// <summary>
/// Reads Avro binary encoding from a span: zig-zag varints, IEEE floats little-endian, length-prefixed bytes and
/// strings. A read past the end throws <see cref="AvroDataException"/>, which the deserializer turns into a
/// <see cref="FormatError"/> (bad data never escapes it). Not thread-safe (a stack value per record).
/// </summary>
internal ref struct AvroReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public AvroReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>The offset of the next byte, from the start of the body.</summary>
    public readonly int Position => _position;

    /// <summary>Whether every byte was read.</summary>
    public readonly bool AtEnd => _position == _data.Length;

    public long ReadLong()
    {
        ulong value = 0;
        var shift = 0;
        while (true)
        {
            if ((uint)_position >= (uint)_data.Length)
            {
                throw AvroDataException.Truncated(_position);
            }
            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return (long)(value >> 1) ^ -(long)(value & 1);
            }
            shift += 7;
            if (shift > 63)
            {
                throw new AvroDataException($"A varint at byte {_position} of the body is longer than 10 bytes.");
            }
        }
    }

    public int ReadInt()
    {
        var value = ReadLong();
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new AvroDataException($"An int at byte {_position} of the body is out of range ({value}).");
    }

    public bool ReadBoolean()
    {
        var b = Take(1)[0];
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw new AvroDataException($"A boolean at byte {_position - 1} of the body is {b}, not 0 or 1."),
        };
    }

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>A length-prefixed byte sequence (bytes or string), as a view into the data.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadLong();
        if (length < 0)
        {
            throw new AvroDataException($"A length at byte {_position} of the body is negative ({length}).");
        }
        return Take(length > int.MaxValue ? int.MaxValue : (int)length);
    }

    public string ReadString()
    {
        var bytes = ReadBytes();
        return bytes.Length == 0 ? string.Empty : Encoding.UTF8.GetString(bytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_data.Length - _position))
        {
            throw AvroDataException.Truncated(_position);
        }
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    public void Skip(int count) => _ = Take(count);
}
