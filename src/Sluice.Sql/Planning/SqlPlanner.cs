using System.Text;
using Sluice.Sql.Catalog;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

/// <summary>
/// A statement after logical planning: the optimized plan of a query (<see cref="Query"/>) or the sinks of one INSERT
/// or a statement set (<see cref="Sinks"/>), and for EXPLAIN the text. Immutable.
/// </summary>
/// <param name="Statement">The statement planned (for EXPLAIN, the explained statement).</param>
/// <param name="Query">The optimized plan of a SELECT, or null.</param>
/// <param name="Sinks">The optimized sinks of INSERTs (one per INSERT, in order); empty for a SELECT.</param>
/// <param name="Ast">The bound plans before optimization, one per query or sink (the sink's line is in <see cref="AstSinks"/>).</param>
/// <param name="AstSinks">For each bound plan of an INSERT, its target table; null entries for a SELECT.</param>
/// <param name="IsExplain">Whether the statement was an EXPLAIN.</param>
internal sealed record PlannedStatement(
    SqlStatement Statement,
    LogicalNode? Query,
    IReadOnlyList<SinkNode> Sinks,
    IReadOnlyList<LogicalNode> Ast,
    IReadOnlyList<CatalogTable?> AstSinks,
    bool IsExplain)
{
    /// <summary>
    /// The EXPLAIN text: <c>== Abstract Syntax Tree ==</c> (the bound plans) and <c>== Optimized Logical Plan ==</c>,
    /// one node per line, inputs indented under their parent as Flink prints them. Sections end with a blank line.
    /// </summary>
    public string Explain()
    {
        var text = new StringBuilder("== Abstract Syntax Tree ==\n");
        for (var i = 0; i < Ast.Count; i++)
        {
            if (AstSinks[i] is { } table)
            {
                text.Append("LogicalSink(table=[").Append(table.Name).Append("], fields=").Append('[')
                    .Append(string.Join(", ", CalcNode.FieldNames(Ast[i].Schema).Select(Schemas.Schema.QuoteName))).Append("])\n");
                Ast[i].Explain(text, "", true, false);
            }
            else
            {
                text.Append(Ast[i].Explain());
            }
        }

        text.Append("\n== Optimized Logical Plan ==\n");
        if (Query is not null)
        {
            text.Append(Query.Explain());
        }

        foreach (var sink in Sinks)
        {
            text.Append(sink.Explain());
        }

        return text.Append('\n').ToString();
    }
}

/// <summary>
/// The logical planner's entry: binds a query, INSERT, statement set or EXPLAIN against the catalog, optimizes it
/// (<see cref="Optimizer"/>) and checks each sink accepts its query's changelog. Stateless and thread-safe as long as
/// the catalog is not changed while a statement is planned.
/// </summary>
internal static class SqlPlanner
{
    /// <summary>Plans <paramref name="statement"/>.</summary>
    /// <exception cref="SqlException">The statement is invalid, uses an unsupported feature, or writes updates into an append-only sink; one sentence, positioned when it can be.</exception>
    public static PlannedStatement Plan(SqlStatement statement, SqlCatalog catalog, FunctionCatalog functions, PlannerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(functions);
        settings ??= PlannerSettings.Default;
        switch (statement)
        {
            case SqlExplain explain:
                return Plan(explain.Statement, catalog, functions, settings) with { IsExplain = true };
            case SqlQueryStatement query:
                {
                    var bound = new QueryBinder(catalog, functions, settings).Bind(query.Query);
                    var optimized = Optimizer.Optimize(bound, settings, isRoot: true);
                    return new PlannedStatement(statement, optimized, [], [bound], [null], false);
                }

            case SqlInsert insert:
                {
                    var (table, bound) = new QueryBinder(catalog, functions, settings).BindInsert(insert);
                    var sink = Sink(table, bound, settings, functions);
                    return new PlannedStatement(statement, null, [sink], [bound], [table], false);
                }

            case SqlStatementSet set:
                {
                    var sinks = new List<SinkNode>();
                    var ast = new List<LogicalNode>();
                    var tables = new List<CatalogTable?>();
                    foreach (var insert in set.Inserts)
                    {
                        var (table, bound) = new QueryBinder(catalog, functions, settings).BindInsert(insert);
                        sinks.Add(Sink(table, bound, settings, functions));
                        ast.Add(bound);
                        tables.Add(table);
                    }

                    return new PlannedStatement(statement, null, sinks, ast, tables, false);
                }

            default:
                throw new SqlException($"{SqlFormatter.Format(statement).Split(' ', 3)[0]} {SqlFormatter.Format(statement).Split(' ', 3).ElementAtOrDefault(1)} is not a query: run it against the catalog instead of planning it.", statement.Position);
        }
    }

    private static SinkNode Sink(CatalogTable table, LogicalNode bound, PlannerSettings settings, Expressions.FunctionCatalog functions)
    {
        var optimized = Optimizer.Optimize(bound, settings, isRoot: true);
        var columns = new Expressions.BoundExpression[optimized.Schema.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = BoundExpressions.Field(optimized.Schema, i);
        }

        return new SinkNode(optimized, table, columns, settings.SinkChangelogMode(table))
        {
            Checks = [.. table.Checks.Select(check => (check, TableBinder.BindCheck(table, check, functions)))],
            Contract = table.LoadContract(),
        };
    }
}
