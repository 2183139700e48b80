using Sluice.IO;
using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>Opening a partition: find segments, load or rebuild indexes, truncate a torn or corrupt tail.</summary>
public sealed partial class PartitionLog
{
    private void Recover()
    {
        Directory.CreateDirectory(_directory);
        foreach (string leftover in Directory.EnumerateFiles(_directory, "*.tmp").Concat(Directory.EnumerateFiles(_directory, "*.cleaned")))
        {
            File.Delete(leftover);
        }

        var paths = Directory.GetFiles(_directory, "*.log");
        var baseOffsets = new long[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            baseOffsets[i] = ParseBaseOffset(paths[i]);
        }

        Array.Sort(baseOffsets);
        var segments = new List<Segment>(baseOffsets.Length + 1);
        long expectedNext = baseOffsets.Length > 0 ? baseOffsets[0] : 0;
        bool truncatedEarlier = false;
        for (int i = 0; i < baseOffsets.Length; i++)
        {
            if (truncatedEarlier || baseOffsets[i] < expectedNext)
            {
                // Later segments after a corrupt one (or overlapping ones) cannot be trusted to continue the offsets.
                File.Delete(Segment.LogPathFor(_directory, baseOffsets[i]));
                File.Delete(Path.Combine(_directory, $"{baseOffsets[i]:D20}.index"));
                continue;
            }

            Segment segment = CreateSegment(baseOffsets[i]);
            segments.Add(segment);
            long length = RandomAccess.GetLength(segment.Handle);
            bool isLast = i == baseOffsets.Length - 1;
            if (!isLast && !_options.VerifyAllSegmentsOnOpen && SegmentIndexFile.TryLoad(segment, length))
            {
                if (segment.HasTransactionalBatches)
                {
                    SegmentScanner.Scan(segment.Handle, length, segment.BaseOffset, verifyBodies: false, (in BatchHeader h, long _, ReadOnlySpan<byte> _) => RecoverTransactional(h));
                }
            }
            else
            {
                long validEnd = SegmentScanner.Scan(
                    segment.Handle,
                    length,
                    segment.BaseOffset,
                    verifyBodies: true,
                    (in BatchHeader h, long position, ReadOnlySpan<byte> _) =>
                    {
                        segment.OnBatchAppended(h, position, _options.IndexIntervalBytes);
                        segment.NextOffset = h.LastOffset + 1;
                        RecoverTransactional(h);
                    });
                segment.Size = validEnd;
                if (validEnd < length)
                {
                    // Torn write or corruption: keep only whole, CRC-valid batches (a read never returns a corrupt record).
                    RandomAccess.SetLength(segment.Handle, validEnd);
                    RandomAccess.FlushToDisk(segment.Handle);
                    RecoveredTruncatedBytes += length - validEnd;
                    truncatedEarlier = !isLast;
                }
            }

            expectedNext = segment.NextOffset;
        }

        if (segments.Count == 0)
        {
            segments.Add(CreateSegment(expectedNext));
            AtomicFile.SyncDirectory(_directory);
        }

        _segments = [.. segments];
        _highWatermark = segments[^1].NextOffset;
        _durableOffset = _highWatermark;
        UpdateLastStableOffset();
    }
}
