namespace Sluice.Sql.Syntax;

// The query nodes are small records; they share this file so the query language reads in one place.

/// <summary>A query expression: SELECT, VALUES, a set operation, or one of those with WITH / ORDER BY / LIMIT.</summary>
internal abstract record SqlQuery(SqlPosition Position) : SqlNode(Position);

/// <summary>One item of a select list: an expression (or <see cref="SqlStar"/>) with an optional alias.</summary>
internal sealed record SqlSelectItem(SqlExpression Expression, string? Alias, SqlPosition Position) : SqlNode(Position);

/// <summary><c>WINDOW name AS (…)</c>, a named window of a SELECT.</summary>
internal sealed record SqlNamedWindow(string Name, SqlWindowSpecification Window, SqlPosition Position) : SqlNode(Position);

/// <summary>
/// <c>SELECT [DISTINCT] items [FROM …] [WHERE …] [GROUP BY …] [HAVING …] [WINDOW …]</c>.
/// </summary>
/// <param name="Distinct">Whether DISTINCT was given (ALL is the default).</param>
/// <param name="Items">The select list, not empty.</param>
/// <param name="From">The FROM clause (joins nest), or null for <c>SELECT 1</c>.</param>
/// <param name="Where">The WHERE condition, or null.</param>
/// <param name="GroupBy">The GROUP BY expressions (legacy window calls such as <c>TUMBLE(ts, …)</c> among them); empty
/// when there is no GROUP BY.</param>
/// <param name="Having">The HAVING condition, or null.</param>
/// <param name="Windows">The named windows of the WINDOW clause.</param>
internal sealed record SqlSelect(
    bool Distinct,
    SqlList<SqlSelectItem> Items,
    SqlTableReference? From,
    SqlExpression? Where,
    SqlList<SqlExpression> GroupBy,
    SqlExpression? Having,
    SqlList<SqlNamedWindow> Windows,
    SqlPosition Position) : SqlQuery(Position);

/// <summary><c>VALUES (…), (…)</c>: literal rows.</summary>
internal sealed record SqlValues(SqlList<SqlList<SqlExpression>> Rows, SqlPosition Position) : SqlQuery(Position);

/// <summary><c>left UNION|INTERSECT|EXCEPT [ALL] right</c>.</summary>
internal sealed record SqlSetOperation(SqlSetOperator Operator, bool All, SqlQuery Left, SqlQuery Right, SqlPosition Position) : SqlQuery(Position);

/// <summary>One common table expression: <c>name [(columns)] AS (query)</c>.</summary>
internal sealed record SqlCommonTableExpression(string Name, SqlList<string> Columns, SqlQuery Query, SqlPosition Position) : SqlNode(Position);

/// <summary><c>WITH cte, … body</c>.</summary>
internal sealed record SqlWith(SqlList<SqlCommonTableExpression> Tables, SqlQuery Body, SqlPosition Position) : SqlQuery(Position);

/// <summary>One ORDER BY item.</summary>
/// <param name="Descending">True for DESC; ASC is the default.</param>
/// <param name="NullsFirst">True for NULLS FIRST, false for NULLS LAST, null when not written.</param>
internal sealed record SqlOrderItem(SqlExpression Expression, bool Descending, bool? NullsFirst, SqlPosition Position) : SqlNode(Position);

/// <summary><c>query ORDER BY … [LIMIT n] [OFFSET m ROWS]</c> (<c>FETCH FIRST n ROWS ONLY</c> is read as LIMIT).</summary>
/// <param name="OrderBy">The sort keys; may be empty when only LIMIT or OFFSET is given.</param>
/// <param name="Offset">The rows to skip, or null.</param>
/// <param name="Limit">The most rows to return, or null.</param>
internal sealed record SqlOrderedQuery(SqlQuery Query, SqlList<SqlOrderItem> OrderBy, SqlExpression? Offset, SqlExpression? Limit, SqlPosition Position)
    : SqlQuery(Position);

/// <summary>A window frame bound: <c>UNBOUNDED PRECEDING</c>, <c>10 PRECEDING</c>, <c>CURRENT ROW</c>, ….</summary>
/// <param name="Offset">The offset of PRECEDING/FOLLOWING bounds (a number or an interval); null otherwise.</param>
internal sealed record SqlFrameBound(SqlFrameBoundKind Kind, SqlExpression? Offset, SqlPosition Position) : SqlNode(Position);

/// <summary><c>ROWS|RANGE BETWEEN start AND end</c>, or <c>ROWS|RANGE start</c> (then <see cref="End"/> is null).</summary>
internal sealed record SqlWindowFrame(SqlFrameUnit Unit, SqlFrameBound Start, SqlFrameBound? End, SqlPosition Position) : SqlNode(Position);

/// <summary>
/// An OVER window: <c>(PARTITION BY … ORDER BY … frame)</c>, a named window <c>w</c> (only
/// <see cref="BaseWindow"/> set, <see cref="IsReference"/> true), or <c>(w ORDER BY …)</c> refining a named window.
/// </summary>
/// <param name="BaseWindow">The named window this one refers to or refines, or null.</param>
/// <param name="IsReference">True for <c>OVER w</c> without parentheses.</param>
internal sealed record SqlWindowSpecification(
    string? BaseWindow,
    bool IsReference,
    SqlList<SqlExpression> PartitionBy,
    SqlList<SqlOrderItem> OrderBy,
    SqlWindowFrame? Frame,
    SqlPosition Position) : SqlNode(Position);
