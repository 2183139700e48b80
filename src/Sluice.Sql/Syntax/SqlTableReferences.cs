namespace Sluice.Sql.Syntax;

// The FROM-clause nodes are small records; they share this file so the FROM clause reads in one place.

/// <summary><c>[AS] alias [(column, …)]</c> after a FROM item.</summary>
/// <param name="Columns">New names for the item's columns; empty when not given.</param>
internal sealed record SqlTableAlias(string Name, SqlList<string> Columns, SqlPosition Position) : SqlNode(Position);

/// <summary>An item of a FROM clause.</summary>
internal abstract record SqlTableReference(SqlPosition Position) : SqlNode(Position);

/// <summary>
/// A table or view by name, maybe <c>FOR SYSTEM_TIME AS OF expr</c> (the right side of a lookup or temporal join).
/// </summary>
/// <param name="SystemTime">The time of <c>FOR SYSTEM_TIME AS OF</c>, or null.</param>
internal sealed record SqlNamedTable(SqlIdentifier Name, SqlExpression? SystemTime, SqlTableAlias? Alias, SqlPosition Position) : SqlTableReference(Position);

/// <summary><c>[LATERAL] (query) [alias]</c>.</summary>
internal sealed record SqlDerivedTable(SqlQuery Query, bool Lateral, SqlTableAlias? Alias, SqlPosition Position) : SqlTableReference(Position);

/// <summary>
/// <c>TABLE(f(…))</c> — a window TVF such as <c>TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))</c> —
/// or <c>LATERAL TABLE(f(x))</c>, a table function called per row of the left side of a join.
/// </summary>
internal sealed record SqlTableFunction(SqlFunctionCall Call, bool Lateral, SqlTableAlias? Alias, SqlPosition Position) : SqlTableReference(Position);

/// <summary><c>UNNEST(array, …) [WITH ORDINALITY] [alias]</c>.</summary>
internal sealed record SqlUnnest(SqlList<SqlExpression> Arguments, bool WithOrdinality, SqlTableAlias? Alias, SqlPosition Position) : SqlTableReference(Position);

/// <summary>
/// <c>left [type] JOIN right ON cond | USING (cols)</c>, or a comma between FROM items
/// (<see cref="SqlJoinType.Comma"/>, no condition).
/// </summary>
/// <param name="Condition">The ON condition, or null.</param>
/// <param name="Using">The USING columns; empty when there is none.</param>
internal sealed record SqlJoin(SqlJoinType Type, SqlTableReference Left, SqlTableReference Right, SqlExpression? Condition, SqlList<string> Using, SqlPosition Position)
    : SqlTableReference(Position);
