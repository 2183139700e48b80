using Sluice.Functions;
using Sluice.Graph;
using Sluice.Windowing;

namespace Sluice;

/// <summary>
/// A stream partitioned by key (from <see cref="DataStream{T}.KeyBy{TKey}"/>). Operators on it see one key at a time,
/// with keyed state and timers.
/// </summary>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="T">Record type.</typeparam>
public sealed class KeyedStream<TKey, T>
{
    internal KeyedStream(DataStream<T> stream, KeySpec<T, TKey> key)
    {
        Stream = stream;
        Key = key;
    }

    /// <summary>The unkeyed stream.</summary>
    public DataStream<T> Stream { get; }

    /// <summary>Key extraction and hashing.</summary>
    internal KeySpec<T, TKey> Key { get; }

    internal StreamInput Input => new(Stream.Transformation, Key);

    /// <summary>Runs a keyed process function; each subtask uses a shallow copy of <paramref name="function"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public DataStream<TOut> Process<TOut>(KeyedProcessFunction<TKey, T, TOut> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Stream.Next(new KeyedProcessTransformation<TKey, T, TOut>(
            name ?? function.GetType().Name.Split('`')[0], Input, Key, FunctionCopies.PerSubtask(function)));
    }

    /// <summary>
    /// Adds a keyed operator of your own (Flink's <c>transform</c> on a keyed stream): records are routed by key
    /// group, and the operator gets keyed state and timers checkpointed by the runtime. See
    /// <see cref="Operators.KeyedOneInputStreamOperator{TKey, TIn, TOut}"/>.
    /// </summary>
    /// <param name="name">The operator's display name (errors, metrics, plans).</param>
    /// <param name="operatorFactory">Returns a new operator instance on every call (one per subtask and attempt).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public DataStream<TOut> Transform<TOut>(string name, Func<Operators.KeyedOneInputStreamOperator<TKey, T, TOut>> operatorFactory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(operatorFactory);
        return Stream.Next(new KeyedOneInputOperatorTransformation<TKey, T, TOut>(name, Input, Key, operatorFactory));
    }

    /// <summary>A rolling reduce: emits the key's folded value after every record.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="reduce"/> is null.</exception>
    public DataStream<T> Reduce(Func<T, T, T> reduce, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(reduce);
        return Process(new RollingReduceFunction<TKey, T>(reduce), name ?? "Reduce");
    }

    /// <summary>A rolling aggregate: emits the key's result after every record.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="aggregate"/> is null.</exception>
    public DataStream<TOut> Aggregate<TAcc, TOut>(IAggregateFunction<T, TAcc, TOut> aggregate, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        return Process(new RollingAggregateFunction<TKey, T, TAcc, TOut>(aggregate), name ?? "Aggregate");
    }

    /// <summary>Groups each key's records into windows.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="assigner"/> is null.</exception>
    public WindowedStream<TKey, T> Window(WindowAssigner assigner)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        return new WindowedStream<TKey, T>(this, assigner);
    }

    /// <summary>
    /// Passes the first record of each key and drops repeats of the key that arrive within <paramref name="horizon"/>
    /// of event time after it (processing time for records without a timestamp). Repeats go to
    /// <paramref name="duplicates"/> when given, and are counted either way.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The horizon is not positive.</exception>
    public DataStream<T> Deduplicate(TimeSpan horizon, OutputTag<T>? duplicates = null, string? name = null) =>
        Process(new DeduplicateFunction<TKey, T>(EventTime.PositiveMillis(horizon, nameof(horizon)), duplicates), name ?? "Deduplicate");

    /// <summary>Connects with another stream keyed by the same key type, for a keyed co-process function.</summary>
    /// <exception cref="ArgumentException">The streams belong to different environments.</exception>
    public ConnectedKeyedStreams<TKey, T, T2> Connect<T2>(KeyedStream<TKey, T2> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Stream.Environment != Stream.Environment)
        {
            throw new ArgumentException("Cannot connect streams of different environments.", nameof(other));
        }
        return new ConnectedKeyedStreams<TKey, T, T2>(this, other);
    }

    /// <summary>Joins each record with the other stream's records of the same key whose timestamps lie within an interval of it.</summary>
    public IntervalJoinBuilder<TKey, T, T2> IntervalJoin<T2>(KeyedStream<TKey, T2> other) => new(Connect(other));
}

/// <summary>Two keyed streams with the same key type, processed together.</summary>
/// <typeparam name="TKey">Shared key type.</typeparam>
/// <typeparam name="T1">First stream's records.</typeparam>
/// <typeparam name="T2">Second stream's records.</typeparam>
public sealed class ConnectedKeyedStreams<TKey, T1, T2>
{
    internal ConnectedKeyedStreams(KeyedStream<TKey, T1> first, KeyedStream<TKey, T2> second)
    {
        First = first;
        Second = second;
    }

    /// <summary>The first stream.</summary>
    public KeyedStream<TKey, T1> First { get; }

    /// <summary>The second stream.</summary>
    public KeyedStream<TKey, T2> Second { get; }

    /// <summary>Runs a keyed co-process function; each subtask uses a shallow copy of <paramref name="function"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public DataStream<TOut> Process<TOut>(KeyedCoProcessFunction<TKey, T1, T2, TOut> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        var node = new KeyedCoProcessTransformation<TKey, T1, T2, TOut>(
            name ?? function.GetType().Name.Split('`')[0], First.Input, First.Key, Second.Input, Second.Key, FunctionCopies.PerSubtask(function));
        return First.Stream.Next(node);
    }

    /// <summary>
    /// Adds a keyed two-input operator of your own (Flink's <c>transform</c> on connected keyed streams): both inputs
    /// are routed by key group, and the operator gets keyed state and timers checkpointed by the runtime. See
    /// <see cref="Operators.KeyedTwoInputStreamOperator{TKey, TIn1, TIn2, TOut}"/>.
    /// </summary>
    /// <param name="name">The operator's display name (errors, metrics, plans).</param>
    /// <param name="operatorFactory">Returns a new operator instance on every call (one per subtask and attempt).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public DataStream<TOut> Transform<TOut>(string name, Func<Operators.KeyedTwoInputStreamOperator<TKey, T1, T2, TOut>> operatorFactory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(operatorFactory);
        return First.Stream.Next(new KeyedTwoInputOperatorTransformation<TKey, T1, T2, TOut>(name, First.Input, First.Key, Second.Input, Second.Key, operatorFactory));
    }
}

/// <summary>Configures an interval join.</summary>
/// <typeparam name="TKey">Shared key type.</typeparam>
/// <typeparam name="T1">Left records.</typeparam>
/// <typeparam name="T2">Right records.</typeparam>
public sealed class IntervalJoinBuilder<TKey, T1, T2>
{
    private readonly ConnectedKeyedStreams<TKey, T1, T2> _streams;
    private long _lower;
    private long _upper;
    private bool _bounded;

    internal IntervalJoinBuilder(ConnectedKeyedStreams<TKey, T1, T2> streams) => _streams = streams;

    /// <summary>
    /// A left record at <c>t</c> joins right records at <c>t + lower ≤ t' ≤ t + upper</c> (both inclusive; bounds may be negative).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lower"/> is after <paramref name="upper"/>.</exception>
    public IntervalJoinBuilder<TKey, T1, T2> Between(TimeSpan lower, TimeSpan upper)
    {
        if (lower > upper)
        {
            throw new ArgumentOutOfRangeException(nameof(lower), lower, $"The interval's lower bound ({lower}) must not be after its upper bound ({upper}).");
        }
        _lower = (long)lower.TotalMilliseconds;
        _upper = (long)upper.TotalMilliseconds;
        _bounded = true;
        return this;
    }

    /// <summary>Emits <paramref name="join"/>(left, right) for each matching pair, with timestamp max(left, right).</summary>
    /// <exception cref="InvalidOperationException"><see cref="Between"/> was not called.</exception>
    public DataStream<TOut> Process<TOut>(Func<T1, T2, TOut> join, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(join);
        if (!_bounded)
        {
            throw new InvalidOperationException("Call Between(lower, upper) before Process: an interval join needs its time bounds.");
        }
        var node = new KeyedCoProcessTransformation<TKey, T1, T2, TOut>(name ?? "IntervalJoin", _streams.First.Input, _streams.First.Key, _streams.Second.Input, _streams.Second.Key,
            static () => throw new InvalidOperationException("An interval join runs as the interval join operator, not as a function."))
        {
            IntervalJoin = new IntervalJoinSpec<T1, T2, TOut>(_lower, _upper, join),
        };
        return _streams.First.Stream.Next(node);
    }
}
