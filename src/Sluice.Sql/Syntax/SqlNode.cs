namespace Sluice.Sql.Syntax;

/// <summary>
/// A node of the SQL syntax tree: immutable, and carrying the <see cref="Position"/> of the text it was read from
/// (the first token of the construct). Equality is structural and ignores positions, so a tree parsed from
/// <see cref="SqlFormatter"/>'s output equals the tree that was printed. <see cref="ToString"/> prints canonical SQL.
/// Nodes are safe to share between threads.
/// </summary>
/// <param name="Position">Where the construct starts in the statement text; <see cref="SqlPosition.Start"/> for
/// nodes built by code.</param>
internal abstract record SqlNode(SqlPosition Position)
{
    /// <summary>Structural equality of the node's own fields and children; <see cref="Position"/> is ignored.</summary>
    public virtual bool Equals(SqlNode? other) => other is not null && EqualityContract == other.EqualityContract;

    /// <summary>A hash consistent with <see cref="Equals(SqlNode?)"/>: positions do not contribute.</summary>
    public override int GetHashCode() => EqualityContract.GetHashCode();

    /// <summary>The node as canonical SQL text (see <see cref="SqlFormatter"/>).</summary>
    public sealed override string ToString() => SqlFormatter.Format(this);
}
