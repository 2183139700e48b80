using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Connectors;
using Sluice.Sql.Expressions;
using Sluice.Sql.Runtime;

namespace Sluice.Sql.Planning.Physical;

// Lookup joins: the right side is not a stream but a table read by key. The scan and the Calcs above it are folded into
// one projection (and filter) of the table's rows, and the equi keys name the table columns to look up.
internal sealed partial class PhysicalPlanner
{
    private DataStream<Row> LookupJoin(JoinNode node)
    {
        var name = node.Describe();
        var (scan, projections, filter) = LookupTable(node.Right, name);
        var table = scan.Table;
        var tableSchema = scan.SourceSchema;
        if (node.EquiKeys.Count == 0)
        {
            throw new SqlException($"{name} needs an equality between a column of the left side and a column of table '{table.Name}' in its ON condition: a lookup reads the table by key.");
        }

        var keyColumns = new string[node.EquiKeys.Count];
        var leftKeys = new int[node.EquiKeys.Count];
        for (var i = 0; i < keyColumns.Length; i++)
        {
            var (left, right) = node.EquiKeys[i];
            if (projections[right] is not InputReference column)
            {
                throw new SqlException($"{name}: the lookup key '{node.Right.Schema[right].Name}' is computed ({projections[right]}), but a lookup reads table '{table.Name}' by its own columns.");
            }

            var leftType = node.Left.Schema[left].Type;
            var columnType = tableSchema[column.Index].Type;
            if (leftType.Kind != columnType.Kind)
            {
                throw new SqlException($"{name}: the lookup key '{node.Left.Schema[left].Name}' is {leftType} but column '{tableSchema[column.Index].Name}' of table '{table.Name}' is {columnType}; CAST the left side.");
            }

            keyColumns[i] = tableSchema[column.Index].Name;
            leftKeys[i] = left;
        }

        // Checks the table, its options and the key columns now, before the job starts (creating a source opens nothing).
        var registry = _connectors;
        TableConnectors.CreateLookupSource(registry, table, keyColumns).Dispose();
        var evaluation = _settings.Scan.Evaluation;
        var spec = new LookupJoinSpec(node.Left.Schema, leftKeys, tableSchema, node.Right.Schema,
            ExpressionCompiler.CompileProjection(Folded(projections, evaluation), tableSchema, node.Right.Schema), node.Schema, node.Kind == JoinKind.Left)
        {
            RightFilter = filter is null ? null : ExpressionCompiler.CompilePredicate(BoundExpressions.Fold(filter, evaluation), tableSchema),
            Condition = node.NonEquiCondition is null ? null : ExpressionCompiler.CompilePredicate(BoundExpressions.Fold(node.NonEquiCondition, evaluation), node.JoinedSchema),
            EvaluationContext = evaluation,
        };
        var input = Translate(node.Left);
        Added(name);
        var joined = input.Transform(name, () => new LookupJoinOperator(name, spec, () => TableConnectors.CreateLookupSource(registry, table, keyColumns)));
        RouteDeadLetters(joined, node.Left);
        return joined;
    }

    /// <summary>
    /// The table a lookup join reads (its right side: a scan, maybe under Calcs), with the right side's fields and filter
    /// as expressions over the table's rows.
    /// </summary>
    private static (TableScanNode Scan, BoundExpression[] Projections, BoundExpression? Filter) LookupTable(LogicalNode right, string join)
    {
        switch (right)
        {
            case TableScanNode scan:
                {
                    var projections = new BoundExpression[scan.Fields.Count];
                    for (var i = 0; i < projections.Length; i++)
                    {
                        projections[i] = scan.ColumnExpressions[scan.Fields[i]];
                    }

                    return (scan, projections, null);
                }
            case CalcNode calc:
                {
                    var (scan, below, filter) = LookupTable(calc.Input, join);
                    if (calc.Condition is { } condition)
                    {
                        filter = PlanExpressions.And(filter, PlanExpressions.Inline(condition, below));
                    }

                    var projections = new BoundExpression[calc.Projections.Count];
                    for (var i = 0; i < projections.Length; i++)
                    {
                        projections[i] = PlanExpressions.Inline(calc.Projections[i], below);
                    }

                    return (scan, projections, filter);
                }
            default:
                throw new SqlException($"{join} cannot run: the right side of a lookup join must be a table (FOR SYSTEM_TIME AS OF on a table name), not {right.Name}.");
        }
    }
}
