namespace Sluice.Connectors.Delta;

/// <summary>
/// Options of one <see cref="DeltaTable.Append"/>: an idempotent transaction id, and whether the table's schema may
/// grow. Immutable.
/// </summary>
public sealed record DeltaAppendOptions
{
    /// <summary>No transaction id, no schema evolution.</summary>
    public static DeltaAppendOptions Default { get; } = new();

    /// <summary>
    /// The application committing (the <c>txn</c> action's <c>appId</c>; for a streaming sink
    /// <c>job/sink/subtask</c>), or null for a plain append. Set together with <see cref="TransactionVersion"/>.
    /// </summary>
    public string? AppId { get; init; }

    /// <summary>
    /// The application's transaction version (for a streaming sink, the checkpoint id). When the table already holds a
    /// <c>txn</c> of <see cref="AppId"/> with this version or a later one, the append is a no-op: a replayed transaction
    /// is never written twice.
    /// </summary>
    public long? TransactionVersion { get; init; }

    /// <summary>
    /// When true, columns of the rows that the table lacks are added to its schema (they must be nullable, and the
    /// columns the table has must keep their types); when false (the default) rows must have the table's schema.
    /// </summary>
    public bool MergeSchema { get; init; }
}
