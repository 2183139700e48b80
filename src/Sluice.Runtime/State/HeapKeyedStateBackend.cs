using Sluice.Runtime.Checkpointing;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// Keyed state of one operator subtask, on the heap: one dictionary per state, keyed by the record key. Every
/// handle reads <see cref="CurrentKey"/>, which the operator sets before calling user code. TTL is processing time
/// from the job's <see cref="TimeProvider"/>: expired entries are invisible at once and removed on access or by
/// <see cref="MaybeSweep"/>. Single-threaded: operator thread only.
/// </summary>
/// <typeparam name="TKey">Key type.</typeparam>
internal sealed class HeapKeyedStateBackend<TKey> : IKeyedStateStore where TKey : notnull
{
    private readonly Dictionary<string, IHeapState<TKey>> _states = [];
    private readonly Dictionary<string, RestoredState> _restored = [];
    private readonly TimeProvider _time;
    private readonly IKeyHasher<TKey> _hasher;
    private readonly int _keyGroupCount;
    private readonly IStateSerializer<TKey> _keySerializer;
    private long _minTtl = long.MaxValue;
    private long _lastSweep;

    public HeapKeyedStateBackend(TimeProvider time, IKeyHasher<TKey> hasher, int keyGroupCount)
    {
        _time = time;
        _hasher = hasher;
        _keyGroupCount = keyGroupCount;
        _keySerializer = StateSerializers.For<TKey>();
        _lastSweep = Now;
    }

    /// <summary>The key group of <paramref name="key"/>.</summary>
    public int KeyGroupOf(TKey key) => Sluice.KeyGroups.Assign(_hasher.Hash(key), _keyGroupCount);

    /// <summary>
    /// Writes every state entry and timer into the key-group sections of <paramref name="context"/>, and the header
    /// (state names and formats, the operator's watermark) into its operator state.
    /// </summary>
    public void Snapshot(SnapshotContext context, TimerQueue<TKey> eventTimers, TimerQueue<TKey> processingTimers, long watermark)
    {
        var headers = new List<KeyedStateSnapshot.StateHeader>();
        // States restored but never re-created by the function in this run are carried over unchanged.
        var index = 0;
        var value = new StateWriter();
        foreach (var (name, state) in _states)
        {
            headers.Add(new(name, state.Kind, state.ValueFormat.FormatId, state.ValueFormat.Version));
            state.Snapshot(context, this, index++, value);
        }
        foreach (var (name, restored) in _restored)
        {
            headers.Add(restored.Header);
            foreach (var entry in restored.Entries)
            {
                var w = context.KeyGroup(KeyGroupOf(entry.Key));
                WriteEntryHead(w, index, entry.Key, entry.Stamp);
                w.WriteBytes(entry.Value.Span);
            }
            index++;
        }
        WriteTimers(context, eventTimers, KeyedStateSnapshot.EventTimerTag);
        WriteTimers(context, processingTimers, KeyedStateSnapshot.ProcessingTimerTag);
        KeyedStateSnapshot.WriteHeader(context.OperatorState, StateSerializers.Describe<TKey>(), watermark, headers);
    }

    /// <summary>Writes the common head of a state entry record.</summary>
    internal void WriteEntryHead(StateWriter writer, int stateIndex, TKey key, long stamp)
    {
        writer.WriteByte(KeyedStateSnapshot.EntryTag);
        writer.WriteVarInt32((uint)stateIndex);
        _keySerializer.Write(writer, key);
        writer.WriteZigZagInt64(stamp);
    }

    private void WriteTimers(SnapshotContext context, TimerQueue<TKey> timers, byte tag)
    {
        foreach (var (key, time) in timers.Live)
        {
            var w = context.KeyGroup(KeyGroupOf(key));
            w.WriteByte(tag);
            _keySerializer.Write(w, key);
            w.WriteZigZagInt64(time);
        }
    }

    /// <summary>
    /// Loads state and timers from a checkpoint: timers go straight into the queues, state entries wait (as bytes)
    /// until the function creates the state in <c>Open</c>. Returns the operator's watermark at the checkpoint.
    /// </summary>
    /// <exception cref="StateFormatException">The state was written with another key format, or is corrupt.</exception>
    public long Restore(RestoreContext context, string operatorName, TimerQueue<TKey> eventTimers, TimerQueue<TKey> processingTimers)
    {
        if (context.OperatorStates.Count == 0)
        {
            return EventTime.MinWatermark;
        }
        var keyFormat = StateSerializers.Describe<TKey>();
        var (keyVersion, watermark, headers) = KeyedStateSnapshot.ReadHeader(context.OperatorStates[0], keyFormat, operatorName);
        for (var i = 1; i < context.OperatorStates.Count; i++)
        {
            watermark = Math.Min(watermark, KeyedStateSnapshot.ReadHeader(context.OperatorStates[i], keyFormat, operatorName).Watermark);
        }
        var restored = headers.ConvertAll(h => new RestoredState(h));
        foreach (var (group, bytes) in context.KeyGroups)
        {
            var reader = new StateReader(bytes);
            while (!reader.IsAtEnd)
            {
                var tag = reader.ReadByte();
                switch (tag)
                {
                    case KeyedStateSnapshot.EntryTag:
                        var stateIndex = (int)reader.ReadVarInt32();
                        if (stateIndex >= restored.Count)
                        {
                            throw new StateFormatException($"Keyed state of '{operatorName}', key group {group}: entry of state #{stateIndex}, but only {restored.Count} states exist.");
                        }
                        var key = _keySerializer.Read(reader, keyVersion);
                        var stamp = reader.ReadZigZagInt64();
                        restored[stateIndex].Entries.Add((key, stamp, reader.ReadBytes()));
                        break;
                    case KeyedStateSnapshot.EventTimerTag:
                    case KeyedStateSnapshot.ProcessingTimerTag:
                        var timerKey = _keySerializer.Read(reader, keyVersion);
                        var time = reader.ReadZigZagInt64();
                        (tag == KeyedStateSnapshot.EventTimerTag ? eventTimers : processingTimers).Register(timerKey, time);
                        break;
                    default:
                        throw new StateFormatException($"Keyed state of '{operatorName}', key group {group}: unknown record tag {tag} at offset {reader.Position - 1}.");
                }
            }
        }
        foreach (var state in restored)
        {
            _restored[state.Header.Name] = state;
        }
        return watermark;
    }

    /// <summary>A state read from a checkpoint whose handle the function has not created yet.</summary>
    private sealed class RestoredState(KeyedStateSnapshot.StateHeader header)
    {
        public KeyedStateSnapshot.StateHeader Header { get; } = header;

        public List<(TKey Key, long Stamp, ReadOnlyMemory<byte> Value)> Entries { get; } = [];
    }

    /// <summary>The key whose state handles read and write. Set by the operator per record and timer.</summary>
    public TKey CurrentKey { get; set; } = default!;

    /// <summary>The states created so far, by name.</summary>
    public IReadOnlyDictionary<string, IHeapState<TKey>> States => _states;

    internal long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Total live entries over all states (expired-but-unswept entries included).</summary>
    public int EntryCount
    {
        get
        {
            var n = 0;
            foreach (var state in _states.Values)
            {
                n += state.Count;
            }
            return n;
        }
    }

    /// <summary>Removes expired entries of every TTL state when half the shortest TTL has passed since the last sweep.</summary>
    public void MaybeSweep()
    {
        if (_minTtl == long.MaxValue)
        {
            return;
        }
        var now = Now;
        if (now - _lastSweep < Math.Max(1, _minTtl / 2))
        {
            return;
        }
        _lastSweep = now;
        foreach (var state in _states.Values)
        {
            state.SweepExpired(now);
        }
    }

    public IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor) => Register(descriptor, () => new HeapValueState<TKey, T>(this, descriptor.Ttl));

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) => Register(descriptor, () => new HeapListState<TKey, T>(this, descriptor.Ttl));

    public IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull =>
        Register(descriptor, () => new HeapMapState<TKey, TMapKey, TValue>(this, descriptor.Ttl));

    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor) =>
        Register(descriptor, () => new HeapReducingState<TKey, T>(this, descriptor.Ttl, descriptor.Reduce));

    public IAggregatingState<TIn, TOut> GetAggregatingState<TIn, TAcc, TOut>(AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor) =>
        Register(descriptor, () => new HeapAggregatingState<TKey, TIn, TAcc, TOut>(this, descriptor.Ttl, descriptor.Function));

    private TState Register<TState>(StateDescriptor descriptor, Func<TState> create) where TState : class, IHeapState<TKey>
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (_states.TryGetValue(descriptor.Name, out var existing))
        {
            return existing as TState ?? throw new InvalidOperationException(
                $"State '{descriptor.Name}' already exists with another kind or type ({existing.GetType().Name}); state names must be unique per operator.");
        }
        var state = create();
        if (_restored.Remove(descriptor.Name, out var restored))
        {
            var header = restored.Header;
            if (header.Kind != state.Kind || header.ValueFormat != state.ValueFormat.FormatId)
            {
                throw new StateFormatException(
                    $"State '{descriptor.Name}' was checkpointed as {header.Kind} of '{header.ValueFormat}' but is now {state.Kind} of '{state.ValueFormat.FormatId}'. Keep a state's kind and type, or give the new state another name.");
            }
            foreach (var (key, stamp, value) in restored.Entries)
            {
                state.Restore(key, stamp, new StateReader(value), header.ValueVersion);
            }
        }
        _states.Add(descriptor.Name, state);
        if (descriptor.Ttl is { } ttl)
        {
            _minTtl = Math.Min(_minTtl, ttl.TimeToLiveMs);
        }
        return state;
    }
}

/// <summary>What the backend needs of every state, whatever its value type.</summary>
internal interface IHeapState<TKey> where TKey : notnull
{
    /// <summary>Entries held (keys, or map entries for map state).</summary>
    int Count { get; }

    /// <summary>The state's kind in checkpoints (value, list, map, reducing, aggregating).</summary>
    string Kind { get; }

    /// <summary>The format its values are written in.</summary>
    SerializerDescriptor ValueFormat { get; }

    /// <summary>Removes entries whose TTL has passed.</summary>
    void SweepExpired(long now);

    /// <summary>Writes every entry into its key group's section as state <paramref name="stateIndex"/>.</summary>
    void Snapshot(SnapshotContext context, HeapKeyedStateBackend<TKey> backend, int stateIndex, StateWriter scratch);

    /// <summary>Adds one restored entry.</summary>
    void Restore(TKey key, long stamp, StateReader value, int version);
}
