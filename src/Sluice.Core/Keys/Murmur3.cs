using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Sluice;

/// <summary>MurmurHash3 (x86, 32-bit) with seed 0, plus its finaliser; used for stable key hashing.</summary>
internal static class Murmur3
{
    private const uint C1 = 0xcc9e2d51;
    private const uint C2 = 0x1b873593;

    /// <summary>Hashes <paramref name="data"/>.</summary>
    public static uint Hash(ReadOnlySpan<byte> data)
    {
        uint h = 0;
        var blocks = data.Length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4));
            k *= C1;
            k = BitOperations.RotateLeft(k, 15);
            k *= C2;
            h ^= k;
            h = BitOperations.RotateLeft(h, 13);
            h = (h * 5) + 0xe6546b64;
        }
        uint tail = 0;
        var rest = data.Slice(blocks * 4);
        switch (rest.Length)
        {
            case 3:
                tail ^= (uint)rest[2] << 16;
                goto case 2;
            case 2:
                tail ^= (uint)rest[1] << 8;
                goto case 1;
            case 1:
                tail ^= rest[0];
                tail *= C1;
                tail = BitOperations.RotateLeft(tail, 15);
                tail *= C2;
                h ^= tail;
                break;
        }
        h ^= (uint)data.Length;
        return Mix(h);
    }

    /// <summary>The murmur3 finaliser: spreads every input bit over the whole word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
