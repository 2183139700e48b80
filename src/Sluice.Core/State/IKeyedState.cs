namespace Sluice.State;

/// <summary>
/// Keyed state: every handle is scoped to the key of the record (or timer) being processed. Handles are obtained
/// once in <c>Open</c> and used from the operator's thread only; they are not thread-safe.
/// </summary>
public interface IState
{
    /// <summary>Removes the current key's entry.</summary>
    void Clear();
}

/// <summary>One value per key.</summary>
/// <typeparam name="T">The value type.</typeparam>
public interface IValueState<T> : IState
{
    /// <summary>The current key's value, or <c>default</c> when absent or expired.</summary>
    T? Value { get; }

    /// <summary>Reads the current key's value; false when absent or expired.</summary>
    bool TryGet(out T value);

    /// <summary>Sets the current key's value.</summary>
    void Update(T value);
}

/// <summary>A list per key.</summary>
/// <typeparam name="T">The element type.</typeparam>
public interface IListState<T> : IState
{
    /// <summary>The current key's elements in insertion order; empty when absent or expired. Valid until the next write.</summary>
    IReadOnlyList<T> Get();

    /// <summary>Appends one element.</summary>
    void Add(T value);

    /// <summary>Replaces the list.</summary>
    void Update(IEnumerable<T> values);
}

/// <summary>A map per key.</summary>
/// <typeparam name="TMapKey">The map's key type.</typeparam>
/// <typeparam name="TValue">The map's value type.</typeparam>
public interface IMapState<TMapKey, TValue> : IState where TMapKey : notnull
{
    /// <summary>Reads one entry; false when absent or expired.</summary>
    bool TryGetValue(TMapKey key, out TValue value);

    /// <summary>Sets one entry.</summary>
    void Put(TMapKey key, TValue value);

    /// <summary>Removes one entry; false when it was absent.</summary>
    bool Remove(TMapKey key);

    /// <summary>The live (unexpired) entries. Do not modify the map while enumerating.</summary>
    IEnumerable<KeyValuePair<TMapKey, TValue>> Entries { get; }

    /// <summary>True when the current key has no live entries.</summary>
    bool IsEmpty { get; }
}

/// <summary>A value per key, folded as elements are added.</summary>
/// <typeparam name="T">The value type.</typeparam>
public interface IReducingState<T> : IState
{
    /// <summary>Folds <paramref name="value"/> into the current key's value.</summary>
    void Add(T value);

    /// <summary>Reads the folded value; false when nothing was added (or it expired).</summary>
    bool TryGet(out T value);
}

/// <summary>An accumulator per key.</summary>
/// <typeparam name="TIn">Elements added.</typeparam>
/// <typeparam name="TOut">The result read.</typeparam>
public interface IAggregatingState<TIn, TOut> : IState
{
    /// <summary>Adds <paramref name="value"/> to the current key's accumulator.</summary>
    void Add(TIn value);

    /// <summary>Reads the aggregate; false when nothing was added (or it expired).</summary>
    bool TryGet(out TOut value);
}

/// <summary>Creates keyed state handles for an operator. Call during <c>Open</c>; a name may be used for one descriptor only.</summary>
public interface IKeyedStateStore
{
    /// <summary>Returns the value state named by <paramref name="descriptor"/>.</summary>
    IValueState<T> GetState<T>(ValueStateDescriptor<T> descriptor);

    /// <summary>Returns the list state named by <paramref name="descriptor"/>.</summary>
    IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor);

    /// <summary>Returns the map state named by <paramref name="descriptor"/>.</summary>
    IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull;

    /// <summary>Returns the reducing state named by <paramref name="descriptor"/>.</summary>
    IReducingState<T> GetReducingState<T>(ReducingStateDescriptor<T> descriptor);

    /// <summary>Returns the aggregating state named by <paramref name="descriptor"/>.</summary>
    IAggregatingState<TIn, TOut> GetAggregatingState<TIn, TAcc, TOut>(AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor);
}

/// <summary>
/// State of one operator subtask that is not keyed — a source's positions, a buffer, a rule set — checkpointed with
/// the operator and handed back on restore, also at another parallelism. Handles are obtained once in <c>Open</c> and
/// used from the operator's thread only. A name may be used for one state only; TTL is not supported.
/// </summary>
/// <remarks>
/// How a state is redistributed when the parallelism changes is part of how it is obtained, as in Flink:
/// <list type="bullet">
/// <item><description><see cref="GetListState{T}"/>: the elements of every old subtask are concatenated (in subtask
/// order) and split into contiguous, even shares, one per new subtask.</description></item>
/// <item><description><see cref="GetUnionListState{T}"/>: every new subtask gets every element of every old subtask,
/// and keeps what it owns.</description></item>
/// <item><description><see cref="GetBroadcastState{TMapKey, TValue}"/>: a map that every subtask holds identically
/// (it must be written the same way everywhere, e.g. from a broadcast input); each new subtask gets the copy of old
/// subtask 0.</description></item>
/// </list>
/// </remarks>
public interface IOperatorStateStore
{
    /// <summary>Returns the list state named by <paramref name="descriptor"/>, split evenly on restore.</summary>
    /// <exception cref="InvalidOperationException">The name is used by another state, or the descriptor has a TTL.</exception>
    /// <exception cref="Serialization.StateFormatException">Restored state of that name has another kind or format.</exception>
    IListState<T> GetListState<T>(ListStateDescriptor<T> descriptor);

    /// <summary>Returns the list state named by <paramref name="descriptor"/>, handed whole to every subtask on restore.</summary>
    /// <exception cref="InvalidOperationException">The name is used by another state, or the descriptor has a TTL.</exception>
    /// <exception cref="Serialization.StateFormatException">Restored state of that name has another kind or format.</exception>
    IListState<T> GetUnionListState<T>(ListStateDescriptor<T> descriptor);

    /// <summary>Returns the broadcast (map) state named by <paramref name="descriptor"/>, restored from old subtask 0's copy.</summary>
    /// <exception cref="InvalidOperationException">The name is used by another state, or the descriptor has a TTL.</exception>
    /// <exception cref="Serialization.StateFormatException">Restored state of that name has another kind or format.</exception>
    IMapState<TMapKey, TValue> GetBroadcastState<TMapKey, TValue>(MapStateDescriptor<TMapKey, TValue> descriptor) where TMapKey : notnull;
}
