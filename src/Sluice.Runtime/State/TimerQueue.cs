namespace Sluice.Runtime.State;

/// <summary>
/// The timers of one timer service in one time domain. A (key, namespace, time) timer is registered at most once;
/// timers pop in (time, registration order) order, so firing is deterministic; deleting is lazy (the heap entry is
/// skipped when popped). The live set is a key-grouped <see cref="StateTable{TEntryKey, TValue}"/>, so timers are
/// snapshotted per key group with the same copy-on-write as state. Task thread only.
/// </summary>
internal sealed class TimerQueue<TKey, TNamespace> where TKey : notnull
{
    private readonly PriorityQueue<Timer, (long Time, long Sequence)> _heap = new(PriorityComparer.Instance);
    private long _sequence;

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
        _heap.Enqueue(new Timer(key, ns, time, groupIndex), (time, _sequence++));
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
            while (_heap.TryPeek(out var timer, out _))
            {
                if (Live.Readable(timer.GroupIndex)?.ContainsKey((timer.Key, timer.Namespace, timer.Time)) == true)
                {
                    return timer.Time;
                }
                _heap.Dequeue();
            }
            return long.MaxValue;
        }
    }

    /// <summary>Removes and returns the earliest live timer with time ≤ <paramref name="upTo"/>.</summary>
    public bool TryPopDue(long upTo, out Timer due)
    {
        while (_heap.TryPeek(out var timer, out var priority) && priority.Time <= upTo)
        {
            _heap.Dequeue();
            if (Live.Readable(timer.GroupIndex)?.ContainsKey((timer.Key, timer.Namespace, timer.Time)) == true)
            {
                Live.Writable(timer.GroupIndex).Remove((timer.Key, timer.Namespace, timer.Time));
                due = timer;
                return true;
            }
        }
        due = default;
        return false;
    }

    /// <summary>A timer as queued: its key, namespace, time and the index of its key group.</summary>
    internal readonly record struct Timer(TKey Key, TNamespace Namespace, long Time, int GroupIndex);

    private sealed class PriorityComparer : IComparer<(long Time, long Sequence)>
    {
        public static readonly PriorityComparer Instance = new();

        public int Compare((long Time, long Sequence) x, (long Time, long Sequence) y)
        {
            var c = x.Time.CompareTo(y.Time);
            return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
