using System.Buffers.Binary;
using System.Text;

namespace Sluice.Server.Ingest;

/// <summary>
/// The record header that makes an idempotent request's append its own proof: the first record a request appends to
/// each partition carries <see cref="Name"/>, whose value (version <see cref="Version"/>, little-endian) is
/// <code>
/// version          uint8   = 1
/// receivedMs       int64   when the server accepted the request (Unix ms; the key expires 24 h later)
/// partitions       int32   how many partitions of the topic the request appended to
/// records          int32   how many records it appended to this partition (offsets: this record's, and on)
/// deadLettered     int32   how many of its records went to the dead-letter topic
/// bodyHash         16 B    the first 16 bytes of SHA-256 of the request body (prefixed by its ?format=, see IngestService)
/// keyLength        uint16  bytes of the key
/// key              UTF-8   the Idempotency-Key header
/// </code>
/// The header is written in the same batch as the records, so it is durable exactly when they are; at start the
/// server rebuilds its key index from these headers (<see cref="IdempotencyIndex"/>). A later version adds fields at
/// the end (after the key) and keeps reading this one. Thread-safe (stateless).
/// </summary>
internal static class IdempotencyHeader
{
    /// <summary>The header's name.</summary>
    public const string Name = "sluice.ingest.idempotency";

    /// <summary>The layout version written.</summary>
    public const byte Version = 1;

    /// <summary>Bytes before the key.</summary>
    public const int FixedSize = 1 + 8 + 4 + 4 + 4 + 16 + 2;

    private static readonly UTF8Encoding s_strict = new(false, throwOnInvalidBytes: true);

    /// <summary>The header's name in UTF-8.</summary>
    public static ReadOnlySpan<byte> NameUtf8 => "sluice.ingest.idempotency"u8;

    /// <summary>Encodes a header value.</summary>
    public static byte[] Encode(IdempotencyMark mark)
    {
        var key = Encoding.UTF8.GetBytes(mark.Key);
        var value = new byte[FixedSize + key.Length];
        var span = value.AsSpan();
        span[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], mark.ReceivedMs);
        BinaryPrimitives.WriteInt32LittleEndian(span[9..], mark.Partitions);
        BinaryPrimitives.WriteInt32LittleEndian(span[13..], mark.Records);
        BinaryPrimitives.WriteInt32LittleEndian(span[17..], mark.DeadLettered);
        BinaryPrimitives.WriteUInt128LittleEndian(span[21..], mark.BodyHash);
        BinaryPrimitives.WriteUInt16LittleEndian(span[37..], checked((ushort)key.Length));
        key.CopyTo(span[FixedSize..]);
        return value;
    }

    /// <summary>Decodes a header value; false when it is not a header this server can read (a newer version reads as
    /// its version-1 fields, a damaged one is skipped).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, out IdempotencyMark mark)
    {
        mark = default;
        if (value.Length <= FixedSize || value[0] < Version)
        {
            return false;
        }
        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(value[37..]);
        if (keyLength == 0 || value.Length < FixedSize + keyLength)
        {
            return false;
        }
        string key;
        try
        {
            key = s_strict.GetString(value.Slice(FixedSize, keyLength));
        }
        catch (ArgumentException)
        {
            return false;
        }
        mark = new IdempotencyMark(
            key,
            BinaryPrimitives.ReadUInt128LittleEndian(value[21..]),
            BinaryPrimitives.ReadInt64LittleEndian(value[1..]),
            BinaryPrimitives.ReadInt32LittleEndian(value[9..]),
            BinaryPrimitives.ReadInt32LittleEndian(value[13..]),
            BinaryPrimitives.ReadInt32LittleEndian(value[17..]));
        return mark.Partitions > 0 && mark.Records > 0 && mark.DeadLettered >= 0;
    }
}

/// <summary>What an idempotency header says (see <see cref="IdempotencyHeader"/>).</summary>
/// <param name="Key">The Idempotency-Key.</param>
/// <param name="BodyHash">The first 16 bytes of the SHA-256 of the body and its value format.</param>
/// <param name="ReceivedMs">When the request was accepted (Unix ms).</param>
/// <param name="Partitions">Partitions the request appended to.</param>
/// <param name="Records">Records appended to this partition.</param>
/// <param name="DeadLettered">Records sent to the dead-letter topic.</param>
internal readonly record struct IdempotencyMark(string Key, UInt128 BodyHash, long ReceivedMs, int Partitions, int Records, int DeadLettered);
