using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Sluice.IO;
using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>
/// Opening a partition: find segments, load or rebuild indexes, and classify every damaged range. Recovery changes a
/// file in one case only: a torn tail of the active segment after an unclean shutdown (no valid batch after it) is
/// moved to the segment's quarantine file and cut off. Every other damage is left on disk, listed in
/// <see cref="KnownDamage"/>, and reported by reads that reach it; its offsets are never assigned again.
/// </summary>
public sealed partial class PartitionLog
{
    private readonly List<LogDamage> _knownDamage = [];

    /// <summary>
    /// Damaged ranges found so far: by the scan on open (the active segment always, closed segments without a valid
    /// index or with <see cref="LogOptions.VerifyAllSegmentsOnOpen"/>) and by reads. Cleared by <see cref="Repair"/>.
    /// </summary>
    public IReadOnlyList<LogDamage> KnownDamage
    {
        get
        {
            lock (_knownDamage)
            {
                return [.. _knownDamage];
            }
        }
    }

    /// <param name="cleanShutdown">The log was closed cleanly last time.</param>
    /// <param name="endAtShutdown">The partition's end offset the clean close recorded, when known.</param>
    private void Recover(bool cleanShutdown, long? endAtShutdown)
    {
        bool readOnly = _options.ReadOnly;
        if (!readOnly)
        {
            Directory.CreateDirectory(_directory);
            foreach (string leftover in Directory.EnumerateFiles(_directory, "*.tmp")
                .Concat(Directory.EnumerateFiles(_directory, "*.cleaned"))
                .Concat(Directory.EnumerateFiles(_directory, "*.repaired")))
            {
                // Unfinished rewrites: the original segment is still in place.
                File.Delete(leftover);
            }
        }

        string[] paths = Directory.Exists(_directory) ? Directory.GetFiles(_directory, "*.log") : [];
        var baseOffsets = new long[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            baseOffsets[i] = ParseBaseOffset(paths[i]);
        }

        Array.Sort(baseOffsets);
        var segments = new List<Segment>(baseOffsets.Length + 1);
        bool rollPastDamage = false;
        for (int i = 0; i < baseOffsets.Length; i++)
        {
            if (segments.Count > 0 && baseOffsets[i] < segments[^1].NextOffset)
            {
                string overlapping = Segment.LogPathFor(_directory, baseOffsets[i]);
                if (new FileInfo(overlapping).Length == 0)
                {
                    // An empty file holds no record, so it cannot conflict: leave it alone (an append may reuse its name).
                    _options.Logger.LogWarning(
                        "Topic {Topic} partition {Partition}: ignoring the empty segment file '{File}', which starts inside '{Previous}'.",
                        Topic, Partition, overlapping, segments[^1].LogPath);
                    continue;
                }

                throw new LogCorruptionException(
                    $"Topic '{Topic}' partition {Partition}: segment '{overlapping}' starts at offset {baseOffsets[i]}, "
                    + $"inside '{segments[^1].LogPath}' (offsets {segments[^1].BaseOffset}..{segments[^1].NextOffset - 1}). Nothing was changed; move one of the two files out of the directory after checking which holds the records you need.");
            }

            Segment segment = OpenSegmentFile(baseOffsets[i]);
            segments.Add(segment);
            long length = RandomAccess.GetLength(segment.Handle);
            bool isLast = i == baseOffsets.Length - 1;
            if (!isLast && !_options.VerifyAllSegmentsOnOpen && SegmentIndexFile.TryLoad(segment, length))
            {
                if (segment.HasTransactionalBatches)
                {
                    SegmentScanner.Scan(segment.Handle, length, segment.BaseOffset, verifyBodies: false, (in BatchHeader h, long _, ReadOnlySpan<byte> _) => RecoverTransactional(h), damage: null);
                }

                continue;
            }

            var damage = new List<DamagedRegion>();
            long scannedNext = IndexScan(segment, length, verifyBodies: true, damage, isLast ? long.MaxValue : baseOffsets[i + 1]);
            segment.NextOffset = scannedNext;
            segment.Size = length;
            // The end the segment is known to reach: the next segment's base, or for the last one what the clean close
            // recorded and what its index file (read once, it may be damaged too) says.
            long? indexedEnd = isLast ? SegmentIndexFile.TryReadNextOffset(segment) : null;
            long? knownEnd = isLast ? Max(endAtShutdown, indexedEnd) : baseOffsets[i + 1];
            if (knownEnd is { } e && IsMissingTail(damage, segment.NextOffset, e))
            {
                damage.Add(MissingTail(length, segment.NextOffset));
            }

            if (damage.Count == 0)
            {
                continue;
            }

            DamagedRegion last = damage[^1];
            long end = last.ResumeOffset >= 0 ? segment.NextOffset : isLast ? Math.Max(UnknownTailEnd(last), knownEnd ?? 0) : baseOffsets[i + 1];
            segment.NextOffset = Math.Max(segment.NextOffset, end);
            if (isLast && !cleanShutdown && damage.Count == 1 && last.IncompleteWrite && last.FirstOffset >= (indexedEnd ?? 0))
            {
                // An append a crash cut short: it was never visible (the high watermark moves after the write), so its
                // offsets may be assigned again. A complete batch that fails its CRC, or bytes below the end the index
                // recorded, are damage instead, even after a crash.
                segment.NextOffset = scannedNext;
                CutTornTail(segment, last);
                continue;
            }

            segment.HasKnownDamage = true;

            foreach (DamagedRegion region in damage)
            {
                LogDamage found = ToDamage(segment, region, region.ResumeOffset >= 0 ? region.ResumeOffset - 1 : end - 1);
                AddKnownDamage(found);
                _options.Logger.LogError(
                    "Topic {Topic} partition {Partition}: damaged data in {Damage}. Nothing was changed; reads stop there with an error until 'sluice log repair {Topic} --partition {Partition}' moves it to a quarantine file.",
                    Topic, Partition, found, Topic, Partition);
            }

            rollPastDamage = isLast && !readOnly;
        }

        if (segments.Count == 0)
        {
            segments.Add(readOnly ? new Segment(_directory, 0, new SafeFileHandle(IntPtr.Zero, ownsHandle: false), NowMs) : CreateSegment(0));
            if (!readOnly)
            {
                AtomicFile.SyncDirectory(_directory);
            }
        }

        _segments = [.. segments];
        _highWatermark = segments[^1].NextOffset;
        _durableOffset = _highWatermark;
        if (rollPastDamage)
        {
            // New appends go to a fresh segment, so the damaged one is closed and repair can rewrite it.
            Roll(_highWatermark);
        }

        UpdateLastStableOffset();
    }

    /// <summary>Scans a segment, rebuilding its in-memory index (an entry is forced at the first batch after damage so
    /// reads can start past it) and transaction state. Returns the offset after the last valid batch.</summary>
    private long IndexScan(Segment segment, long length, bool verifyBodies, List<DamagedRegion>? damage, long offsetLimit)
    {
        long expectedPosition = 0;
        return SegmentScanner.Scan(
            segment.Handle,
            length,
            segment.BaseOffset,
            verifyBodies,
            (in BatchHeader h, long position, ReadOnlySpan<byte> _) =>
            {
                segment.OnBatchAppended(h, position, _options.IndexIntervalBytes, forceIndexEntry: position != expectedPosition);
                expectedPosition = position + h.TotalSize;
                RecoverTransactional(h);
            },
            damage,
            offsetLimit);
    }

    /// <summary>True when a segment of a non-compacted topic ends (intact) before the offset it is known to reach (the
    /// next segment's base; for the last segment the end recorded by a clean close or its index): its file was cut at
    /// a batch boundary. Compaction legitimately leaves such gaps, so compacted topics
    /// are exempt.</summary>
    private bool IsMissingTail(List<DamagedRegion> damage, long scannedNext, long segmentEnd) =>
        _config.CleanupPolicy == CleanupPolicy.Delete && scannedNext < segmentEnd && (damage.Count == 0 || damage[^1].ResumeOffset >= 0);

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static DamagedRegion MissingTail(long fileLength, long firstMissing) =>
        new(fileLength, fileLength, firstMissing, -1, -1, -1, "the file ends before the offsets it is known to hold (it was cut short)", IncompleteWrite: false);

    /// <summary>
    /// What the damaged bytes themselves say of the end of a last segment whose tail is damaged with no valid batch
    /// after it: the larger of the damaged batch's own header (when it survived) and an upper bound from the damaged
    /// byte count (the active segment is dense: every offset there is a record of at least
    /// <see cref="BatchFormat.RecordOverhead"/> bytes). Offsets must never be reused, so the caller also takes the end
    /// the clean close and the index recorded.
    /// </summary>
    private static long UnknownTailEnd(in DamagedRegion tail)
    {
        long end = tail.FirstOffset + (tail.Length / BatchFormat.RecordOverhead);
        return tail.HeaderLastOffset >= tail.FirstOffset ? Math.Max(end, tail.HeaderLastOffset + 1) : end;
    }

    /// <summary>
    /// After an unclean shutdown the active segment may end in a batch whose write never completed: its bytes go to the
    /// quarantine file and the file is cut there. In read-only mode only the in-memory view stops before the tail.
    /// </summary>
    private void CutTornTail(Segment segment, in DamagedRegion tail)
    {
        LogDamage cut = ToDamage(segment, tail, tail.FirstOffset - 1);
        if (_options.ReadOnly)
        {
            segment.Size = tail.Position;
            _options.Logger.LogWarning(
                "Topic {Topic} partition {Partition}: torn tail after an unclean shutdown in {Damage}; read-only, so it is hidden but left in place until the log is opened for writing.",
                Topic, Partition, cut);
            return;
        }

        byte[] bytes = new byte[tail.Length];
        RandomAccess.Read(segment.Handle, bytes, tail.Position);
        string quarantine = QuarantineFile.PathFor(_directory, segment.BaseOffset);
        QuarantineFile.Append(quarantine, new QuarantineEntry(
            QuarantineKind.TornTail, NowMs, tail.Position, cut.FirstOffset, cut.LastOffset, tail.HeaderRecordCount, tail.Reason, bytes));
        RandomAccess.SetLength(segment.Handle, tail.Position);
        RandomAccess.FlushToDisk(segment.Handle);
        segment.Size = tail.Position;
        RecoveredTruncatedBytes += tail.Length;
        _options.Logger.LogWarning(
            "Topic {Topic} partition {Partition}: cut a torn tail (an append a crash cut short, never acknowledged) of {Bytes} bytes at byte {Position} of '{File}'; the bytes are kept in '{Quarantine}'.",
            Topic, Partition, tail.Length, tail.Position, segment.LogPath, quarantine);
    }

    private LogDamage ToDamage(Segment segment, in DamagedRegion region, long lastOffset) => new(
        Topic,
        Partition,
        segment.LogPath,
        region.Position,
        region.Length,
        region.FirstOffset,
        lastOffset,
        region.HeaderRecordCount >= 0 ? region.HeaderRecordCount : null,
        region.Reason);

    private void AddKnownDamage(LogDamage damage)
    {
        lock (_knownDamage)
        {
            if (!_knownDamage.Contains(damage))
            {
                _knownDamage.Add(damage);
            }
        }
    }

    /// <summary>Every range recovery or repair moved out of this partition's segments, oldest first per file.</summary>
    public IReadOnlyList<QuarantinedRange> ListQuarantined()
    {
        var ranges = new List<QuarantinedRange>();
        if (!Directory.Exists(_directory))
        {
            return ranges;
        }

        foreach (string path in Directory.GetFiles(_directory, "*.quarantine").Order(StringComparer.Ordinal))
        {
            string segmentFile = Path.ChangeExtension(path, ".log");
            foreach (QuarantineEntry e in QuarantineFile.ReadAll(path))
            {
                var damage = new LogDamage(
                    Topic, Partition, segmentFile, e.Position, e.Data.Length, e.FirstOffset, e.LastOffset, e.RecordCount >= 0 ? e.RecordCount : null, e.Reason);
                ranges.Add(new QuarantinedRange(damage, path, DateTimeOffset.FromUnixTimeMilliseconds(e.MovedAtMs), e.Kind == QuarantineKind.Repair));
            }
        }

        return ranges;
    }
}
