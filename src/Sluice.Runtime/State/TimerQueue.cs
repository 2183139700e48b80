using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Sluice.Runtime.State;

/// <summary>
/// The timers of one timer service in one time domain. A (key, namespace, time) timer is registered at most once;
/// timers pop in (time, registration order) order, so firing is deterministic; a deleted timer never pops. Task
/// thread only, except a <see cref="FrozenTimers"/> view, which any thread may read.
/// </summary>
/// <remarks>
/// <para>
/// Timers live in one <see cref="TimerBucket"/> per distinct time, and only the distinct times are in a heap: windows
/// give many keys a timer at the same time (a window's end). A bucket is an insertion-ordered set, so registering is
/// one probe of a set holding only that time's timers, and firing a time walks its bucket in order with no lookup at
/// all. The bucket registered to last and the bucket being fired are remembered apart (a firing window registers its
/// key's next window at another time), so runs of one time need no bucket lookup.
/// </para>
/// <para>
/// A timer may carry a hint, an opaque bit set its registrant reads back when it pops (<see cref="Timer.Hint"/>):
/// registering a live timer again ORs the new hint into it. Hints live in memory only (snapshots do not hold them), so
/// a restored timer, and one registered without a hint, carries <see cref="NoHint"/> (every bit set): a registrant
/// must read a hint as "at most these", a superset of what it needs to look at. A bucket keeps hints in an array of
/// its own, made when it first gets a hint: timers never given one (a process function's) cost close to nothing more
/// (a null check; a pooled bucket keeps its array when reused, and a popped <see cref="Timer"/> is 8 bytes larger).
/// </para>
/// <para>
/// Snapshots (<see cref="Freeze"/>) cost O(distinct times) on the task thread: a frozen view keeps each bucket's
/// entry array and bounds. Registering and firing never change an entry a view can see (they append, or move a
/// cursor); deleting a timer copies its bucket's entries first when a view holds them.
/// </para>
/// </remarks>
internal sealed class TimerQueue<TKey, TNamespace> where TKey : notnull
{
    private const int PooledBuckets = 8;
    private readonly PriorityQueue<long, long> _times = new();
    private readonly HashSet<long> _queued = []; // the times in _times (a time whose bucket was dropped may still be there)
    private readonly Dictionary<long, TimerBucket> _buckets = [];
    private readonly Stack<TimerBucket> _free = new();
    private TimerBucket? _lastBucket;
    private long _lastTime;
    private TimerBucket? _firing;
    private long _firingTime;

    /// <summary>The hint of a timer registered without one (every bit set: no information).</summary>
    public const ulong NoHint = ulong.MaxValue;

    /// <summary>Number of live timers.</summary>
    public long Count { get; private set; }

    /// <summary>Registers a timer; false when it is already registered (its hint then gains <paramref name="hint"/>'s bits).</summary>
    public bool Register(TKey key, TNamespace ns, long time, ulong hint = NoHint)
    {
        if (!BucketOf(time).Add(key, ns, hint))
        {
            return false;
        }
        Count++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TimerBucket BucketOf(long time)
    {
        if (_lastBucket is not null && _lastTime == time)
        {
            return _lastBucket;
        }
        if (!_buckets.TryGetValue(time, out var bucket))
        {
            bucket = _free.Count > 0 ? _free.Pop() : new TimerBucket();
            _buckets.Add(time, bucket);
            if (_queued.Add(time))
            {
                _times.Enqueue(time, time);
            }
        }
        _lastBucket = bucket;
        _lastTime = time;
        return bucket;
    }

    /// <summary>
    /// Deletes a timer; false when it was not registered. A time left without live timers drops its bucket at once (its
    /// entry in the heap of times is skipped when it comes up), so re-armed timeouts leave no bucket per old time behind.
    /// </summary>
    public bool Delete(TKey key, TNamespace ns, long time)
    {
        var bucket = Find(time);
        if (bucket is null || !bucket.Remove(key, ns))
        {
            return false;
        }
        Count--;
        if (bucket.Live == 0 && !ReferenceEquals(bucket, _firing))
        {
            Drop(time, bucket);
        }
        return true;
    }

    /// <summary>True when (key, namespace, time) is a live timer, whose hint then gains <paramref name="hint"/>'s bits; nothing is registered.</summary>
    public bool MergeIfLive(TKey key, TNamespace ns, long time, ulong hint) => Find(time)?.MergeIfLive(key, ns, hint) ?? false;

    /// <summary>The bucket of <paramref name="time"/>, or null; the one registered to last without a lookup.</summary>
    private TimerBucket? Find(long time) => _lastBucket is not null && _lastTime == time ? _lastBucket : _buckets.GetValueOrDefault(time);

    /// <summary>The earliest live timer's time, or <see cref="long.MaxValue"/> when there is none.</summary>
    public long NextTime
    {
        get
        {
            while (_times.TryPeek(out var time, out _))
            {
                if (!_buckets.TryGetValue(time, out var bucket))
                {
                    Dequeue(time);
                    continue;
                }
                if (bucket.Live > 0)
                {
                    return time;
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
            var bucket = _firing is not null && _firingTime == time ? _firing : _buckets.GetValueOrDefault(time);
            if (bucket is null)
            {
                Dequeue(time);
                continue;
            }
            _firing = bucket;
            _firingTime = time;
            if (bucket.TryTake(out var key, out var ns, out var hint))
            {
                Count--;
                due = new Timer(key, ns, time, hint);
                return true;
            }
            Release(time, bucket);
        }
        due = default;
        return false;
    }

    /// <summary>
    /// Marks a snapshot point: the returned view lists exactly the timers live now, whatever the queue does later.
    /// Costs O(distinct times); the view is read on any thread and holds no lock.
    /// </summary>
    public FrozenTimers Freeze()
    {
        var parts = new FrozenBucket[_buckets.Count];
        var i = 0;
        foreach (var (time, bucket) in _buckets)
        {
            parts[i++] = bucket.Freeze(time);
        }
        return new FrozenTimers(parts);
    }

    /// <summary>Removes the earliest time from the heap of times.</summary>
    private void Dequeue(long time)
    {
        _times.Dequeue();
        _queued.Remove(time);
    }

    /// <summary>Drops the drained bucket of the earliest time.</summary>
    private void Release(long time, TimerBucket bucket)
    {
        Dequeue(time);
        Drop(time, bucket);
    }

    /// <summary>Removes a bucket without live timers (reusing it when no frozen view holds its entries).</summary>
    private void Drop(long time, TimerBucket bucket)
    {
        Debug.Assert(bucket.Live == 0, "Only a bucket without live timers is dropped.");
        _buckets.Remove(time);
        if (ReferenceEquals(_lastBucket, bucket))
        {
            _lastBucket = null;
        }
        if (ReferenceEquals(_firing, bucket))
        {
            _firing = null;
        }
        if (_free.Count < PooledBuckets && bucket.TryReset())
        {
            _free.Push(bucket);
        }
    }

    /// <summary>A timer as queued: its key, namespace, time and hint (the OR of its registrations' hints).</summary>
    internal readonly record struct Timer(TKey Key, TNamespace Namespace, long Time, ulong Hint);

    /// <summary>Receives the timers of a <see cref="FrozenTimers"/> view.</summary>
    internal interface IVisitor
    {
        void Visit(TKey key, TNamespace ns, long time);
    }

    /// <summary>The timers live at a snapshot point, in (time, registration) order per time.</summary>
    internal readonly struct FrozenTimers
    {
        private readonly FrozenBucket[] _parts;

        internal FrozenTimers(FrozenBucket[] parts) => _parts = parts;

        /// <summary>Calls <paramref name="visitor"/> once per timer; times in no particular order.</summary>
        public void ForEach<TVisitor>(ref TVisitor visitor) where TVisitor : struct, IVisitor
        {
            foreach (var part in _parts)
            {
                for (var i = part.From; i < part.To; i++)
                {
                    ref var entry = ref part.Entries[i];
                    if (!entry.Deleted)
                    {
                        visitor.Visit(entry.Key, entry.Namespace, part.Time);
                    }
                }
            }
        }
    }

    /// <summary>One time's entries as a snapshot saw them: the live ones are those in [From, To) not deleted.</summary>
    internal readonly record struct FrozenBucket(long Time, TimerBucket.Entry[] Entries, int From, int To);

    /// <summary>
    /// The timers of one time: an insertion-ordered set of (key, namespace). Entries are appended and never move;
    /// those before the cursor have fired, and a deleted one is flagged. An open-addressing index (entry number + 1,
    /// linear probing) finds the newest entry of a (key, namespace); the index never forgets an entry, so a fired or
    /// deleted one stays findable and is replaced by a new entry when registered again.
    /// </summary>
    internal sealed class TimerBucket
    {
        private const int InitialEntries = 4;
        private Entry[] _entries = new Entry[InitialEntries];
        private int[] _index = new int[InitialEntries * 2];
        private int _count;
        private int _cursor;
        private int _deleted; // entries flagged deleted in [cursor, count)
        private ulong[]? _hints; // per entry, once an entry got a hint (then as long as _entries); null: every hint is NoHint

        /// <summary>True while the entry array may be held by a frozen view: it is copied before an entry changes.</summary>
        private bool _shared;

        /// <summary>Live (registered, not fired, not deleted) timers.</summary>
        public int Live { get; private set; }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int HashOf(TKey key, TNamespace ns)
        {
            var hash = typeof(TNamespace) == typeof(VoidNamespace)
                ? EqualityComparer<TKey>.Default.GetHashCode(key)
                : (EqualityComparer<TKey>.Default.GetHashCode(key) * -1640531535) ^ EqualityComparer<TNamespace>.Default.GetHashCode(ns!);
            return hash ^ (hash >> 15);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Matches(ref Entry entry, int hash, TKey key, TNamespace ns) =>
            entry.Hash == hash && EqualityComparer<TKey>.Default.Equals(entry.Key, key) &&
            (typeof(TNamespace) == typeof(VoidNamespace) || EqualityComparer<TNamespace>.Default.Equals(entry.Namespace, ns));

        /// <summary>The index slot of (key, namespace)'s newest entry, or of the empty slot where it would go.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int SlotOf(int hash, TKey key, TNamespace ns)
        {
            var mask = _index.Length - 1;
            for (var slot = hash & mask; ; slot = (slot + 1) & mask)
            {
                var at = _index[slot];
                if (at == 0 || Matches(ref _entries[at - 1], hash, key, ns))
                {
                    return slot;
                }
            }
        }

        private bool IsLive(int entry) => entry >= _cursor && !_entries[entry].Deleted;

        /// <summary>Adds (key, namespace) with <paramref name="hint"/>; false when it is live already (its hint then gains <paramref name="hint"/>'s bits).</summary>
        public bool Add(TKey key, TNamespace ns, ulong hint)
        {
            // A run of records of one key re-registering one timer (a process function arming its window's end per
            // record) finds it as the newest entry: no hash, no probe.
            if (_count > _cursor)
            {
                ref var newest = ref _entries[_count - 1];
                if (!newest.Deleted && EqualityComparer<TKey>.Default.Equals(newest.Key, key) &&
                    (typeof(TNamespace) == typeof(VoidNamespace) || EqualityComparer<TNamespace>.Default.Equals(newest.Namespace, ns)))
                {
                    OrHint(_count - 1, hint);
                    return false;
                }
            }
            var hash = HashOf(key, ns);
            var slot = SlotOf(hash, key, ns);
            if (_index[slot] != 0 && IsLive(_index[slot] - 1))
            {
                OrHint(_index[slot] - 1, hint);
                return false;
            }
            if (_count == _entries.Length)
            {
                Array.Resize(ref _entries, _count * 2);
                if (_hints is not null)
                {
                    Array.Resize(ref _hints, _entries.Length);
                }
            }
            _entries[_count] = new Entry { Key = key, Namespace = ns, Hash = hash };
            if (_hints is not null)
            {
                _hints[_count] = hint;
            }
            else if (hint != NoHint)
            {
                HintsFrom(_count)[_count] = hint;
            }
            _index[slot] = ++_count;
            Live++;
            if (_count * 2 > _index.Length)
            {
                Reindex(_index.Length * 2);
            }
            return true;
        }

        /// <summary>ORs <paramref name="hint"/> into entry <paramref name="entry"/>'s hint (without a hint array every hint is <see cref="NoHint"/> already).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void OrHint(int entry, ulong hint)
        {
            if (_hints is not null)
            {
                _hints[entry] |= hint;
            }
        }

        /// <summary>Makes the hint array: the first <paramref name="entries"/> entries (registered without hints) get <see cref="NoHint"/>.</summary>
        private ulong[] HintsFrom(int entries)
        {
            _hints = new ulong[_entries.Length];
            Array.Fill(_hints, NoHint, 0, entries);
            return _hints;
        }

        /// <summary>True when (key, namespace) is live, whose hint then gains <paramref name="hint"/>'s bits.</summary>
        public bool MergeIfLive(TKey key, TNamespace ns, ulong hint)
        {
            var at = _index[SlotOf(HashOf(key, ns), key, ns)] - 1;
            if (at < 0 || !IsLive(at))
            {
                return false;
            }
            OrHint(at, hint);
            return true;
        }

        /// <summary>Deletes live (key, namespace); false when it is not live.</summary>
        public bool Remove(TKey key, TNamespace ns)
        {
            var hash = HashOf(key, ns);
            var at = _index[SlotOf(hash, key, ns)] - 1;
            if (at < 0 || !IsLive(at))
            {
                return false;
            }
            if (_shared)
            {
                _entries = (Entry[])_entries.Clone();
                _shared = false;
            }
            _entries[at].Deleted = true;
            _deleted++;
            Live--;
            if (_deleted >= 8 && _deleted > Live)
            {
                Compact();
            }
            return true;
        }

        /// <summary>
        /// Keeps only the live entries, in order, in new arrays (a frozen view keeps the old ones): deleting and
        /// registering one timer over and over at one time would otherwise grow the bucket without bound.
        /// </summary>
        private void Compact()
        {
            var live = new Entry[Math.Max(InitialEntries, Live * 2)];
            var hints = _hints is null ? null : new ulong[live.Length];
            var n = 0;
            for (var i = _cursor; i < _count; i++)
            {
                if (!_entries[i].Deleted)
                {
                    if (hints is not null)
                    {
                        hints[n] = _hints![i];
                    }
                    live[n++] = _entries[i];
                }
            }
            _hints = hints;
            Debug.Assert(n == Live, "Every live entry is kept.");
            _entries = live;
            _count = n;
            _cursor = 0;
            _deleted = 0;
            _shared = false;
            var size = InitialEntries * 2;
            while (size < n * 2)
            {
                size *= 2;
            }
            _index = new int[size];
            Reindex(size);
        }

        /// <summary>Takes the oldest live entry, in registration order.</summary>
        public bool TryTake(out TKey key, out TNamespace ns, out ulong hint)
        {
            while (_cursor < _count)
            {
                ref var entry = ref _entries[_cursor++];
                if (entry.Deleted)
                {
                    _deleted--;
                }
                else
                {
                    Live--;
                    key = entry.Key;
                    ns = entry.Namespace;
                    hint = _hints is null ? NoHint : _hints[_cursor - 1];
                    return true;
                }
            }
            key = default!;
            ns = default!;
            hint = 0;
            return false;
        }

        public FrozenBucket Freeze(long time)
        {
            _shared = true;
            return new FrozenBucket(time, _entries, _cursor, _count);
        }

        /// <summary>Empties a drained bucket for reuse, keeping its arrays; false when a frozen view may still read its entries.</summary>
        public bool TryReset()
        {
            if (_shared)
            {
                return false;
            }
            if (RuntimeHelpers.IsReferenceOrContainsReferences<Entry>())
            {
                Array.Clear(_entries, 0, _count);
            }
            Array.Clear(_index);
            _count = 0;
            _cursor = 0;
            _deleted = 0;
            return true;
        }

        /// <summary>Rebuilds the index at <paramref name="size"/> slots, indexing only the live entries (a fired or deleted one need not be found).</summary>
        private void Reindex(int size)
        {
            var index = new int[size];
            var mask = index.Length - 1;
            for (var i = _cursor; i < _count; i++)
            {
                if (_entries[i].Deleted)
                {
                    continue;
                }
                var slot = _entries[i].Hash & mask;
                while (index[slot] != 0)
                {
                    slot = (slot + 1) & mask;
                }
                index[slot] = i + 1;
            }
            _index = index;
        }

        /// <summary>One registration of a timer.</summary>
        internal struct Entry
        {
            public TKey Key;
            public TNamespace Namespace;
            public int Hash;
            public bool Deleted;
        }
    }
}
