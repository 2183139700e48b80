using System.Buffers.Binary;
using System.Numerics;

namespace Sluice.Runtime.State;

/// <summary>
/// CRC-32C (Castagnoli) of a byte sequence, fed in pieces: the checksum of each shared file an incremental checkpoint
/// uploads, checked again when a restore downloads it. Uses the CPU's CRC instruction where there is one. Not
/// thread-safe; one instance per file.
/// </summary>
internal struct Crc32C
{
    private uint _state = uint.MaxValue;

    public Crc32C()
    {
    }

    /// <summary>The checksum of the bytes appended so far.</summary>
    public readonly uint Value => ~_state;

    /// <summary>Appends <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _state;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        _state = crc;
    }

    /// <summary>The checksum of what <paramref name="stream"/> holds from its position to its end, and that length in bytes.</summary>
    public static (uint Crc, long Bytes) Of(Stream stream)
    {
        var crc = new Crc32C();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        long total = 0;
        try
        {
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                crc.Append(buffer.AsSpan(0, n));
                total += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return (crc.Value, total);
    }
}
