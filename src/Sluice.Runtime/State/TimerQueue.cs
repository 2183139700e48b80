namespace Sluice.Runtime.State;

/// <summary>
/// The timers of one timer service in one time domain. A (key, namespace, time) timer is registered at most once;
/// timers pop in (time, registration order) order, so firing is deterministic; deleting is lazy (the queued entry is
/// skipped when popped). The live set is a key-grouped <see cref="StateTable{TEntryKey, TValue}"/>, so timers are
/// snapshotted per key group with the same copy-on-write as state. Task thread only.
/// </summary>
/// <remarks>
/// Timers are queued in one FIFO bucket per distinct time, and only the distinct times are in a heap: windows give
/// many keys a timer at the same time (a window's end), so registering and popping is mostly a bucket append and
/// dequeue rather than a heap operation per timer.
/// </remarks>
internal sealed class TimerQueue<TKey, TNamespace> where TKey : notnull
{
    private readonly PriorityQueue<long, long> _times = new();
    private readonly Dictionary<long, Queue<Timer>> _buckets = [];
    private readonly Stack<Queue<Timer>> _free = new();

    public TimerQueue(KeyGroupRange keyGroups) => Live = new StateTable<(TKey, TNamespace, long), bool>(keyGroups);

    /// <summary>The live timers by key group.</summary>
    public StateTable<(TKey Key, TNamespace Namespace, long Time), bool> Live { get; }

    /// <summary>Number of live timers.</summary>
    public long Count => Live.Count;

    /// <summary>Registers a timer of key group index <paramref name="groupIndex"/>; false when it is already registered.</summary>
    public bool Register(int groupIndex, TKey key, TNamespace ns, long time)
    {
        if (!Live.Writable(groupIndex).TryAdd((key, ns, time), true))
        {
            return false;
        }
        if (!_buckets.TryGetValue(time, out var bucket))
        {
            bucket = _free.Count > 0 ? _free.Pop() : new Queue<Timer>();
            _buckets.Add(time, bucket);
            _times.Enqueue(time, time);
        }
        bucket.Enqueue(new Timer(key, ns, time, groupIndex));
        return true;
    }

    /// <summary>Deletes a timer; false when it was not registered.</summary>
    public bool Delete(int groupIndex, TKey key, TNamespace ns, long time) =>
        Live.Readable(groupIndex) is { } map && map.ContainsKey((key, ns, time)) && Live.Writable(groupIndex).Remove((key, ns, time));

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
                    if (IsLive(timer))
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
            var bucket = _buckets[time];
            while (bucket.TryDequeue(out var timer))
            {
                // A deleted timer is no longer in the live set (deletion is lazy in the queue).
                if (Live.Readable(timer.GroupIndex) is not null && Live.Writable(timer.GroupIndex).Remove((timer.Key, timer.Namespace, timer.Time)))
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

    private bool IsLive(Timer timer) => Live.Readable(timer.GroupIndex)?.ContainsKey((timer.Key, timer.Namespace, timer.Time)) == true;

    /// <summary>Drops the empty bucket of the earliest time.</summary>
    private void Release(long time, Queue<Timer> bucket)
    {
        _times.Dequeue();
        _buckets.Remove(time);
        if (bucket.Count == 0 && _free.Count < 64)
        {
            _free.Push(bucket);
        }
    }

    /// <summary>A timer as queued: its key, namespace, time and the index of its key group.</summary>
    internal readonly record struct Timer(TKey Key, TNamespace Namespace, long Time, int GroupIndex);
}
