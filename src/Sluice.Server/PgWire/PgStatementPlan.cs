namespace Sluice.Server.PgWire;

/// <summary>What one client statement becomes.</summary>
internal enum PgPlanKind
{
    /// <summary>Nothing but white space and comments: EmptyQueryResponse.</summary>
    Empty,

    /// <summary>A query DuckDB runs (<see cref="PgStatementPlan.Sql"/>); it returns rows.</summary>
    Query,

    /// <summary>A statement the endpoint answers itself (SET, BEGIN…): no rows, just <see cref="PgStatementPlan.Tag"/>.</summary>
    Command,
}

/// <summary>
/// A planned client statement: for <see cref="PgPlanKind.Query"/>, the DuckDB SQL to run (catalog queries rewritten),
/// and the tag CommandComplete starts with; for <see cref="PgPlanKind.Command"/>, the tag and the effect to apply when
/// it executes. Immutable.
/// </summary>
/// <param name="Kind">What the statement is.</param>
/// <param name="Sql">The SQL DuckDB runs (Query), else empty.</param>
/// <param name="Tag">CommandComplete's tag: <c>SELECT</c> (followed by the row count), <c>SET</c>, <c>BEGIN</c>…</param>
/// <param name="ParameterCount">How many <c>$n</c> parameters the statement takes.</param>
/// <param name="Apply">What a Command does when executed (may be null).</param>
internal sealed record PgStatementPlan(PgPlanKind Kind, string Sql, string Tag, int ParameterCount, Action? Apply = null)
{
    public static PgStatementPlan Empty { get; } = new(PgPlanKind.Empty, "", "", 0);

    /// <summary>Whether the query is a plain SELECT-like one that can be wrapped in <c>SELECT * FROM (…) LIMIT 0</c> to describe it.</summary>
    public bool Wrappable { get; init; }
}
