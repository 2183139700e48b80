using System.Text;

namespace Sluice.Core.Tests;

public class KeyHasherTests
{
    private enum Color
    {
        Red,
        Green,
    }

    private sealed class Opaque;

    /// <summary>Reference MurmurHash3 x86_32, seed 0, written from the published algorithm without sharing engine code.</summary>
    private static uint ReferenceMurmur3(byte[] data)
    {
        const uint c1 = 0xcc9e2d51;
        const uint c2 = 0x1b873593;
        static uint Rotl(uint x, int r) => (x << r) | (x >> (32 - r));
        uint h1 = 0;
        var nblocks = data.Length / 4;
        for (var i = 0; i < nblocks; i++)
        {
            var k1 = (uint)(data[4 * i] | (data[(4 * i) + 1] << 8) | (data[(4 * i) + 2] << 16) | (data[(4 * i) + 3] << 24));
            k1 = unchecked(k1 * c1);
            k1 = Rotl(k1, 15);
            k1 = unchecked(k1 * c2);
            h1 ^= k1;
            h1 = Rotl(h1, 13);
            h1 = unchecked((h1 * 5) + 0xe6546b64);
        }
        uint t = 0;
        var tail = nblocks * 4;
        var rest = data.Length & 3;
        if (rest >= 3)
        {
            t ^= (uint)data[tail + 2] << 16;
        }
        if (rest >= 2)
        {
            t ^= (uint)data[tail + 1] << 8;
        }
        if (rest >= 1)
        {
            t ^= data[tail];
            t = unchecked(t * c1);
            t = Rotl(t, 15);
            t = unchecked(t * c2);
            h1 ^= t;
        }
        h1 ^= (uint)data.Length;
        h1 ^= h1 >> 16;
        h1 = unchecked(h1 * 0x85ebca6b);
        h1 ^= h1 >> 13;
        h1 = unchecked(h1 * 0xc2b2ae35);
        h1 ^= h1 >> 16;
        return h1;
    }

    private static int ReferenceStringHash(string s) => unchecked((int)ReferenceMurmur3(Encoding.Unicode.GetBytes(s)));

    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("hello", 0x248bfa47u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x2e4ff723u)]
    public void ReferenceMurmur3_MatchesPublishedVectors(string ascii, uint expected) =>
        ReferenceMurmur3(Encoding.ASCII.GetBytes(ascii)).ShouldBe(expected);

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("customer-42")]
    [InlineData("Zürich ✓")]
    public void StringHash_IsMurmur3OfUtf16LeBytes(string key) =>
        KeyHasher.For<string>().Hash(key).ShouldBe(ReferenceStringHash(key));

    [Fact]
    public void StringHash_Abc_IsPinned()
    {
        // Pinned so a change to the hash (which moves every key's state) fails loudly. Bytes 61 00 62 00 63 00.
        var expected = ReferenceStringHash("abc");
        KeyHasher.For<string>().Hash("abc").ShouldBe(expected);
        Murmur3.Hash(Encoding.Unicode.GetBytes("abc")).ShouldBe(ReferenceMurmur3([0x61, 0, 0x62, 0, 0x63, 0]));
    }

    [Fact]
    public void PrimitiveHashes_AreStableValues()
    {
        KeyHasher.For<int>().Hash(12345).ShouldBe(12345);
        KeyHasher.For<int>().Hash(-7).ShouldBe(-7);
        KeyHasher.For<long>().Hash(0x1_0000_0002L).ShouldBe(3);
        KeyHasher.For<long>().Hash(-1L).ShouldBe(0);
        KeyHasher.For<bool>().Hash(true).ShouldBe(1);
        KeyHasher.For<bool>().Hash(false).ShouldBe(0);
        var guid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        KeyHasher.For<Guid>().Hash(guid).ShouldBe(unchecked((int)ReferenceMurmur3(guid.ToByteArray())));
        KeyHasher.For<short>().Hash(258).ShouldBe(unchecked((int)ReferenceMurmur3([2, 1])));
        KeyHasher.For<Color>().Hash(Color.Green).ShouldBe(unchecked((int)ReferenceMurmur3([1, 0, 0, 0])));
    }

    [Fact]
    public void TupleHash_CombinesElementHashesWithFactor31()
    {
        var h = ReferenceStringHash("x");
        KeyHasher.For<(string, int)>().Hash(("x", 5)).ShouldBe(unchecked((h * 31) + 5));
        KeyHasher.For<(int, int, int)>().Hash((1, 2, 3)).ShouldBe((((1 * 31) + 2) * 31) + 3);
        KeyHasher.For<(int, int, int, long)>().Hash((1, 2, 3, 4L)).ShouldBe((((((1 * 31) + 2) * 31) + 3) * 31) + 4);
        KeyHasher.For<(string, int)>().Hash(("x", 5)).ShouldNotBe(KeyHasher.For<(string, int)>().Hash(("x", 6)));
        KeyHasher.IsSupported<(string, (int, Guid))>().ShouldBeTrue();
    }

    [Fact]
    public void EqualKeys_HashEqually()
    {
        var a = new string(['k', 'e', 'y']);
        KeyHasher.For<string>().Hash(a).ShouldBe(KeyHasher.For<string>().Hash("key"));
    }

    [Fact]
    public void UnsupportedTypes_ThrowNotSupported()
    {
        KeyHasher.IsSupported<Opaque>().ShouldBeFalse();
        Should.Throw<NotSupportedException>(() => KeyHasher.For<Opaque>()).Message.ShouldContain("IKeyHasher");
        Should.Throw<NotSupportedException>(() => KeyHasher.For<(int, Opaque)>());
        Should.Throw<NotSupportedException>(() => KeyHasher.For<(int, int, int, int, int)>());
        Should.Throw<NotSupportedException>(() => KeyHasher.For<object>());
        Should.Throw<NotSupportedException>(() => KeyHasher.For<IntPtr>());
    }
}
