using Sluice.Schemas;

namespace Sluice.Connectors;

/// <summary>
/// A table read by key, for lookup joins (SQL's <c>JOIN … FOR SYSTEM_TIME AS OF …</c>, Flink's <c>LookupFunction</c>):
/// the rows of the table whose key columns equal a given key, as the table holds them at the time of the call.
/// </summary>
/// <remarks>
/// <para>Lifecycle: a connector factory creates one instance per parallel subtask of the join
/// (<see cref="IConnectorFactory.CreateLookupSource"/>, which opens nothing); the subtask calls <see cref="Open"/> once,
/// then <see cref="Lookup"/> any number of times, then <see cref="IDisposable.Dispose"/> (also after a failure, and
/// without <see cref="Open"/> when the job ends before it).</para>
/// <para>Not thread-safe: every call comes from the owning subtask's thread. Distinct instances are independent and may
/// be used concurrently (each holds its own connection and cache). <see cref="IDisposable.Dispose"/> is idempotent.</para>
/// </remarks>
public interface ILookupSource : IDisposable
{
    /// <summary>The key columns, in the order of the fields of the keys passed to <see cref="Lookup"/>.</summary>
    Schema KeySchema { get; }

    /// <summary>The schema of the rows <see cref="Lookup"/> returns: the table's columns.</summary>
    Schema Schema { get; }

    /// <summary>Connects to the external system. Called once, on the subtask's thread, before the first <see cref="Lookup"/>.</summary>
    /// <param name="context">The subtask and its clock.</param>
    /// <exception cref="IOException">The external system cannot be reached; the subtask fails (and the job restarts per its strategy).</exception>
    void Open(LookupContext context);

    /// <summary>
    /// The rows whose key columns equal <paramref name="key"/> (a row of <see cref="KeySchema"/>): empty when there are
    /// none, and always empty for a key with a NULL field (in SQL, NULL equals nothing). The caller may reuse
    /// <paramref name="key"/> once the call returned; it must not modify the list or its rows, which a cache may hand
    /// out again (copy a row to change it).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a row of <see cref="KeySchema"/>.</exception>
    /// <exception cref="IOException">The lookup failed (after the retries <c>lookup.max-retries</c> allows).</exception>
    IReadOnlyList<Row> Lookup(Row key);
}

/// <summary>What a lookup subtask gives its <see cref="ILookupSource"/> on <see cref="ILookupSource.Open"/>.</summary>
/// <param name="SubtaskIndex">The subtask's index (0-based).</param>
/// <param name="Parallelism">The number of subtasks of the join.</param>
/// <param name="TimeProvider">The job's clock: cache expiry (<c>lookup.partial-cache.expire-after-*</c>) reads it, so
/// tests can use virtual time.</param>
public sealed record LookupContext(int SubtaskIndex, int Parallelism, TimeProvider TimeProvider);
