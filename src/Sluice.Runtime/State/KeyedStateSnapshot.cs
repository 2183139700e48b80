using Sluice.Runtime.Checkpointing;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// The checkpoint layout of a keyed operator's state and timers (format version 2; version 1 is still read).
/// </summary>
/// <remarks>
/// <para>
/// The operator-state section holds the header: <c>byte 2</c>, the key format (id, version), the operator's watermark
/// (int64), the states (count; per state: name, kind, namespace format, value format), the timer services (count; per
/// service: name, namespace format), and the backend (layout name, then length-prefixed layout-specific bytes — empty
/// for <see cref="KeyGroupLayout"/>).
/// </para>
/// <para>
/// Each key group's section is a sequence of records: a tag (<see cref="StateEntryTag"/>, <see cref="EventTimerTag"/>
/// or <see cref="ProcessingTimerTag"/>), the state's or timer service's index in the header (varint), and a
/// length-prefixed payload. A state entry's payload is key · namespace · TTL stamp (zig-zag varint) · value; a timer's
/// is key · namespace · time (zig-zag varint). Payloads are length-prefixed so that state nobody re-creates after a
/// restore is carried into later snapshots as bytes, without knowing its types.
/// </para>
/// <para>
/// Version 1 (written until December 2026) had no namespaces: header <c>byte 1</c>, key format, watermark, states
/// (name, kind, value format id, value version); records <c>0</c> entry (state index, key, stamp, length-prefixed
/// value), <c>1</c>/<c>2</c> event/processing timer (key, time). It is read as version 2 with the void namespace and
/// its timers belonging to the service <see cref="DefaultTimerService"/>.
/// </para>
/// </remarks>
internal static class KeyedStateSnapshot
{
    public const byte FormatVersion = 2;
    public const byte StateEntryTag = 3;
    public const byte EventTimerTag = 4;
    public const byte ProcessingTimerTag = 5;

    /// <summary>The timer service of process functions (the one every version-1 timer belongs to).</summary>
    public const string DefaultTimerService = "timers";

    /// <summary>
    /// The layout of snapshots whose entries are all in the key-group sections (every heap snapshot, and full snapshots
    /// of other backends): any backend restores it, at any parallelism. Other layouts name the backend that reads them.
    /// </summary>
    public const string KeyGroupLayout = "key-groups";

    private const byte V1EntryTag = 0;
    private const byte V1EventTimerTag = 1;
    private const byte V1ProcessingTimerTag = 2;

    /// <summary>Writes the record head and payload of one state entry or timer into a key group's section.</summary>
    public static void WriteRecord(StateWriter section, byte tag, int index, ReadOnlySpan<byte> payload)
    {
        section.WriteByte(tag);
        section.WriteVarInt32((uint)index);
        section.WriteBytes(payload);
    }

    /// <summary>
    /// Parses a restored keyed operator's header and key-group sections (either version). Returns null when the
    /// operator had no keyed state in the checkpoint.
    /// </summary>
    /// <exception cref="StateFormatException">Unknown version, another key format, or corrupt bytes; the message names the operator and key group.</exception>
    public static KeyedStateRestore? Parse<TKey>(RestoreContext context, IStateSerializer<TKey> keySerializer, string operatorName)
    {
        if (context.OperatorStates.Count == 0)
        {
            return null;
        }
        var keyFormat = SerializerDescriptor.Of(keySerializer);
        KeyedStateRestore? result = null;
        foreach (var header in context.OperatorStates)
        {
            var parsed = ParseHeader(header, keyFormat, operatorName);
            if (result is null)
            {
                result = parsed;
                result.CheckpointId = context.CheckpointId;
            }
            else
            {
                // Every old subtask wrote the same states in the same order unless the function creates states
                // conditionally; refuse rather than misassign entries.
                if (!SameLayout(result, parsed))
                {
                    throw new StateFormatException(
                        $"Keyed state of '{operatorName}': the old subtasks' checkpoints list different states or timer services; they cannot be merged into one restore.");
                }
                result.Watermark = Math.Min(result.Watermark, parsed.Watermark);
                result.Trailers.AddRange(parsed.Trailers);
            }
            result.BackendHandles.Add(parsed.BackendData);
        }
        foreach (var (group, bytes) in context.KeyGroups)
        {
            try
            {
                if (result!.SourceVersion == 1)
                {
                    ParseV1Section(result, group, bytes, keySerializer);
                }
                else
                {
                    ParseV2Section(result, group, bytes);
                }
            }
            catch (StateFormatException e) when (!e.Message.StartsWith("Keyed state of", StringComparison.Ordinal))
            {
                throw new StateFormatException($"Keyed state of '{operatorName}', key group {group}: {e.Message}", e);
            }
        }
        return result;
    }

    private static bool SameLayout(KeyedStateRestore a, KeyedStateRestore b) =>
        a.States.Count == b.States.Count && a.Timers.Count == b.Timers.Count &&
        a.States.Zip(b.States).All(p => p.First.Header == p.Second.Header) &&
        a.Timers.Zip(b.Timers).All(p => p.First.Header == p.Second.Header) &&
        a.Backend == b.Backend;

    private static KeyedStateRestore ParseHeader(byte[] bytes, SerializerDescriptor keyFormat, string operatorName)
    {
        var reader = new StateReader(bytes);
        var version = reader.ReadByte();
        if (version is not (1 or FormatVersion))
        {
            throw new StateFormatException($"Keyed state of '{operatorName}' has format version {version}; this release reads versions 1 and {FormatVersion}.");
        }
        var key = SerializerDescriptor.ReadFrom(reader);
        if (key.FormatId != keyFormat.FormatId)
        {
            throw new StateFormatException(
                $"Keyed state of '{operatorName}' was written with key format '{key.FormatId}', the job's key format is '{keyFormat.FormatId}': the key type changed.");
        }
        key.EnsureReadableBy(keyFormat, $"{operatorName} (keys)");
        var result = new KeyedStateRestore(operatorName, version, key.Version) { Watermark = reader.ReadInt64() };
        var count = (int)reader.ReadVarInt32();
        for (var i = 0; i < count; i++)
        {
            if (version == 1)
            {
                var name = reader.ReadString() ?? "";
                var kind = reader.ReadString() ?? "";
                var value = new SerializerDescriptor(reader.ReadString() ?? "", (int)reader.ReadVarInt32());
                result.States.Add(new RestoredKeyedState(new StateHeader(name, kind, SerializerDescriptor.Of(VoidNamespace.Serializer), value)));
            }
            else
            {
                var name = reader.ReadString() ?? "";
                var kind = reader.ReadString() ?? "";
                result.States.Add(new RestoredKeyedState(new StateHeader(name, kind, SerializerDescriptor.ReadFrom(reader), SerializerDescriptor.ReadFrom(reader))));
            }
        }
        if (version == 1)
        {
            result.Timers.Add(new RestoredTimers(new TimerHeader(DefaultTimerService, SerializerDescriptor.Of(VoidNamespace.Serializer))));
        }
        else
        {
            var timers = (int)reader.ReadVarInt32();
            for (var i = 0; i < timers; i++)
            {
                result.Timers.Add(new RestoredTimers(new TimerHeader(reader.ReadString() ?? "", SerializerDescriptor.ReadFrom(reader))));
            }
            result.Backend = reader.ReadString() ?? "";
            result.BackendData = reader.ReadBytes().ToArray();
        }
        // Not EnsureAtEnd: an operator added with KeyedStream.Transform appends its own operator state after the header
        // (and window operators their time), handed back as the header's trailer.
        result.Trailers.Add(bytes.AsMemory(reader.Position));
        return result;
    }

    private static void ParseV2Section(KeyedStateRestore result, int group, byte[] bytes)
    {
        var reader = new StateReader(bytes);
        while (!reader.IsAtEnd)
        {
            var at = reader.Position;
            var tag = reader.ReadByte();
            var index = (int)reader.ReadVarInt32();
            var payload = reader.ReadBytes();
            switch (tag)
            {
                case StateEntryTag when index < result.States.Count:
                    result.States[index].Entries.Add(new RestoredPayload(group, payload));
                    break;
                case EventTimerTag or ProcessingTimerTag when index < result.Timers.Count:
                    result.Timers[index].Add(tag == ProcessingTimerTag, new RestoredPayload(group, payload));
                    break;
                default:
                    throw new StateFormatException($"record at offset {at} has tag {tag} and index {index}; the header lists {result.States.Count} states and {result.Timers.Count} timer services.");
            }
        }
    }

    /// <summary>Converts version-1 records into version-2 payloads (void namespace), decoding keys to find each record's end.</summary>
    private static void ParseV1Section<TKey>(KeyedStateRestore result, int group, byte[] bytes, IStateSerializer<TKey> keySerializer)
    {
        var reader = new StateReader(bytes);
        var payload = new StateWriter(64);
        while (!reader.IsAtEnd)
        {
            var at = reader.Position;
            var tag = reader.ReadByte();
            payload.Reset();
            switch (tag)
            {
                case V1EntryTag:
                    var stateIndex = (int)reader.ReadVarInt32();
                    if (stateIndex >= result.States.Count)
                    {
                        throw new StateFormatException($"entry of state #{stateIndex} at offset {at}, but only {result.States.Count} states exist.");
                    }
                    keySerializer.Write(payload, keySerializer.Read(reader, result.KeyVersion));
                    payload.WriteZigZagInt64(reader.ReadZigZagInt64());
                    payload.WriteRaw(reader.ReadBytes().Span);
                    result.States[stateIndex].Entries.Add(new RestoredPayload(group, payload.WrittenSpan.ToArray()));
                    break;
                case V1EventTimerTag:
                case V1ProcessingTimerTag:
                    keySerializer.Write(payload, keySerializer.Read(reader, result.KeyVersion));
                    payload.WriteZigZagInt64(reader.ReadZigZagInt64());
                    result.Timers[0].Add(tag == V1ProcessingTimerTag, new RestoredPayload(group, payload.WrittenSpan.ToArray()));
                    break;
                default:
                    throw new StateFormatException($"unknown record tag {tag} at offset {at}.");
            }
        }
    }
}

/// <summary>One keyed state's header in a snapshot: name, kind and formats; checked when the state is re-created.</summary>
internal sealed record StateHeader(string Name, string Kind, SerializerDescriptor NamespaceFormat, SerializerDescriptor ValueFormat);

/// <summary>One timer service's header in a snapshot.</summary>
internal sealed record TimerHeader(string Name, SerializerDescriptor NamespaceFormat);

/// <summary>The bytes of one restored state entry or timer (version-2 payload layout) and its key group.</summary>
internal readonly record struct RestoredPayload(int KeyGroup, ReadOnlyMemory<byte> Payload);

/// <summary>A restored keyed state, waiting for the operator to create it by name.</summary>
internal sealed class RestoredKeyedState(StateHeader header)
{
    public StateHeader Header { get; } = header;

    public List<RestoredPayload> Entries { get; } = [];
}

/// <summary>A restored timer service's timers, waiting for the operator to create the service by name.</summary>
internal sealed class RestoredTimers(TimerHeader header)
{
    public TimerHeader Header { get; } = header;

    public List<RestoredPayload> EventTimers { get; } = [];

    public List<RestoredPayload> ProcessingTimers { get; } = [];

    public void Add(bool processing, RestoredPayload payload) => (processing ? ProcessingTimers : EventTimers).Add(payload);
}

/// <summary>A keyed operator's state as read from a checkpoint (<see cref="KeyedStateSnapshot.Parse"/>), handed out by name.</summary>
internal sealed class KeyedStateRestore(string operatorName, int sourceVersion, int keyVersion)
{
    /// <summary>The operator, for error messages.</summary>
    public string OperatorName { get; } = operatorName;

    /// <summary>The format version the checkpoint was written in.</summary>
    public int SourceVersion { get; } = sourceVersion;

    /// <summary>The key serializer version the keys were written with.</summary>
    public int KeyVersion { get; } = keyVersion;

    /// <summary>The lowest watermark of the old subtasks.</summary>
    public long Watermark { get; set; }

    public List<RestoredKeyedState> States { get; } = [];

    public List<RestoredTimers> Timers { get; } = [];

    /// <summary>The snapshot's layout (<see cref="KeyedStateSnapshot.KeyGroupLayout"/> for version 1).</summary>
    public string Backend { get; set; } = KeyedStateSnapshot.KeyGroupLayout;

    /// <summary>Backend-specific header bytes (empty for the heap backend); of the first old subtask.</summary>
    public byte[] BackendData { get; set; } = [];

    /// <summary>What each old subtask's operator wrote after its header (operator bookkeeping), in header order.</summary>
    public List<ReadOnlyMemory<byte>> Trailers { get; } = [];

    /// <summary>Backend-specific header bytes of every old subtask, in old subtask order (an incremental RocksDB snapshot's handle each).</summary>
    public List<byte[]> BackendHandles { get; } = [];

    /// <summary>The restored checkpoint's id, for error messages.</summary>
    public long CheckpointId { get; set; }

    /// <summary>Removes and returns the restored state named <paramref name="name"/>, or null.</summary>
    public RestoredKeyedState? TakeState(string name)
    {
        var index = States.FindIndex(s => s.Header.Name == name);
        if (index < 0)
        {
            return null;
        }
        var state = States[index];
        States.RemoveAt(index);
        return state;
    }

    /// <summary>Removes and returns the restored timers of service <paramref name="name"/>, or null.</summary>
    public RestoredTimers? TakeTimers(string name)
    {
        var index = Timers.FindIndex(t => t.Header.Name == name);
        if (index < 0)
        {
            return null;
        }
        var timers = Timers[index];
        Timers.RemoveAt(index);
        return timers;
    }
}

/// <summary>
/// Collects the headers of one keyed snapshot (states, timer services, backend) while their entries are written into
/// key-group sections, then writes the header into the operator-state section. Indexes are assigned in call order.
/// Used by one thread at a time.
/// </summary>
internal sealed class KeyedSnapshotWriter(SerializerDescriptor keyFormat, long watermark)
{
    private readonly List<StateHeader> _states = [];
    private readonly List<TimerHeader> _timers = [];

    /// <summary>The layout name written in the header.</summary>
    public string Backend { get; set; } = KeyedStateSnapshot.KeyGroupLayout;

    /// <summary>Backend-specific header bytes.</summary>
    public byte[] BackendData { get; set; } = [];

    /// <summary>Adds a state; returns its index for <see cref="KeyedStateSnapshot.WriteRecord"/>.</summary>
    public int AddState(StateHeader header)
    {
        _states.Add(header);
        return _states.Count - 1;
    }

    /// <summary>Adds a timer service; returns its index.</summary>
    public int AddTimerService(TimerHeader header)
    {
        _timers.Add(header);
        return _timers.Count - 1;
    }

    /// <summary>Writes the header (format version 2).</summary>
    public void WriteHeader(StateWriter operatorState)
    {
        operatorState.WriteByte(KeyedStateSnapshot.FormatVersion);
        keyFormat.WriteTo(operatorState);
        operatorState.WriteInt64(watermark);
        operatorState.WriteVarInt32((uint)_states.Count);
        foreach (var state in _states)
        {
            operatorState.WriteString(state.Name);
            operatorState.WriteString(state.Kind);
            state.NamespaceFormat.WriteTo(operatorState);
            state.ValueFormat.WriteTo(operatorState);
        }
        operatorState.WriteVarInt32((uint)_timers.Count);
        foreach (var timer in _timers)
        {
            operatorState.WriteString(timer.Name);
            timer.NamespaceFormat.WriteTo(operatorState);
        }
        operatorState.WriteString(Backend);
        operatorState.WriteBytes(BackendData);
    }
}
