using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Sluice.IO;
using Sluice.Log.Storage;

namespace Sluice.Log.Transactions;

/// <summary>Kinds of transaction-log records.</summary>
internal enum TxnRecordType : byte
{
    Epoch = 1,
    Prepare = 2,
    Commit = 3,
    Abort = 4,
    Complete = 5,
    History = 6,
    ProducerIdFloor = 7,
}

/// <summary>A group offset carried by a transaction.</summary>
internal readonly record struct GroupOffset(string Group, string Topic, int Partition, long Offset);

/// <summary>One decoded transaction-log record (fields unused by a type are default).</summary>
internal sealed record TxnRecord(
    TxnRecordType Type,
    long ProducerId = -1,
    string TransactionalId = "",
    short Epoch = 0,
    long Sequence = 0,
    IReadOnlyList<TopicPartition>? Partitions = null,
    IReadOnlyList<GroupOffset>? Offsets = null,
    IReadOnlyList<long>? CommittedSequences = null);

/// <summary>
/// The transaction log (<c>transactions/transactions.log</c>), format version 1: header "SLTX" magic, byte version,
/// 3 reserved; then records <c>int32 payloadLength, uint32 CRC32C(payload), payload</c> where payload starts with a
/// <see cref="TxnRecordType"/> byte. A durable Commit record is the commit point of a transaction. Reading stops at
/// the first torn or corrupt record and the tail is truncated. Not thread-safe (the coordinator serialises access).
/// </summary>
internal sealed class TransactionLogFile : IDisposable
{
    public const byte Version = 1;
    private const int HeaderSize = 8;
    private static ReadOnlySpan<byte> Magic => "SLTX"u8;
    private readonly SafeFileHandle _handle;
    private long _length;

    private TransactionLogFile(string path, SafeFileHandle handle, long length)
    {
        Path = path;
        _handle = handle;
        _length = length;
    }

    public string Path { get; }

    public long Length => _length;

    /// <summary>Opens (creating if needed) and reads all valid records. After an unclean shutdown, a damaged tail with no
    /// intact record after it (an append a crash cut short) is copied to <c>transactions.log.torn-{position}</c>
    /// (fsynced) and cut; any other damage (intact records after it, or a clean last close) throws
    /// <see cref="LogCorruptionException"/> and changes nothing. Read-only: a missing file
    /// reads as empty and nothing is written (appends then fail).</summary>
    public static TransactionLogFile Open(string path, bool readOnly, bool cleanShutdown, out List<TxnRecord> records)
    {
        records = [];
        if (readOnly && !File.Exists(path))
        {
            return new TransactionLogFile(path, new SafeFileHandle(IntPtr.Zero, ownsHandle: false), HeaderSize);
        }

        var handle = File.OpenHandle(path, readOnly ? FileMode.Open : FileMode.OpenOrCreate, readOnly ? FileAccess.Read : FileAccess.ReadWrite, FileShare.ReadWrite);
        long length = RandomAccess.GetLength(handle);
        if (readOnly && length < HeaderSize)
        {
            return new TransactionLogFile(path, handle, length);
        }

        if (length < HeaderSize)
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            header.Clear();
            Magic.CopyTo(header);
            header[4] = Version;
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, header, 0);
            RandomAccess.FlushToDisk(handle);
            return new TransactionLogFile(path, handle, HeaderSize);
        }

        byte[] data = new byte[length];
        RandomAccess.Read(handle, data, 0);
        if (!data.AsSpan(0, 4).SequenceEqual(Magic) || data[4] != Version)
        {
            handle.Dispose();
            throw new LogCorruptionException($"Transaction log '{path}' has an unknown header (expected SLTX version {Version}).");
        }

        long position = HeaderSize;
        while (IsRecordAt(data, position, out int payloadLength))
        {
            records.Add(Decode(data.AsSpan((int)position + 8, payloadLength).ToArray()));
            position += 8 + payloadLength;
        }

        if (position < length)
        {
            if (cleanShutdown)
            {
                handle.Dispose();
                throw new LogCorruptionException(
                    $"Transaction log '{path}' is damaged at byte {position} although the log was closed cleanly (its last record may be a commit decision); nothing was changed. "
                    + "Restore the file from a backup, or move it aside to start an empty one (prepared transactions it lists are then lost).");
            }

            for (long later = position + 1; later + 8 <= length; later++)
            {
                // Candidates are bounded to 1 MiB payloads so a scan of a large damaged file stays cheap.
                if (IsRecordAt(data, later, out _, maxPayload: 1 << 20))
                {
                    // Damage in the middle: the records after it hold commit decisions; cutting would lose them.
                    handle.Dispose();
                    throw new LogCorruptionException(
                        $"Transaction log '{path}' is damaged at byte {position} and holds intact records after it (from byte {later}); nothing was changed. "
                        + "Restore the file from a backup, or move it aside to start an empty one (prepared transactions it lists are then lost).");
                }
            }

            if (!readOnly)
            {
                // A record whose append never completed (crash): keep its bytes beside the log, then cut it.
                AtomicFile.Write(string.Create(CultureInfo.InvariantCulture, $"{path}.torn-{position}"), data.AsSpan((int)position));
                RandomAccess.SetLength(handle, position);
                RandomAccess.FlushToDisk(handle);
            }
        }

        return new TransactionLogFile(path, handle, position);
    }

    /// <summary>True when a whole record (length, CRC, payload) that passes its CRC starts at <paramref name="position"/>.</summary>
    private static bool IsRecordAt(byte[] data, long position, out int payloadLength, int maxPayload = int.MaxValue)
    {
        payloadLength = 0;
        if (position + 8 > data.Length)
        {
            return false;
        }

        payloadLength = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan((int)position));
        return payloadLength >= 1 && payloadLength <= maxPayload && position + 8 + payloadLength <= data.Length
            && Crc32C.Compute(0, data.AsSpan((int)position + 8, payloadLength)) == BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)position + 4));
    }

    /// <summary>Appends records in one write; fsyncs when <paramref name="durable"/>.</summary>
    public void Append(IReadOnlyList<TxnRecord> records, bool durable)
    {
        byte[] bytes = EncodeAll(records, includeHeader: false);
        RandomAccess.Write(_handle, bytes, _length);
        _length += bytes.Length;
        if (durable)
        {
            RandomAccess.FlushToDisk(_handle);
        }
    }

    /// <summary>Encodes a complete file (header + records), e.g. to compact the log with <see cref="Sluice.IO.AtomicFile"/>.</summary>
    public static byte[] EncodeAll(IReadOnlyList<TxnRecord> records, bool includeHeader)
    {
        using var stream = new MemoryStream();
        if (includeHeader)
        {
            stream.Write(Magic);
            stream.Write([Version, 0, 0, 0]);
        }

        Span<byte> prefix = stackalloc byte[8];
        foreach (TxnRecord record in records)
        {
            byte[] payload = Encode(record);
            BinaryPrimitives.WriteInt32LittleEndian(prefix, payload.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(prefix[4..], Crc32C.Compute(0, payload));
            stream.Write(prefix);
            stream.Write(payload);
        }

        return stream.ToArray();
    }

    private static byte[] Encode(TxnRecord r)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream, Encoding.UTF8);
        w.Write((byte)r.Type);
        w.Write(r.ProducerId);
        WriteString(w, r.TransactionalId);
        w.Write(r.Epoch);
        w.Write(r.Sequence);
        var partitions = r.Partitions ?? [];
        w.Write(partitions.Count);
        foreach (TopicPartition tp in partitions)
        {
            WriteString(w, tp.Topic);
            w.Write(tp.Partition);
        }

        var offsets = r.Offsets ?? [];
        w.Write(offsets.Count);
        foreach (GroupOffset o in offsets)
        {
            WriteString(w, o.Group);
            WriteString(w, o.Topic);
            w.Write(o.Partition);
            w.Write(o.Offset);
        }

        var sequences = r.CommittedSequences ?? [];
        w.Write(sequences.Count);
        foreach (long s in sequences)
        {
            w.Write(s);
        }

        w.Flush();
        return stream.ToArray();
    }

    private static TxnRecord Decode(byte[] payload)
    {
        using var rd = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        var type = (TxnRecordType)rd.ReadByte();
        long producerId = rd.ReadInt64();
        string tid = ReadString(rd);
        short epoch = rd.ReadInt16();
        long sequence = rd.ReadInt64();
        var partitions = new TopicPartition[rd.ReadInt32()];
        for (int i = 0; i < partitions.Length; i++)
        {
            partitions[i] = new TopicPartition(ReadString(rd), rd.ReadInt32());
        }

        var offsets = new GroupOffset[rd.ReadInt32()];
        for (int i = 0; i < offsets.Length; i++)
        {
            offsets[i] = new GroupOffset(ReadString(rd), ReadString(rd), rd.ReadInt32(), rd.ReadInt64());
        }

        var sequences = new long[rd.ReadInt32()];
        for (int i = 0; i < sequences.Length; i++)
        {
            sequences[i] = rd.ReadInt64();
        }

        return new TxnRecord(type, producerId, tid, epoch, sequence, partitions, offsets, sequences);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        w.Write(checked((short)bytes.Length));
        w.Write(bytes);
    }

    private static string ReadString(BinaryReader r) => Encoding.UTF8.GetString(r.ReadBytes(r.ReadInt16()));

    public void Dispose() => _handle.Dispose();
}
