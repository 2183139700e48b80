using System.Runtime.InteropServices;
using Sluice.Runtime.Checkpointing;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>A state value with the processing time its TTL counts from.</summary>
internal struct TtlEntry<T>(T value, long stamp)
{
    public T Value = value;
    public long Stamp = stamp;
}

/// <summary>Shared TTL logic of heap states. A null <see cref="Ttl"/> means entries never expire (and time is never read).</summary>
internal abstract class HeapStateBase<TKey, TValue>(HeapKeyedStateBackend<TKey> backend, StateTtlConfig? ttl, string kind) : IHeapState<TKey> where TKey : notnull
{
    protected readonly HeapKeyedStateBackend<TKey> Backend = backend;
    protected readonly StateTtlConfig? Ttl = ttl;
    protected readonly Dictionary<TKey, TtlEntry<TValue>> Map = [];

    public virtual int Count => Map.Count;

    public string Kind { get; } = kind;

    public virtual SerializerDescriptor ValueFormat => StateSerializers.Describe<TValue>();

    protected virtual void WriteValue(StateWriter writer, TValue value) => StateSerializers.For<TValue>().Write(writer, value);

    protected virtual TValue ReadValue(StateReader reader, int version) => StateSerializers.For<TValue>().Read(reader, version);

    public void Snapshot(SnapshotContext context, HeapKeyedStateBackend<TKey> backend, int stateIndex, StateWriter scratch)
    {
        foreach (var (key, entry) in Map)
        {
            var writer = context.KeyGroup(backend.KeyGroupOf(key));
            backend.WriteEntryHead(writer, stateIndex, key, entry.Stamp);
            scratch.Reset();
            WriteValue(scratch, entry.Value);
            writer.WriteBytes(scratch.WrittenSpan);
        }
    }

    public void Restore(TKey key, long stamp, StateReader value, int version) => Map[key] = new TtlEntry<TValue>(ReadValue(value, version), stamp);

    protected long Stamp => Ttl is null ? 0 : Backend.Now;

    /// <summary>Finds the current key's live entry; removes it if expired; refreshes it on read when configured.</summary>
    protected ref TtlEntry<TValue> Find(out bool found)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(Map, Backend.CurrentKey);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry))
        {
            found = false;
            return ref entry;
        }
        if (Ttl is not null)
        {
            var now = Backend.Now;
            if (now - entry.Stamp >= Ttl.TimeToLiveMs)
            {
                Map.Remove(Backend.CurrentKey);
                found = false;
                return ref System.Runtime.CompilerServices.Unsafe.NullRef<TtlEntry<TValue>>();
            }
            if (Ttl.Update == StateTtlUpdate.OnReadAndWrite)
            {
                entry.Stamp = now;
            }
        }
        found = true;
        return ref entry;
    }

    protected void Write(TValue value) => Map[Backend.CurrentKey] = new TtlEntry<TValue>(value, Stamp);

    public void Clear() => Map.Remove(Backend.CurrentKey);

    public virtual void SweepExpired(long now)
    {
        if (Ttl is null)
        {
            return;
        }
        foreach (var (key, entry) in Map)
        {
            if (now - entry.Stamp >= Ttl.TimeToLiveMs)
            {
                Map.Remove(key);
            }
        }
    }
}

internal sealed class HeapValueState<TKey, T>(HeapKeyedStateBackend<TKey> backend, StateTtlConfig? ttl)
    : HeapStateBase<TKey, T>(backend, ttl, "value"), IValueState<T> where TKey : notnull
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

internal sealed class HeapListState<TKey, T>(HeapKeyedStateBackend<TKey> backend, StateTtlConfig? ttl)
    : HeapStateBase<TKey, List<T>>(backend, ttl, "list"), IListState<T> where TKey : notnull
{
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

internal sealed class HeapReducingState<TKey, T>(HeapKeyedStateBackend<TKey> backend, StateTtlConfig? ttl, Func<T, T, T> reduce)
    : HeapStateBase<TKey, T>(backend, ttl, "reducing"), IReducingState<T> where TKey : notnull
{
    public void Add(T value)
    {
        ref var entry = ref Find(out var found);
        if (found)
        {
            entry.Value = reduce(entry.Value, value);
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
}

internal sealed class HeapAggregatingState<TKey, TIn, TAcc, TOut>(HeapKeyedStateBackend<TKey> backend, StateTtlConfig? ttl, IAggregateFunction<TIn, TAcc, TOut> function)
    : HeapStateBase<TKey, TAcc>(backend, ttl, "aggregating"), IAggregatingState<TIn, TOut> where TKey : notnull
{
    public void Add(TIn value)
    {
        ref var entry = ref Find(out var found);
        if (found)
        {
            entry.Value = function.Add(entry.Value, value);
            entry.Stamp = Stamp;
        }
        else
        {
            Write(function.Add(function.CreateAccumulator(), value));
        }
    }

    public bool TryGet(out TOut value)
    {
        ref var entry = ref Find(out var found);
        value = found ? function.GetResult(entry.Value) : default!;
        return found;
    }
}

/// <summary>Map state: TTL applies per map entry, so the per-key value is a dictionary of TTL entries.</summary>
internal sealed class HeapMapState<TKey, TMapKey, TValue>(HeapKeyedStateBackend<TKey> backend, StateTtlConfig? ttl)
    : HeapStateBase<TKey, Dictionary<TMapKey, TtlEntry<TValue>>>(backend, ttl, "map"), IMapState<TMapKey, TValue> where TKey : notnull where TMapKey : notnull
{
    public override SerializerDescriptor ValueFormat => new(
        $"map({StateSerializers.Describe<TMapKey>().FormatId},{StateSerializers.Describe<TValue>().FormatId})", 1);

    protected override void WriteValue(StateWriter writer, Dictionary<TMapKey, TtlEntry<TValue>> value)
    {
        var keys = StateSerializers.For<TMapKey>();
        var values = StateSerializers.For<TValue>();
        writer.WriteVarInt32((uint)value.Count);
        foreach (var (mapKey, entry) in value)
        {
            keys.Write(writer, mapKey);
            writer.WriteZigZagInt64(entry.Stamp);
            values.Write(writer, entry.Value);
        }
    }

    protected override Dictionary<TMapKey, TtlEntry<TValue>> ReadValue(StateReader reader, int version)
    {
        var keys = StateSerializers.For<TMapKey>();
        var values = StateSerializers.For<TValue>();
        var keyVersion = StateSerializers.Describe<TMapKey>().Version;
        var valueVersion = StateSerializers.Describe<TValue>().Version;
        var count = (int)reader.ReadVarInt32();
        var map = new Dictionary<TMapKey, TtlEntry<TValue>>(count);
        for (var i = 0; i < count; i++)
        {
            var mapKey = keys.Read(reader, keyVersion);
            var stamp = reader.ReadZigZagInt64();
            map[mapKey] = new TtlEntry<TValue>(values.Read(reader, valueVersion), stamp);
        }
        return map;
    }

    public override int Count
    {
        get
        {
            var n = 0;
            foreach (var entry in Map.Values)
            {
                n += entry.Value.Count;
            }
            return n;
        }
    }

    private Dictionary<TMapKey, TtlEntry<TValue>>? Current(bool create)
    {
        if (Map.TryGetValue(Backend.CurrentKey, out var entry))
        {
            return entry.Value;
        }
        if (!create)
        {
            return null;
        }
        var map = new Dictionary<TMapKey, TtlEntry<TValue>>();
        Map[Backend.CurrentKey] = new TtlEntry<Dictionary<TMapKey, TtlEntry<TValue>>>(map, 0);
        return map;
    }

    private bool IsLive(ref TtlEntry<TValue> entry, long now) => Ttl is null || now - entry.Stamp < Ttl.TimeToLiveMs;

    public bool TryGetValue(TMapKey key, out TValue value)
    {
        var map = Current(create: false);
        if (map is not null)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(map, key);
            if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry))
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

    public void Put(TMapKey key, TValue value) => Current(create: true)![key] = new TtlEntry<TValue>(value, Stamp);

    public bool Remove(TMapKey key) => Current(create: false)?.Remove(key) ?? false;

    public IEnumerable<KeyValuePair<TMapKey, TValue>> Entries
    {
        get
        {
            var map = Current(create: false);
            if (map is null)
            {
                yield break;
            }
            var now = Stamp;
            var refresh = Ttl?.Update == StateTtlUpdate.OnReadAndWrite;
            foreach (var key in map.Keys)
            {
                ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(map, key);
                if (Ttl is null || now - entry.Stamp < Ttl.TimeToLiveMs)
                {
                    if (refresh)
                    {
                        entry.Stamp = now;
                    }
                    yield return new(key, entry.Value);
                }
            }
        }
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
        foreach (var (key, entry) in Map)
        {
            var map = entry.Value;
            foreach (var (mapKey, mapEntry) in map)
            {
                if (now - mapEntry.Stamp >= Ttl.TimeToLiveMs)
                {
                    map.Remove(mapKey);
                }
            }
            if (map.Count == 0)
            {
                Map.Remove(key);
            }
        }
    }
}
