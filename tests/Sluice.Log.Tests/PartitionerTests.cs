using System.Text;

namespace Sluice.Log.Tests;

public sealed class PartitionerTests
{
    /// <summary>Reference murmur2 written straight from Kafka's Utils.murmur2 (Java int arithmetic, unsigned shifts).</summary>
    private static int ReferenceMurmur2(byte[] data)
    {
        int length = data.Length;
        int seed = unchecked((int)0x9747b28c);
        const int m = 0x5bd1e995;
        const int r = 24;
        int h = seed ^ length;
        int length4 = length / 4;
        unchecked
        {
            for (int i = 0; i < length4; i++)
            {
                int i4 = i * 4;
                int k = (data[i4 + 0] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
                k *= m;
                k ^= (int)((uint)k >> r);
                k *= m;
                h *= m;
                h ^= k;
            }

            int rest = length % 4;
            if (rest == 3)
            {
                h ^= (data[(length & ~3) + 2] & 0xff) << 16;
            }

            if (rest >= 2)
            {
                h ^= (data[(length & ~3) + 1] & 0xff) << 8;
            }

            if (rest >= 1)
            {
                h ^= data[length & ~3] & 0xff;
                h *= m;
            }

            h ^= (int)((uint)h >> 13);
            h *= m;
            h ^= (int)((uint)h >> 15);
        }

        return h;
    }

    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_KafkaPublishedVectors_Match(string input, int expected)
    {
        // Vectors from Apache Kafka's UtilsTest.testMurmur2.
        KafkaPartitioner.Murmur2(Encoding.ASCII.GetBytes(input)).ShouldBe(expected);
        ReferenceMurmur2(Encoding.ASCII.GetBytes(input)).ShouldBe(expected);
    }

    [Fact]
    public void PartitionForKey_RandomKeysAllLengths_MatchesKafkaFormula()
    {
        var random = new Random(1234);
        for (int length = 0; length < 64; length++)
        {
            for (int i = 0; i < 20; i++)
            {
                byte[] key = new byte[length];
                random.NextBytes(key);
                foreach (int partitions in new[] { 1, 3, 12, 100 })
                {
                    int expected = (ReferenceMurmur2(key) & 0x7fffffff) % partitions;
                    KafkaPartitioner.PartitionForKey(key, partitions).ShouldBe(expected);
                }
            }
        }
    }

    [Fact]
    public void PartitionForNullKey_RoundRobin_CyclesPartitions()
    {
        var partitioner = new KafkaPartitioner(NullKeyStrategy.RoundRobin);
        Enumerable.Range(0, 6).Select(_ => partitioner.PartitionForNullKey(3)).ShouldBe([0, 1, 2, 0, 1, 2]);
    }

    [Fact]
    public void PartitionForNullKey_Sticky_StaysForRunThenMoves()
    {
        var partitioner = new KafkaPartitioner(NullKeyStrategy.Sticky, stickyRunLength: 3);
        Enumerable.Range(0, 7).Select(_ => partitioner.PartitionForNullKey(4)).ShouldBe([0, 0, 0, 1, 1, 1, 2]);
    }
}
