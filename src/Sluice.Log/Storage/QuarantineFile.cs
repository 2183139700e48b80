using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Sluice.IO;

namespace Sluice.Log.Storage;

/// <summary>
/// The quarantine file beside a segment (<c>{baseOffset:D20}.quarantine</c>): the exact bytes recovery or repair
/// moved out of the segment, with where they were, so nothing the log once held is destroyed and a damaged
/// segment can be reassembled by hand. Format version 1 (little-endian):
/// <code>
/// "SLQF" magic, byte version (1), 3 reserved
/// entries: int32 bodyLength, uint32 CRC32C(body), body:
///   byte kind (1 = torn tail cut by recovery, 2 = damage moved by repair), int64 movedAtMs,
///   int64 position (byte in the segment where the bytes were), int64 firstOffset, int64 lastOffset (inclusive;
///   lastOffset &lt; firstOffset when the bytes held no offset), int32 recordCount (-1 = unknown),
///   uint16 reasonLength, UTF-8 reason, int32 dataLength, data
/// </code>
/// Entries are appended and fsynced before the segment is changed; a torn last entry (crash while appending) is
/// ignored by <see cref="ReadAll"/> and overwritten by the next <see cref="Append"/>. Golden files pin the format.
/// </summary>
internal static class QuarantineFile
{
    public const byte Version = 1;
    private const int HeaderSize = 8;
    private static ReadOnlySpan<byte> Magic => "SLQF"u8;

    public static string PathFor(string directory, long baseOffset) => Path.Combine(directory, $"{baseOffset:D20}.quarantine");

    /// <summary>Appends one entry and fsyncs the file (and, when it was created, its directory).</summary>
    public static void Append(string path, QuarantineEntry entry)
    {
        byte[] reason = Encoding.UTF8.GetBytes(entry.Reason);
        int bodyLength = 1 + 8 + 8 + 8 + 8 + 4 + 2 + reason.Length + 4 + entry.Data.Length;
        byte[] record = new byte[8 + bodyLength];
        Span<byte> b = record.AsSpan(8);
        b[0] = (byte)entry.Kind;
        BinaryPrimitives.WriteInt64LittleEndian(b[1..], entry.MovedAtMs);
        BinaryPrimitives.WriteInt64LittleEndian(b[9..], entry.Position);
        BinaryPrimitives.WriteInt64LittleEndian(b[17..], entry.FirstOffset);
        BinaryPrimitives.WriteInt64LittleEndian(b[25..], entry.LastOffset);
        BinaryPrimitives.WriteInt32LittleEndian(b[33..], entry.RecordCount);
        BinaryPrimitives.WriteUInt16LittleEndian(b[37..], checked((ushort)reason.Length));
        reason.CopyTo(b[39..]);
        int p = 39 + reason.Length;
        BinaryPrimitives.WriteInt32LittleEndian(b[p..], entry.Data.Length);
        entry.Data.Span.CopyTo(b[(p + 4)..]);
        BinaryPrimitives.WriteInt32LittleEndian(record, bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Crc32C.Compute(0, b));

        bool created = !File.Exists(path);
        long end = created ? 0 : EndOfWholeEntries(File.ReadAllBytes(path), path);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (end < HeaderSize)
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            header.Clear();
            Magic.CopyTo(header);
            header[4] = Version;
            RandomAccess.Write(handle, header, 0);
            end = HeaderSize;
        }

        // After the last whole entry: an entry torn by a crash is overwritten, so it never hides the ones after it.
        RandomAccess.Write(handle, record, end);
        RandomAccess.SetLength(handle, end + record.Length);
        RandomAccess.FlushToDisk(handle);
        if (created)
        {
            AtomicFile.SyncDirectory(Path.GetDirectoryName(path)!);
        }
    }

    /// <summary>Reads every whole entry. Throws <see cref="LogCorruptionException"/> for a file of another format.</summary>
    public static List<QuarantineEntry> ReadAll(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        var entries = new List<QuarantineEntry>();
        int position = HeaderSize;
        long end = EndOfWholeEntries(data, path);
        while (position < end)
        {
            int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(position));
            ReadOnlySpan<byte> b = data.AsSpan(position + 8, bodyLength);
            int reasonLength = BinaryPrimitives.ReadUInt16LittleEndian(b[37..]);
            int p = 39 + reasonLength;
            int dataLength = BinaryPrimitives.ReadInt32LittleEndian(b[p..]);
            entries.Add(new QuarantineEntry(
                (QuarantineKind)b[0],
                BinaryPrimitives.ReadInt64LittleEndian(b[1..]),
                BinaryPrimitives.ReadInt64LittleEndian(b[9..]),
                BinaryPrimitives.ReadInt64LittleEndian(b[17..]),
                BinaryPrimitives.ReadInt64LittleEndian(b[25..]),
                BinaryPrimitives.ReadInt32LittleEndian(b[33..]),
                Encoding.UTF8.GetString(b.Slice(39, reasonLength)),
                b.Slice(p + 4, dataLength).ToArray()));
            position += 8 + bodyLength;
        }

        return entries;
    }

    /// <summary>The byte after the last whole, CRC-valid entry (0 for an empty file). Throws for another format.</summary>
    private static long EndOfWholeEntries(byte[] data, string path)
    {
        if (data.Length == 0)
        {
            return 0;
        }

        if (data.Length < HeaderSize || !data.AsSpan(0, 4).SequenceEqual(Magic) || data[4] != Version)
        {
            throw new LogCorruptionException($"Quarantine file '{path}' has an unknown header (expected SLQF version {Version}).");
        }

        int position = HeaderSize;
        while (position + 8 <= data.Length)
        {
            int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(position));
            if (bodyLength < 43 || position + 8L + bodyLength > data.Length
                || Crc32C.Compute(0, data.AsSpan(position + 8, bodyLength)) != BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(position + 4)))
            {
                break;
            }

            position += 8 + bodyLength;
        }

        return position;
    }
}

/// <summary>Why bytes were moved to quarantine.</summary>
internal enum QuarantineKind : byte
{
    /// <summary>Recovery cut a torn tail of the active segment after an unclean shutdown.</summary>
    TornTail = 1,

    /// <summary><see cref="PartitionLog.Repair"/> moved a damaged range out of a segment.</summary>
    Repair = 2,
}

/// <summary>One quarantined byte range (see <see cref="QuarantineFile"/>).</summary>
internal sealed record QuarantineEntry(
    QuarantineKind Kind, long MovedAtMs, long Position, long FirstOffset, long LastOffset, int RecordCount, string Reason, ReadOnlyMemory<byte> Data);
