using System.Diagnostics;

namespace Sluice.Connectors;

/// <summary>
/// The one lookup cache of Sluice (Flink's partial cache): key → value, least recently used dropped beyond
/// <see cref="LookupOptions.MaxRows"/>, and entries expired by <see cref="LookupOptions.ExpireAfterWrite"/> and
/// <see cref="LookupOptions.ExpireAfterAccess"/> on the clock the caller passes. Both the synchronous lookup join
/// (<see cref="RetryingCachedLookupSource"/>) and the async lookup operator use it. Not thread-safe: its owner's thread
/// only. Keys are held as given, so the caller hands over a key it no longer changes (copy a reused row first).
/// </summary>
/// <typeparam name="TKey">The key; equal keys (by the dictionary's default comparer) share an entry.</typeparam>
/// <typeparam name="TValue">What is cached per key.</typeparam>
internal sealed class LookupCache<TKey, TValue>(LookupOptions options)
    where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new(); // most recently used first

    /// <summary>How many keys the cache holds now.</summary>
    public int Count => _entries.Count;

    /// <summary>Whether a key without rows is kept (<see cref="LookupOptions.CacheMissingKey"/>).</summary>
    public bool CacheMissingKey => options.CacheMissingKey;

    /// <summary>The value of <paramref name="key"/> if it is cached and not expired at <paramref name="nowTicks"/> (UTC ticks); a hit counts as an access.</summary>
    public bool TryGet(TKey key, long nowTicks, out TValue value)
    {
        if (_entries.TryGetValue(key, out var node))
        {
            if (!IsExpired(node.Value, nowTicks))
            {
                node.Value.AccessedAt = nowTicks;
                _recency.Remove(node);
                _recency.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
            Remove(node);
        }
        value = default!;
        return false;
    }

    /// <summary>Caches <paramref name="value"/> for <paramref name="key"/> as read at <paramref name="nowTicks"/>, replacing an older entry, then evicts beyond the row limit.</summary>
    public void Add(TKey key, TValue value, long nowTicks)
    {
        if (_entries.TryGetValue(key, out var old))
        {
            Remove(old);
        }
        var entry = new Entry(key, value, nowTicks);
        _entries.Add(key, _recency.AddFirst(entry));
        while (options.MaxRows is { } max && _entries.Count > max)
        {
            Remove(_recency.Last!);
        }
        Debug.Assert(_entries.Count == _recency.Count, "Every cached key is in the recency list once.");
    }

    /// <summary>Drops every entry.</summary>
    public void Clear()
    {
        _entries.Clear();
        _recency.Clear();
    }

    private bool IsExpired(Entry entry, long now) =>
        (options.ExpireAfterWrite is { } write && now - entry.WrittenAt >= write.Ticks)
        || (options.ExpireAfterAccess is { } access && now - entry.AccessedAt >= access.Ticks);

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
    }

    private sealed class Entry(TKey key, TValue value, long now)
    {
        public TKey Key { get; } = key;

        public TValue Value { get; } = value;

        public long WrittenAt { get; } = now;

        public long AccessedAt { get; set; } = now;
    }
}
