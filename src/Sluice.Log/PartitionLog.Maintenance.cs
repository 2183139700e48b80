using Sluice.IO;
using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>Retention (delete whole closed segments by time and size) and compaction (last value per key).</summary>
public sealed partial class PartitionLog
{
    private long _compactedUpTo = -1;

    /// <summary>
    /// Deletes closed segments beyond the topic's retention: those whose newest record is older than
    /// <see cref="TopicConfig.RetentionTime"/>, then the oldest while the partition exceeds
    /// <see cref="TopicConfig.RetentionBytes"/>. The active segment is never deleted. Returns the number deleted.
    /// </summary>
    public int EnforceRetention()
    {
        lock (_maintenanceLock)
        {
            ThrowIfDisposed();
            Segment[] segments = Volatile.Read(ref _segments);
            int delete = 0;
            if (_config.RetentionTime is { } retention)
            {
                long cutoff = NowMs - (long)retention.TotalMilliseconds;
                while (delete < segments.Length - 1 && segments[delete].MaxTimestamp < cutoff)
                {
                    delete++;
                }
            }

            if (_config.RetentionBytes is { } maxBytes)
            {
                long total = 0;
                for (int i = delete; i < segments.Length; i++)
                {
                    total += segments[i].Size;
                }

                while (delete < segments.Length - 1 && total - segments[delete].Size >= maxBytes)
                {
                    total -= segments[delete].Size;
                    delete++;
                }
            }

            if (delete > 0)
            {
                lock (_appendLock)
                {
                    Volatile.Write(ref _segments, _segments[delete..]);
                    PruneAborted(_segments[0].BaseOffset);
                }

                for (int i = 0; i < delete; i++)
                {
                    segments[i].Retire(deleteFiles: true);
                }
            }

            return delete;
        }
    }

    /// <summary>
    /// Compacts closed segments that lie wholly below the last stable offset: keeps only the newest record per key
    /// (records without key are kept), drops aborted transactional records and control markers, and drops
    /// tombstones older than <see cref="TopicConfig.TombstoneRetention"/>. Offsets never change; readers see gaps.
    /// Each cleaned segment is written to a temporary file, fsynced and renamed over the original.
    /// Returns the number of segments rewritten.
    /// </summary>
    public int Compact()
    {
        lock (_maintenanceLock)
        {
            ThrowIfDisposed();
            Segment[] segments = Volatile.Read(ref _segments);
            long lso = LastStableOffset;
            int closed = 0;
            while (closed < segments.Length - 1 && segments[closed].NextOffset <= lso)
            {
                closed++;
            }

            if (closed == 0 || _compactedUpTo == lso)
            {
                return 0;
            }

            Dictionary<byte[], long> latest = LatestOffsetPerKey(segments[0].BaseOffset, lso);
            long tombstoneCutoff = NowMs - (long)_config.TombstoneRetention.TotalMilliseconds;
            for (int i = 0; i < closed; i++)
            {
                RewriteSegment(segments[i], latest, tombstoneCutoff);
            }

            _compactedUpTo = lso;
            return closed;
        }
    }

    private Dictionary<byte[], long> LatestOffsetPerKey(long from, long to)
    {
        var latest = new Dictionary<byte[], long>(ByteArrayComparer.Instance);
        using var result = new FetchResult();
        var options = new FetchOptions(100_000, 4 * 1024 * 1024, IsolationLevel.ReadCommitted);
        while (from < to)
        {
            Fetch(from, options, result);
            foreach (LogRecordView r in result)
            {
                if (r.HasKey && r.Offset < to)
                {
                    latest[r.Key.ToArray()] = r.Offset;
                }
            }

            if (result.NextOffset <= from)
            {
                break;
            }

            from = result.NextOffset;
        }

        return latest;
    }

    private void RewriteSegment(Segment segment, Dictionary<byte[], long> latest, long tombstoneCutoff)
    {
        string cleanedPath = segment.LogPath + ".cleaned";
        using (var output = File.OpenHandle(cleanedPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
        using (var builder = new RecordBatchBuilder(256 * 1024, _options.TimeProvider))
        using (var result = new FetchResult())
        {
            long written = 0;
            long batchBase = -1;
            long from = segment.BaseOffset;
            long end = segment.NextOffset;
            var options = new FetchOptions(100_000, 4 * 1024 * 1024, IsolationLevel.ReadCommitted);
            while (from < end)
            {
                Fetch(from, options, result);
                foreach (LogRecordView r in result)
                {
                    if (r.Offset >= end)
                    {
                        break;
                    }

                    bool newest = !r.HasKey || (latest.TryGetValue(r.Key.ToArray(), out long last) && last == r.Offset);
                    bool expiredTombstone = r.HasKey && !r.HasValue && r.TimestampMs < tombstoneCutoff;
                    if (!newest || expiredTombstone)
                    {
                        continue;
                    }

                    if (batchBase < 0 || builder.SizeInBytes > 1024 * 1024 || r.Offset - batchBase > int.MaxValue / 2)
                    {
                        written += WriteCleanedBatch(output, builder, batchBase, written);
                        batchBase = r.Offset;
                    }

                    builder.AddAt((int)(r.Offset - batchBase), r.EncodedTail, r.TimestampMs);
                }

                if (result.NextOffset <= from)
                {
                    break;
                }

                from = result.NextOffset;
            }

            WriteCleanedBatch(output, builder, batchBase, written);
            RandomAccess.FlushToDisk(output);
        }

        lock (_appendLock)
        {
            InstallRewrittenSegment(segment, cleanedPath);
        }
    }

    /// <summary>
    /// Renames a fully written and fsynced rewrite of <paramref name="segment"/> over it, rebuilds its index and swaps
    /// it into the segment list; readers still holding the old segment finish on the old file. Caller holds the
    /// append lock.
    /// </summary>
    private void InstallRewrittenSegment(Segment segment, string rewrittenPath)
    {
        File.Move(rewrittenPath, segment.LogPath, overwrite: true);
        AtomicFile.SyncDirectory(_directory);
        var handle = File.OpenHandle(segment.LogPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var rewritten = new Segment(_directory, segment.BaseOffset, handle, segment.CreatedAtMs);
        long length = RandomAccess.GetLength(handle);
        SegmentScanner.Scan(handle, length, segment.BaseOffset, verifyBodies: false, (in BatchHeader h, long position, ReadOnlySpan<byte> _) =>
            rewritten.OnBatchAppended(h, position, _options.IndexIntervalBytes), damage: null);
        rewritten.Size = length;
        rewritten.NextOffset = segment.NextOffset;
        SegmentIndexFile.Write(rewritten);
        Segment[] replaced = [.. _segments];
        replaced[Array.IndexOf(replaced, segment)] = rewritten;
        Volatile.Write(ref _segments, replaced);
        segment.Retire(deleteFiles: false);
    }

    private static int WriteCleanedBatch(Microsoft.Win32.SafeHandles.SafeFileHandle output, RecordBatchBuilder builder, long baseOffset, long position)
    {
        if (builder.Count == 0)
        {
            return 0;
        }

        Span<byte> batch = builder.Build(0, -1, -1);
        BatchFormat.Seal(batch, baseOffset);
        RandomAccess.Write(output, batch, position);
        int size = batch.Length;
        builder.Clear();
        return size;
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
