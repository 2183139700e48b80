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
    private readonly LookupCache<Row, IReadOnlyList<Row>> _cache;
    private TimeProvider _time = TimeProvider.System;
    private bool _disposed;

    public RetryingCachedLookupSource(ILookupSource inner, string tableName, LookupOptions options)
    {
        _inner = inner;
        _tableName = tableName;
        _options = options;
        _cache = new LookupCache<Row, IReadOnlyList<Row>>(options);
    }

    /// <inheritdoc />
    public Schema KeySchema => _inner.KeySchema;

    /// <inheritdoc />
    public Schema Schema => _inner.Schema;

    /// <summary>How many keys the cache holds now; for tests.</summary>
    internal int CachedKeys => _cache.Count;

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
        if (_cache.TryGet(key, now, out var cached))
        {
            return cached;
        }
        var rows = LookupWithRetries(key);
        if (rows.Count > 0 || _options.CacheMissingKey)
        {
            _cache.Add(key.Copy(), rows, now);
        }
        return rows;
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
        _cache.Clear();
        _inner.Dispose();
    }
}
