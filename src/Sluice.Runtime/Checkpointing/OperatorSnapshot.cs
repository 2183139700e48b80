using Sluice.State.Serialization;

namespace Sluice.Runtime.Checkpointing;

/// <summary>
/// The state one operator subtask saved for one checkpoint — the one envelope every kind of state travels in. Keyed
/// state is stored per key group so a restored subtask takes exactly the key groups it owns, whatever the previous
/// parallelism; named operator states (<see cref="OperatorStates"/>) are redistributed by their mode; the raw operator
/// section holds the keyed-state header (and, in version 1, each operator's own bytes). Immutable once built.
/// </summary>
/// <remarks>
/// Encoding (version 2): magic <c>SLOS</c>, version byte, uid, subtask, parallelism (varints), the raw operator section
/// (length-prefixed), the committable (flag, then length-prefixed), the named operator states (count; per state: name,
/// mode byte, element format id and version, element count, length-prefixed elements), then the key groups (count;
/// per group: id, length-prefixed section). Version 1 had no named operator states. Pinned by golden tests.
/// </remarks>
internal sealed class OperatorSnapshot(string uid, int subtask, int parallelism, byte[] operatorState, SortedDictionary<int, byte[]> keyGroups, byte[]? committable,
    IReadOnlyList<OperatorStateSection>? operatorStates = null, IReadOnlyList<SharedFileRef>? sharedFiles = null)
{
    private const uint Magic = 0x534C4F53; // "SLOS"
    private const byte FormatVersion = 2;

    public string Uid { get; } = uid;

    public int Subtask { get; } = subtask;

    public int Parallelism { get; } = parallelism;

    /// <summary>The raw operator section: the keyed-state header of keyed operators; in version-1 snapshots, any operator's own bytes.</summary>
    public byte[] OperatorState { get; } = operatorState;

    /// <summary>The named operator states (list, union list, broadcast).</summary>
    public IReadOnlyList<OperatorStateSection> OperatorStates { get; } = operatorStates ?? [];

    public SortedDictionary<int, byte[]> KeyGroups { get; } = keyGroups;

    /// <summary>What a two-phase sink staged for this checkpoint, committed once it completes.</summary>
    public byte[]? Committable { get; } = committable;

    /// <summary>
    /// The checkpoint store's shared files the state uses (incremental RocksDB snapshots). Not encoded here: the
    /// coordinator records them in the checkpoint's manifest, and the keyed-state header holds them for restore.
    /// </summary>
    public IReadOnlyList<SharedFileRef> SharedFiles { get; } = sharedFiles ?? [];

    public bool IsEmpty => OperatorState.Length == 0 && KeyGroups.Count == 0 && Committable is null && OperatorStates.Count == 0;

    /// <summary>Encodes the snapshot (format version 2).</summary>
    public byte[] Encode()
    {
        // Sized up front: a multi-megabyte snapshot is then copied once, not once per buffer doubling.
        long size = 64 + Uid.Length * 3L + OperatorState.Length + (Committable?.Length ?? 0);
        foreach (var state in OperatorStates)
        {
            size += 32 + state.Name.Length * 3L + state.Format.FormatId.Length * 3L;
            foreach (var element in state.Elements)
            {
                size += 5 + element.Length;
            }
        }
        foreach (var bytes in KeyGroups.Values)
        {
            size += 10 + bytes.Length;
        }
        var w = new StateWriter((int)Math.Min(size, Array.MaxLength));
        w.WriteUInt32(Magic);
        w.WriteByte(FormatVersion);
        w.WriteString(Uid);
        w.WriteVarInt32((uint)Subtask);
        w.WriteVarInt32((uint)Parallelism);
        w.WriteBytes(OperatorState);
        w.WriteBool(Committable is not null);
        if (Committable is not null)
        {
            w.WriteBytes(Committable);
        }
        w.WriteVarInt32((uint)OperatorStates.Count);
        foreach (var state in OperatorStates)
        {
            w.WriteString(state.Name);
            w.WriteByte((byte)state.Mode);
            state.Format.WriteTo(w);
            w.WriteVarInt32((uint)state.Elements.Count);
            foreach (var element in state.Elements)
            {
                w.WriteBytes(element.Span);
            }
        }
        w.WriteVarInt32((uint)KeyGroups.Count);
        foreach (var (group, bytes) in KeyGroups)
        {
            w.WriteVarInt32((uint)group);
            w.WriteBytes(bytes);
        }
        return w.WrittenSpan.ToArray();
    }

    /// <exception cref="StateFormatException">Not a snapshot, of an unknown version, or corrupt; the message names <paramref name="source"/>.</exception>
    public static OperatorSnapshot Decode(byte[] data, string source)
    {
        var r = new StateReader(data);
        try
        {
            if (r.ReadUInt32() != Magic)
            {
                throw new StateFormatException($"'{source}' is not an operator snapshot (bad magic).");
            }
            var version = r.ReadByte();
            if (version is not (1 or FormatVersion))
            {
                throw new StateFormatException($"'{source}' has snapshot format version {version}; this release reads versions 1 and {FormatVersion}.");
            }
            var uid = r.ReadString() ?? "";
            var subtask = (int)r.ReadVarInt32();
            var parallelism = (int)r.ReadVarInt32();
            var operatorState = r.ReadBytes().ToArray();
            var committable = r.ReadBool() ? r.ReadBytes().ToArray() : null;
            var states = new List<OperatorStateSection>();
            if (version >= 2)
            {
                var stateCount = (int)r.ReadVarInt32();
                for (var i = 0; i < stateCount; i++)
                {
                    var name = r.ReadString() ?? "";
                    var mode = r.ReadByte();
                    if (mode > (byte)OperatorStateMode.Broadcast)
                    {
                        throw new StateFormatException($"'{source}': operator state '{name}' has unknown mode {mode}.");
                    }
                    var format = SerializerDescriptor.ReadFrom(r);
                    var count = (int)r.ReadVarInt32();
                    var elements = new List<ReadOnlyMemory<byte>>(Math.Min(count, r.Remaining));
                    for (var j = 0; j < count; j++)
                    {
                        elements.Add(r.ReadBytes().ToArray());
                    }
                    states.Add(new OperatorStateSection(name, (OperatorStateMode)mode, format, elements));
                }
            }
            var groupCount = (int)r.ReadVarInt32();
            var groups = new SortedDictionary<int, byte[]>();
            for (var i = 0; i < groupCount; i++)
            {
                var group = (int)r.ReadVarInt32();
                groups[group] = r.ReadBytes().ToArray();
            }
            r.EnsureAtEnd();
            return new OperatorSnapshot(uid, subtask, parallelism, operatorState, groups, committable, states);
        }
        catch (StateFormatException e) when (!e.Message.Contains(source, StringComparison.Ordinal))
        {
            throw new StateFormatException($"'{source}' is corrupt: {e.Message}", e);
        }
    }
}

/// <summary>How a named operator state is redistributed on restore (see <see cref="Sluice.State.IOperatorStateStore"/>).</summary>
internal enum OperatorStateMode : byte
{
    /// <summary>Elements of every old subtask, split into even contiguous shares.</summary>
    SplitList = 0,

    /// <summary>Every element of every old subtask, to every new subtask.</summary>
    UnionList = 1,

    /// <summary>Old subtask 0's copy, to every new subtask.</summary>
    Broadcast = 2,
}

/// <summary>One named operator state in a snapshot: its elements (list elements, or map entries of broadcast state), each encoded alone.</summary>
internal sealed record OperatorStateSection(string Name, OperatorStateMode Mode, SerializerDescriptor Format, IReadOnlyList<ReadOnlyMemory<byte>> Elements);

/// <summary>
/// Where an operator writes its state during a checkpoint. <see cref="Operators.StreamOperator.SnapshotState"/>
/// runs on the task thread (the synchronous phase) and may <see cref="Defer"/> writes to the asynchronous phase, which
/// runs once, in registration order, on another thread (or inline in deterministic mode) before <see cref="Build"/>.
/// Used by one thread at a time.
/// </summary>
internal sealed class SnapshotContext(long checkpointId, Operators.OperatorContext operatorContext)
{
    private StateWriter?[]? _keyGroups; // indexed by key group: one array lookup per entry written
    private StateWriter? _operatorState;
    private byte[]? _committable;
    private List<OperatorStateSection>? _operatorStates;
    private List<Action>? _deferred;
    private List<SharedFileRef>? _sharedFiles;

    /// <summary>True when writes were deferred to the asynchronous phase.</summary>
    public bool HasDeferred => _deferred is not null;

    /// <summary>
    /// Defers <paramref name="write"/> (which writes into this context) to the asynchronous phase. It must only read
    /// what the synchronous phase froze; writes of the same context run in registration order.
    /// </summary>
    public void Defer(Action write) => (_deferred ??= []).Add(write);

    /// <summary>Runs the deferred writes (asynchronous phase); the context is complete afterwards.</summary>
    public void RunDeferred()
    {
        if (_deferred is { } deferred)
        {
            _deferred = null;
            foreach (var write in deferred)
            {
                write();
            }
        }
    }

    /// <summary>The checkpoint being taken (<see cref="ICheckpointAcknowledger.FinalCheckpoint"/> at the end of input).</summary>
    public long CheckpointId { get; } = checkpointId;

    /// <summary>State that is not keyed.</summary>
    public StateWriter OperatorState => _operatorState ??= new StateWriter();

    /// <summary>The writer of key group <paramref name="keyGroup"/>'s section.</summary>
    public StateWriter KeyGroup(int keyGroup)
    {
        var groups = _keyGroups ??= new StateWriter?[operatorContext.Options.KeyGroupCount];
        return groups[keyGroup] ??= new StateWriter();
    }

    /// <summary>Sets what a two-phase sink staged for this checkpoint.</summary>
    public void SetCommittable(byte[] committable) => _committable = committable;

    /// <summary>Adds a named operator state.</summary>
    public void AddOperatorState(OperatorStateSection state) => (_operatorStates ??= []).Add(state);

    /// <summary>Records that the snapshot uses shared file <paramref name="file"/> (already in the checkpoint store).</summary>
    public void AddSharedFile(SharedFileRef file) => (_sharedFiles ??= []).Add(file);

    /// <exception cref="InvalidOperationException">Deferred writes have not run.</exception>
    public OperatorSnapshot Build(string uid)
    {
        if (_deferred is not null)
        {
            throw new InvalidOperationException("The snapshot's deferred writes have not run.");
        }
        var groups = new SortedDictionary<int, byte[]>();
        for (var group = 0; group < (_keyGroups?.Length ?? 0); group++)
        {
            if (_keyGroups![group] is { } writer)
            {
                groups[group] = writer.WrittenSpan.ToArray();
            }
        }
        return new OperatorSnapshot(uid, operatorContext.SubtaskIndex, operatorContext.Parallelism, _operatorState?.WrittenSpan.ToArray() ?? [], groups, _committable,
            _operatorStates, _sharedFiles);
    }
}

/// <summary>
/// What an operator subtask restores from: the raw operator sections of every previous subtask, its share of each
/// named operator state, and its own key groups.
/// </summary>
internal sealed class RestoreContext(long checkpointId, IReadOnlyList<byte[]> operatorStates, IReadOnlyList<(int KeyGroup, byte[] State)> keyGroups,
    IReadOnlyDictionary<string, OperatorStateSection>? namedStates = null)
{
    /// <summary>This subtask's share of every named operator state, already redistributed by mode.</summary>
    public IReadOnlyDictionary<string, OperatorStateSection> NamedStates { get; } = namedStates ?? new Dictionary<string, OperatorStateSection>();

    /// <summary>The restored checkpoint's id.</summary>
    public long CheckpointId { get; } = checkpointId;

    /// <summary>The raw operator section of every subtask of the previous run (non-empty ones).</summary>
    public IReadOnlyList<byte[]> OperatorStates { get; } = operatorStates;

    /// <summary>Sections of the key groups this subtask owns, ascending.</summary>
    public IReadOnlyList<(int KeyGroup, byte[] State)> KeyGroups { get; } = keyGroups;
}

/// <summary>Where tasks report their snapshots (the checkpoint coordinator). Thread-safe.</summary>
internal interface ICheckpointAcknowledger
{
    /// <summary>The id tasks use for the snapshot taken when they finish.</summary>
    const long FinalCheckpoint = long.MaxValue;

    /// <summary>A task snapshotted checkpoint <paramref name="checkpointId"/>.</summary>
    void Acknowledge(Tasks.StreamTask task, long checkpointId, IReadOnlyList<OperatorSnapshot> snapshots);

    /// <summary>A task finished; <paramref name="finalSnapshots"/> stand in for it in every later checkpoint.</summary>
    void Finished(Tasks.StreamTask task, IReadOnlyList<OperatorSnapshot> finalSnapshots);

    /// <summary>A task could not write its snapshot of checkpoint <paramref name="checkpointId"/>: the checkpoint never completes and the job fails.</summary>
    void Decline(Tasks.StreamTask task, long checkpointId, Exception error);
}
