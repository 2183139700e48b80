using Sluice.Configuration;

namespace Sluice.Connectors;

/// <summary>Whether a lookup source keeps the rows it read (Flink's <c>lookup.cache</c>).</summary>
public enum LookupCacheMode
{
    /// <summary>Every lookup reads the external system.</summary>
    None,

    /// <summary>Rows read are kept per subtask, bounded and expired by the <c>lookup.partial-cache.*</c> options.</summary>
    Partial,
}

/// <summary>
/// Flink's lookup options, shared by every connector with <see cref="ConnectorCapabilities.Lookup"/>: the cache
/// (<c>lookup.cache</c>, <c>lookup.partial-cache.max-rows</c>, <c>lookup.partial-cache.expire-after-write</c>,
/// <c>lookup.partial-cache.expire-after-access</c>, <c>lookup.partial-cache.cache-missing-key</c>) and the retries
/// (<c>lookup.max-retries</c>). A connector adds <see cref="Definitions"/> to its option list, reads them with
/// <see cref="From"/> and wraps its lookup source with <see cref="Apply"/>. Immutable.
/// </summary>
public sealed record LookupOptions
{
    private static readonly ConfigOption[] s_definitions =
    [
        ConfigOption.Choice("lookup.cache", "'NONE' reads every key from the table; 'PARTIAL' keeps the rows read per subtask (give max-rows or an expiry).", "NONE", "NONE", "PARTIAL"),
        new("lookup.partial-cache.max-rows", ConfigOptionType.Long, "The most keys a subtask's PARTIAL cache holds; the least recently used are dropped beyond it.") { Minimum = 1 },
        new("lookup.partial-cache.expire-after-write", ConfigOptionType.Duration, "How long a cached key's rows are used after they were read."),
        new("lookup.partial-cache.expire-after-access", ConfigOptionType.Duration, "How long a cached key's rows are kept after their last use."),
        ConfigOption.Optional("lookup.partial-cache.cache-missing-key", ConfigOptionType.Boolean, "Whether a key with no rows is cached too (as empty).", "true"),
        new("lookup.max-retries", ConfigOptionType.Int, "How many times a failed lookup is retried (at once) before the job fails.") { DefaultValue = "3", Minimum = 0 },
    ];

    /// <summary>The options, for a factory's <see cref="IConnectorFactory.Options"/> (in display order).</summary>
    public static IReadOnlyList<ConfigOption> Definitions => s_definitions;

    /// <summary>Whether the rows read are cached. Default <see cref="LookupCacheMode.None"/>.</summary>
    public LookupCacheMode Cache { get; init; }

    /// <summary>The most keys a subtask's cache holds (least recently used dropped first); null = no bound.</summary>
    public long? MaxRows { get; init; }

    /// <summary>How long cached rows are used after they were read; null = no limit.</summary>
    public TimeSpan? ExpireAfterWrite { get; init; }

    /// <summary>How long cached rows are kept after their last use; null = no limit.</summary>
    public TimeSpan? ExpireAfterAccess { get; init; }

    /// <summary>Whether a key without rows is cached (as empty). Default true, as in Flink.</summary>
    public bool CacheMissingKey { get; init; } = true;

    /// <summary>How many times a failed lookup is retried, at once, before it fails. Default 3, as in Flink.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Reads the options validated against a list holding <see cref="Definitions"/>.</summary>
    /// <exception cref="ConfigOptionsException">'PARTIAL' without max-rows or an expiry (the cache would never shrink),
    /// or <c>lookup.partial-cache.*</c> given with 'NONE'.</exception>
    public static LookupOptions From(ConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var partial = options.GetChoice("lookup.cache") == "PARTIAL";
        var lookup = new LookupOptions
        {
            Cache = partial ? LookupCacheMode.Partial : LookupCacheMode.None,
            MaxRows = options.GetInt64("lookup.partial-cache.max-rows"),
            ExpireAfterWrite = options.GetDuration("lookup.partial-cache.expire-after-write"),
            ExpireAfterAccess = options.GetDuration("lookup.partial-cache.expire-after-access"),
            CacheMissingKey = options.GetBoolean("lookup.partial-cache.cache-missing-key") ?? true,
            MaxRetries = options.GetInt32("lookup.max-retries") ?? 3,
        };
        if (partial && lookup.MaxRows is null && lookup.ExpireAfterWrite is null && lookup.ExpireAfterAccess is null)
        {
            throw new ConfigOptionsException($"Connector '{options.Owner}' needs 'lookup.partial-cache.max-rows', 'lookup.partial-cache.expire-after-write' or 'lookup.partial-cache.expire-after-access' with 'lookup.cache' = 'PARTIAL', so that the cache is bounded.", options.Owner, "lookup.cache");
        }
        if (!partial)
        {
            foreach (var key in (ReadOnlySpan<string>)["lookup.partial-cache.max-rows", "lookup.partial-cache.expire-after-write", "lookup.partial-cache.expire-after-access", "lookup.partial-cache.cache-missing-key"])
            {
                if (options.Contains(key))
                {
                    throw options.Invalid(key, "must be left out unless 'lookup.cache' is 'PARTIAL'");
                }
            }
        }
        return lookup;
    }

    /// <summary>
    /// <paramref name="source"/> with these options applied: failed lookups retried up to <see cref="MaxRetries"/> times,
    /// and with <see cref="LookupCacheMode.Partial"/> a per-instance cache in front of it. The result owns
    /// <paramref name="source"/> (disposes it) and has the same thread-safety (none: one subtask's thread).
    /// </summary>
    /// <param name="source">The connector's uncached lookup source.</param>
    /// <param name="tableName">The table, named by the error after the last retry.</param>
    public ILookupSource Apply(ILookupSource source, string tableName)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tableName);
        return new RetryingCachedLookupSource(source, tableName, this);
    }
}
