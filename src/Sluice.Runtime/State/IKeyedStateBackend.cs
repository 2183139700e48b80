using Sluice.Runtime.Checkpointing;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// The namespace of state and timers that belong to a key alone (process functions, dedup, joins). Windows address
/// their state by (key, window) instead. Encodes to nothing.
/// </summary>
internal readonly record struct VoidNamespace
{
    /// <summary>The one value.</summary>
    public static readonly VoidNamespace Instance;

    /// <summary>Its serializer: zero bytes.</summary>
    public static readonly IStateSerializer<VoidNamespace> Serializer = new VoidNamespaceSerializer();

    private sealed class VoidNamespaceSerializer : IStateSerializer<VoidNamespace>
    {
        public string FormatId => "void";

        public int Version => 1;

        public void Write(StateWriter output, VoidNamespace value) { }

        public VoidNamespace Read(StateReader input, int version) => Instance;
    }
}

/// <summary>A keyed state handle that also addresses a namespace: reads and writes go to (current key, current namespace).</summary>
/// <typeparam name="TNamespace">The namespace type (<see cref="VoidNamespace"/>, or a window).</typeparam>
internal interface IInternalKvState<in TNamespace>
{
    /// <summary>Sets the namespace that later calls on this handle address, together with the backend's current key.</summary>
    void SetCurrentNamespace(TNamespace ns);
}

/// <summary>Value state by (key, namespace).</summary>
internal interface IInternalValueState<in TNamespace, T> : IValueState<T>, IInternalKvState<TNamespace>;

/// <summary>List state by (key, namespace).</summary>
internal interface IInternalListState<in TNamespace, T> : IListState<T>, IInternalKvState<TNamespace>;

/// <summary>Map state by (key, namespace).</summary>
internal interface IInternalMapState<in TNamespace, TMapKey, TValue> : IMapState<TMapKey, TValue>, IInternalKvState<TNamespace> where TMapKey : notnull;

/// <summary>State whose values of several namespaces can be merged into one (session windows).</summary>
internal interface IInternalMergingState<TNamespace> : IInternalKvState<TNamespace>
{
    /// <summary>
    /// For the current key, folds the values of <paramref name="sources"/> into <paramref name="target"/> and clears
    /// the sources. A source equal to the target is skipped; absent sources are ignored.
    /// </summary>
    void MergeNamespaces(TNamespace target, IReadOnlyList<TNamespace> sources);
}

/// <summary>Reducing state by (key, namespace).</summary>
internal interface IInternalReducingState<TNamespace, T> : IReducingState<T>, IInternalMergingState<TNamespace>;

/// <summary>Aggregating state by (key, namespace); the accumulator itself is readable (window functions emit from it).</summary>
internal interface IInternalAggregatingState<TNamespace, TIn, TAcc, TOut> : IAggregatingState<TIn, TOut>, IInternalMergingState<TNamespace>
{
    /// <summary>Reads the current (key, namespace)'s accumulator; false when absent or expired.</summary>
    bool TryGetAccumulator(out TAcc accumulator);

    /// <summary>
    /// Adds <paramref name="value"/> like <c>Add</c> and tells whether the current
    /// (key, namespace) had no accumulator before (windows register their timer when a window first gets state). A
    /// backend that can answer in one access overrides the default, which reads first.
    /// </summary>
    bool AddAndCheckCreated(TIn value)
    {
        var existed = TryGetAccumulator(out _);
        Add(value);
        return !existed;
    }
}

/// <summary>
/// The keyed state of one operator subtask: every state is addressed by (key, namespace), the key being
/// <see cref="CurrentKey"/>, which the operator sets before user code runs for a record or a timer. Entries are
/// partitioned by key group (<see cref="KeyGroups"/>): a key group is the unit of snapshots and of redistribution when
/// the parallelism changes.
/// </summary>
/// <remarks>
/// <para>Lifecycle: create → <see cref="Restore"/> (on a restore, before any state is created) → create states (the
/// operator's <c>Open</c>) → process, snapshot (any number of times) → <see cref="IDisposable.Dispose"/>.</para>
/// <para>
/// Snapshots have two phases. <see cref="Snapshot"/> runs on the task thread between two records and only marks a
/// consistent point; the returned <see cref="IKeyedStateSnapshot"/> serializes and writes off the task thread while
/// processing goes on. Writes after the mark never show in that snapshot.
/// </para>
/// <para>Single-threaded apart from <see cref="IKeyedStateSnapshot.Write"/>: task thread only.</para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
internal interface IKeyedStateBackend<TKey> : IKeyedStateStore, IDisposable where TKey : notnull
{
    /// <summary>The key groups this subtask owns; keys outside it are a routing bug.</summary>
    KeyGroupRange KeyGroups { get; }

    /// <summary>The key state handles address. Set with <see cref="SetCurrentKey"/>.</summary>
    TKey CurrentKey { get; }

    /// <summary>The key group of <see cref="CurrentKey"/>.</summary>
    /// <exception cref="InvalidOperationException">The key's group is not owned by this subtask (a routing bug).</exception>
    int CurrentKeyGroup { get; }

    /// <summary>
    /// Sets the key that state handles and timer registrations address. A key of a key group this subtask does not own
    /// is refused here or, at the latest, when its key group is first needed (<see cref="CurrentKeyGroup"/>: timers,
    /// backends that store by key group) — the heap backend defers the hash to then.
    /// </summary>
    /// <exception cref="InvalidOperationException">The key is null, or its key group is not owned by this subtask.</exception>
    void SetCurrentKey(TKey key);

    /// <summary>The key group of <paramref name="key"/>.</summary>
    int KeyGroupOf(TKey key);

    /// <summary>Creates (or returns) value state named by <paramref name="descriptor"/>, addressed by namespaces of <typeparamref name="TNamespace"/>.</summary>
    /// <exception cref="StateFormatException">The name is in use with another kind or type, or restored state has another format.</exception>
    IInternalValueState<TNamespace, T> GetValueState<TNamespace, T>(ValueStateDescriptor<T> descriptor, IStateSerializer<TNamespace> namespaceSerializer);

    /// <summary>Creates (or returns) list state; see <see cref="GetValueState{TNamespace, T}"/>.</summary>
    IInternalListState<TNamespace, T> GetListState<TNamespace, T>(ListStateDescriptor<T> descriptor, IStateSerializer<TNamespace> namespaceSerializer);

    /// <summary>Creates (or returns) map state; see <see cref="GetValueState{TNamespace, T}"/>.</summary>
    IInternalMapState<TNamespace, TMapKey, TValue> GetMapState<TNamespace, TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor, IStateSerializer<TNamespace> namespaceSerializer)
        where TMapKey : notnull;

    /// <summary>Creates (or returns) reducing state; see <see cref="GetValueState{TNamespace, T}"/>.</summary>
    IInternalReducingState<TNamespace, T> GetReducingState<TNamespace, T>(ReducingStateDescriptor<T> descriptor, IStateSerializer<TNamespace> namespaceSerializer);

    /// <summary>Creates (or returns) aggregating state; see <see cref="GetValueState{TNamespace, T}"/>.</summary>
    IInternalAggregatingState<TNamespace, TIn, TAcc, TOut> GetAggregatingState<TNamespace, TIn, TAcc, TOut>(
        AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor, IStateSerializer<TNamespace> namespaceSerializer);

    /// <summary>Live entries over all states (map entries for map state), expired-but-unswept ones included.</summary>
    long EntryCount { get; }

    /// <summary>Removes expired TTL entries when enough processing time passed since the last sweep. Cheap when there is nothing to do.</summary>
    void MaybeSweep();

    /// <summary>
    /// Marks a snapshot point (task thread, between records). The result holds the state as of this call until it is
    /// disposed; <see cref="IKeyedStateSnapshot.Write"/> may run on another thread.
    /// </summary>
    IKeyedStateSnapshot Snapshot(long checkpointId);

    /// <summary>
    /// Checkpoint <paramref name="checkpointId"/> completed (task thread). A backend whose snapshots refer to files of
    /// earlier checkpoints (incremental RocksDB) may from now on refer to what this one's snapshot wrote; others ignore it.
    /// </summary>
    void NotifyCheckpointComplete(long checkpointId);

    /// <summary>
    /// Loads restored state before any state is created: entries wait (as bytes) until the operator creates the state
    /// by name, whose kind and formats are then checked; states never created again are carried into later snapshots.
    /// </summary>
    /// <exception cref="StateFormatException">The bytes are corrupt, or of an unknown version or key format.</exception>
    void Restore(KeyedStateRestore restore);
}

/// <summary>One marked snapshot of a keyed state backend: frozen at the mark, written later.</summary>
internal interface IKeyedStateSnapshot : IDisposable
{
    /// <summary>
    /// Writes the state as of the mark: state headers through <paramref name="headers"/> and entries into their key
    /// groups' sections of <paramref name="target"/>. Any thread; called at most once.
    /// </summary>
    void Write(KeyedSnapshotWriter headers, SnapshotContext target);
}

/// <summary>Receives a target's timer callbacks: the backend's current key is the timer's key during the call.</summary>
internal interface ITimerTarget<in TKey, in TNamespace>
{
    /// <summary>An event-time timer fired (the watermark reached <paramref name="time"/>).</summary>
    void OnEventTime(TKey key, TNamespace ns, long time);

    /// <summary>A processing-time timer fired.</summary>
    void OnProcessingTime(TKey key, TNamespace ns, long time);
}
