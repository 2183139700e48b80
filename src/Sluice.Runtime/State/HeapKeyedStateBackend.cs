using Sluice.State;

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
    private readonly Dictionary<string, IHeapState> _states = [];
    private readonly TimeProvider _time;
    private long _minTtl = long.MaxValue;
    private long _lastSweep;

    public HeapKeyedStateBackend(TimeProvider time)
    {
        _time = time;
        _lastSweep = Now;
    }

    /// <summary>The key whose state handles read and write. Set by the operator per record and timer.</summary>
    public TKey CurrentKey { get; set; } = default!;

    /// <summary>The states created so far, by name.</summary>
    public IReadOnlyDictionary<string, IHeapState> States => _states;

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

    private TState Register<TState>(StateDescriptor descriptor, Func<TState> create) where TState : class, IHeapState
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (_states.TryGetValue(descriptor.Name, out var existing))
        {
            return existing as TState ?? throw new InvalidOperationException(
                $"State '{descriptor.Name}' already exists with another kind or type ({existing.GetType().Name}); state names must be unique per operator.");
        }
        var state = create();
        _states.Add(descriptor.Name, state);
        if (descriptor.Ttl is { } ttl)
        {
            _minTtl = Math.Min(_minTtl, ttl.TimeToLiveMs);
        }
        return state;
    }
}

/// <summary>What the backend needs of every state, whatever its type.</summary>
internal interface IHeapState
{
    /// <summary>Entries held (keys, or map entries for map state).</summary>
    int Count { get; }

    /// <summary>Removes entries whose TTL has passed.</summary>
    void SweepExpired(long now);
}
