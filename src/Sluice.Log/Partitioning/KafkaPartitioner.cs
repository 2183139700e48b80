namespace Sluice.Log;

/// <summary>How records without key are spread over partitions.</summary>
public enum NullKeyStrategy
{
    /// <summary>Stay on one partition for a run of records, then move to the next (Kafka's sticky partitioner).</summary>
    Sticky,

    /// <summary>Each record goes to the next partition in turn.</summary>
    RoundRobin,
}

/// <summary>
/// Kafka's default partitioner: a keyed record goes to <c>toPositive(murmur2(keyBytes)) % numPartitions</c>, so the
/// same key lands on the same partition number as with a Kafka producer. Thread-safe.
/// </summary>
public sealed class KafkaPartitioner
{
    private readonly NullKeyStrategy _nullKeyStrategy;
    private readonly int _stickyRunLength;
    private int _counter;

    /// <summary>Creates a partitioner.</summary>
    /// <param name="nullKeyStrategy">Placement of records without key.</param>
    /// <param name="stickyRunLength">For <see cref="NullKeyStrategy.Sticky"/>: records sent to one partition before moving on (≥ 1).</param>
    public KafkaPartitioner(NullKeyStrategy nullKeyStrategy = NullKeyStrategy.Sticky, int stickyRunLength = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stickyRunLength, 1);
        _nullKeyStrategy = nullKeyStrategy;
        _stickyRunLength = stickyRunLength;
    }

    /// <summary>The partition for a key: <c>(murmur2(key) &amp; 0x7fffffff) % partitionCount</c>.</summary>
    /// <param name="key">Serialized key bytes.</param>
    /// <param name="partitionCount">Number of partitions (≥ 1).</param>
    public static int PartitionForKey(ReadOnlySpan<byte> key, int partitionCount) =>
        (Murmur2(key) & 0x7fffffff) % partitionCount;

    /// <summary>The partition for a record without key (sticky or round-robin).</summary>
    /// <param name="partitionCount">Number of partitions (≥ 1).</param>
    public int PartitionForNullKey(int partitionCount)
    {
        int n = Interlocked.Increment(ref _counter) - 1;
        int slot = _nullKeyStrategy == NullKeyStrategy.RoundRobin ? n : n / _stickyRunLength;
        return (int)((uint)slot % (uint)partitionCount);
    }

    /// <summary>Kafka's murmur2 (seed 0x9747b28c), bit-for-bit as <c>org.apache.kafka.common.utils.Utils.murmur2</c>.</summary>
    /// <param name="data">Bytes to hash.</param>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        int length = data.Length;
        uint h = 0x9747b28c ^ (uint)length;
        int length4 = length / 4;
        for (int i = 0; i < length4; i++)
        {
            int i4 = i * 4;
            uint k = data[i4] | ((uint)data[i4 + 1] << 8) | ((uint)data[i4 + 2] << 16) | ((uint)data[i4 + 3] << 24);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        int tail = length & ~3;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= m;
                break;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= m;
                break;
            case 1:
                h ^= data[tail];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
