using System.Buffers;
using System.Text;
using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>Repair: move damaged byte ranges out of segments into quarantine files, keeping every intact batch.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Verifies every batch of every segment and, for each damaged range found, appends its exact bytes (with where
    /// they were and the offsets they may have held) to the segment's quarantine file
    /// (<c>{baseOffset:D20}.quarantine</c>), then rewrites the segment with every intact batch unchanged and a gap
    /// marker in place of the range. Offsets stay stable and are never reused: the gap marker holds the offsets the
    /// damage may have held, and readers skip it. A damaged active segment is rolled first. Appends wait only while the
    /// active segment is checked and while a rewrite is swapped in; readers go on. Idempotent: a second call finds
    /// nothing.
    /// <para>Crash safety: the quarantine entry is fsynced before the rewritten segment (fsynced, renamed) replaces the
    /// damaged one, so a crash loses neither; a crash between the two leaves the damage in place and the rerun adds
    /// the same bytes to the quarantine file a second time.</para>
    /// </summary>
    /// <returns>The ranges moved, in file order (empty when the partition was intact).</returns>
    /// <exception cref="InvalidOperationException">The log was opened read-only.</exception>
    public IReadOnlyList<QuarantinedRange> Repair()
    {
        ThrowIfReadOnly();
        var moved = new List<QuarantinedRange>();
        lock (_maintenanceLock)
        {
            ThrowIfDisposed();
            lock (_appendLock)
            {
                // The active segment changes under appends: when it is damaged, roll so that it is closed too.
                if (ScanForRepair(_segments[^1], long.MaxValue, closed: false).Damage.Count > 0)
                {
                    Roll(_highWatermark);
                }
            }

            // Closed segments never change while the maintenance lock keeps compaction and retention out, so they are
            // scanned and copied without holding up appends; only installing a rewrite takes the append lock.
            Segment[] segments = Volatile.Read(ref _segments);
            for (int i = 0; i < segments.Length - 1; i++)
            {
                long segmentEnd = segments[i + 1].BaseOffset;
                (List<(long Position, int Size)> batches, List<DamagedRegion> damage) = ScanForRepair(segments[i], segmentEnd, closed: true);
                if (damage.Count > 0)
                {
                    RewriteWithoutDamage(segments[i], batches, damage, segmentEnd, moved);
                }
            }

            lock (_knownDamage)
            {
                _knownDamage.Clear();
            }
        }

        return moved;
    }

    /// <summary>Every valid batch and every damaged range of a segment, with a cut-short tail of a closed segment.</summary>
    private (List<(long Position, int Size)> Batches, List<DamagedRegion> Damage) ScanForRepair(Segment segment, long segmentEnd, bool closed)
    {
        var damage = new List<DamagedRegion>();
        var batches = new List<(long Position, int Size)>();
        long scannedNext = SegmentScanner.Scan(
            segment.Handle,
            segment.Size,
            segment.BaseOffset,
            verifyBodies: true,
            (in BatchHeader h, long position, ReadOnlySpan<byte> _) => batches.Add((position, h.TotalSize)),
            damage,
            segmentEnd);
        if (closed && IsMissingTail(damage, scannedNext, segmentEnd))
        {
            damage.Add(MissingTail(segment.Size, scannedNext));
        }

        return (batches, damage);
    }

    private void RewriteWithoutDamage(Segment segment, List<(long Position, int Size)> batches, List<DamagedRegion> damage, long segmentEnd, List<QuarantinedRange> moved)
    {
        string rewrittenPath = segment.LogPath + ".repaired";
        string quarantine = QuarantineFile.PathFor(_directory, segment.BaseOffset);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            using (var output = File.OpenHandle(rewrittenPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            {
                long written = 0;
                int b = 0;
                foreach (DamagedRegion region in damage)
                {
                    for (; b < batches.Count && batches[b].Position < region.Position; b++)
                    {
                        written += Copy(segment, batches[b].Position, batches[b].Size, output, written, ref buffer);
                    }

                    LogDamage range = ToDamage(segment, region, region.ResumeOffset >= 0 ? region.ResumeOffset - 1 : segmentEnd - 1);
                    byte[] bytes = new byte[region.Length];
                    RandomAccess.Read(segment.Handle, bytes, region.Position);
                    long now = NowMs;
                    QuarantineFile.Append(quarantine, new QuarantineEntry(
                        QuarantineKind.Repair, now, region.Position, range.FirstOffset, range.LastOffset, region.HeaderRecordCount, region.Reason, bytes));
                    moved.Add(new QuarantinedRange(range, quarantine, DateTimeOffset.FromUnixTimeMilliseconds(now), ByRepair: true));
                    if (range.HoldsOffsets)
                    {
                        byte[] gap = GapMarker(range.FirstOffset, range.LastOffset, "damaged bytes moved by repair", quarantine, region.Position);
                        RandomAccess.Write(output, gap, written);
                        written += gap.Length;
                    }
                }

                for (; b < batches.Count; b++)
                {
                    written += Copy(segment, batches[b].Position, batches[b].Size, output, written, ref buffer);
                }

                RandomAccess.FlushToDisk(output);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        lock (_appendLock)
        {
            InstallRewrittenSegment(segment, rewrittenPath);
        }
    }

    private byte[] GapMarker(long first, long last, string why, string quarantine, long position) =>
        BatchFormat.EncodeGap(first, last, Encoding.UTF8.GetBytes($"{why}; bytes from position {position} are in {Path.GetFileName(quarantine)}"));

    private static int Copy(Segment segment, long position, int size, Microsoft.Win32.SafeHandles.SafeFileHandle output, long at, ref byte[] buffer)
    {
        if (buffer.Length < size)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(size);
        }

        Span<byte> batch = buffer.AsSpan(0, size);
        RandomAccess.Read(segment.Handle, batch, position);
        RandomAccess.Write(output, batch, at);
        return size;
    }
}
