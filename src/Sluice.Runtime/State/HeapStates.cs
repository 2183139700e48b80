using System.Runtime.CompilerServices;
using Sluice.Runtime.Checkpointing;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>A map-state value's entry: TTL applies per map entry.</summary>
internal struct TtlEntry<T>(T value, long stamp)
{
    public T Value = value;
    public long Stamp = stamp;
}

/// <summary>
/// What every heap state shares: the (key, namespace) map, the current namespace, TTL, copy-on-write of value
/// objects shared with a snapshot, and snapshot/restore of entries. A null TTL means entries never expire (and time
/// is never read).
/// </summary>
internal abstract class HeapStateBase<TKey, TNamespace, TValue> : IHeapState, IInternalKvState<TNamespace> where TKey : notnull
{
    protected readonly HeapKeyedStateBackend<TKey> Backend;
    protected readonly StateTtlConfig? Ttl;
    protected readonly StateMap<TKey, TNamespace, TValue> Map = new();
    private readonly IStateSerializer<TNamespace> _namespaceSerializer;
    protected TNamespace Namespace = default!;

    protected HeapStateBase(HeapKeyedStateBackend<TKey> backend, StateDescriptor descriptor, string kind, IStateSerializer<TNamespace> namespaceSerializer, SerializerDescriptor valueFormat)
    {
        Backend = backend;
        Ttl = descriptor.Ttl;
        _namespaceSerializer = namespaceSerializer;
        Header = new StateHeader(descriptor.Name, kind, SerializerDescriptor.Of(namespaceSerializer), valueFormat);
    }

    public StateHeader Header { get; }

    public virtual long Count => Map.Count;

    public void SetCurrentNamespace(TNamespace ns) => Namespace = ns;

    protected virtual void WriteValue(StateWriter writer, TValue value) => StateSerializers.For<TValue>().Write(writer, value);

    protected virtual TValue ReadValue(StateReader reader, int version) => StateSerializers.For<TValue>().Read(reader, version);

    /// <summary>A copy of a value object that a snapshot may still be reading, safe to mutate.</summary>
    protected virtual TValue CopyValue(TValue value) => StateCopier<TValue>.Copy(value);

    /// <summary>True when the values of this state are mutated in place (so a shared one must be copied first even to read).</summary>
    protected virtual bool MutatesInPlace => !StateCopier<TValue>.IsImmutable;

    // MutatesInPlace, read once: the hot path reads a field instead of calling a virtual property per access.
    private bool? _mutatesInPlace;

    private bool CopiesShared => _mutatesInPlace ??= MutatesInPlace;

    protected long Stamp => Ttl is null ? 0 : Backend.Now;

    /// <summary>
    /// Finds the current (key, namespace)'s live entry, ready to be read or mutated: removes it if expired, refreshes
    /// its TTL on read when configured, and copies its value object first when a snapshot may still read it.
    /// </summary>
    protected ref StateMap<TKey, TNamespace, TValue>.Entry Find(out bool found) => ref Find(Ttl, out found);

    /// <summary>As <see cref="Find(out bool)"/>, with the entry-level TTL <paramref name="ttl"/> (null: none; map state applies TTL per map entry).</summary>
    protected ref StateMap<TKey, TNamespace, TValue>.Entry Find(StateTtlConfig? ttl, out bool found)
    {
        ref var entry = ref Map.Find(Backend.CurrentKey, Namespace, out found);
        if (!found)
        {
            return ref entry;
        }
        if (ttl is not null)
        {
            var now = Backend.Now;
            if (now - entry.Stamp >= ttl.TimeToLiveMs)
            {
                Map.Remove(Backend.CurrentKey, Namespace);
                found = false;
                return ref Unsafe.NullRef<StateMap<TKey, TNamespace, TValue>.Entry>();
            }
            if (ttl.Update == StateTtlUpdate.OnReadAndWrite)
            {
                entry.Stamp = now;
            }
        }
        if (CopiesShared && Map.IsShared(entry.Version))
        {
            entry.Value = CopyValue(entry.Value);
            entry.Version = Map.Version;
        }
        return ref entry;
    }

    /// <summary>
    /// For the current key, folds the live values of <paramref name="sources"/> into <paramref name="target"/> with
    /// <paramref name="merge"/> (target value first) and clears the sources; a source equal to the target is skipped.
    /// </summary>
    protected void MergeInto(TNamespace target, IReadOnlyList<TNamespace> sources, Func<TValue, TValue, TValue> merge)
    {
        var original = Namespace;
        try
        {
            foreach (var source in sources)
            {
                if (EqualityComparer<TNamespace>.Default.Equals(source, target))
                {
                    continue;
                }
                Namespace = source;
                ref var from = ref Find(out var found);
                if (!found)
                {
                    continue;
                }
                var value = from.Value;
                Clear();
                Namespace = target;
                ref var into = ref Find(out var exists);
                if (exists)
                {
                    into.Value = merge(into.Value, value);
                    into.Stamp = Stamp;
                }
                else
                {
                    Write(value);
                }
            }
        }
        finally
        {
            Namespace = original;
        }
    }

    protected void Write(TValue value)
    {
        ref var entry = ref Map.GetOrAdd(Backend.CurrentKey, Namespace, out _);
        entry.Value = value;
        entry.Stamp = Stamp;
        entry.Version = Map.Version;
    }

    public void Clear() => Map.Remove(Backend.CurrentKey, Namespace);

    void IHeapState.Clear() => Map.Clear();

    public virtual void SweepExpired(long now)
    {
        if (Ttl is not null)
        {
            Map.RemoveWhere(new Expired(now, Ttl.TimeToLiveMs));
        }
    }

    private readonly struct Expired(long now, long ttl) : StateMap<TKey, TNamespace, TValue>.IEntryPredicate
    {
        public bool Matches(long stamp) => now - stamp >= ttl;
    }

    public IFrozenState Freeze() => new Frozen(this, Map.Freeze());

    public void Restore(RestoredKeyedState restored, int keyVersion)
    {
        var namespaceVersion = restored.Header.NamespaceFormat.Version;
        var valueVersion = restored.Header.ValueFormat.Version;
        foreach (var (group, payload) in restored.Entries)
        {
            TKey key;
            TNamespace ns;
            long stamp;
            TValue value;
            try
            {
                var reader = new StateReader(payload);
                key = Backend.KeySerializer.Read(reader, keyVersion);
                ns = _namespaceSerializer.Read(reader, namespaceVersion);
                stamp = reader.ReadZigZagInt64();
                value = ReadValue(reader, valueVersion);
                reader.EnsureAtEnd();
            }
            catch (Exception e) when (e is StateFormatException or ArgumentException or FormatException or OverflowException or InvalidOperationException or IndexOutOfRangeException)
            {
                throw new StateFormatException(
                    $"Keyed state '{Header.Name}' of operator '{Backend.OperatorName}', key group {group}: a restored entry is corrupt or not of format '{restored.Header.ValueFormat.FormatId}': {e.Message}", e);
            }
            ref var entry = ref Map.GetOrAdd(key, ns, out _);
            entry.Value = value;
            entry.Stamp = stamp;
            entry.Version = Map.Version;
        }
    }

    private sealed class Frozen(HeapStateBase<TKey, TNamespace, TValue> state, FrozenStateMap<TKey, TNamespace, TValue> map) : IFrozenState
    {
        public void Write(KeyedSnapshotWriter headers, SnapshotContext target, StateWriter scratch)
        {
            var writer = new EntryWriter(state, headers.AddState(state.Header), target, scratch);
            map.ForEach(ref writer);
        }

        public void Dispose() => map.Dispose();
    }

    private struct EntryWriter(HeapStateBase<TKey, TNamespace, TValue> state, int index, SnapshotContext target, StateWriter scratch)
        : FrozenStateMap<TKey, TNamespace, TValue>.IVisitor
    {
        public readonly void Visit(TKey key, TNamespace ns, TValue value, long stamp)
        {
            scratch.Reset();
            state.Backend.KeySerializer.Write(scratch, key);
            state._namespaceSerializer.Write(scratch, ns);
            scratch.WriteZigZagInt64(stamp);
            state.WriteValue(scratch, value);
            KeyedStateSnapshot.WriteRecord(target.KeyGroup(state.Backend.KeyGroupOf(key)), KeyedStateSnapshot.StateEntryTag, index, scratch.WrittenSpan);
        }
    }
}

internal sealed class HeapValueState<TKey, TNamespace, T>(HeapKeyedStateBackend<TKey> backend, ValueStateDescriptor<T> descriptor, IStateSerializer<TNamespace> ns)
    : HeapStateBase<TKey, TNamespace, T>(backend, descriptor, "value", ns, StateSerializers.Describe<T>()), IInternalValueState<TNamespace, T> where TKey : notnull
{
    public T? Value => TryGet(out var value) ? value : default;

    public bool TryGet(out T value)
    {
        ref var entry = ref Find(out var found);
        value = found ? entry.Value : default!;
        return found;
    }

    public void Update(T value) => Write(value);
}

internal sealed class HeapListState<TKey, TNamespace, T>(HeapKeyedStateBackend<TKey> backend, ListStateDescriptor<T> descriptor, IStateSerializer<TNamespace> ns)
    : HeapStateBase<TKey, TNamespace, List<T>>(backend, descriptor, "list", ns, StateSerializers.Describe<List<T>>()), IInternalListState<TNamespace, T> where TKey : notnull
{
    protected override bool MutatesInPlace => true;

    protected override List<T> CopyValue(List<T> value) => StateCopier<T>.IsImmutable ? [.. value] : value.ConvertAll(StateCopier<T>.Copy);

    public IReadOnlyList<T> Get()
    {
        ref var entry = ref Find(out var found);
        return found ? entry.Value : [];
    }

    public void Add(T value)
    {
        ref var entry = ref Find(out var found);
        if (found)
        {
            entry.Value.Add(value);
            entry.Stamp = Stamp;
        }
        else
        {
            Write([value]);
        }
    }

    public void Update(IEnumerable<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Write([.. values]);
    }
}

internal sealed class HeapReducingState<TKey, TNamespace, T>(HeapKeyedStateBackend<TKey> backend, ReducingStateDescriptor<T> descriptor, IStateSerializer<TNamespace> ns)
    : HeapStateBase<TKey, TNamespace, T>(backend, descriptor, "reducing", ns, StateSerializers.Describe<T>()), IInternalReducingState<TNamespace, T> where TKey : notnull
{
    private readonly Func<T, T, T> _reduce = descriptor.Reduce;

    public void Add(T value)
    {
        ref var entry = ref Find(out var found);
        if (found)
        {
            entry.Value = _reduce(entry.Value, value);
            entry.Stamp = Stamp;
        }
        else
        {
            Write(value);
        }
    }

    public bool TryGet(out T value)
    {
        ref var entry = ref Find(out var found);
        value = found ? entry.Value : default!;
        return found;
    }

    public void MergeNamespaces(TNamespace target, IReadOnlyList<TNamespace> sources) => MergeInto(target, sources, _reduce);
}

internal sealed class HeapAggregatingState<TKey, TNamespace, TIn, TAcc, TOut>(
    HeapKeyedStateBackend<TKey> backend, AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor, IStateSerializer<TNamespace> ns)
    : HeapStateBase<TKey, TNamespace, TAcc>(backend, descriptor, "aggregating", ns, StateSerializers.Describe<TAcc>()), IInternalAggregatingState<TNamespace, TIn, TAcc, TOut>
    where TKey : notnull
{
    private readonly IAggregateFunction<TIn, TAcc, TOut> _function = descriptor.Function;
    private readonly Func<TAcc, TAcc, TAcc> _merge = descriptor.Function.Merge;

    public void Add(TIn value)
    {
        ref var entry = ref Find(out var found);
        if (found)
        {
            entry.Value = _function.Add(entry.Value, value);
            entry.Stamp = Stamp;
        }
        else
        {
            Write(_function.Add(_function.CreateAccumulator(), value));
        }
    }

    public bool AddAndCheckCreated(TIn value)
    {
        ref var entry = ref Find(out var found);
        if (found)
        {
            entry.Value = _function.Add(entry.Value, value);
            entry.Stamp = Stamp;
            return false;
        }
        Write(_function.Add(_function.CreateAccumulator(), value));
        return true;
    }

    public bool TryGet(out TOut value)
    {
        ref var entry = ref Find(out var found);
        value = found ? _function.GetResult(entry.Value) : default!;
        return found;
    }

    public bool TryGetAccumulator(out TAcc accumulator)
    {
        ref var entry = ref Find(out var found);
        accumulator = found ? entry.Value : default!;
        return found;
    }

    public void MergeNamespaces(TNamespace target, IReadOnlyList<TNamespace> sources) => MergeInto(target, sources, _merge);
}

/// <summary>Map state: TTL applies per map entry, so the per-(key, namespace) value is a map of TTL entries (<see cref="HeapMapValue{TMapKey, TValue}"/>).</summary>
internal sealed class HeapMapState<TKey, TNamespace, TMapKey, TValue>(HeapKeyedStateBackend<TKey> backend, MapStateDescriptor<TMapKey, TValue> descriptor, IStateSerializer<TNamespace> ns)
    : HeapStateBase<TKey, TNamespace, HeapMapValue<TMapKey, TValue>>(backend, descriptor, "map", ns, s_format), IInternalMapState<TNamespace, TMapKey, TValue>
    where TKey : notnull where TMapKey : notnull
{
    private static readonly SerializerDescriptor s_format = new(
        $"map({StateSerializers.Describe<TMapKey>().FormatId},{StateSerializers.Describe<TValue>().FormatId})", 1);

    protected override bool MutatesInPlace => true;

    protected override HeapMapValue<TMapKey, TValue> CopyValue(HeapMapValue<TMapKey, TValue> value)
    {
        var immutable = StateCopier<TMapKey>.IsImmutable && StateCopier<TValue>.IsImmutable;
        var copy = new HeapMapValue<TMapKey, TValue>(value.Count);
        foreach (var (mapKey, entry) in value.Pairs)
        {
            copy.Set(
                immutable ? mapKey : StateCopier<TMapKey>.Copy(mapKey),
                immutable ? entry : new TtlEntry<TValue>(StateCopier<TValue>.Copy(entry.Value), entry.Stamp));
        }
        return copy;
    }

    // Format (unchanged from when the entries were a dictionary): the count, then per entry key, stamp, value.
    protected override void WriteValue(StateWriter writer, HeapMapValue<TMapKey, TValue> value)
    {
        var keys = StateSerializers.For<TMapKey>();
        var values = StateSerializers.For<TValue>();
        writer.WriteVarInt32((uint)value.Count);
        foreach (var (mapKey, entry) in value.Pairs)
        {
            keys.Write(writer, mapKey);
            writer.WriteZigZagInt64(entry.Stamp);
            values.Write(writer, entry.Value);
        }
    }

    protected override HeapMapValue<TMapKey, TValue> ReadValue(StateReader reader, int version)
    {
        var keys = StateSerializers.For<TMapKey>();
        var values = StateSerializers.For<TValue>();
        var keyVersion = keys.Version;
        var valueVersion = values.Version;
        var count = reader.ReadVarInt32();
        if (count > int.MaxValue)
        {
            throw new StateFormatException($"A map state entry of '{Header.Name}' claims {count} map entries.");
        }
        var map = new HeapMapValue<TMapKey, TValue>((int)count);
        for (var i = 0; i < count; i++)
        {
            var mapKey = keys.Read(reader, keyVersion);
            var stamp = reader.ReadZigZagInt64();
            map.Set(mapKey, new TtlEntry<TValue>(values.Read(reader, valueVersion), stamp));
        }
        return map;
    }

    public override long Count
    {
        get
        {
            long n = 0;
            foreach (var (_, _, map) in Map.Entries)
            {
                n += map.Count;
            }
            return n;
        }
    }

    private HeapMapValue<TMapKey, TValue>? Current(bool create)
    {
        ref var entry = ref Find(ttl: null, out var found);
        if (found)
        {
            return entry.Value;
        }
        if (!create)
        {
            return null;
        }
        var map = new HeapMapValue<TMapKey, TValue>();
        Write(map);
        return map;
    }

    private bool IsLive(ref TtlEntry<TValue> entry, long now) => Ttl is null || now - entry.Stamp < Ttl.TimeToLiveMs;

    public bool TryGetValue(TMapKey key, out TValue value)
    {
        var map = Current(create: false);
        if (map is not null)
        {
            ref var entry = ref map.Find(key);
            if (!Unsafe.IsNullRef(ref entry))
            {
                var now = Stamp;
                if (IsLive(ref entry, now))
                {
                    if (Ttl?.Update == StateTtlUpdate.OnReadAndWrite)
                    {
                        entry.Stamp = now;
                    }
                    value = entry.Value;
                    return true;
                }
                map.Remove(key);
            }
        }
        value = default!;
        return false;
    }

    public void Put(TMapKey key, TValue value) => Current(create: true)!.Set(key, new TtlEntry<TValue>(value, Stamp));

    public bool Remove(TMapKey key) => Current(create: false)?.Remove(key) ?? false;

    // Eager: the current key's map is found when the property is read. An absent or empty map enumerates a shared
    // empty array (no allocation: a join probes every record against the other side's often absent rows).
    public IEnumerable<KeyValuePair<TMapKey, TValue>> Entries
    {
        get
        {
            var map = Current(create: false);
            if (map is null || map.Count == 0)
            {
                return [];
            }
            if (Ttl is not null)
            {
                return LiveEntries(map, Stamp, Ttl);
            }
            // Without TTL every entry is live: an inline entry is read now, a dictionary's pairs as they are (no key
            // looked up again).
            return map.TryGetSingle(out var key, out var single) ? [new(key, single.Value)] : AllEntries(map.Many!);
        }
    }

    private static IEnumerable<KeyValuePair<TMapKey, TValue>> AllEntries(Dictionary<TMapKey, TtlEntry<TValue>> map)
    {
        foreach (var (key, entry) in map)
        {
            yield return new(key, entry.Value);
        }
    }

    private static IEnumerable<KeyValuePair<TMapKey, TValue>> LiveEntries(HeapMapValue<TMapKey, TValue> map, long now, StateTtlConfig ttl)
    {
        var refresh = ttl.Update == StateTtlUpdate.OnReadAndWrite;
        foreach (var key in map.Keys)
        {
            if (Live(map, key, now, ttl, refresh, out var value))
            {
                yield return new(key, value);
            }
        }
    }

    private static bool Live(HeapMapValue<TMapKey, TValue> map, TMapKey key, long now, StateTtlConfig ttl, bool refresh, out TValue value)
    {
        ref var entry = ref map.Find(key);
        if (Unsafe.IsNullRef(ref entry) || now - entry.Stamp >= ttl.TimeToLiveMs)
        {
            value = default!;
            return false;
        }
        if (refresh)
        {
            entry.Stamp = now;
        }
        value = entry.Value;
        return true;
    }

    public bool IsEmpty
    {
        get
        {
            foreach (var _ in Entries)
            {
                return false;
            }
            return true;
        }
    }

    public override void SweepExpired(long now)
    {
        if (Ttl is null)
        {
            return;
        }
        var emptied = new List<(TKey, TNamespace)>();
        foreach (var (key, ns, _) in Map.Entries.ToList())
        {
            ref var entry = ref Map.Find(key, ns, out _);
            if (Map.IsShared(entry.Version))
            {
                entry.Value = CopyValue(entry.Value);
                entry.Version = Map.Version;
            }
            var map = entry.Value;
            foreach (var (mapKey, mapEntry) in map.Pairs)
            {
                if (now - mapEntry.Stamp >= Ttl.TimeToLiveMs)
                {
                    map.Remove(mapKey);
                }
            }
            if (map.Count == 0)
            {
                emptied.Add((key, ns));
            }
        }
        foreach (var (key, ns) in emptied)
        {
            Map.Remove(key, ns);
        }
    }
}
