using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Log.Storage;

/// <summary>Called for each whole, valid batch found by <see cref="SegmentScanner"/>.</summary>
internal delegate void BatchVisitor(in BatchHeader header, long position, ReadOnlySpan<byte> batch);

/// <summary>
/// Walks the batches of a segment file from the start, stopping at the first batch that is torn, fails its CRC,
/// or breaks offset order. Used by recovery (full CRC check of the tail segment) and index rebuilds.
/// </summary>
internal static class SegmentScanner
{
    /// <summary>
    /// Scans <paramref name="handle"/> and returns the byte length of the valid prefix. When
    /// <paramref name="verifyBodies"/> is false only headers are read and checked (fast; for index rebuilds),
    /// and the visitor gets an empty batch span.
    /// </summary>
    public static long Scan(SafeFileHandle handle, long fileLength, long firstOffset, bool verifyBodies, BatchVisitor? visitor)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            long position = 0;
            long expectedNext = firstOffset;
            Span<byte> headerBytes = stackalloc byte[BatchFormat.HeaderSize];
            while (position + BatchFormat.HeaderSize <= fileLength)
            {
                if (RandomAccess.Read(handle, headerBytes, position) != BatchFormat.HeaderSize
                    || !BatchFormat.TryReadHeader(headerBytes, out BatchHeader header)
                    || header.BaseOffset < expectedNext
                    || position + header.TotalSize > fileLength)
                {
                    break;
                }

                ReadOnlySpan<byte> batch = default;
                if (verifyBodies)
                {
                    if (buffer.Length < header.TotalSize)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(header.TotalSize);
                    }

                    Span<byte> whole = buffer.AsSpan(0, header.TotalSize);
                    if (RandomAccess.Read(handle, whole, position) != header.TotalSize || !BatchFormat.BodyIsValid(whole, header))
                    {
                        break;
                    }

                    batch = whole;
                }

                visitor?.Invoke(header, position, batch);
                expectedNext = header.LastOffset + 1;
                position += header.TotalSize;
            }

            return position;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
