namespace Sluice.Connectors;

/// <summary>In which order <see cref="DataStream{T}.LookupAsync{TOut}"/> emits results (Flink's <c>AsyncDataStream.orderedWait</c> / <c>unorderedWait</c>).</summary>
public enum AsyncLookupOutputMode
{
    /// <summary>Results leave in the order the records arrived, and watermarks stay where they were among them.</summary>
    Ordered,

    /// <summary>
    /// A result leaves as soon as it is ready, but never across a watermark: the records that arrived before a
    /// watermark all leave before it, and those after it leave after it (Flink's semantics), so no record becomes late.
    /// </summary>
    Unordered,
}

/// <summary>What a lookup join emits for a record whose key has no row.</summary>
public enum LookupJoinType
{
    /// <summary>The record is joined with no row (the join function gets null): SQL's <c>LEFT JOIN</c>.</summary>
    Left,

    /// <summary>The record is dropped: SQL's <c>JOIN</c>.</summary>
    Inner,
}

/// <summary>What happens to a record whose lookup still timed out after its retries.</summary>
public enum LookupTimeoutPolicy
{
    /// <summary>The job attempt fails, naming the operator and the key (it then restarts per its restart strategy).</summary>
    Fail,

    /// <summary>The record is treated as a key without a row (joined with null, or dropped for an inner join) and counted in <c>sluice.lookup.timeouts</c>.</summary>
    Missing,
}

/// <summary>
/// How <see cref="DataStream{T}.LookupAsync{TOut}"/> batches, bounds, orders, times out, retries and caches its
/// lookups. Immutable; <see cref="Validate"/> checks it when the stream is built.
/// </summary>
public sealed record AsyncLookupOptions
{
    /// <summary>The most records in flight per subtask (waiting for a lookup or for their turn to be emitted); a full operator blocks its input (backpressure). Default 1000.</summary>
    public int Capacity { get; init; } = 1000;

    /// <summary>The most keys per request (one round trip). Default 100.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>How long a partial batch waits for more keys before it is sent (processing time). Default 2 ms; zero sends every record's key at once.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Ordered (the default) or unordered output; both keep watermarks in place.</summary>
    public AsyncLookupOutputMode OutputMode { get; init; } = AsyncLookupOutputMode.Ordered;

    /// <summary>How long one attempt of a request may take before it counts as failed (and is retried, then handled per <see cref="TimeoutPolicy"/>). Default 5 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before the first retry of a failed request; each further retry waits twice as long. Default 10 ms.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Left (default: a missing key gives null) or inner (a missing key drops the record).</summary>
    public LookupJoinType JoinType { get; init; } = LookupJoinType.Left;

    /// <summary>What a request that failed by timeout after its retries does to its records. Default <see cref="LookupTimeoutPolicy.Fail"/>. Other failures always fail the job.</summary>
    public LookupTimeoutPolicy TimeoutPolicy { get; init; } = LookupTimeoutPolicy.Fail;

    /// <summary>The cache (<see cref="LookupOptions.Cache"/> and the <c>partial-cache</c> limits) and the retry count (<see cref="LookupOptions.MaxRetries"/>), the same options as SQL lookup joins. Default: no cache, 3 retries.</summary>
    public LookupOptions Lookup { get; init; } = new();

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is below 1, a duration negative, the timeout not positive, or a partial cache unbounded.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Capacity, 1, nameof(Capacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(Linger, TimeSpan.Zero, nameof(Linger));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryBackoff, TimeSpan.Zero, nameof(RetryBackoff));
        ArgumentNullException.ThrowIfNull(Lookup, nameof(Lookup));
        ArgumentOutOfRangeException.ThrowIfLessThan(Lookup.MaxRetries, 0, "Lookup.MaxRetries");
        if (Lookup.Cache == LookupCacheMode.Partial && Lookup.MaxRows is null && Lookup.ExpireAfterWrite is null && Lookup.ExpireAfterAccess is null)
        {
            throw new ArgumentOutOfRangeException(nameof(Lookup), "A PARTIAL lookup cache needs MaxRows, ExpireAfterWrite or ExpireAfterAccess, so that it is bounded.");
        }
    }
}
