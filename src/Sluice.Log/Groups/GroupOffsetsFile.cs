using System.Buffers.Binary;
using System.Text;
using Sluice.Log.Storage;

namespace Sluice.Log.Groups;

/// <summary>
/// A consumer group's committed offsets file (<c>groups/{hex(utf8(group))}.offsets</c>), format version 1:
/// <code>
/// "SLGO" magic, byte version, 3 reserved, int16 groupLength, UTF-8 group, int32 count,
/// count × (int16 topicLength, UTF-8 topic, int32 partition, int64 offset), uint32 CRC32C of everything before it
/// </code>
/// Replaced atomically (temp file, fsync, rename, directory fsync), so a reader sees the old or the new set, never a mix.
/// </summary>
internal static class GroupOffsetsFile
{
    public const byte Version = 1;
    private static ReadOnlySpan<byte> Magic => "SLGO"u8;

    public static string PathFor(string directory, string group) =>
        Path.Combine(directory, Convert.ToHexStringLower(Encoding.UTF8.GetBytes(group)) + ".offsets");

    public static byte[] Encode(string group, IReadOnlyDictionary<TopicPartition, long> offsets)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write((byte)0);
            w.Write((short)0);
            WriteString(w, group);
            w.Write(offsets.Count);
            foreach (var (tp, offset) in offsets.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition))
            {
                WriteString(w, tp.Topic);
                w.Write(tp.Partition);
                w.Write(offset);
            }
        }

        byte[] body = stream.ToArray();
        byte[] data = new byte[body.Length + 4];
        body.CopyTo(data, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(body.Length), Crc32C.Compute(0, body));
        return data;
    }

    public static (string Group, Dictionary<TopicPartition, long> Offsets) Decode(byte[] data, string path)
    {
        ReadOnlySpan<byte> span = data;
        if (span.Length < 14 || !span[..4].SequenceEqual(Magic))
        {
            throw new LogCorruptionException($"Consumer group file '{path}' is not a Sluice group offsets file.");
        }

        if (span[4] != Version)
        {
            throw new LogCorruptionException($"Consumer group file '{path}' has format version {span[4]}; this build reads version {Version}.");
        }

        int end = span.Length - 4;
        if (Crc32C.Compute(0, span[..end]) != BinaryPrimitives.ReadUInt32LittleEndian(span[end..]))
        {
            throw new LogCorruptionException($"Consumer group file '{path}' fails its checksum.");
        }

        using var r = new BinaryReader(new MemoryStream(data, 8, end - 8), Encoding.UTF8);
        string group = ReadString(r);
        int count = r.ReadInt32();
        var offsets = new Dictionary<TopicPartition, long>(count);
        for (int i = 0; i < count; i++)
        {
            string topic = ReadString(r);
            int partition = r.ReadInt32();
            offsets[new TopicPartition(topic, partition)] = r.ReadInt64();
        }

        return (group, offsets);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        w.Write(checked((short)bytes.Length));
        w.Write(bytes);
    }

    private static string ReadString(BinaryReader r) => Encoding.UTF8.GetString(r.ReadBytes(r.ReadInt16()));
}
