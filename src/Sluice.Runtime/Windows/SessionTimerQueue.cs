namespace Sluice.Runtime.Windows;

/// <summary>
/// The timers of one keyed operator in one time domain. A (key, time) pair is registered at most once; timers pop in
/// (time, registration order) order, so firing is deterministic; deleting is lazy (the heap entry is skipped when
/// popped). Single-threaded: operator thread only.
/// </summary>
/// <typeparam name="TKey">Key type.</typeparam>
internal sealed class SessionTimerQueue<TKey> where TKey : notnull
{
    private readonly PriorityQueue<(TKey Key, long Time), (long Time, long Sequence)> _heap = new(PriorityComparer.Instance);
    private readonly HashSet<(TKey Key, long Time)> _live = [];
    private long _sequence;

    /// <summary>Number of live timers.</summary>
    public int Count => _live.Count;

    /// <summary>Registers a timer; false when the same (key, time) is already registered.</summary>
    public bool Register(TKey key, long time)
    {
        if (!_live.Add((key, time)))
        {
            return false;
        }
        _heap.Enqueue((key, time), (time, _sequence++));
        return true;
    }

    /// <summary>Deletes a timer; false when it was not registered.</summary>
    public bool Delete(TKey key, long time) => _live.Remove((key, time));

    /// <summary>The earliest live timer's time, or <see cref="long.MaxValue"/> when there is none.</summary>
    public long NextTime
    {
        get
        {
            while (_heap.TryPeek(out var entry, out _))
            {
                if (_live.Contains(entry))
                {
                    return entry.Time;
                }
                _heap.Dequeue();
            }
            return long.MaxValue;
        }
    }

    /// <summary>Removes and returns the earliest live timer with time ≤ <paramref name="upTo"/>.</summary>
    public bool TryPopDue(long upTo, out TKey key, out long time)
    {
        while (_heap.TryPeek(out var entry, out var priority) && priority.Time <= upTo)
        {
            _heap.Dequeue();
            if (_live.Remove(entry))
            {
                key = entry.Key;
                time = entry.Time;
                return true;
            }
        }
        key = default!;
        time = 0;
        return false;
    }

    /// <summary>Every live timer, unordered (for snapshots and tests).</summary>
    public IEnumerable<(TKey Key, long Time)> Live => _live;

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
