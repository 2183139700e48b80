using System.Diagnostics;
using NpgsqlTypes;
using Sluice.State.Serialization;

namespace Sluice.Connectors.Postgres.Cdc;

/// <summary>Where a CDC reader is: still in the initial snapshot, or streaming the slot.</summary>
internal enum PostgresCdcPhase : byte
{
    /// <summary>Copying the table's rows as of the slot's consistent point, in primary-key order.</summary>
    Snapshot = 0,

    /// <summary>Streaming committed transactions from the slot.</summary>
    Stream = 1,
}

/// <summary>
/// A CDC reader's checkpointed position. Immutable. In <see cref="PostgresCdcPhase.Stream"/>, <see cref="Lsn"/> is the
/// end LSN of the last transaction (or heartbeat) whose changes were all emitted: a restore streams from it. In
/// <see cref="PostgresCdcPhase.Snapshot"/>, <see cref="Lsn"/> is the slot's consistent point (where streaming starts once
/// the snapshot is done) and <see cref="LastKey"/> the primary key of the last row emitted, as PostgreSQL's text
/// representations in key order (empty before the first chunk).
/// </summary>
/// <remarks>
/// Format version 1 (pinned by a golden test): byte version = 1; byte phase; int64 LSN (little-endian); varint key
/// count; each key value a length-prefixed UTF-8 string.
/// </remarks>
internal sealed record PostgresCdcPosition(PostgresCdcPhase Phase, NpgsqlLogSequenceNumber Lsn, IReadOnlyList<string> LastKey)
{
    /// <summary>The current format version.</summary>
    public const byte FormatVersion = 1;

    /// <summary>The position before anything was emitted (no slot yet): a restore starts as a fresh start does.</summary>
    public static PostgresCdcPosition NothingYet { get; } = new(PostgresCdcPhase.Snapshot, default, []);

    /// <summary>Whether this is <see cref="NothingYet"/>: in the snapshot, before its first chunk.</summary>
    public bool IsNothingYet => Phase == PostgresCdcPhase.Snapshot && LastKey.Count == 0;

    /// <summary>Streaming from <paramref name="lsn"/>.</summary>
    public static PostgresCdcPosition Streaming(NpgsqlLogSequenceNumber lsn) => new(PostgresCdcPhase.Stream, lsn, []);

    /// <summary>The encoded position (format version 1).</summary>
    public byte[] Encode()
    {
        Debug.Assert(Phase == PostgresCdcPhase.Snapshot || LastKey.Count == 0, "Only a snapshot position has a key.");
        var writer = new StateWriter(32);
        writer.WriteByte(FormatVersion);
        writer.WriteByte((byte)Phase);
        writer.WriteInt64((long)(ulong)Lsn);
        writer.WriteVarInt32((uint)LastKey.Count);
        foreach (var value in LastKey)
        {
            writer.WriteString(value);
        }
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a position of split <paramref name="splitId"/>.</summary>
    /// <exception cref="StateFormatException">The bytes are not a position of a known version.</exception>
    public static PostgresCdcPosition Decode(string splitId, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0 || bytes[0] != FormatVersion)
        {
            throw new StateFormatException($"The checkpointed position of PostgreSQL CDC split '{splitId}' has format version {(bytes.Length == 0 ? "(none)" : bytes[0].ToString(System.Globalization.CultureInfo.InvariantCulture))}; this Sluice reads version {FormatVersion}.");
        }
        var reader = new StateReader(bytes);
        reader.ReadByte();
        var phase = reader.ReadByte();
        if (phase > (byte)PostgresCdcPhase.Stream)
        {
            reader.ThrowInvalid($"phase {phase} of PostgreSQL CDC split '{splitId}'");
        }
        var lsn = new NpgsqlLogSequenceNumber((ulong)reader.ReadInt64());
        var count = (int)reader.ReadVarInt32();
        var key = new string[count];
        for (var i = 0; i < count; i++)
        {
            key[i] = reader.ReadString() ?? throw new StateFormatException($"The checkpointed snapshot key of PostgreSQL CDC split '{splitId}' has a null value at {i}.");
        }
        reader.EnsureAtEnd();
        return new PostgresCdcPosition((PostgresCdcPhase)phase, lsn, key);
    }
}
