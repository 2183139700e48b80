namespace Sluice.Connectors.Delta;

/// <summary>Options of one <see cref="DeltaTable.Merge"/>: which clauses apply. Immutable.</summary>
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
}
