namespace Sluice.Connectors.Delta;

/// <summary>Options of one <see cref="DeltaTable.Merge"/>: which clauses apply, and an idempotent transaction id. Immutable.</summary>
public sealed record DeltaMergeOptions
{
    /// <summary>Update matched rows and insert unmatched ones (an upsert); delete rows matched by a <c>-D</c> source row.</summary>
    public static DeltaMergeOptions Default { get; } = new();

    /// <summary>
    /// Whether a source row (of kind <c>+I</c> or <c>+U</c>) whose key matches no row of the table is inserted
    /// (<c>WHEN NOT MATCHED THEN INSERT *</c>; true by default). When false, unmatched source rows are ignored.
    /// </summary>
    public bool InsertNotMatched { get; init; } = true;

    /// <summary>
    /// Whether a source row (of kind <c>+I</c> or <c>+U</c>) replaces the table's rows of its key
    /// (<c>WHEN MATCHED THEN UPDATE SET *</c>; true by default). When false, matched rows are kept as they are.
    /// </summary>
    public bool UpdateMatched { get; init; } = true;

    /// <summary>
    /// The application merging (the <c>txn</c> action's <c>appId</c>; for the streaming upsert sink, the sink's uid), or
    /// null for a merge without a transaction id. Set together with <see cref="TransactionVersion"/>.
    /// </summary>
    public string? AppId { get; init; }

    /// <summary>
    /// The application's transaction version (for the streaming upsert sink, the checkpoint id). When the table already
    /// holds a <c>txn</c> of <see cref="AppId"/> with this version or a later one — before planning, or in a concurrent
    /// commit found while committing — the merge is a no-op (<see cref="DeltaOperationResult.Skipped"/>): a replayed
    /// transaction is never applied twice. With a transaction id the merge commits even when it changes no row, so
    /// that the version is recorded.
    /// </summary>
    public long? TransactionVersion { get; init; }
}
