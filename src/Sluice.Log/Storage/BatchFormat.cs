using System.Buffers.Binary;
using System.Numerics;

namespace Sluice.Log.Storage;

/// <summary>
/// On-disk layout of a record batch (format version 1). All integers are little-endian.
/// <code>
/// 0  int64  baseOffset        8  int32 batchLength (bytes after this field)
/// 12 byte   magic (0x5B)      13 byte  version (1)        14 int16 attributes
/// 16 uint32 headerCrc  CRC32C of bytes [0,16) and [20,60)
/// 20 uint32 bodyCrc    CRC32C of bytes [60,end)
/// 24 int32  lastOffsetDelta  28 int32 recordCount
/// 32 int64  firstTimestamp   40 int64 maxTimestamp   (Unix ms)
/// 48 int64  producerId (-1 = none)   56 int16 producerEpoch   58 int16 reserved
/// 60 records: int32 length (bytes after), int32 offsetDelta, int64 timestamp, int32 keyLength (-1 = null), key,
///    int32 valueLength (-1 = null), value, int16 headerCount, per header: int16 keyLength, UTF-8 key,
///    int32 valueLength (-1 = null), value
/// </code>
/// The header CRC covers the base offset so a flipped offset bit is detected, and is cheap to compute under the
/// append lock; the body CRC is computed by the producer outside the lock.
/// </summary>
internal static class BatchFormat
{
    public const byte Magic = 0x5B;
    public const byte Version = 1;
    public const int HeaderSize = 60;
    public const int LengthFieldEnd = 12;
    public const int RecordOverhead = 4 + 4 + 8 + 4 + 4 + 2;
    public const short AttributeTransactional = 1;
    public const short AttributeControl = 2;

    /// <summary>With <see cref="AttributeControl"/>: a gap marker written by recovery or repair in place of damaged
    /// bytes. It covers the offsets those bytes may have held, so they are never assigned again; readers skip it.</summary>
    public const short AttributeGap = 8;
    public const int MaxBatchBytes = 64 * 1024 * 1024;

    public const int OffsetBaseOffset = 0;
    public const int OffsetBatchLength = 8;
    public const int OffsetMagic = 12;
    public const int OffsetVersion = 13;
    public const int OffsetAttributes = 14;
    public const int OffsetHeaderCrc = 16;
    public const int OffsetBodyCrc = 20;
    public const int OffsetLastOffsetDelta = 24;
    public const int OffsetRecordCount = 28;
    public const int OffsetFirstTimestamp = 32;
    public const int OffsetMaxTimestamp = 40;
    public const int OffsetProducerId = 48;
    public const int OffsetProducerEpoch = 56;

    public static uint ComputeHeaderCrc(ReadOnlySpan<byte> batch)
    {
        uint crc = Crc32C.Compute(0, batch[..OffsetHeaderCrc]);
        return Crc32C.Compute(crc, batch[OffsetBodyCrc..HeaderSize]);
    }

    /// <summary>Stamps the base offset and header CRC; the body CRC must already be in place.</summary>
    public static void Seal(Span<byte> batch, long baseOffset)
    {
        BinaryPrimitives.WriteInt64LittleEndian(batch, baseOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(batch[OffsetHeaderCrc..], ComputeHeaderCrc(batch));
    }

    /// <summary>Reads a batch header; returns false when the 60 bytes are not a well-formed, CRC-valid header.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out BatchHeader result)
    {
        result = default;
        if (header.Length < HeaderSize || header[OffsetMagic] != Magic || header[OffsetVersion] != Version)
        {
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header[OffsetHeaderCrc..]) != ComputeHeaderCrc(header))
        {
            return false;
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(header[OffsetBatchLength..]);
        int lastDelta = BinaryPrimitives.ReadInt32LittleEndian(header[OffsetLastOffsetDelta..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(header[OffsetRecordCount..]);
        if (length < HeaderSize - LengthFieldEnd || length > MaxBatchBytes || lastDelta < 0 || count < 1 || count > lastDelta + 1)
        {
            return false;
        }

        result = new BatchHeader(
            BinaryPrimitives.ReadInt64LittleEndian(header),
            length + LengthFieldEnd,
            BinaryPrimitives.ReadInt16LittleEndian(header[OffsetAttributes..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[OffsetBodyCrc..]),
            lastDelta,
            count,
            BinaryPrimitives.ReadInt64LittleEndian(header[OffsetFirstTimestamp..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[OffsetMaxTimestamp..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[OffsetProducerId..]),
            BinaryPrimitives.ReadInt16LittleEndian(header[OffsetProducerEpoch..]));
        return true;
    }

    /// <summary>
    /// Encodes gap markers covering offsets <paramref name="firstOffset"/>..<paramref name="lastOffset"/> (inclusive):
    /// control batches (<see cref="AttributeGap"/>) of one record each, placed at the last offset they cover, whose value
    /// is <paramref name="note"/> (why the offsets are missing). More than one batch only for gaps over 2^30 offsets.
    /// The timestamp is -1 so a marker never moves a segment's time index or retention.
    /// </summary>
    public static byte[] EncodeGap(long firstOffset, long lastOffset, ReadOnlySpan<byte> note)
    {
        const long MaxSpan = 1L << 30;
        byte[] tail = new byte[4 + 4 + note.Length + 2];
        BinaryPrimitives.WriteInt32LittleEndian(tail, -1);
        BinaryPrimitives.WriteInt32LittleEndian(tail.AsSpan(4), note.Length);
        note.CopyTo(tail.AsSpan(8));
        using var output = new MemoryStream();
        using var builder = new RecordBatchBuilder(256 + note.Length);
        for (long first = firstOffset; first <= lastOffset; first += MaxSpan)
        {
            long last = Math.Min(lastOffset, first + MaxSpan - 1);
            builder.Clear();
            builder.AddAt((int)(last - first), tail, -1);
            Span<byte> batch = builder.Build(AttributeControl | AttributeGap, -1, -1);
            Seal(batch, first);
            output.Write(batch);
        }

        return output.ToArray();
    }

    /// <summary>True when the body of a whole batch matches its body CRC.</summary>
    public static bool BodyIsValid(ReadOnlySpan<byte> batch, in BatchHeader header) =>
        Crc32C.Compute(0, batch[HeaderSize..header.TotalSize]) == header.BodyCrc;
}

/// <summary>Decoded batch header fields.</summary>
internal readonly record struct BatchHeader(
    long BaseOffset,
    int TotalSize,
    short Attributes,
    uint BodyCrc,
    int LastOffsetDelta,
    int RecordCount,
    long FirstTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch)
{
    public long LastOffset => BaseOffset + LastOffsetDelta;

    public bool IsTransactional => (Attributes & BatchFormat.AttributeTransactional) != 0;

    public bool IsControl => (Attributes & BatchFormat.AttributeControl) != 0;

    public bool IsGap => (Attributes & BatchFormat.AttributeGap) != 0;
}

/// <summary>CRC32C (Castagnoli) over spans using the hardware-accelerated <see cref="BitOperations.Crc32C(uint, ulong)"/>.</summary>
internal static class Crc32C
{
    public static uint Compute(uint seed, ReadOnlySpan<byte> data)
    {
        uint crc = ~seed;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
