using Sluice.Schemas;

namespace Sluice.Connectors;

/// <summary>
/// A table read by key in batches, asynchronously: the contract behind <see cref="DataStream{T}.LookupAsync{TOut}"/>
/// (Flink's <c>AsyncLookupFunction</c> / <c>AsyncFunction</c>). One call answers many keys in one round trip to the
/// external system (a pipelined Redis <c>HGETALL</c>, one PostgreSQL <c>= ANY($1)</c> query, one HTTP request).
/// Caching, retries, timeouts and ordering are the operator's (<see cref="AsyncLookupOptions"/>), so a source only
/// reads.
/// </summary>
/// <remarks>
/// <para>Lifecycle: the operator creates one instance per parallel subtask (and per job attempt), calls
/// <see cref="Open"/> once on the task thread, then <see cref="LookupBatchAsync"/> any number of times, then
/// <see cref="IDisposable.Dispose"/> (also after a failure) once no call is outstanding or the job attempt ended.</para>
/// <para>Threading: <see cref="LookupBatchAsync"/> is always <em>started</em> on the task thread, but several calls may be
/// outstanding at once (up to <see cref="AsyncLookupOptions.Capacity"/> records), and their continuations run on the
/// thread pool: whatever a call touches after its first <c>await</c> must be safe to run concurrently with other calls.</para>
/// <para>A connector whose table is also a SQL lookup table implements <see cref="ILookupSource"/> on the same class; the
/// two share <see cref="Open"/>, <see cref="KeySchema"/> and <see cref="Schema"/>.</para>
/// </remarks>
public interface IAsyncLookupSource : IDisposable
{
    /// <summary>The key columns, in the order of the fields of the keys passed to <see cref="LookupBatchAsync"/>.</summary>
    Schema KeySchema { get; }

    /// <summary>The schema of the rows returned: the table's columns (or, for a model service, its outputs).</summary>
    Schema Schema { get; }

    /// <summary>Connects to the external system. Called once, on the subtask's thread, before the first lookup.</summary>
    /// <exception cref="IOException">The external system cannot be reached (the message names the endpoint).</exception>
    void Open(LookupContext context);

    /// <summary>
    /// The rows of each key of <paramref name="keys"/> (rows of <see cref="KeySchema"/>), in one round trip where the
    /// system allows it: element <c>i</c> of the result answers <c>keys[i]</c>, and is empty when the key has no row (always
    /// for a key with a NULL field). The result has exactly <c>keys.Count</c> elements. The caller does not change
    /// <paramref name="keys"/> or its rows until the task completed, and does not change the rows returned.
    /// </summary>
    /// <param name="keys">At least one key; the list belongs to this call only.</param>
    /// <param name="cancellationToken">Cancelled when the request timed out (<see cref="AsyncLookupOptions.Timeout"/>) or the job attempt ends; the call should stop waiting then.</param>
    /// <exception cref="ArgumentException">A key is not a row of <see cref="KeySchema"/>.</exception>
    /// <exception cref="IOException">The read failed (the operator retries it per <see cref="LookupOptions.MaxRetries"/>).</exception>
    Task<IReadOnlyList<IReadOnlyList<Row>>> LookupBatchAsync(IReadOnlyList<Row> keys, CancellationToken cancellationToken);
}
