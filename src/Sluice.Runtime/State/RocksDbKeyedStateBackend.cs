using System.Globalization;
using RocksDbSharp;
using Sluice.Checkpoints;
using Sluice.Runtime.Checkpointing;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// Keyed state in an embedded RocksDB database on local disk, one column family per state, for state larger than
/// memory. Entries are serialized on every write and deserialized on every read.
/// </summary>
/// <remarks>
/// <para>
/// A RocksDB key is the key group (2 bytes, big-endian) · the serialized key · the serialized namespace, and for map
/// state · the serialized map key; the RocksDB value is the TTL stamp (zig-zag varint) · the serialized value. Keys
/// sort by key group first, so a key group (or a range of them) is one contiguous scan, and a map of one (key,
/// namespace) is one prefix scan.
/// </para>
/// <para>
/// Snapshots are incremental when the job checkpoints into a store and <see cref="RocksDbStateBackend.IncrementalCheckpoints"/>
/// is on (see <c>RocksDbKeyedStateBackend.Incremental.cs</c>): the task thread flushes the memtables and hard-links the
/// database's files into a RocksDB checkpoint directory; off the task thread, SST files not yet in the store are
/// uploaded as shared files and the snapshot refers to them (<see cref="RocksDbCheckpointHandle"/>). Otherwise a
/// snapshot is full: a RocksDB snapshot taken on the task thread is iterated in <see cref="IKeyedStateSnapshot.Write"/>
/// on any thread, writing the same <see cref="KeyedStateSnapshot.KeyGroupLayout"/> records (same payloads) as the heap
/// backend, so each backend restores the other's full checkpoints, at any parallelism.
/// The database is a working copy: it is opened empty — or from an incremental checkpoint's files — filled from the
/// checkpoint on a restore, and deleted on <see cref="Dispose"/>. Its write-ahead log is off (checkpoints, not the
/// database, are what survives a crash).
/// </para>
/// <para>Task thread only, apart from <see cref="IKeyedStateSnapshot.Write"/>.</para>
/// </remarks>
/// <typeparam name="TKey">Key type.</typeparam>
internal sealed partial class RocksDbKeyedStateBackend<TKey> : IKeyedStateBackend<TKey> where TKey : notnull
{
    private const string ColumnFamilyPrefix = "state:";
    private const string BackgroundErrorsProperty = "rocksdb.background-errors";

    private readonly Dictionary<string, IRocksDbState> _states = [];
    private readonly Dictionary<string, ColumnFamilyHandle> _families = []; // by state name: created, or restored from files
    private readonly string _operatorName;
    private readonly TimeProvider _time;
    private readonly IKeyHasher<TKey> _hasher;
    private readonly int _keyGroupCount;
    private readonly DbOptions _dbOptions;
    private readonly BlockBasedTableOptions _tableOptions;
    private readonly ColumnFamilyOptions _columnOptions;
    private readonly WriteOptions _writeOptions;
    private readonly ReadOptions _readOptions;
    private RocksDb _db;
    private readonly StateWriter _prefix = new(64);
    private readonly StateWriter _key = new(128);
    private readonly StateWriter _value = new(256);
    private readonly ReadBuffer _read = new();
    private readonly StateReader _reader = new(ReadOnlyMemory<byte>.Empty);
    private readonly object _gate = new();
    private readonly HashSet<RocksSnapshot> _inFlight = [];
    private readonly RocksDbWorkingDirectory _workingDirectory;
    private readonly RocksDbBackgroundWork _background = new();
    private IOException? _failure;
    private long _backgroundErrorsSeen;
    private KeyedStateRestore? _restore;
    private bool _hasKey;
    private bool _disposed;
    private TtlSweepSchedule _sweeps;

    /// <summary>
    /// Opens an empty database in <paramref name="directory"/> (created, and deleted again on <see cref="Dispose"/>;
    /// its parent too when <paramref name="deleteEmptyParent"/> and nothing else is left in it). Working copies that
    /// killed processes left beside it are deleted (<see cref="RocksDbWorkingDirectory"/>); none is ever reopened.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be created or the database cannot be opened there; the message names the path and the OS error.</exception>
    /// <param name="operatorName">For messages.</param>
    /// <param name="directory">The database's directory.</param>
    /// <param name="options">The backend's settings.</param>
    /// <param name="time">The processing-time clock (TTL).</param>
    /// <param name="hasher">Hashes keys into key groups.</param>
    /// <param name="keyGroupCount">Key groups of the job.</param>
    /// <param name="keyGroups">The key groups this subtask owns.</param>
    /// <param name="deleteEmptyParent">Delete the parent directory on <see cref="Dispose"/> when nothing else is in it.</param>
    /// <param name="checkpointStore">The job's checkpoint store: with it (and <see cref="RocksDbStateBackend.IncrementalCheckpoints"/>) snapshots are incremental; restores of incremental checkpoints read their files from it.</param>
    /// <param name="cancellation">Cancels store I/O (the attempt's cancellation).</param>
    public RocksDbKeyedStateBackend(string operatorName, string directory, RocksDbStateBackend options, TimeProvider time, IKeyHasher<TKey> hasher, int keyGroupCount,
        KeyGroupRange keyGroups, bool deleteEmptyParent = false, ICheckpointStore? checkpointStore = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        _operatorName = operatorName;
        _time = time;
        _hasher = hasher;
        _keyGroupCount = keyGroupCount;
        _store = checkpointStore;
        _cancellation = cancellation;
        _incremental = options.IncrementalCheckpoints && checkpointStore is not null;
        KeyGroups = keyGroups;
        KeySerializer = StateSerializers.For<TKey>();
        _workingDirectory = RocksDbWorkingDirectory.Open(directory, operatorName, deleteEmptyParent);
        Directory = _workingDirectory.Path;
        _dbOptions = new DbOptions().SetCreateIfMissing(true).SetErrorIfExists(true).SetMaxBackgroundCompactions(1).SetMaxBackgroundFlushes(1);
        _openOptions = new DbOptions().SetCreateIfMissing(false).SetMaxBackgroundCompactions(1).SetMaxBackgroundFlushes(1);
        // A Bloom filter per SST file (10 bits per key, ~1 % false positives, held in native memory): a read of an
        // absent entry — every first access to a key — then costs no SST block read.
        _tableOptions = new BlockBasedTableOptions().SetFilterPolicy(BloomFilterPolicy.Create(10, false)).SetWholeKeyFiltering(true);
        _columnOptions = new ColumnFamilyOptions().SetWriteBufferSize((ulong)options.WriteBufferSize).SetBlockBasedTableFactory(_tableOptions);
        _writeOptions = RocksDbBackgroundWork.NoSlowdown(new WriteOptions().DisableWal(1));
        _readOptions = new ReadOptions();
        try
        {
            _db = RocksDb.Open(_dbOptions, Directory, new ColumnFamilies());
        }
        catch (RocksDbException e)
        {
            _background.Dispose();
            _workingDirectory.Dispose();
            throw new IOException($"The RocksDB state backend of operator '{operatorName}' cannot open a database in '{Directory}': {e.Message}", e);
        }
        _sweeps = new TtlSweepSchedule(Now);
    }

    /// <summary>The database's directory (absolute).</summary>
    public string Directory { get; }

    public KeyGroupRange KeyGroups { get; }

    public TKey CurrentKey { get; private set; } = default!;

    public int CurrentKeyGroup { get; private set; }

    internal IStateSerializer<TKey> KeySerializer { get; }

    internal string OperatorName => _operatorName;

    /// <summary>The key serializer version restored keys were written with.</summary>
    internal int RestoredKeyVersion => _restore?.KeyVersion ?? KeySerializer.Version;

    internal long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal RocksDb Db => _db;

    /// <summary>A scratch writer for values (task thread): reset it before use.</summary>
    internal StateWriter ValueWriter => _value;

    public void SetCurrentKey(TKey key)
    {
        if (key is null)
        {
            throw new InvalidOperationException("The key selector returned null; keys must not be null.");
        }
        if (_hasKey && EqualityComparer<TKey>.Default.Equals(key, CurrentKey))
        {
            return;
        }
        var group = KeyGroupOf(key);
        if (!KeyGroups.Contains(group))
        {
            throw new InvalidOperationException(
                $"Operator '{_operatorName}' received key {key} of key group {group}, outside its key groups {KeyGroups.Start}–{KeyGroups.End}: records were routed by another key than the operator's.");
        }
        _prefix.Reset();
        WriteKeyGroup(_prefix, group);
        KeySerializer.Write(_prefix, key);
        CurrentKey = key;
        CurrentKeyGroup = group;
        _hasKey = true;
    }

    public int KeyGroupOf(TKey key) => Sluice.KeyGroups.Assign(_hasher.Hash(key), _keyGroupCount);

    /// <summary>Writes a key group as the 2-byte big-endian prefix of a RocksDB key.</summary>
    internal static void WriteKeyGroup(StateWriter writer, int group)
    {
        writer.WriteByte((byte)(group >> 8));
        writer.WriteByte((byte)group);
    }

    /// <summary>Reads the key group of a RocksDB key.</summary>
    internal static int ReadKeyGroup(ReadOnlySpan<byte> key) => (key[0] << 8) | key[1];

    /// <summary>The RocksDB key of the current key and <paramref name="ns"/> (valid until the next call).</summary>
    internal ReadOnlySpan<byte> KeyOf<TNamespace>(IStateSerializer<TNamespace> namespaces, TNamespace ns)
    {
        EnsureKey();
        _key.Reset();
        _key.WriteRaw(_prefix.WrittenSpan);
        namespaces.Write(_key, ns);
        return _key.WrittenSpan;
    }

    /// <summary>The RocksDB key of a map entry of the current key and <paramref name="ns"/> (valid until the next call).</summary>
    internal ReadOnlySpan<byte> KeyOf<TNamespace, TMapKey>(IStateSerializer<TNamespace> namespaces, TNamespace ns, IStateSerializer<TMapKey> mapKeys, TMapKey mapKey)
    {
        EnsureKey();
        _key.Reset();
        _key.WriteRaw(_prefix.WrittenSpan);
        namespaces.Write(_key, ns);
        mapKeys.Write(_key, mapKey);
        return _key.WrittenSpan;
    }

    private void EnsureKey()
    {
        if (!_hasKey)
        {
            throw new InvalidOperationException($"Operator '{_operatorName}' accessed keyed state with no current key (outside a record or timer).");
        }
    }

    /// <summary>Reads the value stored under <paramref name="key"/>; the reader is reused by the next call.</summary>
    internal bool TryGet(ColumnFamilyHandle family, ReadOnlySpan<byte> key, out StateReader reader)
    {
        bool found;
        try
        {
            found = _db.Get(key, _read, family, _readOptions);
        }
        catch (RocksDbException e)
        {
            throw Failure("read", e);
        }
        reader = _reader;
        if (!found)
        {
            return false;
        }
        _reader.Reset(_read.Memory);
        return true;
    }

    // Writes never block inside RocksDB (no_slowdown, see RocksDbBackgroundWork): a stalled one waits in AwaitStall and is retried.
    internal void Put(ColumnFamilyHandle family, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        while (true)
        {
            try
            {
                _db.Put(key, value, family, _writeOptions);
                return;
            }
            catch (RocksDbException e) when (RocksDbBackgroundWork.IsStall(e))
            {
                AwaitStall("write");
            }
            catch (RocksDbException e)
            {
                throw Failure("write", e);
            }
        }
    }

    internal void Remove(ColumnFamilyHandle family, ReadOnlySpan<byte> key)
    {
        while (true)
        {
            try
            {
                _db.Remove(key, family, _writeOptions);
                return;
            }
            catch (RocksDbException e) when (RocksDbBackgroundWork.IsStall(e))
            {
                AwaitStall("delete");
            }
            catch (RocksDbException e)
            {
                throw Failure("delete", e);
            }
        }
    }

    internal void Write(WriteBatch batch)
    {
        while (true)
        {
            try
            {
                _db.Write(batch, _writeOptions);
                return;
            }
            catch (RocksDbException e) when (RocksDbBackgroundWork.IsStall(e))
            {
                AwaitStall("write");
            }
            catch (RocksDbException e)
            {
                throw Failure("write", e);
            }
        }
    }

    /// <summary>
    /// A write RocksDB stalled: waits (one slice at most) for its flushes and compactions. Fails when one of them
    /// failed — RocksDB stopped writes — or RocksDB reported a background error since the last healthy check while
    /// writes stay stalled. Task thread.
    /// </summary>
    /// <exception cref="IOException">The database cannot take writes; the message names the directory and RocksDB's (the OS's) error.</exception>
    private void AwaitStall(string what)
    {
        if (_background.Wait(_db) is { } error)
        {
            throw Failure(what, new IOException(error));
        }
        if (BackgroundErrors() > _backgroundErrorsSeen)
        {
            throw Failure(what, new IOException($"RocksDB stopped writes after a background flush or compaction failed (details in '{Path.Combine(Directory, "LOG")}')"));
        }
    }

    /// <summary>RocksDB's count of failed background flushes and compactions since the database opened.</summary>
    private long BackgroundErrors() =>
        long.TryParse(_db.GetProperty(BackgroundErrorsProperty), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;

    /// <summary>
    /// An I/O failure of the database (disk full, read-only, deleted directory), naming the operator and directory. The
    /// first one is remembered: no checkpoint is taken after it (see <see cref="ThrowIfFailed"/>), even if user code
    /// caught the exception. Any thread.
    /// </summary>
    internal IOException Failure(string what, Exception error)
    {
        var failure = new IOException($"The RocksDB state backend of operator '{_operatorName}' failed to {what} in '{Directory}': {error.Message}", error);
        Interlocked.CompareExchange(ref _failure, failure, null);
        return failure;
    }

    /// <summary>
    /// Refuses checkpoint <paramref name="checkpointId"/> once the database failed: a read or write failed, or a
    /// background flush or compaction did. Writes only reach the memtable (the write-ahead log is off), so a full or
    /// read-only disk shows first as a failed background flush; RocksDB then stops accepting writes, and a checkpoint
    /// of this subtask must not complete. A background error RocksDB no longer reports (it recovered) does not count.
    /// Task thread.
    /// </summary>
    /// <exception cref="IOException">The database failed; the message names the checkpoint, the directory and RocksDB's (the OS's) error.</exception>
    private void ThrowIfFailed(long checkpointId)
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new IOException($"The RocksDB state backend of operator '{_operatorName}' cannot take checkpoint {checkpointId}: an earlier operation failed: {failure.Message}", failure);
        }
        var errors = BackgroundErrors();
        if (errors <= _backgroundErrorsSeen)
        {
            return;
        }
        // Returns the background error while RocksDB keeps writes stopped on it; nothing once it recovered.
        if (_background.Wait(_db) is { } error)
        {
            throw Failure($"take checkpoint {checkpointId} (a background flush or compaction failed)", new IOException(error));
        }
        _backgroundErrorsSeen = errors;
    }

    public long EntryCount
    {
        get
        {
            if (_disposed)
            {
                return 0;
            }
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
        if (_disposed || !_sweeps.HasTtl)
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

    /// <summary>
    /// Loads restored state: entries of the key-group layout wait until their state is created; an incremental
    /// checkpoint's files are downloaded from the checkpoint store — opened as the database when this subtask owns
    /// exactly the key groups of one old subtask, otherwise opened aside and this subtask's key-group range copied
    /// out of each (one contiguous scan per state).
    /// </summary>
    /// <exception cref="StateFormatException">The bytes are corrupt, or a shared file is missing or corrupt (the message names it and the checkpoint).</exception>
    public void Restore(KeyedStateRestore restore)
    {
        KeyedBackendRules.EnsureRestorable(restore, _states.Count, _operatorName, "RocksDB", RocksDbCheckpointHandle.Layout);
        _restore = restore;
        if (restore.Backend == RocksDbCheckpointHandle.Layout)
        {
            RestoreFiles(restore);
        }
    }

    public IKeyedStateSnapshot Snapshot(long checkpointId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfFailed(checkpointId);
        if (_incremental)
        {
            return SnapshotIncrementally(checkpointId);
        }
        var carriedFamilies = _restore?.States.Where(s => _families.ContainsKey(s.Header.Name)).Select(s => (s.Header, _families[s.Header.Name])).ToList() ?? [];
        var snapshot = new RocksSnapshot(this, _db.CreateSnapshot(), [.. _states.Values], _restore?.States.ToList() ?? [], carriedFamilies);
        lock (_gate)
        {
            _inFlight.Add(snapshot);
        }
        return snapshot;
    }

    /// <summary>Closes the database, releasing snapshots not yet disposed, and deletes its directory.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            foreach (var snapshot in _inFlight)
            {
                snapshot.ReleaseLocked();
            }
            foreach (var snapshot in _incrementalInFlight)
            {
                snapshot.ReleaseLocked();
            }
            _incrementalInFlight.Clear();
            _inFlight.Clear();
            _db.Dispose();
        }
        _background.Dispose();
        DeleteScratchDirectories();
        _workingDirectory.Dispose();
        GC.KeepAlive(_dbOptions);
        GC.KeepAlive(_openOptions);
        GC.KeepAlive(_columnOptions);
        GC.KeepAlive(_tableOptions);
    }

    public IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor) => GetValueState(descriptor, VoidNamespace.Serializer);

    public IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor) => GetListState(descriptor, VoidNamespace.Serializer);

    public IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull =>
        GetMapState(descriptor, VoidNamespace.Serializer);

    public IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor) => GetReducingState(descriptor, VoidNamespace.Serializer);

    public IAggregatingState<TIn, TOut> GetAggregatingState<TIn, TAcc, TOut>(AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor) =>
        GetAggregatingState(descriptor, VoidNamespace.Serializer);

    public IInternalValueState<TNamespace, T> GetValueState<TNamespace, T>(ValueStateDescriptor<T> descriptor, IStateSerializer<TNamespace> namespaceSerializer) =>
        Register(descriptor, family => new RocksDbValueState<TKey, TNamespace, T>(this, family, descriptor, namespaceSerializer));

    public IInternalListState<TNamespace, T> GetListState<TNamespace, T>(ListStateDescriptor<T> descriptor, IStateSerializer<TNamespace> namespaceSerializer) =>
        Register(descriptor, family => new RocksDbListState<TKey, TNamespace, T>(this, family, descriptor, namespaceSerializer));

    public IInternalMapState<TNamespace, TMapKey, TValue> GetMapState<TNamespace, TMapKey, TValue>(
        MapStateDescriptor<TMapKey, TValue> descriptor, IStateSerializer<TNamespace> namespaceSerializer) where TMapKey : notnull =>
        Register(descriptor, family => new RocksDbMapState<TKey, TNamespace, TMapKey, TValue>(this, family, descriptor, namespaceSerializer));

    public IInternalReducingState<TNamespace, T> GetReducingState<TNamespace, T>(ReducingStateDescriptor<T> descriptor, IStateSerializer<TNamespace> namespaceSerializer) =>
        Register(descriptor, family => new RocksDbReducingState<TKey, TNamespace, T>(this, family, descriptor, namespaceSerializer));

    public IInternalAggregatingState<TNamespace, TIn, TAcc, TOut> GetAggregatingState<TNamespace, TIn, TAcc, TOut>(
        AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor, IStateSerializer<TNamespace> namespaceSerializer) =>
        Register(descriptor, family => new RocksDbAggregatingState<TKey, TNamespace, TIn, TAcc, TOut>(this, family, descriptor, namespaceSerializer));

    private TState Register<TState>(StateDescriptor descriptor, Func<ColumnFamilyHandle, TState> create) where TState : class, IRocksDbState
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_states.TryGetValue(descriptor.Name, out var existing))
        {
            return existing as TState ?? throw new StateFormatException(
                $"Operator '{_operatorName}' registers state '{descriptor.Name}' twice with different types: first {existing.Header.Kind} of '{existing.Header.ValueFormat.FormatId}' (namespace '{existing.Header.NamespaceFormat.FormatId}'), now {typeof(TState).Name}. State names must be unique per operator.");
        }
        if (!_families.TryGetValue(descriptor.Name, out var family))
        {
            try
            {
                family = _db.CreateColumnFamily(_columnOptions, ColumnFamilyPrefix + descriptor.Name);
            }
            catch (RocksDbException e)
            {
                throw Failure($"create the column family of state '{descriptor.Name}'", e);
            }
            _families.Add(descriptor.Name, family);
        }
        var state = create(family);
        if (_restore?.TakeState(descriptor.Name) is { } restored)
        {
            KeyedBackendRules.EnsureCompatible(restored.Header, state.Header, _operatorName);
            EnsureSameBytes(restored.Header, state.Header);
            state.Restore(restored, RestoredKeyVersion);
        }
        _states.Add(descriptor.Name, state);
        _sweeps.Add(descriptor.Ttl);
        return state;
    }

    /// <summary>Copies values read by <see cref="RocksDb.Get{T}(ReadOnlySpan{byte}, ISpanDeserializer{T}, ColumnFamilyHandle, ReadOptions)"/> into one growing buffer.</summary>
    private sealed class ReadBuffer : ISpanDeserializer<bool>
    {
        private byte[] _bytes = new byte[256];
        private int _length;

        public ReadOnlyMemory<byte> Memory => _bytes.AsMemory(0, _length);

        public bool Deserialize(ReadOnlySpan<byte> buffer)
        {
            if (buffer.Length > _bytes.Length)
            {
                _bytes = new byte[Math.Max(buffer.Length, _bytes.Length * 2)];
            }
            buffer.CopyTo(_bytes);
            _length = buffer.Length;
            return true;
        }
    }
}
