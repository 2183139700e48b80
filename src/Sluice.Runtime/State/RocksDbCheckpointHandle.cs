using Sluice.Runtime.Checkpointing;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// What an incremental RocksDB snapshot of one operator subtask holds, written as the backend bytes of the keyed-state
/// header (layout <see cref="Layout"/>): the key groups the database held, the SST files it consisted of (each a shared
/// file of the checkpoint store, by name, size and CRC-32C), its small metadata files inline (<c>CURRENT</c>,
/// <c>MANIFEST-*</c>, <c>OPTIONS-*</c>), and the states that have a column family in it. State names, kinds and
/// formats are in the keyed-state header as for every layout; timers stay in the key-group sections.
/// </summary>
/// <remarks>
/// Encoding (version 1, pinned by a golden test): <c>byte 1</c>, checkpoint id (int64), key groups (start, end:
/// varints), shared files (count; per file: local name, shared name, size (varint64), CRC-32C (uint32)), private files
/// (count; per file: name, length-prefixed bytes), column families (count; per family: state name). A later version
/// bumps the byte and keeps reading this one.
/// </remarks>
/// <param name="CheckpointId">The checkpoint the snapshot was taken for.</param>
/// <param name="KeyGroups">The key groups of the subtask that wrote it: its database holds no others.</param>
/// <param name="SharedFiles">The SST files, each under its local file name.</param>
/// <param name="PrivateFiles">The other files of the RocksDB checkpoint, with their content.</param>
/// <param name="ColumnFamilies">Names of the states whose column family the files hold.</param>
internal sealed record RocksDbCheckpointHandle(long CheckpointId, KeyGroupRange KeyGroups, IReadOnlyList<RocksDbSharedFile> SharedFiles,
    IReadOnlyList<RocksDbPrivateFile> PrivateFiles, IReadOnlyList<string> ColumnFamilies)
{
    /// <summary>The layout name of incremental RocksDB snapshots in the keyed-state header.</summary>
    public const string Layout = "rocksdb-sst";

    public const byte FormatVersion = 1;

    /// <summary>Encodes the handle (format version 1).</summary>
    public byte[] Encode()
    {
        var w = new StateWriter(256 + PrivateFiles.Sum(static f => f.Content.Length));
        w.WriteByte(FormatVersion);
        w.WriteInt64(CheckpointId);
        w.WriteVarInt32((uint)KeyGroups.Start);
        w.WriteVarInt32((uint)KeyGroups.End);
        w.WriteVarInt32((uint)SharedFiles.Count);
        foreach (var file in SharedFiles)
        {
            w.WriteString(file.LocalName);
            w.WriteString(file.Shared.Name);
            w.WriteVarInt64((ulong)file.Shared.Bytes);
            w.WriteUInt32(file.Shared.Crc32C);
        }
        w.WriteVarInt32((uint)PrivateFiles.Count);
        foreach (var file in PrivateFiles)
        {
            w.WriteString(file.Name);
            w.WriteBytes(file.Content);
        }
        w.WriteVarInt32((uint)ColumnFamilies.Count);
        foreach (var family in ColumnFamilies)
        {
            w.WriteString(family);
        }
        return w.WrittenSpan.ToArray();
    }

    /// <exception cref="StateFormatException">Of an unknown version, or corrupt; the message names <paramref name="source"/>.</exception>
    public static RocksDbCheckpointHandle Decode(ReadOnlyMemory<byte> bytes, string source)
    {
        var r = new StateReader(bytes);
        try
        {
            var version = r.ReadByte();
            if (version != FormatVersion)
            {
                throw new StateFormatException($"{source}: the RocksDB checkpoint handle has format version {version}; this release reads version {FormatVersion}.");
            }
            var id = r.ReadInt64();
            var groups = new KeyGroupRange((int)r.ReadVarInt32(), (int)r.ReadVarInt32());
            var shared = new List<RocksDbSharedFile>();
            for (var i = (int)r.ReadVarInt32(); i > 0; i--)
            {
                var local = SafeFileName(r.ReadString(), source);
                var name = r.ReadString() ?? "";
                var size = (long)r.ReadVarInt64();
                shared.Add(new RocksDbSharedFile(local, new SharedFileRef(name, size, r.ReadUInt32())));
            }
            var files = new List<RocksDbPrivateFile>();
            for (var i = (int)r.ReadVarInt32(); i > 0; i--)
            {
                files.Add(new RocksDbPrivateFile(SafeFileName(r.ReadString(), source), r.ReadBytes().ToArray()));
            }
            var families = new List<string>();
            for (var i = (int)r.ReadVarInt32(); i > 0; i--)
            {
                families.Add(r.ReadString() ?? "");
            }
            r.EnsureAtEnd();
            return new RocksDbCheckpointHandle(id, groups, shared, files, families);
        }
        catch (StateFormatException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new StateFormatException($"{source}: the RocksDB checkpoint handle is corrupt: {e.Message}", e);
        }
    }

    /// <summary>A file name restored into a directory must not leave it.</summary>
    private static string SafeFileName(string? name, string source) =>
        name is { Length: > 0 } && name == Path.GetFileName(name) && name is not ("." or "..")
            ? name
            : throw new StateFormatException($"{source}: the RocksDB checkpoint handle names a file '{name}' that is not a plain file name.");
}

/// <summary>One SST file of an incremental RocksDB snapshot: its name in the database directory and the shared file holding it.</summary>
internal sealed record RocksDbSharedFile(string LocalName, SharedFileRef Shared);

/// <summary>A small metadata file of a RocksDB checkpoint, stored inline in the handle.</summary>
internal sealed record RocksDbPrivateFile(string Name, byte[] Content);
