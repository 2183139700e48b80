using System.Runtime.CompilerServices;

namespace Sluice.Runtime.State;

/// <summary>
/// The timers of one timer service in one time domain. A (key, namespace, time) timer is registered at most once;
/// timers pop in (time, registration order) order, so firing is deterministic; deleting is lazy (the queued entry is
/// skipped when popped). The live set is a <see cref="StateMap{TKey, TNamespace, TValue}"/> by (key, (namespace,
/// time)), so timers are snapshotted with the same paged copy-on-write as state, and — as for state — a timer's key
/// group is computed only when a snapshot writes it. Task thread only.
/// </summary>
/// <remarks>
/// Timers are queued in one FIFO bucket per distinct time, and only the distinct times are in a heap: windows give
/// many keys a timer at the same time (a window's end), so registering and popping is mostly a bucket append and
/// dequeue rather than a heap operation per timer. The bucket registered to last and the bucket being fired are
/// remembered, so runs of one time need no bucket lookup.
/// </remarks>
internal sealed class TimerQueue<TKey, TNamespace> where TKey : notnull
{
    private readonly PriorityQueue<long, long> _times = new();
    private readonly Dictionary<long, Queue<Timer>> _buckets = [];
    private readonly Stack<Queue<Timer>> _free = new();
    private Queue<Timer>? _lastBucket;
    private long _lastTime;

    /// <summary>The live timers, by (key, (namespace, time)).</summary>
    public StateMap<TKey, TimerSlot<TNamespace>, bool> Live { get; } = new();

    /// <summary>Number of live timers.</summary>
    public long Count => Live.Count;

    /// <summary>Registers a timer; false when it is already registered.</summary>
    public bool Register(TKey key, TNamespace ns, long time)
    {
        Live.GetOrAdd(key, new TimerSlot<TNamespace>(ns, time), out var existed);
        if (existed)
        {
            return false;
        }
        BucketOf(time).Enqueue(new Timer(key, ns, time));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Queue<Timer> BucketOf(long time)
    {
        if (_lastBucket is not null && _lastTime == time)
        {
            return _lastBucket;
        }
        if (!_buckets.TryGetValue(time, out var bucket))
        {
            bucket = _free.Count > 0 ? _free.Pop() : new Queue<Timer>();
            _buckets.Add(time, bucket);
            _times.Enqueue(time, time);
        }
        _lastBucket = bucket;
        _lastTime = time;
        return bucket;
    }

    /// <summary>Deletes a timer; false when it was not registered.</summary>
    public bool Delete(TKey key, TNamespace ns, long time) => Live.Remove(key, new TimerSlot<TNamespace>(ns, time));

    /// <summary>The earliest live timer's time, or <see cref="long.MaxValue"/> when there is none.</summary>
    public long NextTime
    {
        get
        {
            while (_times.TryPeek(out var time, out _))
            {
                var bucket = _buckets[time];
                while (bucket.TryPeek(out var timer))
                {
                    if (Live.Contains(timer.Key, new TimerSlot<TNamespace>(timer.Namespace, timer.Time)))
                    {
                        return time;
                    }
                    bucket.Dequeue();
                }
                Release(time, bucket);
            }
            return long.MaxValue;
        }
    }

    /// <summary>Removes and returns the earliest live timer with time ≤ <paramref name="upTo"/>.</summary>
    public bool TryPopDue(long upTo, out Timer due)
    {
        while (_times.TryPeek(out var time, out _) && time <= upTo)
        {
            var bucket = _lastBucket is not null && _lastTime == time ? _lastBucket : _buckets[time];
            _lastBucket = bucket;
            _lastTime = time;
            while (bucket.TryDequeue(out var timer))
            {
                // A deleted timer is no longer in the live set (deletion is lazy in the queue).
                if (Live.Remove(timer.Key, new TimerSlot<TNamespace>(timer.Namespace, timer.Time)))
                {
                    due = timer;
                    return true;
                }
            }
            Release(time, bucket);
        }
        due = default;
        return false;
    }

    /// <summary>Drops the empty bucket of the earliest time.</summary>
    private void Release(long time, Queue<Timer> bucket)
    {
        _times.Dequeue();
        _buckets.Remove(time);
        if (ReferenceEquals(_lastBucket, bucket))
        {
            _lastBucket = null;
        }
        if (bucket.Count == 0 && _free.Count < 64)
        {
            _free.Push(bucket);
        }
    }

    /// <summary>A timer as queued: its key, namespace and time.</summary>
    internal readonly record struct Timer(TKey Key, TNamespace Namespace, long Time);
}

/// <summary>The namespace of a live timer in its <see cref="StateMap{TKey, TNamespace, TValue}"/>: the timer's namespace and time.</summary>
internal readonly struct TimerSlot<TNamespace>(TNamespace ns, long time) : IEquatable<TimerSlot<TNamespace>>
{
    public readonly TNamespace Namespace = ns;
    public readonly long Time = time;

    public bool Equals(TimerSlot<TNamespace> other) => Time == other.Time && EqualityComparer<TNamespace>.Default.Equals(Namespace, other.Namespace);

    public override bool Equals(object? obj) => obj is TimerSlot<TNamespace> other && Equals(other);

    public override int GetHashCode() => typeof(TNamespace) == typeof(VoidNamespace)
        ? Time.GetHashCode()
        : (EqualityComparer<TNamespace>.Default.GetHashCode(Namespace!) * -1521134295) + Time.GetHashCode();
}
