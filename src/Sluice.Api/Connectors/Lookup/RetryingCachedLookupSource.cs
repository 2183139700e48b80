using Sluice.Schemas;

namespace Sluice.Connectors;

/// <summary>
/// A lookup source with <see cref="LookupOptions"/> applied (see <see cref="LookupOptions.Apply"/>): retries, and with
/// <see cref="LookupCacheMode.Partial"/> a least-recently-used cache of key → rows expiring by the job's clock. Not
/// thread-safe, as <see cref="ILookupSource"/>; owns the wrapped source.
/// </summary>
internal sealed class RetryingCachedLookupSource : ILookupSource
{
    private readonly ILookupSource _inner;
    private readonly string _tableName;
    private readonly LookupOptions _options;
    private readonly Dictionary<Row, LinkedListNode<CacheEntry>> _entries = [];
    private readonly LinkedList<CacheEntry> _recency = new(); // most recently used first
    private TimeProvider _time = TimeProvider.System;
    private bool _disposed;

    public RetryingCachedLookupSource(ILookupSource inner, string tableName, LookupOptions options)
    {
        _inner = inner;
        _tableName = tableName;
        _options = options;
    }

    /// <inheritdoc />
    public Schema KeySchema => _inner.KeySchema;

    /// <inheritdoc />
    public Schema Schema => _inner.Schema;

    /// <summary>How many keys the cache holds now; for tests.</summary>
    internal int CachedKeys => _entries.Count;

    /// <inheritdoc />
    public void Open(LookupContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _time = context.TimeProvider;
        _inner.Open(context);
    }

    /// <inheritdoc />
    public IReadOnlyList<Row> Lookup(Row key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_options.Cache == LookupCacheMode.None)
        {
            return LookupWithRetries(key);
        }
        var now = _time.GetUtcNow().UtcTicks;
        if (_entries.TryGetValue(key, out var node))
        {
            if (!IsExpired(node.Value, now))
            {
                node.Value.AccessedAt = now;
                _recency.Remove(node);
                _recency.AddFirst(node);
                return node.Value.Rows;
            }
            Remove(node);
        }
        var rows = LookupWithRetries(key);
        if (rows.Count > 0 || _options.CacheMissingKey)
        {
            var entry = new CacheEntry(key.Copy(), rows, now);
            _entries.Add(entry.Key, _recency.AddFirst(entry));
            while (_options.MaxRows is { } max && _entries.Count > max)
            {
                Remove(_recency.Last!);
            }
        }
        return rows;
    }

    private bool IsExpired(CacheEntry entry, long now) =>
        (_options.ExpireAfterWrite is { } write && now - entry.WrittenAt >= write.Ticks)
        || (_options.ExpireAfterAccess is { } access && now - entry.AccessedAt >= access.Ticks);

    private void Remove(LinkedListNode<CacheEntry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
    }

    private IReadOnlyList<Row> LookupWithRetries(Row key)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return _inner.Lookup(key);
            }
            catch (Exception e) when (e is not ArgumentException && attempt < _options.MaxRetries)
            {
                // Retried at once: a source that must reconnect does so on its next call.
            }
            catch (Exception e) when (e is not ArgumentException)
            {
                throw new IOException($"The lookup of key {key} in table '{_tableName}' failed after {attempt + 1} attempt(s) (lookup.max-retries = {_options.MaxRetries}): {e.Message}", e);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _entries.Clear();
        _recency.Clear();
        _inner.Dispose();
    }

    private sealed class CacheEntry(Row key, IReadOnlyList<Row> rows, long now)
    {
        public Row Key { get; } = key;

        public IReadOnlyList<Row> Rows { get; } = rows;

        public long WrittenAt { get; } = now;

        public long AccessedAt { get; set; } = now;

    }
}
