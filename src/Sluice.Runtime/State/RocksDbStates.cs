using RocksDbSharp;
using Sluice.Runtime.Checkpointing;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>What the RocksDB backend needs of every state, whatever its types.</summary>
internal interface IRocksDbState
{
    /// <summary>The state's name, kind and formats, as written into snapshots.</summary>
    StateHeader Header { get; }

    /// <summary>Entries stored (map entries for map state), expired-but-unswept ones included. A full scan.</summary>
    long Count { get; }

    /// <summary>Deletes entries whose TTL has passed (a full scan).</summary>
    void SweepExpired(long now);

    /// <summary>Loads restored entries (before any access).</summary>
    void Restore(RestoredKeyedState restored, int keyVersion);

    /// <summary>Adds the state's header and writes its entries, as seen through <paramref name="read"/>'s snapshot, into their key groups' sections.</summary>
    void WriteSnapshot(KeyedSnapshotWriter headers, SectionWriter target, ReadOptions read);
}

/// <summary>
/// What every RocksDB state shares: its column family, the current namespace, TTL stamps, and the snapshot and
/// restore of entries. The RocksDB value of an entry is the stamp (zig-zag varint; 0 without TTL) · the value; TTL
/// semantics are the heap backend's.
/// </summary>
internal abstract class RocksDbStateBase<TKey, TNamespace, TValue> : IRocksDbState, IInternalKvState<TNamespace> where TKey : notnull
{
    private const int RestoreBatchSize = 4096;

    protected readonly RocksDbKeyedStateBackend<TKey> Backend;
    protected readonly ColumnFamilyHandle Family;
    protected readonly StateTtlConfig? Ttl;
    protected readonly IStateSerializer<TNamespace> NamespaceSerializer;
    protected TNamespace Namespace = default!;

    protected RocksDbStateBase(RocksDbKeyedStateBackend<TKey> backend, ColumnFamilyHandle family, StateDescriptor descriptor, string kind,
        IStateSerializer<TNamespace> namespaceSerializer, SerializerDescriptor valueFormat)
    {
        Backend = backend;
        Family = family;
        Ttl = descriptor.Ttl;
        NamespaceSerializer = namespaceSerializer;
        Header = new StateHeader(descriptor.Name, kind, SerializerDescriptor.Of(namespaceSerializer), valueFormat);
    }

    public StateHeader Header { get; }

    public void SetCurrentNamespace(TNamespace ns) => Namespace = ns;

    protected virtual void WriteValue(StateWriter writer, TValue value) => StateSerializers.For<TValue>().Write(writer, value);

    protected virtual TValue ReadValue(StateReader reader, int version) => StateSerializers.For<TValue>().Read(reader, version);

    protected long Stamp => Ttl is null ? 0 : Backend.Now;

    protected bool IsExpired(long stamp, long now) => Ttl is not null && now - stamp >= Ttl.TimeToLiveMs;

    /// <summary>The RocksDB key of the current (key, namespace); valid until the next key is built.</summary>
    protected ReadOnlySpan<byte> CurrentKey => Backend.KeyOf(NamespaceSerializer, Namespace);

    /// <summary>
    /// Finds the current (key, namespace)'s live entry: returns a reader positioned at the value (valid until the next
    /// access), or null when absent or expired (an expired entry is deleted). With <paramref name="refresh"/>, a read
    /// restarts the TTL when the state's TTL says so (pass false when the caller writes the entry anyway).
    /// </summary>
    protected StateReader? Find(bool refresh)
    {
        var key = CurrentKey;
        if (!Backend.TryGet(Family, key, out var reader))
        {
            return null;
        }
        var stamp = reader.ReadZigZagInt64();
        if (Ttl is not null)
        {
            var now = Backend.Now;
            if (now - stamp >= Ttl.TimeToLiveMs)
            {
                Backend.Remove(Family, key);
                return null;
            }
            if (refresh && Ttl.Update == StateTtlUpdate.OnReadAndWrite && stamp != now)
            {
                RewriteStamp(key, reader, now);
            }
        }
        return reader;
    }

    /// <summary>Writes the entry read through <paramref name="reader"/> back with stamp <paramref name="now"/>; the reader keeps its position.</summary>
    protected void RewriteStamp(ReadOnlySpan<byte> key, StateReader reader, long now)
    {
        var rest = reader.ReadRaw(reader.Remaining);
        var value = Backend.ValueWriter;
        value.Reset();
        value.WriteZigZagInt64(now);
        value.WriteRaw(rest.Span);
        Backend.Put(Family, key, value.WrittenSpan);
        reader.Reset(rest);
    }

    /// <summary>Decodes the zig-zag varint stamp at the start of a stored value.</summary>
    /// <exception cref="StateFormatException">The value does not start with a valid varint.</exception>
    protected static long ReadStamp(ReadOnlySpan<byte> stored, out int length)
    {
        ulong raw = 0;
        for (var i = 0; i < stored.Length && i < 10; i++)
        {
            raw |= (ulong)(stored[i] & 0x7F) << (7 * i);
            if ((stored[i] & 0x80) == 0)
            {
                length = i + 1;
                return (long)(raw >> 1) ^ -(long)(raw & 1);
            }
        }
        throw new StateFormatException("Invalid state: a stored RocksDB value does not start with a TTL stamp.");
    }

    /// <summary>Reads the current (key, namespace)'s live value.</summary>
    protected bool TryRead(bool refresh, out TValue value)
    {
        if (Find(refresh) is { } reader)
        {
            value = ReadValue(reader, ValueVersion);
            return true;
        }
        value = default!;
        return false;
    }

    protected virtual int ValueVersion => StateSerializers.For<TValue>().Version;

    /// <summary>
    /// Merges the values of <paramref name="sources"/> into <paramref name="target"/> with <paramref name="merge"/>
    /// (existing target value first) and clears the sources, for reducing and aggregating state; the current
    /// namespace is left as it was.
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
                if (!TryRead(refresh: false, out var value))
                {
                    continue;
                }
                Clear();
                Namespace = target;
                Write(TryRead(refresh: false, out var existing) ? merge(existing, value) : value);
            }
        }
        finally
        {
            Namespace = original;
        }
    }

    /// <summary>Stores <paramref name="value"/> for the current (key, namespace) with a fresh stamp.</summary>
    protected void Write(TValue value)
    {
        var buffer = Backend.ValueWriter;
        buffer.Reset();
        buffer.WriteZigZagInt64(Stamp);
        WriteValue(buffer, value);
        Backend.Put(Family, CurrentKey, buffer.WrittenSpan);
    }

    public virtual void Clear() => Backend.Remove(Family, CurrentKey);

    public long Count
    {
        get
        {
            long n = 0;
            using var iterator = Backend.Db.NewIterator(Family);
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                n++;
            }
            return n;
        }
    }

    public void SweepExpired(long now)
    {
        if (Ttl is null)
        {
            return;
        }
        using var batch = new WriteBatch();
        using (var iterator = Backend.Db.NewIterator(Family))
        {
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                if (now - ReadStamp(iterator.GetValueSpan(), out _) >= Ttl.TimeToLiveMs)
                {
                    batch.Delete(iterator.GetKeySpan(), Family);
                }
            }
        }
        if (batch.Count() > 0)
        {
            Backend.Write(batch);
        }
    }

    public virtual void WriteSnapshot(KeyedSnapshotWriter headers, SectionWriter target, ReadOptions read)
    {
        // Entry payload = key · namespace · stamp · value: the RocksDB key without its key group, then the RocksDB value.
        var index = headers.AddState(Header);
        var scratch = target.Scratch;
        using var iterator = Backend.Db.NewIterator(Family, read);
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
        {
            var key = iterator.GetKeySpan();
            scratch.Reset();
            scratch.WriteRaw(key[2..]);
            scratch.WriteRaw(iterator.GetValueSpan());
            target.WriteEntry(RocksDbKeyedStateBackend<TKey>.ReadKeyGroup(key), index, scratch.WrittenSpan);
        }
    }

    public void Restore(RestoredKeyedState restored, int keyVersion)
    {
        var namespaceVersion = restored.Header.NamespaceFormat.Version;
        var valueVersion = restored.Header.ValueFormat.Version;
        var keys = Backend.KeySerializer;
        var prefix = new StateWriter(128);
        var value = new StateWriter(256);
        var batch = new WriteBatch();
        try
        {
            foreach (var (group, payload) in restored.Entries)
            {
                try
                {
                    var reader = new StateReader(payload);
                    var key = keys.Read(reader, keyVersion);
                    var ns = NamespaceSerializer.Read(reader, namespaceVersion);
                    var stamp = reader.ReadZigZagInt64();
                    prefix.Reset();
                    RocksDbKeyedStateBackend<TKey>.WriteKeyGroup(prefix, group);
                    keys.Write(prefix, key);
                    NamespaceSerializer.Write(prefix, ns);
                    RestoreEntry(reader, valueVersion, prefix, stamp, value, batch);
                    reader.EnsureAtEnd();
                }
                catch (Exception e) when (e is StateFormatException or ArgumentException or FormatException or OverflowException or InvalidOperationException or IndexOutOfRangeException)
                {
                    throw new StateFormatException(
                        $"Keyed state '{Header.Name}' of operator '{Backend.OperatorName}', key group {group}: a restored entry is corrupt or not of format '{restored.Header.ValueFormat.FormatId}': {e.Message}", e);
                }
                if (batch.Count() >= RestoreBatchSize)
                {
                    Backend.Write(batch);
                    batch.Clear();
                }
            }
            if (batch.Count() > 0)
            {
                Backend.Write(batch);
            }
        }
        finally
        {
            batch.Dispose();
        }
    }

    /// <summary>
    /// Reads one restored entry's value at <paramref name="reader"/> and adds its RocksDB entries to
    /// <paramref name="batch"/>; <paramref name="prefix"/> holds the RocksDB key of its (key, namespace).
    /// </summary>
    protected virtual void RestoreEntry(StateReader reader, int valueVersion, StateWriter prefix, long stamp, StateWriter value, WriteBatch batch)
    {
        var restored = ReadValue(reader, valueVersion);
        value.Reset();
        value.WriteZigZagInt64(stamp);
        WriteValue(value, restored);
        batch.Put(prefix.WrittenSpan, value.WrittenSpan, Family);
    }
}

internal sealed class RocksDbValueState<TKey, TNamespace, T>(RocksDbKeyedStateBackend<TKey> backend, ColumnFamilyHandle family, ValueStateDescriptor<T> descriptor,
    IStateSerializer<TNamespace> ns)
    : RocksDbStateBase<TKey, TNamespace, T>(backend, family, descriptor, "value", ns, StateSerializers.Describe<T>()), IInternalValueState<TNamespace, T> where TKey : notnull
{
    public T? Value => TryGet(out var value) ? value : default;

    public bool TryGet(out T value) => TryRead(refresh: true, out value);

    public void Update(T value) => Write(value);
}

/// <summary>
/// List state: the value is the whole list. <see cref="Get"/> returns a new list on every call (it stays valid and is
/// the caller's); <see cref="Add"/> appends the element's bytes to the stored ones without deserializing the list.
/// </summary>
internal sealed class RocksDbListState<TKey, TNamespace, T>(RocksDbKeyedStateBackend<TKey> backend, ColumnFamilyHandle family, ListStateDescriptor<T> descriptor,
    IStateSerializer<TNamespace> ns)
    : RocksDbStateBase<TKey, TNamespace, List<T>>(backend, family, descriptor, "list", ns, StateSerializers.Describe<List<T>>()), IInternalListState<TNamespace, T>
    where TKey : notnull
{
    // The built-in list format is the count, then the items: an element can be appended to the stored bytes.
    private static readonly bool s_appendable = StateSerializers.For<List<T>>() is ListStateSerializer<T>;
    private readonly IStateSerializer<T> _items = StateSerializers.For<T>();

    public IReadOnlyList<T> Get() => TryRead(refresh: true, out var list) && list is not null ? list : [];

    public void Add(T value)
    {
        if (!s_appendable)
        {
            var list = TryRead(refresh: false, out var existing) && existing is not null ? existing : [];
            list.Add(value);
            Write(list);
            return;
        }
        var buffer = Backend.ValueWriter;
        buffer.Reset();
        buffer.WriteZigZagInt64(Stamp);
        if (Find(refresh: false) is { } reader && reader.ReadLength() is var count and >= 0)
        {
            buffer.WriteLength(count + 1);
            buffer.WriteRaw(reader.ReadRaw(reader.Remaining).Span);
        }
        else
        {
            buffer.WriteLength(1);
        }
        _items.Write(buffer, value);
        Backend.Put(Family, CurrentKey, buffer.WrittenSpan);
    }

    public void Update(IEnumerable<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Write([.. values]);
    }
}

internal sealed class RocksDbReducingState<TKey, TNamespace, T>(RocksDbKeyedStateBackend<TKey> backend, ColumnFamilyHandle family, ReducingStateDescriptor<T> descriptor,
    IStateSerializer<TNamespace> ns)
    : RocksDbStateBase<TKey, TNamespace, T>(backend, family, descriptor, "reducing", ns, StateSerializers.Describe<T>()), IInternalReducingState<TNamespace, T> where TKey : notnull
{
    private readonly Func<T, T, T> _reduce = descriptor.Reduce;

    public void Add(T value) => Write(TryRead(refresh: false, out var current) ? _reduce(current, value) : value);

    public bool TryGet(out T value) => TryRead(refresh: true, out value);

    public void MergeNamespaces(TNamespace target, IReadOnlyList<TNamespace> sources) => MergeInto(target, sources, _reduce);
}

internal sealed class RocksDbAggregatingState<TKey, TNamespace, TIn, TAcc, TOut>(RocksDbKeyedStateBackend<TKey> backend, ColumnFamilyHandle family,
    AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor, IStateSerializer<TNamespace> ns)
    : RocksDbStateBase<TKey, TNamespace, TAcc>(backend, family, descriptor, "aggregating", ns, StateSerializers.Describe<TAcc>()),
        IInternalAggregatingState<TNamespace, TIn, TAcc, TOut> where TKey : notnull
{
    private readonly IAggregateFunction<TIn, TAcc, TOut> _function = descriptor.Function;
    private readonly Func<TAcc, TAcc, TAcc> _merge = descriptor.Function.Merge;

    public void Add(TIn value) => AddAndCheckCreated(value);

    /// <summary>One read and one write, like <see cref="Add"/>: windows learn whether the pane is new without a second read.</summary>
    public bool AddAndCheckCreated(TIn value)
    {
        var existed = TryRead(refresh: false, out var accumulator);
        Write(_function.Add(existed ? accumulator : _function.CreateAccumulator(), value));
        return !existed;
    }

    public bool TryGet(out TOut value)
    {
        if (TryRead(refresh: true, out var accumulator))
        {
            value = _function.GetResult(accumulator);
            return true;
        }
        value = default!;
        return false;
    }

    public bool TryGetAccumulator(out TAcc accumulator) => TryRead(refresh: true, out accumulator);

    public void MergeNamespaces(TNamespace target, IReadOnlyList<TNamespace> sources) => MergeInto(target, sources, _merge);
}

/// <summary>
/// Map state: one RocksDB entry per map entry (key · namespace · map key → stamp · value), so TTL applies per map
/// entry and a map is one prefix scan. Snapshots regroup a map's entries into the heap backend's payload (one per
/// key and namespace: count, then map key · stamp · value per entry).
/// </summary>
internal sealed class RocksDbMapState<TKey, TNamespace, TMapKey, TValue>(RocksDbKeyedStateBackend<TKey> backend, ColumnFamilyHandle family,
    MapStateDescriptor<TMapKey, TValue> descriptor, IStateSerializer<TNamespace> ns)
    : RocksDbStateBase<TKey, TNamespace, TValue>(backend, family, descriptor, "map", ns, s_format), IInternalMapState<TNamespace, TMapKey, TValue>
    where TKey : notnull where TMapKey : notnull
{
    // The same format as the heap backend's map state.
    private static readonly SerializerDescriptor s_format = new(
        $"map({StateSerializers.Describe<TMapKey>().FormatId},{StateSerializers.Describe<TValue>().FormatId})", 1);

    private readonly IStateSerializer<TMapKey> _mapKeys = StateSerializers.For<TMapKey>();
    private readonly IStateSerializer<TValue> _values = StateSerializers.For<TValue>();

    private ReadOnlySpan<byte> EntryKey(TMapKey mapKey) => Backend.KeyOf(NamespaceSerializer, Namespace, _mapKeys, mapKey);

    public bool TryGetValue(TMapKey key, out TValue value)
    {
        var entryKey = EntryKey(key);
        if (Backend.TryGet(Family, entryKey, out var reader))
        {
            var stamp = reader.ReadZigZagInt64();
            var now = Stamp;
            if (!IsExpired(stamp, now))
            {
                if (Ttl?.Update == StateTtlUpdate.OnReadAndWrite && stamp != now)
                {
                    RewriteStamp(entryKey, reader, now);
                }
                value = _values.Read(reader, _values.Version);
                return true;
            }
            Backend.Remove(Family, entryKey);
        }
        value = default!;
        return false;
    }

    public void Put(TMapKey key, TValue value)
    {
        var buffer = Backend.ValueWriter;
        buffer.Reset();
        buffer.WriteZigZagInt64(Stamp);
        _values.Write(buffer, value);
        Backend.Put(Family, EntryKey(key), buffer.WrittenSpan);
    }

    public bool Remove(TMapKey key)
    {
        var entryKey = EntryKey(key);
        if (!Backend.TryGet(Family, entryKey, out _))
        {
            return false;
        }
        Backend.Remove(Family, entryKey);
        return true;
    }

    /// <summary>The live entries, read from one RocksDB iterator (writes while enumerating are not seen by it).</summary>
    public IEnumerable<KeyValuePair<TMapKey, TValue>> Entries
    {
        get
        {
            var prefix = CurrentKey.ToArray();
            return Enumerate(prefix, Stamp);
        }
    }

    private IEnumerable<KeyValuePair<TMapKey, TValue>> Enumerate(byte[] prefix, long now)
    {
        var refresh = Ttl?.Update == StateTtlUpdate.OnReadAndWrite;
        var rewrite = refresh ? new StateWriter(64) : null;
        using var iterator = Backend.Db.NewIterator(Family);
        for (iterator.Seek(prefix); iterator.Valid(); iterator.Next())
        {
            var key = iterator.GetKeySpan();
            if (!key.StartsWith(prefix))
            {
                yield break;
            }
            var stored = iterator.GetValueSpan();
            var stamp = ReadStamp(stored, out var stampLength);
            if (IsExpired(stamp, now))
            {
                continue;
            }
            var keyBytes = key.ToArray();
            var valueBytes = stored.ToArray();
            if (rewrite is not null && stamp != now)
            {
                rewrite.Reset();
                rewrite.WriteZigZagInt64(now);
                rewrite.WriteRaw(valueBytes.AsSpan(stampLength));
                Backend.Put(Family, keyBytes, rewrite.WrittenSpan);
            }
            var value = _values.Read(new StateReader(valueBytes.AsMemory(stampLength)), _values.Version);
            var mapKey = _mapKeys.Read(new StateReader(keyBytes.AsMemory(prefix.Length)), _mapKeys.Version);
            yield return new(mapKey, value);
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

    public override void Clear()
    {
        var prefix = CurrentKey.ToArray();
        using var batch = new WriteBatch();
        using (var iterator = Backend.Db.NewIterator(Family))
        {
            for (iterator.Seek(prefix); iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix); iterator.Next())
            {
                batch.Delete(iterator.GetKeySpan(), Family);
            }
        }
        if (batch.Count() > 0)
        {
            Backend.Write(batch);
        }
    }

    public override void WriteSnapshot(KeyedSnapshotWriter headers, SectionWriter target, ReadOptions read)
    {
        // One payload per (key, namespace): key · namespace · stamp 0 · count · (map key · stamp · value)*, as the heap
        // writes it. A map's entries are adjacent (the key and namespace encodings are self-delimiting, so no other
        // (key, namespace) has this one's bytes as a prefix).
        var index = headers.AddState(Header);
        var keys = Backend.KeySerializer;
        var entries = new StateWriter(256);
        var prefix = new StateWriter(64);
        var reader = new StateReader(ReadOnlyMemory<byte>.Empty);
        var count = 0;
        using var iterator = Backend.Db.NewIterator(Family, read);
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
        {
            var key = iterator.GetKeySpan();
            if (count == 0 || !key.StartsWith(prefix.WrittenSpan))
            {
                Flush();
                var copy = key.ToArray();
                reader.Reset(copy.AsMemory(2));
                keys.Read(reader, keys.Version);
                NamespaceSerializer.Read(reader, NamespaceSerializer.Version);
                prefix.Reset();
                prefix.WriteRaw(copy.AsSpan(0, 2 + reader.Position));
            }
            entries.WriteRaw(key[prefix.Length..]);
            entries.WriteRaw(iterator.GetValueSpan());
            count++;
        }
        Flush();

        void Flush()
        {
            if (count == 0)
            {
                return;
            }
            var scratch = target.Scratch;
            scratch.Reset();
            scratch.WriteRaw(prefix.WrittenSpan[2..]);
            scratch.WriteZigZagInt64(0);
            scratch.WriteVarInt32((uint)count);
            scratch.WriteRaw(entries.WrittenSpan);
            target.WriteEntry(RocksDbKeyedStateBackend<TKey>.ReadKeyGroup(prefix.WrittenSpan), index, scratch.WrittenSpan);
            entries.Reset();
            count = 0;
        }
    }

    protected override void RestoreEntry(StateReader reader, int valueVersion, StateWriter prefix, long stamp, StateWriter value, WriteBatch batch)
    {
        // The map's own format version is 1; its keys and values are read with the current serializers' versions, as the heap does.
        var count = (int)reader.ReadVarInt32();
        var entryKey = new StateWriter(prefix.Length + 32);
        for (var i = 0; i < count; i++)
        {
            var mapKey = _mapKeys.Read(reader, _mapKeys.Version);
            var entryStamp = reader.ReadZigZagInt64();
            var entryValue = _values.Read(reader, _values.Version);
            entryKey.Reset();
            entryKey.WriteRaw(prefix.WrittenSpan);
            _mapKeys.Write(entryKey, mapKey);
            value.Reset();
            value.WriteZigZagInt64(entryStamp);
            _values.Write(value, entryValue);
            batch.Put(entryKey.WrittenSpan, value.WrittenSpan, Family);
        }
    }
}
