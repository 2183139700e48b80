using System.Diagnostics.Metrics;

namespace Sluice.Connectors;

/// <summary>
/// The counters of async lookups, on <see cref="SluiceMetrics.Meter"/>, tagged with the job, its run id and the
/// operator: cache hits and misses (records), requests (round trips), retries (attempts repeated) and timeouts (records
/// handled per <see cref="LookupTimeoutPolicy"/>).
/// </summary>
internal static class LookupMetrics
{
    public static Counter<long> CacheHits { get; } = SluiceMetrics.Meter.CreateCounter<long>("sluice.lookup.cache.hits", "{record}", "Records whose lookup key was answered by the lookup cache.");

    public static Counter<long> CacheMisses { get; } = SluiceMetrics.Meter.CreateCounter<long>("sluice.lookup.cache.misses", "{record}", "Records whose lookup key was not cached (and was read from the external system).");

    public static Counter<long> Requests { get; } = SluiceMetrics.Meter.CreateCounter<long>("sluice.lookup.requests", "{request}", "Batched lookup requests sent (one round trip each, retries not counted).");

    public static Counter<long> Retries { get; } = SluiceMetrics.Meter.CreateCounter<long>("sluice.lookup.retries", "{attempt}", "Lookup request attempts repeated after a failure or timeout.");

    public static Counter<long> Timeouts { get; } = SluiceMetrics.Meter.CreateCounter<long>("sluice.lookup.timeouts", "{record}", "Records whose lookup still timed out after its retries.");
}
