using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// Layout of keyed state in a checkpoint (format version 1). The operator-state header names every state with its
/// kind and serializer formats; each key group's section is a sequence of tagged records:
/// <c>0</c> state entry (state index, key, TTL stamp, length-prefixed value), <c>1</c> event-time timer (key, time),
/// <c>2</c> processing-time timer (key, time). Values are length-prefixed so entries of a state can be kept as bytes
/// until the state is created (in <c>Open</c>) and its value serializer is known.
/// </summary>
internal static class KeyedStateSnapshot
{
    public const byte FormatVersion = 1;
    public const byte EntryTag = 0;
    public const byte EventTimerTag = 1;
    public const byte ProcessingTimerTag = 2;

    /// <summary>One state's header: name, kind and value format; checked on restore.</summary>
    public sealed record StateHeader(string Name, string Kind, string ValueFormat, int ValueVersion);

    public static void WriteHeader(StateWriter writer, SerializerDescriptor key, long watermark, IReadOnlyList<StateHeader> states)
    {
        writer.WriteByte(FormatVersion);
        writer.WriteString(key.FormatId);
        writer.WriteVarInt32((uint)key.Version);
        writer.WriteInt64(watermark);
        writer.WriteVarInt32((uint)states.Count);
        foreach (var state in states)
        {
            writer.WriteString(state.Name);
            writer.WriteString(state.Kind);
            writer.WriteString(state.ValueFormat);
            writer.WriteVarInt32((uint)state.ValueVersion);
        }
    }

    /// <exception cref="StateFormatException">Unknown version, or a key format other than the job's.</exception>
    public static (int KeyVersion, long Watermark, List<StateHeader> States) ReadHeader(byte[] bytes, SerializerDescriptor expectedKey, string operatorName)
    {
        var reader = new StateReader(bytes);
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw new StateFormatException($"Keyed state of '{operatorName}' has format version {version}; this release reads version {FormatVersion}.");
        }
        var keyFormat = reader.ReadString();
        var keyVersion = (int)reader.ReadVarInt32();
        if (keyFormat != expectedKey.FormatId)
        {
            throw new StateFormatException($"Keyed state of '{operatorName}' was written with key format '{keyFormat}', the job's key format is '{expectedKey.FormatId}': the key type changed.");
        }
        var watermark = reader.ReadInt64();
        var count = (int)reader.ReadVarInt32();
        var states = new List<StateHeader>(count);
        for (var i = 0; i < count; i++)
        {
            states.Add(new StateHeader(reader.ReadString() ?? "", reader.ReadString() ?? "", reader.ReadString() ?? "", (int)reader.ReadVarInt32()));
        }
        return (keyVersion, watermark, states);
    }
}
