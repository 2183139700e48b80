namespace Sluice.State;

/// <summary>When a state entry's time-to-live restarts.</summary>
public enum StateTtlUpdate
{
    /// <summary>Creating or writing the entry restarts its TTL; reads do not.</summary>
    OnCreateAndWrite,

    /// <summary>Reads restart the TTL too.</summary>
    OnReadAndWrite,
}

/// <summary>
/// Time-to-live for keyed state, measured in processing time. An expired entry is invisible at once (reads behave
/// as if it was never written) and its memory is reclaimed eventually: on access, and by an incremental sweep.
/// </summary>
public sealed record StateTtlConfig
{
    /// <summary>Creates a TTL configuration.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeToLive"/> is not positive.</exception>
    public StateTtlConfig(TimeSpan timeToLive, StateTtlUpdate update = StateTtlUpdate.OnCreateAndWrite)
    {
        TimeToLiveMs = EventTime.PositiveMillis(timeToLive, nameof(timeToLive));
        Update = update;
    }

    /// <summary>Time to live in ms of processing time.</summary>
    public long TimeToLiveMs { get; }

    /// <summary>What restarts the TTL.</summary>
    public StateTtlUpdate Update { get; }
}

/// <summary>Names a piece of keyed state and how it behaves. Names are unique per operator.</summary>
public abstract class StateDescriptor
{
    private protected StateDescriptor(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The state's name, unique within its operator; checkpoints store state under it.</summary>
    public string Name { get; }

    /// <summary>Optional time-to-live; null keeps entries until cleared.</summary>
    public StateTtlConfig? Ttl { get; init; }
}

/// <summary>Describes a single value per key.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <param name="name">The state's name, unique within its operator.</param>
public sealed class ValueStateDescriptor<T>(string name) : StateDescriptor(name);

/// <summary>Describes a list of values per key. TTL applies to the whole list: any write restarts it.</summary>
/// <typeparam name="T">The element type.</typeparam>
/// <param name="name">The state's name, unique within its operator.</param>
public sealed class ListStateDescriptor<T>(string name) : StateDescriptor(name);

/// <summary>Describes a map per key. TTL applies per map entry.</summary>
/// <typeparam name="TMapKey">The map's key type.</typeparam>
/// <typeparam name="TValue">The map's value type.</typeparam>
/// <param name="name">The state's name, unique within its operator.</param>
public sealed class MapStateDescriptor<TMapKey, TValue>(string name) : StateDescriptor(name) where TMapKey : notnull;

/// <summary>Describes a value per key folded with <see cref="Reduce"/> as elements are added.</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class ReducingStateDescriptor<T> : StateDescriptor
{
    /// <summary>Creates the descriptor.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="reduce"/> is null.</exception>
    public ReducingStateDescriptor(string name, Func<T, T, T> reduce) : base(name)
    {
        ArgumentNullException.ThrowIfNull(reduce);
        Reduce = reduce;
    }

    /// <summary>Combines the current value with a new element; must be associative.</summary>
    public Func<T, T, T> Reduce { get; }
}

/// <summary>Describes an accumulator per key fed by an <see cref="IAggregateFunction{TIn, TAcc, TOut}"/>.</summary>
/// <typeparam name="TIn">Elements added.</typeparam>
/// <typeparam name="TAcc">The accumulator kept in state.</typeparam>
/// <typeparam name="TOut">The result read.</typeparam>
public sealed class AggregatingStateDescriptor<TIn, TAcc, TOut> : StateDescriptor
{
    /// <summary>Creates the descriptor.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public AggregatingStateDescriptor(string name, IAggregateFunction<TIn, TAcc, TOut> function) : base(name)
    {
        ArgumentNullException.ThrowIfNull(function);
        Function = function;
    }

    /// <summary>The aggregation.</summary>
    public IAggregateFunction<TIn, TAcc, TOut> Function { get; }
}
