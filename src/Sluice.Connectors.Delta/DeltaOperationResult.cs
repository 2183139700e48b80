namespace Sluice.Connectors.Delta;

/// <summary>What a copy-on-write operation (<see cref="DeltaTable.Delete"/>, <see cref="DeltaTable.Merge"/>, <see cref="DeltaTable.Optimize"/>) did.</summary>
/// <param name="Version">The table version it committed, or null when it changed nothing (no row matched, nothing to compact).</param>
/// <param name="FilesAdded">The data files it added (rewritten files and files of inserted rows).</param>
/// <param name="FilesRemoved">The data files it removed.</param>
/// <param name="RowsInserted">The rows inserted (MERGE: source rows whose key matched no row).</param>
/// <param name="RowsUpdated">The rows replaced by a source row of the same key (MERGE).</param>
/// <param name="RowsDeleted">The rows deleted.</param>
/// <param name="RowsCopied">The rows copied unchanged into rewritten files (the cost of copy-on-write; OPTIMIZE: every row it packed).</param>
/// <param name="Attempts">How many plans it took: more than 1 when a concurrent commit conflicted and the operation was planned again.</param>
public sealed record DeltaOperationResult(long? Version, int FilesAdded, int FilesRemoved, long RowsInserted, long RowsUpdated, long RowsDeleted, long RowsCopied, int Attempts)
{
    /// <summary>True when the operation's transaction version (<see cref="DeltaMergeOptions.TransactionVersion"/>) was already committed, so nothing was written.</summary>
    public bool Skipped { get; init; }
}
