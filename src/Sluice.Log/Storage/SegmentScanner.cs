using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Log.Storage;

/// <summary>Called for each whole, valid batch found by <see cref="SegmentScanner"/>.</summary>
internal delegate void BatchVisitor(in BatchHeader header, long position, ReadOnlySpan<byte> batch);

/// <summary>
/// A byte range of a segment file that holds no valid batch: a torn write, flipped bits, zeroed pages or foreign
/// bytes. Positions are file bytes; offsets are the partition offsets the range may have held.
/// </summary>
/// <param name="Position">First damaged byte.</param>
/// <param name="EndPosition">Byte after the range: the start of the next valid batch, or the file length.</param>
/// <param name="FirstOffset">The first offset the range may hold (the offset after the last valid batch before it).</param>
/// <param name="ResumeOffset">Base offset of the valid batch at <paramref name="EndPosition"/>; -1 when no valid batch follows.</param>
/// <param name="HeaderLastOffset">Last offset named by the range's first batch header when that header passed its own
/// CRC (only the body is damaged); -1 otherwise.</param>
/// <param name="HeaderRecordCount">Record count named by that header; -1 when the header is damaged.</param>
/// <param name="Reason">What is wrong at <paramref name="Position"/>, as a phrase.</param>
/// <param name="IncompleteWrite">The region is what an append cut short leaves: at the end of the file, a batch header
/// that the file ends inside, or a valid header whose batch runs past the end. A complete batch that fails its CRC is
/// not (that is damage after the write).</param>
internal readonly record struct DamagedRegion(
    long Position, long EndPosition, long FirstOffset, long ResumeOffset, long HeaderLastOffset, int HeaderRecordCount, string Reason, bool IncompleteWrite)
{
    public long Length => EndPosition - Position;
}

/// <summary>
/// Walks the batches of a segment file from the start. A batch that is torn, fails a CRC, breaks offset order or runs
/// past the end of the file starts a <see cref="DamagedRegion"/>; the scan then resynchronises at the next position
/// where a whole, valid batch with a later offset starts, so every intact batch after damage is still found.
/// Used by recovery, repair, index rebuilds and reads that meet damage. Nothing is modified.
/// </summary>
internal static class SegmentScanner
{
    private const int ChunkBytes = 1024 * 1024;

    /// <summary>
    /// Scans <paramref name="handle"/> up to <paramref name="fileLength"/>, calling <paramref name="visitor"/> for each
    /// valid batch in file order and adding each damaged range to <paramref name="damage"/>. When
    /// <paramref name="verifyBodies"/> is false only headers are checked (fast; for files already verified) and the
    /// visitor gets an empty batch span. Returns the offset after the last valid batch (<paramref name="firstOffset"/>
    /// when there is none).
    /// </summary>
    /// <param name="handle">The segment file.</param>
    /// <param name="fileLength">Bytes to scan.</param>
    /// <param name="firstOffset">The segment's base offset.</param>
    /// <param name="verifyBodies">Check body CRCs too.</param>
    /// <param name="visitor">Called per valid batch; null for none.</param>
    /// <param name="damage">Receives the damaged ranges; null to ignore them.</param>
    /// <param name="offsetLimit">Offsets this segment may hold are below it (the next segment's base offset for a
    /// closed segment); a batch reaching it is damage. Never more than 2^31 offsets past <paramref name="firstOffset"/>.</param>
    public static long Scan(
        SafeFileHandle handle, long fileLength, long firstOffset, bool verifyBodies, BatchVisitor? visitor, List<DamagedRegion>? damage, long offsetLimit = long.MaxValue)
    {
        offsetLimit = Limit(firstOffset, offsetLimit);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long position = 0;
            long expectedNext = firstOffset;
            while (position < fileLength)
            {
                string? problem = CheckBatchAt(handle, fileLength, position, expectedNext, offsetLimit, verifyBodies, ref buffer, out BatchHeader header, out bool headerValid);
                if (problem is null)
                {
                    visitor?.Invoke(header, position, verifyBodies ? buffer.AsSpan(0, header.TotalSize) : default);
                    expectedNext = header.LastOffset + 1;
                    position += header.TotalSize;
                    continue;
                }

                DamagedRegion region = Resynchronise(handle, fileLength, position, expectedNext, offsetLimit, verifyBodies, problem, headerValid ? header : null, ref buffer);
                damage?.Add(region);
                if (region.ResumeOffset < 0)
                {
                    break;
                }

                position = region.EndPosition;
            }

            return expectedNext;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Describes the damage that starts at <paramref name="position"/> (where a reader found a bad batch), resynchronising
    /// like <see cref="Scan"/>.
    /// </summary>
    public static DamagedRegion DescribeAt(SafeFileHandle handle, long fileLength, long position, long expectedNext, long segmentBase, long offsetLimit)
    {
        offsetLimit = Limit(segmentBase, offsetLimit);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            string problem = CheckBatchAt(handle, fileLength, position, expectedNext, offsetLimit, verifyBodies: true, ref buffer, out BatchHeader header, out bool headerValid)
                ?? "batch failed its check when it was read and passed it when it was read again";
            return Resynchronise(handle, fileLength, position, expectedNext, offsetLimit, verifyBodies: true, problem, headerValid ? header : null, ref buffer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The damaged region starting at <paramref name="position"/>: up to the next valid batch, or to the end of the file.</summary>
    private static DamagedRegion Resynchronise(
        SafeFileHandle handle, long fileLength, long position, long expectedNext, long offsetLimit, bool verifyBodies, string problem, BatchHeader? damagedHeader, ref byte[] buffer)
    {
        long resume = FindNextValidBatch(handle, fileLength, position, expectedNext, offsetLimit, verifyBodies, damagedHeader, ref buffer, out BatchHeader next);
        bool incomplete = resume < 0
            && (damagedHeader is { } h ? position + h.TotalSize > fileLength : fileLength - position < BatchFormat.HeaderSize);
        return new DamagedRegion(
            position,
            resume < 0 ? fileLength : resume,
            expectedNext,
            resume < 0 ? -1 : next.BaseOffset,
            damagedHeader?.LastOffset ?? -1,
            damagedHeader?.RecordCount ?? -1,
            problem,
            incomplete);
    }

    private static long Limit(long segmentBase, long offsetLimit) => Math.Min(offsetLimit, segmentBase + int.MaxValue);

    /// <summary>Null when a whole valid batch with base offset ≥ <paramref name="expectedNext"/> starts at
    /// <paramref name="position"/> (its bytes are then at the start of <paramref name="buffer"/> when bodies are
    /// verified); otherwise what is wrong.</summary>
    private static string? CheckBatchAt(
        SafeFileHandle handle, long fileLength, long position, long expectedNext, long offsetLimit, bool verifyBodies, ref byte[] buffer, out BatchHeader header, out bool headerValid)
    {
        header = default;
        headerValid = false;
        if (fileLength - position < BatchFormat.HeaderSize)
        {
            return "the file ends inside a batch header";
        }

        Span<byte> headerBytes = buffer.AsSpan(0, BatchFormat.HeaderSize);
        if (RandomAccess.Read(handle, headerBytes, position) != BatchFormat.HeaderSize || !BatchFormat.TryReadHeader(headerBytes, out header))
        {
            return "the batch header is damaged";
        }

        headerValid = true;
        if (header.BaseOffset < expectedNext)
        {
            return $"the batch's base offset {header.BaseOffset} repeats an earlier offset (expected {expectedNext} or later)";
        }

        if (header.LastOffset >= offsetLimit)
        {
            return $"the batch's last offset {header.LastOffset} is past the offsets this segment may hold (below {offsetLimit})";
        }

        if (position + header.TotalSize > fileLength)
        {
            return $"the batch of {header.TotalSize} bytes runs past the end of the file (torn write)";
        }

        if (!verifyBodies)
        {
            return null;
        }

        if (buffer.Length < header.TotalSize)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(header.TotalSize);
        }

        Span<byte> whole = buffer.AsSpan(0, header.TotalSize);
        if (RandomAccess.Read(handle, whole, position) != header.TotalSize || !BatchFormat.BodyIsValid(whole, header))
        {
            return "the batch fails its checksum";
        }

        return null;
    }

    /// <summary>Returns the position of the first whole valid batch after <paramref name="damagedAt"/> whose base offset
    /// is ≥ <paramref name="expectedNext"/>, or -1. Tries the position the damaged batch's own (valid) header names
    /// first, then every later position holding the batch magic and version.</summary>
    private static long FindNextValidBatch(
        SafeFileHandle handle, long fileLength, long damagedAt, long expectedNext, long offsetLimit, bool verifyBodies, BatchHeader? damagedHeader, ref byte[] buffer, out BatchHeader found)
    {
        found = default;
        if (damagedHeader is { } h && damagedAt + h.TotalSize < fileLength
            && CheckBatchAt(handle, fileLength, damagedAt + h.TotalSize, expectedNext, offsetLimit, verifyBodies, ref buffer, out found, out _) is null)
        {
            return damagedAt + h.TotalSize;
        }

        byte[] window = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long start = damagedAt + 1;
            while (start + BatchFormat.HeaderSize <= fileLength)
            {
                int read = RandomAccess.Read(handle, window.AsSpan(0, (int)Math.Min(window.Length, fileLength - start)), start);
                if (read < BatchFormat.HeaderSize)
                {
                    return -1;
                }

                // A candidate needs the magic and version at bytes 12 and 13 of its header.
                int last = read - BatchFormat.HeaderSize;
                for (int i = 0; i <= last; i++)
                {
                    int m = window.AsSpan(i + BatchFormat.OffsetMagic, last - i + 1).IndexOf(BatchFormat.Magic);
                    if (m < 0)
                    {
                        break;
                    }

                    i += m;
                    if (window[i + BatchFormat.OffsetVersion] == BatchFormat.Version
                        && BatchFormat.TryReadHeader(window.AsSpan(i, BatchFormat.HeaderSize), out _)
                        && CheckBatchAt(handle, fileLength, start + i, expectedNext, offsetLimit, verifyBodies, ref buffer, out found, out _) is null)
                    {
                        return start + i;
                    }
                }

                start += last + 1;
            }

            return -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }
}
