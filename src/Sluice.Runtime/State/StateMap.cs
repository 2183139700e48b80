using System.Runtime.CompilerServices;

namespace Sluice.Runtime.State;

/// <summary>
/// The entries of one heap state: a hash map from (key, namespace) to a value with its TTL stamp, built for
/// asynchronous snapshots. Entries live in fixed-size pages that never move; <see cref="Freeze"/> marks every page
/// shared in O(pages) (a thousandth of the entries), and the first write to a shared page copies that page alone, so
/// a snapshot can be read on another thread while processing goes on, and the task thread never copies or
/// serializes the whole state. Value objects are shared by a page copy: a state that mutates a value object in place
/// copies it first when <see cref="IsShared"/> says a snapshot may still read it (as Flink's
/// <c>CopyOnWriteStateMap</c> copies shared entries).
/// </summary>
/// <remarks>
/// <para>
/// Layout: chained hashing like <see cref="Dictionary{TKey, TValue}"/> — a power-of-two bucket array (task thread
/// only, never part of a snapshot) and entries appended in insertion order, freed entries reused through a free list.
/// The last entry found is remembered, so the common read-then-write of one (key, namespace) per record costs one
/// lookup. In the void namespace the hash is the key's own hash.
/// </para>
/// <para>Task thread only, except <see cref="FrozenStateMap{TKey, TNamespace, TValue}"/>, which may be read and released on another thread.</para>
/// </remarks>
internal sealed class StateMap<TKey, TNamespace, TValue> where TKey : notnull
{
    internal const int PageShift = 10;
    internal const int PageSize = 1 << PageShift;
    internal const int PageMask = PageSize - 1;
    private const int EndOfChain = -1;
    private const int FreeMarker = -2; // Next of a free entry is FreeMarker - (index of the next free entry + 1)

    private Page[] _pages = [];
    private Entry[][] _items = [];       // _pages[i].Items, kept alongside: reads skip the Page object
    private int[] _buckets = new int[16]; // entry index + 1; 0 = empty
    private int _used;                    // entries ever handed out (high-water mark)
    private int _count;
    private int _freeList = -1;
    private int _version = 1;
    private int _lastFreeze;
    private int _inFlight;
    private int _cached = -1;            // index of the entry found last, or -1
    private Entry[]? _cachedItems;       // its page's array while that page is writable (not shared), else null

    /// <summary>Live entries (expired-but-unswept ones included).</summary>
    public int Count => _count;

    /// <summary>The version new value objects are stamped with (bumped by every <see cref="Freeze"/>).</summary>
    public int Version => _version;

    /// <summary>True when a value object stamped with <paramref name="valueVersion"/> may be read by a snapshot still being written: mutate a copy.</summary>
    public bool IsShared(int valueVersion) => valueVersion < _lastFreeze && Volatile.Read(ref _inFlight) > 0;

    /// <summary>One entry. <see cref="Next"/> chains a bucket; free entries hold <see cref="FreeMarker"/> minus the next free index.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)] // packs the 1-byte void namespace with the ints
    internal struct Entry
    {
        public TKey Key;
        public TNamespace Namespace;
        public TValue Value;
        public long Stamp;
        public int Version;
        public int Hash;
        public int Next;
    }

    /// <summary>A page of entries and how many unreleased snapshots hold it.</summary>
    internal sealed class Page(Entry[] items)
    {
        public readonly Entry[] Items = items;
        public int SharedBy;

        /// <summary>Set once the map stopped using this page (it copied it); the last snapshot to release it may reuse its array.</summary>
        public bool Replaced;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HashOf(TKey key, TNamespace ns)
    {
        // Not HashCode.Combine (a seeded xxHash, several times dearer): a multiplicative mix of the key's hash and the
        // namespace's is enough, as BucketOf folds the high bits in. Windows look up (key, window) several times per firing.
        var hash = typeof(TNamespace) == typeof(VoidNamespace)
            ? EqualityComparer<TKey>.Default.GetHashCode(key)
            : (EqualityComparer<TKey>.Default.GetHashCode(key) * -1640531535) ^ EqualityComparer<TNamespace>.Default.GetHashCode(ns!);
        return hash & int.MaxValue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Matches(ref Entry entry, int hash, TKey key, TNamespace ns) =>
        entry.Hash == hash && EqualityComparer<TKey>.Default.Equals(entry.Key, key) &&
        (typeof(TNamespace) == typeof(VoidNamespace) || EqualityComparer<TNamespace>.Default.Equals(entry.Namespace, ns));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int BucketOf(int hash) => (hash ^ (hash >> 15)) & (_buckets.Length - 1);

    /// <summary>The entry at <paramref name="index"/> for reading (it may be shared with a snapshot).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry Read(int index) => ref _items[index >> PageShift][index & PageMask];

    /// <summary>The entry at <paramref name="index"/>, safe to modify: its page is copied first when a snapshot holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry Write(int index)
    {
        var page = _pages[index >> PageShift];
        if (Volatile.Read(ref page.SharedBy) > 0)
        {
            page = CopyPage(index >> PageShift);
        }
        return ref page.Items[index & PageMask];
    }

    private Page CopyPage(int pageIndex)
    {
        var old = _pages[pageIndex];
        var items = NewItems();
        old.Items.CopyTo(items, 0);
        var copy = new Page(items);
        _pages[pageIndex] = copy;
        _items[pageIndex] = items;
        // Only now may the last snapshot holding the old page hand its array back for reuse (see Release).
        Volatile.Write(ref old.Replaced, true);
        return copy;
    }

    /// <summary>
    /// A page's array: one a released snapshot handed back, else a new one. Reuse matters: after every snapshot the
    /// written pages are copied in a burst, and fresh memory costs a page fault per 4 KiB where reused memory costs
    /// only the copy.
    /// </summary>
    private Entry[] NewItems() => _spare.TryPop(out var items) ? items : new Entry[PageSize];

    private readonly System.Collections.Concurrent.ConcurrentStack<Entry[]> _spare = new();

    /// <summary>
    /// The remembered entry when it is (<paramref name="key"/>, <paramref name="ns"/>) and its page is writable: no
    /// hash and a single array access, the cost of the second access to one (key, namespace) per record.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry Cached(TKey key, TNamespace ns, out bool hit)
    {
        var items = _cachedItems;
        if (items is not null)
        {
            ref var cached = ref items[_cached & PageMask];
            if (EqualityComparer<TKey>.Default.Equals(cached.Key, key) &&
                (typeof(TNamespace) == typeof(VoidNamespace) || EqualityComparer<TNamespace>.Default.Equals(cached.Namespace, ns)))
            {
                hit = true;
                return ref cached;
            }
        }
        hit = false;
        return ref Unsafe.NullRef<Entry>();
    }

    /// <summary>Writable entry <paramref name="index"/>, remembered for <see cref="Cached"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry WriteAndRemember(int index)
    {
        var page = _pages[index >> PageShift];
        if (Volatile.Read(ref page.SharedBy) > 0)
        {
            page = CopyPage(index >> PageShift);
        }
        _cached = index;
        if (!ReferenceEquals(_cachedItems, page.Items))
        {
            _cachedItems = page.Items; // a reference store costs a GC write barrier: skip it while within one page
        }
        return ref page.Items[index & PageMask];
    }

    private int IndexOf(TKey key, TNamespace ns, int hash)
    {
        for (var i = _buckets[BucketOf(hash)] - 1; i >= 0;)
        {
            ref var entry = ref Read(i);
            if (Matches(ref entry, hash, key, ns))
            {
                return i;
            }
            i = entry.Next;
        }
        return -1;
    }

    /// <summary>The entry of (<paramref name="key"/>, <paramref name="ns"/>), safe to modify, or a null ref when absent.</summary>
    public ref Entry Find(TKey key, TNamespace ns, out bool found)
    {
        ref var cached = ref Cached(key, ns, out found);
        if (found)
        {
            return ref cached;
        }
        var index = IndexOf(key, ns, HashOf(key, ns));
        found = index >= 0;
        return ref found ? ref WriteAndRemember(index) : ref Unsafe.NullRef<Entry>();
    }

    /// <summary>True when (<paramref name="key"/>, <paramref name="ns"/>) has an entry.</summary>
    public bool Contains(TKey key, TNamespace ns)
    {
        Cached(key, ns, out var hit);
        return hit || IndexOf(key, ns, HashOf(key, ns)) >= 0;
    }

    /// <summary>The entry of (<paramref name="key"/>, <paramref name="ns"/>), safe to modify; added (default value, stamp 0, current version) when absent.</summary>
    public ref Entry GetOrAdd(TKey key, TNamespace ns, out bool existed)
    {
        ref var cached = ref Cached(key, ns, out existed);
        if (existed)
        {
            return ref cached;
        }
        var hash = HashOf(key, ns);
        var index = IndexOf(key, ns, hash);
        existed = index >= 0;
        if (existed)
        {
            return ref WriteAndRemember(index);
        }
        if (_count + 1 > _buckets.Length)
        {
            Grow();
        }
        if (_freeList >= 0)
        {
            index = _freeList;
            _freeList = FreeMarker - Read(index).Next - 1;
        }
        else
        {
            index = _used++;
            if ((index >> PageShift) == _pages.Length)
            {
                Array.Resize(ref _pages, _pages.Length + 1);
                Array.Resize(ref _items, _items.Length + 1);
                _pages[^1] = new Page(NewItems());
                _items[^1] = _pages[^1].Items;
            }
        }
        ref var bucket = ref _buckets[BucketOf(hash)];
        ref var entry = ref WriteAndRemember(index);
        entry = new Entry { Key = key, Namespace = ns, Hash = hash, Next = bucket - 1, Version = _version };
        bucket = index + 1;
        _count++;
        return ref entry;
    }

    /// <summary>Removes the entry of (<paramref name="key"/>, <paramref name="ns"/>); false when absent.</summary>
    public bool Remove(TKey key, TNamespace ns)
    {
        var hash = HashOf(key, ns);
        ref var bucket = ref _buckets[BucketOf(hash)];
        var previous = -1;
        for (var i = bucket - 1; i >= 0;)
        {
            ref var entry = ref Read(i);
            if (Matches(ref entry, hash, key, ns))
            {
                var next = entry.Next;
                if (previous < 0)
                {
                    bucket = next + 1;
                }
                else
                {
                    Write(previous).Next = next;
                }
                ref var freed = ref Write(i);
                freed = default;
                freed.Next = FreeMarker - (_freeList + 1);
                _freeList = i;
                _count--;
                if (_cached == i)
                {
                    Forget();
                }
                return true;
            }
            previous = i;
            i = entry.Next;
        }
        return false;
    }

    /// <summary>Removes every entry for which <paramref name="expired"/> returns true (TTL sweeps).</summary>
    public void RemoveWhere<TPredicate>(TPredicate expired) where TPredicate : struct, IEntryPredicate
    {
        for (var i = 0; i < _used; i++)
        {
            ref var entry = ref Read(i);
            if (entry.Next >= EndOfChain && expired.Matches(entry.Stamp))
            {
                Remove(entry.Key, entry.Namespace);
            }
        }
    }

    /// <summary>Decides which entries a sweep removes, by TTL stamp.</summary>
    internal interface IEntryPredicate
    {
        bool Matches(long stamp);
    }

    /// <summary>Every live entry for reading (task thread), in page order.</summary>
    public IEnumerable<(TKey Key, TNamespace Namespace, TValue Value)> Entries
    {
        get
        {
            for (var i = 0; i < _used; i++)
            {
                var entry = Read(i);
                if (entry.Next >= EndOfChain)
                {
                    yield return (entry.Key, entry.Namespace, entry.Value);
                }
            }
        }
    }

    /// <summary>Drops every entry.</summary>
    public void Clear()
    {
        _pages = [];
        _items = [];
        _buckets = new int[16];
        _used = _count = 0;
        _freeList = -1;
        Forget();
    }

    /// <summary>Marks a snapshot point: the result sees the map as it is now until it is disposed.</summary>
    public FrozenStateMap<TKey, TNamespace, TValue> Freeze()
    {
        var pages = new Page[(_used + PageMask) >> PageShift];
        for (var i = 0; i < pages.Length; i++)
        {
            pages[i] = _pages[i];
            Interlocked.Increment(ref pages[i].SharedBy);
        }
        // Values stamped before this point (version ≤ the old one) are now shared; values written from now on are not.
        _version++;
        _lastFreeze = _version;
        Interlocked.Increment(ref _inFlight);
        Forget(); // its page is shared now: the next write must go through the copy check
        return new FrozenStateMap<TKey, TNamespace, TValue>(this, pages, _used);
    }

    private void Forget()
    {
        _cached = -1;
        _cachedItems = null;
    }

    internal void Release(Page[] pages)
    {
        foreach (var page in pages)
        {
            if (Interlocked.Decrement(ref page.SharedBy) == 0 && Volatile.Read(ref page.Replaced))
            {
                if (RuntimeHelpers.IsReferenceOrContainsReferences<Entry>())
                {
                    Array.Clear(page.Items); // let what the entries referenced be collected
                }
                _spare.Push(page.Items);
            }
        }
        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>Doubles the buckets and rechains every entry (copying the pages a snapshot holds).</summary>
    private void Grow()
    {
        _buckets = new int[_buckets.Length * 2];
        for (var i = 0; i < _used; i++)
        {
            if (Read(i).Next < EndOfChain)
            {
                continue;
            }
            ref var entry = ref Write(i);
            ref var bucket = ref _buckets[BucketOf(entry.Hash)];
            entry.Next = bucket - 1;
            bucket = i + 1;
        }
    }
}

/// <summary>A <see cref="StateMap{TKey, TNamespace, TValue}"/> as of a snapshot point. Readable from any one thread; dispose it once written.</summary>
internal sealed class FrozenStateMap<TKey, TNamespace, TValue> : IDisposable where TKey : notnull
{
    private readonly StateMap<TKey, TNamespace, TValue> _map;
    private readonly int _used;
    private StateMap<TKey, TNamespace, TValue>.Page[]? _pages;

    internal FrozenStateMap(StateMap<TKey, TNamespace, TValue> map, StateMap<TKey, TNamespace, TValue>.Page[] pages, int used)
    {
        _map = map;
        _pages = pages;
        _used = used;
    }

    /// <summary>Calls <paramref name="visit"/> for every live entry as of the snapshot point.</summary>
    /// <exception cref="ObjectDisposedException">Already released.</exception>
    public void ForEach<TVisitor>(ref TVisitor visit) where TVisitor : struct, IVisitor
    {
        var pages = _pages ?? throw new ObjectDisposedException(nameof(FrozenStateMap<TKey, TNamespace, TValue>));
        for (var i = 0; i < _used; i++)
        {
            ref var entry = ref pages[i >> StateMap<TKey, TNamespace, TValue>.PageShift].Items[i & StateMap<TKey, TNamespace, TValue>.PageMask];
            if (entry.Next >= -1)
            {
                visit.Visit(entry.Key, entry.Namespace, entry.Value, entry.Stamp);
            }
        }
    }

    /// <summary>Receives the entries of a frozen map.</summary>
    internal interface IVisitor
    {
        void Visit(TKey key, TNamespace ns, TValue value, long stamp);
    }

    /// <summary>Releases the snapshot: later writes stop copying pages on its behalf. Idempotent.</summary>
    public void Dispose()
    {
        var pages = Interlocked.Exchange(ref _pages, null);
        if (pages is not null)
        {
            _map.Release(pages);
        }
    }
}
