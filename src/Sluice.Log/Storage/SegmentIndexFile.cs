using System.Buffers.Binary;
using Sluice.IO;

namespace Sluice.Log.Storage;

/// <summary>
/// Persists a closed segment's sparse offset index and time index (<c>{baseOffset:D20}.index</c>), format version 1:
/// <code>
/// "SLIX" magic, byte version, 3 reserved, int64 baseOffset, int64 segmentSize, int64 nextOffset, int64 maxTimestamp,
/// int32 flags (bit0 = has transactional batches), int32 offsetEntries, int32 timeEntries,
/// offsetEntries × (int32 relativeOffset, int32 position), timeEntries × (int64 maxTimestampSoFar, int64 offset),
/// uint32 CRC32C of everything before it
/// </code>
/// An index file that is missing, damaged, or describes a different file size is ignored and rebuilt by a scan.
/// </summary>
internal static class SegmentIndexFile
{
    public const byte Version = 1;
    private static ReadOnlySpan<byte> Magic => "SLIX"u8;
    private const int FixedSize = 4 + 4 + 8 + 8 + 8 + 8 + 4 + 4 + 4;

    public static void Write(Segment segment)
    {
        SegmentIndexSnapshot ix = segment.SnapshotIndex();
        int length = FixedSize + (ix.RelativeOffsets.Length * 8) + (ix.Timestamps.Length * 16) + 4;
        byte[] buffer = new byte[length];
        Span<byte> b = buffer;
        Magic.CopyTo(b);
        b[4] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(b[8..], segment.BaseOffset);
        BinaryPrimitives.WriteInt64LittleEndian(b[16..], segment.Size);
        BinaryPrimitives.WriteInt64LittleEndian(b[24..], segment.NextOffset);
        BinaryPrimitives.WriteInt64LittleEndian(b[32..], segment.MaxTimestamp);
        BinaryPrimitives.WriteInt32LittleEndian(b[40..], segment.HasTransactionalBatches ? 1 : 0);
        BinaryPrimitives.WriteInt32LittleEndian(b[44..], ix.RelativeOffsets.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b[48..], ix.Timestamps.Length);
        int p = FixedSize;
        for (int i = 0; i < ix.RelativeOffsets.Length; i++, p += 8)
        {
            BinaryPrimitives.WriteInt32LittleEndian(b[p..], ix.RelativeOffsets[i]);
            BinaryPrimitives.WriteInt32LittleEndian(b[(p + 4)..], ix.Positions[i]);
        }

        for (int i = 0; i < ix.Timestamps.Length; i++, p += 16)
        {
            BinaryPrimitives.WriteInt64LittleEndian(b[p..], ix.Timestamps[i]);
            BinaryPrimitives.WriteInt64LittleEndian(b[(p + 8)..], ix.TimeOffsets[i]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(b[p..], Crc32C.Compute(0, b[..p]));
        AtomicFile.Write(segment.IndexPath, buffer);
    }

    /// <summary>The next offset an intact index file of <paramref name="segment"/> recorded, whatever file size it
    /// describes (evidence of the segment's end when its tail is damaged); null when there is no intact index.</summary>
    public static long? TryReadNextOffset(Segment segment)
    {
        byte[]? data = ReadValid(segment);
        return data is null ? null : BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(24));
    }

    /// <summary>Loads the index into <paramref name="segment"/> when it is valid for a file of <paramref name="fileSize"/> bytes.</summary>
    public static bool TryLoad(Segment segment, long fileSize)
    {
        byte[]? data = ReadValid(segment);
        if (data is null || BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(16)) != fileSize)
        {
            return false;
        }

        ReadOnlySpan<byte> b = data;
        int offsetEntries = BinaryPrimitives.ReadInt32LittleEndian(b[44..]);
        int timeEntries = BinaryPrimitives.ReadInt32LittleEndian(b[48..]);

        var rel = new int[offsetEntries];
        var pos = new int[offsetEntries];
        var ts = new long[timeEntries];
        var offs = new long[timeEntries];
        int p = FixedSize;
        for (int i = 0; i < offsetEntries; i++, p += 8)
        {
            rel[i] = BinaryPrimitives.ReadInt32LittleEndian(b[p..]);
            pos[i] = BinaryPrimitives.ReadInt32LittleEndian(b[(p + 4)..]);
        }

        for (int i = 0; i < timeEntries; i++, p += 16)
        {
            ts[i] = BinaryPrimitives.ReadInt64LittleEndian(b[p..]);
            offs[i] = BinaryPrimitives.ReadInt64LittleEndian(b[(p + 8)..]);
        }

        segment.LoadIndex(
            new SegmentIndexSnapshot(rel, pos, ts, offs),
            fileSize,
            BinaryPrimitives.ReadInt64LittleEndian(b[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[32..]),
            (BinaryPrimitives.ReadInt32LittleEndian(b[40..]) & 1) != 0);
        return true;
    }

    /// <summary>The index file's bytes when it exists, is of this format, passes its CRC and names the segment's base offset.</summary>
    private static byte[]? ReadValid(Segment segment)
    {
        byte[] data;
        try
        {
            if (!File.Exists(segment.IndexPath))
            {
                return null;
            }

            data = File.ReadAllBytes(segment.IndexPath);
        }
        catch (IOException)
        {
            return null;
        }

        ReadOnlySpan<byte> b = data;
        if (b.Length < FixedSize + 4 || !b[..4].SequenceEqual(Magic) || b[4] != Version)
        {
            return null;
        }

        int offsetEntries = BinaryPrimitives.ReadInt32LittleEndian(b[44..]);
        int timeEntries = BinaryPrimitives.ReadInt32LittleEndian(b[48..]);
        long expected = FixedSize + (offsetEntries * 8L) + (timeEntries * 16L) + 4;
        if (offsetEntries < 0 || timeEntries < 0 || expected != b.Length)
        {
            return null;
        }

        int end = b.Length - 4;
        return Crc32C.Compute(0, b[..end]) == BinaryPrimitives.ReadUInt32LittleEndian(b[end..])
            && BinaryPrimitives.ReadInt64LittleEndian(b[8..]) == segment.BaseOffset
            ? data
            : null;
    }
}
