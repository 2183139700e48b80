namespace Sluice.Runtime.State;

/// <summary>
/// The entries of one state (or one timer set) of one operator subtask, split into one map per owned key group, with
/// copy-on-write per key group so that a snapshot can be written off the task thread while processing goes on.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Freeze"/> (task thread) marks a snapshot point in O(key groups): the snapshot keeps references to the
/// current maps. The first write to a key group whose map a snapshot still holds copies that map first
/// (<see cref="Writable"/>), so the snapshot never sees later writes; each key group is copied at most once per
/// snapshot, and not at all once the snapshot is released. Value objects stored in the map (lists, dictionaries,
/// user classes) are shared by the copy: a state that mutates a value object in place must copy it first when
/// <see cref="IsShared"/> says the value may be in an in-flight snapshot (value-level copy-on-write, as Flink's
/// <c>CopyOnWriteStateMap</c> copies shared entries).
/// </para>
/// <para>Task thread only, except <see cref="FrozenTable{TEntryKey, TValue}"/>, which may be read and released on another thread.</para>
/// </remarks>
/// <typeparam name="TEntryKey">The entry key: (key, namespace) for state, (key, namespace, time) for timers.</typeparam>
/// <typeparam name="TValue">The entry.</typeparam>
internal sealed class StateTable<TEntryKey, TValue> where TEntryKey : notnull
{
    private readonly Group?[] _groups;
    private readonly IEqualityComparer<TEntryKey>? _comparer;
    private int _version = 1;
    private int _lastFreeze;
    private int _inFlight;

    /// <summary>Creates an empty table for the key groups of <paramref name="range"/>, comparing entry keys with <paramref name="comparer"/> (null: the default).</summary>
    public StateTable(KeyGroupRange range, IEqualityComparer<TEntryKey>? comparer = null)
    {
        Range = range;
        _comparer = comparer;
        _groups = new Group?[Math.Max(range.Count, 0)];
    }

    /// <summary>The key groups the table holds.</summary>
    public KeyGroupRange Range { get; }

    /// <summary>The version new value objects are stamped with (bumped by every <see cref="Freeze"/>).</summary>
    public int Version => _version;

    /// <summary>
    /// True when a value object stamped with <paramref name="valueVersion"/> may be referenced by a snapshot still
    /// being written: mutate a copy instead.
    /// </summary>
    public bool IsShared(int valueVersion) => valueVersion <= _lastFreeze && Volatile.Read(ref _inFlight) > 0;

    /// <summary>Entries over all key groups.</summary>
    public long Count
    {
        get
        {
            long n = 0;
            foreach (var group in _groups)
            {
                n += group?.Map.Count ?? 0;
            }
            return n;
        }
    }

    /// <summary>
    /// The map of key group <c>Range.Start + <paramref name="groupIndex"/></c>, safe to modify: created when absent,
    /// copied first when a snapshot holds it.
    /// </summary>
    public Dictionary<TEntryKey, TValue> Writable(int groupIndex)
    {
        var group = _groups[groupIndex];
        if (group is null)
        {
            group = _groups[groupIndex] = new Group(new Dictionary<TEntryKey, TValue>(_comparer));
        }
        else if (Volatile.Read(ref group.SharedBy) > 0)
        {
            group = _groups[groupIndex] = new Group(new Dictionary<TEntryKey, TValue>(group.Map, _comparer));
        }
        return group.Map;
    }

    /// <summary>The map of a key group for reading only (it may be shared with a snapshot); null when empty.</summary>
    public Dictionary<TEntryKey, TValue>? Readable(int groupIndex) => _groups[groupIndex]?.Map;

    /// <summary>Every non-empty key group's map for reading, in key-group order (task thread).</summary>
    public IEnumerable<(int KeyGroup, Dictionary<TEntryKey, TValue> Map)> Groups
    {
        get
        {
            for (var i = 0; i < _groups.Length; i++)
            {
                if (_groups[i] is { } group && group.Map.Count > 0)
                {
                    yield return (Range.Start + i, group.Map);
                }
            }
        }
    }

    /// <summary>Drops every entry.</summary>
    public void Clear() => Array.Clear(_groups);

    /// <summary>Marks a snapshot point: the result sees the table as it is now until it is disposed.</summary>
    public FrozenTable<TEntryKey, TValue> Freeze()
    {
        var frozen = new Group?[_groups.Length];
        for (var i = 0; i < _groups.Length; i++)
        {
            if (_groups[i] is { } group && group.Map.Count > 0)
            {
                Interlocked.Increment(ref group.SharedBy);
                frozen[i] = group;
            }
        }
        // Values stamped before this point (version ≤ the old one) are now shared; values written from now on are not.
        _version++;
        _lastFreeze = _version;
        Interlocked.Increment(ref _inFlight);
        return new FrozenTable<TEntryKey, TValue>(this, frozen);
    }

    internal void Release(Group?[] frozen)
    {
        foreach (var group in frozen)
        {
            if (group is not null)
            {
                Interlocked.Decrement(ref group.SharedBy);
            }
        }
        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>One key group's map and how many unreleased snapshots hold it.</summary>
    internal sealed class Group(Dictionary<TEntryKey, TValue> map)
    {
        public readonly Dictionary<TEntryKey, TValue> Map = map;
        public int SharedBy;
    }
}

/// <summary>A <see cref="StateTable{TEntryKey, TValue}"/> as of a snapshot point. Readable from any one thread; dispose it once written.</summary>
internal sealed class FrozenTable<TEntryKey, TValue> : IDisposable where TEntryKey : notnull
{
    private readonly StateTable<TEntryKey, TValue> _table;
    private StateTable<TEntryKey, TValue>.Group?[]? _groups;

    internal FrozenTable(StateTable<TEntryKey, TValue> table, StateTable<TEntryKey, TValue>.Group?[] groups)
    {
        _table = table;
        _groups = groups;
    }

    /// <summary>Every non-empty key group's entries as of the snapshot point, in key-group order.</summary>
    /// <exception cref="ObjectDisposedException">Already released.</exception>
    public IEnumerable<(int KeyGroup, Dictionary<TEntryKey, TValue> Map)> Groups
    {
        get
        {
            var groups = _groups ?? throw new ObjectDisposedException(nameof(FrozenTable<TEntryKey, TValue>));
            for (var i = 0; i < groups.Length; i++)
            {
                if (groups[i] is { } group)
                {
                    yield return (_table.Range.Start + i, group.Map);
                }
            }
        }
    }

    /// <summary>Releases the snapshot: later writes stop copying on its behalf. Idempotent.</summary>
    public void Dispose()
    {
        var groups = Interlocked.Exchange(ref _groups, null);
        if (groups is not null)
        {
            _table.Release(groups);
        }
    }
}

