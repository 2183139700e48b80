using System.Buffers;
using Sluice.Log;

namespace Sluice.Server.Ingest;

/// <summary>
/// Sends a request's records to partitions: a keyed record where Kafka's default partitioner puts its key (murmur2,
/// as the log and Kafka do), every record without a key to one partition chosen once per request (the topic's sticky
/// partitioner), so a keyless request is one contiguous run of offsets in one partition. Thread-safe (stateless).
/// </summary>
internal static class IngestPartitioning
{
    /// <summary>Sets each record's partition and returns one part per partition used, in partition order, each
    /// carrying the idempotency header built from <paramref name="mark"/> (when given) on its first record.</summary>
    public static List<(int Partition, IngestPart Part)> Split(IngestBatch batch, TopicLog topic, IdempotencyMark? mark, out int partitions)
    {
        var partitionCount = topic.PartitionCount;
        var nullKeyPartition = -1;
        var first = -1;
        var single = true;
        for (var i = 0; i < batch.Count; i++)
        {
            ref var slot = ref batch[i];
            if (slot.HasKey)
            {
                slot.Partition = KafkaPartitioner.PartitionForKey(batch.KeyOf(slot), partitionCount);
            }
            else
            {
                if (nullKeyPartition < 0)
                {
                    nullKeyPartition = topic.PartitionFor(default, keyIsNull: true);
                }
                slot.Partition = nullKeyPartition;
            }
            if (first < 0)
            {
                first = slot.Partition;
            }
            single &= slot.Partition == first;
        }
        var parts = new List<(int, IngestPart)>();
        if (batch.Count == 0)
        {
            partitions = 0;
            return parts;
        }
        if (single)
        {
            partitions = 1;
            parts.Add((first, new IngestPart(batch, null, batch.Count, Header(mark, 1, batch.Count))));
            return parts;
        }

        var counts = ArrayPool<int>.Shared.Rent(partitionCount);
        try
        {
            counts.AsSpan(0, partitionCount).Clear();
            for (var i = 0; i < batch.Count; i++)
            {
                counts[batch[i].Partition]++;
            }
            partitions = 0;
            for (var p = 0; p < partitionCount; p++)
            {
                partitions += counts[p] > 0 ? 1 : 0;
            }
            for (var p = 0; p < partitionCount; p++)
            {
                if (counts[p] == 0)
                {
                    continue;
                }
                var indices = new int[counts[p]];
                var n = 0;
                for (var i = 0; i < batch.Count && n < indices.Length; i++)
                {
                    if (batch[i].Partition == p)
                    {
                        indices[n++] = i;
                    }
                }
                parts.Add((p, new IngestPart(batch, indices, n, Header(mark, partitions, n))));
            }
            return parts;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
        }
    }

    private static byte[]? Header(IdempotencyMark? mark, int partitions, int records) =>
        mark is { } m ? IdempotencyHeader.Encode(m with { Partitions = partitions, Records = records }) : null;
}
