using Sluice.Quality;
using Sluice.Quality.Rules;
using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning.Physical;

// CHECK constraints: the rows written into a table pass its constraints first, on the data-quality rule operator.
internal sealed partial class PhysicalPlanner
{
    /// <summary>
    /// Adds the expectation operator of <paramref name="node"/>'s CHECK constraints before its sink: each constraint is a
    /// custom rule over the written row whose condition the SQL expression compiler compiled. A row fails a constraint
    /// only when its condition is FALSE (NULL passes, as SQL's CHECK does). The table's data contract, if any, adds its
    /// schema rule and rules after the constraints.
    /// </summary>
    private DataStream<Row> Checks(DataStream<Row> rows, SinkNode node, Schema schema)
    {
        var evaluation = _settings.Scan.Evaluation;
        var rules = new List<Rule<Row>>(node.Checks.Count);
        foreach (var (spec, condition) in node.Checks)
        {
            // The row violates the constraint when NOT condition is TRUE; the predicate compiler maps NULL to false.
            var violated = ExpressionCompiler.CompilePredicate(BoundExpressions.Fold(BoundExpressions.Not(condition), evaluation), schema);
            // A condition that cannot be evaluated (division by zero, a failed CAST) dead-letters the row with the error.
            rules.Add(new GuardedPredicateRule<Row>(spec.Name, FirstColumn(condition), row => !violated(row, evaluation),
                static e => e is SqlEvaluationException, $"CHECK ({spec.Expression})", spec.Action));
        }

        var contract = "";
        if (node.Contract is { } dataContract)
        {
            // The contract's schema rule and rules run after the constraints, on the same operator.
            rules.AddRange(dataContract.AddTo(new RowExpectations(schema)).Rules);
            contract = $", contract=[{dataContract.Name} {dataContract.Version}: {string.Join(", ", dataContract.Rules.Select(r => r.Name))}]";
        }

        var name = $"Check({node.Table.Name})";
        Added($"{name}(constraints=[{string.Join(", ", node.Checks.Select(c => $"{c.Spec.Name} ON VIOLATION {Syntax.SqlFormatter.ViolationKeyword(c.Spec.Action)}"))}]{contract})");
        return new Expectation<Row>(rules, static row => row.ToString(), null).Apply(rows, name);
    }

    /// <summary>The first column <paramref name="condition"/> reads: the field a dead letter names.</summary>
    private static string? FirstColumn(BoundExpression condition)
    {
        if (condition is InputReference reference)
        {
            return reference.Name;
        }

        foreach (var operand in condition.Operands)
        {
            if (FirstColumn(operand) is { } name)
            {
                return name;
            }
        }

        return null;
    }
}
