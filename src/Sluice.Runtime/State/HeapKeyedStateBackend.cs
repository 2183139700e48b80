using Sluice.Runtime.Checkpointing;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// Keyed state on the heap: per state, one <see cref="StateMap{TKey, TNamespace, TValue}"/> of (key, namespace)
/// entries (paged, copy-on-write per page). TTL is processing time from the job's <see cref="TimeProvider"/>: expired entries are invisible
/// at once and removed on access or by <see cref="MaybeSweep"/>. Snapshots are asynchronous: <see cref="Snapshot"/>
/// freezes the tables (copy-on-write), writing happens later on any thread.
/// </summary>
/// <typeparam name="TKey">Key type.</typeparam>
internal sealed class HeapKeyedStateBackend<TKey> : IKeyedStateBackend<TKey> where TKey : notnull
{
    private readonly Dictionary<string, IHeapState> _states = [];
    private readonly string _operatorName;
    private readonly TimeProvider _time;
    private readonly IKeyHasher<TKey> _hasher;
    private readonly int _keyGroupCount;
    private KeyedStateRestore? _restore;
    private TtlSweepSchedule _sweeps;

    /// <summary>Creates an empty backend for the key groups <paramref name="keyGroups"/> of a job with <paramref name="keyGroupCount"/>.</summary>
    public HeapKeyedStateBackend(string operatorName, TimeProvider time, IKeyHasher<TKey> hasher, int keyGroupCount, KeyGroupRange keyGroups)
    {
        _operatorName = operatorName;
        _time = time;
        _hasher = hasher;
        _keyGroupCount = keyGroupCount;
        KeyGroups = keyGroups;
        KeySerializer = StateSerializers.For<TKey>();
        _sweeps = new TtlSweepSchedule(Now);
    }

    public KeyGroupRange KeyGroups { get; }

    public TKey CurrentKey { get; private set; } = default!;

    /// <summary>Computed on first use per key: state needs no key group, timers do.</summary>
    public int CurrentKeyGroup
    {
        get
        {
            if (_currentKeyGroup < 0)
            {
                var group = KeyGroupOf(CurrentKey);
                if (!KeyGroups.Contains(group))
                {
                    throw new InvalidOperationException(
                        $"Operator '{_operatorName}' received key {CurrentKey} of key group {group}, outside its key groups {KeyGroups.Start}–{KeyGroups.End}: records were routed by another key than the operator's.");
                }
                _currentKeyGroup = group;
            }
            return _currentKeyGroup;
        }
    }

    private int _currentKeyGroup = -1;

    internal IStateSerializer<TKey> KeySerializer { get; }

    internal string OperatorName => _operatorName;

    /// <summary>The key serializer version restored keys were written with.</summary>
    internal int RestoredKeyVersion => _restore?.KeyVersion ?? KeySerializer.Version;

    internal long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public void SetCurrentKey(TKey key)
    {
        if (key is null)
        {
            throw new InvalidOperationException("The key selector returned null; keys must not be null.");
        }
        CurrentKey = key;
        _currentKeyGroup = -1;
    }

    public int KeyGroupOf(TKey key) => Sluice.KeyGroups.Assign(_hasher.Hash(key), _keyGroupCount);

    public long EntryCount
    {
        get
        {
            long n = 0;
            foreach (var state in _states.Values)
            {
                n += state.Count;
            }
            return n;
        }
    }

    public void MaybeSweep()
    {
        if (!_sweeps.HasTtl)
        {
            return;
        }
        var now = Now;
        if (!_sweeps.IsDue(now))
        {
            return;
        }
        foreach (var state in _states.Values)
        {
            state.SweepExpired(now);
        }
    }

    public void Restore(KeyedStateRestore restore)
    {
        KeyedBackendRules.EnsureRestorable(restore, _states.Count, _operatorName, "heap");
        _restore = restore;
    }

    /// <summary>Nothing to do: heap snapshots are full, they refer to no earlier checkpoint.</summary>
    public void NotifyCheckpointComplete(long checkpointId)
    {
    }

    public IKeyedStateSnapshot Snapshot(long checkpointId)
    {
        var frozen = new List<IFrozenState>(_states.Count);
        foreach (var state in _states.Values)
        {
            frozen.Add(state.Freeze());
        }
        // States restored but never created again in this run are carried over as bytes.
        var carried = _restore?.States.ToList() ?? [];
        return new HeapSnapshot(frozen, carried);
    }

    /// <summary>Nothing to release: the heap's memory goes with the operator (state stays inspectable after the job ends).</summary>
    public void Dispose() { }

    public IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor) => GetValueState(descriptor, VoidNamespace.Serializer);

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) => GetListState(descriptor, VoidNamespace.Serializer);

    public IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull =>
        GetMapState(descriptor, VoidNamespace.Serializer);

    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor) => GetReducingState(descriptor, VoidNamespace.Serializer);

    public IAggregatingState<TIn, TOut> GetAggregatingState<TIn, TAcc, TOut>(AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor) =>
        GetAggregatingState(descriptor, VoidNamespace.Serializer);

    public IInternalValueState<TNamespace, T> GetValueState<TNamespace, T>(ValueStateDescriptor<T> descriptor, IStateSerializer<TNamespace> namespaceSerializer) =>
        Register(descriptor, () => new HeapValueState<TKey, TNamespace, T>(this, descriptor, namespaceSerializer));

    public IInternalListState<TNamespace, T> GetListState<TNamespace, T>(ListStateDescriptor<T> descriptor, IStateSerializer<TNamespace> namespaceSerializer) =>
        Register(descriptor, () => new HeapListState<TKey, TNamespace, T>(this, descriptor, namespaceSerializer));

    public IInternalMapState<TNamespace, TMapKey, TValue> GetMapState<TNamespace, TMapKey, TValue>(
        MapStateDescriptor<TMapKey, TValue> descriptor, IStateSerializer<TNamespace> namespaceSerializer) where TMapKey : notnull =>
        Register(descriptor, () => new HeapMapState<TKey, TNamespace, TMapKey, TValue>(this, descriptor, namespaceSerializer));

    public IInternalReducingState<TNamespace, T> GetReducingState<TNamespace, T>(ReducingStateDescriptor<T> descriptor, IStateSerializer<TNamespace> namespaceSerializer) =>
        Register(descriptor, () => new HeapReducingState<TKey, TNamespace, T>(this, descriptor, namespaceSerializer));

    public IInternalAggregatingState<TNamespace, TIn, TAcc, TOut> GetAggregatingState<TNamespace, TIn, TAcc, TOut>(
        AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor, IStateSerializer<TNamespace> namespaceSerializer) =>
        Register(descriptor, () => new HeapAggregatingState<TKey, TNamespace, TIn, TAcc, TOut>(this, descriptor, namespaceSerializer));

    private TState Register<TState>(StateDescriptor descriptor, Func<TState> create) where TState : class, IHeapState
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (_states.TryGetValue(descriptor.Name, out var existing))
        {
            return existing as TState ?? throw new StateFormatException(
                $"Operator '{_operatorName}' registers state '{descriptor.Name}' twice with different types: first {existing.Header.Kind} of '{existing.Header.ValueFormat.FormatId}' (namespace '{existing.Header.NamespaceFormat.FormatId}'), now {typeof(TState).Name}. State names must be unique per operator.");
        }
        var state = create();
        if (_restore?.TakeState(descriptor.Name) is { } restored)
        {
            KeyedBackendRules.EnsureCompatible(restored.Header, state.Header, _operatorName);
            state.Restore(restored, RestoredKeyVersion);
        }
        _states.Add(descriptor.Name, state);
        _sweeps.Add(descriptor.Ttl);
        return state;
    }

    /// <summary>The frozen states plus carried-over restored ones; written on any thread.</summary>
    private sealed class HeapSnapshot(List<IFrozenState> states, List<RestoredKeyedState> carried) : IKeyedStateSnapshot
    {
        public void Write(KeyedSnapshotWriter headers, SnapshotContext target)
        {
            var scratch = new StateWriter();
            foreach (var state in states)
            {
                state.Write(headers, target, scratch);
            }
            foreach (var restored in carried)
            {
                var index = headers.AddState(restored.Header);
                foreach (var (group, payload) in restored.Entries)
                {
                    KeyedStateSnapshot.WriteRecord(target.KeyGroup(group), KeyedStateSnapshot.StateEntryTag, index, payload.Span);
                }
            }
        }

        public void Dispose()
        {
            foreach (var state in states)
            {
                state.Dispose();
            }
        }
    }
}

/// <summary>What the heap backend needs of every state, whatever its types.</summary>
internal interface IHeapState
{
    /// <summary>The state's name, kind and formats, as written into snapshots.</summary>
    StateHeader Header { get; }

    /// <summary>Entries held (map entries for map state), expired-but-unswept ones included.</summary>
    long Count { get; }

    /// <summary>Removes entries whose TTL has passed.</summary>
    void SweepExpired(long now);

    /// <summary>Marks a snapshot point.</summary>
    IFrozenState Freeze();

    /// <summary>Loads restored entries (before any access).</summary>
    void Restore(RestoredKeyedState restored, int keyVersion);

    /// <summary>Drops every entry.</summary>
    void Clear();
}

/// <summary>One state as of a snapshot point.</summary>
internal interface IFrozenState : IDisposable
{
    /// <summary>Adds the state's header and writes its entries into their key groups' sections.</summary>
    void Write(KeyedSnapshotWriter headers, SnapshotContext target, StateWriter scratch);
}
