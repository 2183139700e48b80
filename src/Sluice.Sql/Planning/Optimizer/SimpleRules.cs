using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>Constant folding: evaluates every constant deterministic sub-expression of a Calc or join condition once; drops a condition that folds to TRUE.</summary>
internal sealed class ConstantFoldingRule : PlanRule
{
    /// <inheritdoc />
    public override LogicalNode? Apply(LogicalNode node, PlannerSettings settings)
    {
        switch (node)
        {
            case CalcNode calc:
                {
                    var changed = false;
                    var projections = new BoundExpression[calc.Projections.Count];
                    for (var i = 0; i < projections.Length; i++)
                    {
                        projections[i] = BoundExpressions.Fold(calc.Projections[i], settings.Session);
                        changed |= !ReferenceEquals(projections[i], calc.Projections[i]);
                    }

                    var condition = calc.Condition is null ? null : BoundExpressions.Fold(calc.Condition, settings.Session);
                    if (condition is LiteralExpression { Value: true })
                    {
                        condition = null;
                    }

                    changed |= !ReferenceEquals(condition, calc.Condition);
                    return changed ? new CalcNode(calc.Input, projections, CalcNode.FieldNames(calc.Schema), condition) : null;
                }

            case JoinNode join when join.Condition is not null:
                {
                    var condition = BoundExpressions.Fold(join.Condition, settings.Session);
                    if (condition is LiteralExpression { Value: true })
                    {
                        condition = null;
                    }

                    return ReferenceEquals(condition, join.Condition) ? null : join.WithCondition(condition);
                }

            default:
                return null;
        }
    }
}

/// <summary>Merges a Calc into the Calc below it: the upper projections and condition are rewritten over the lower Calc's input.</summary>
internal sealed class CalcMergeRule : PlanRule
{
    /// <inheritdoc />
    public override LogicalNode? Apply(LogicalNode node, PlannerSettings settings)
    {
        if (node is not CalcNode { Input: CalcNode lower } upper)
        {
            return null;
        }

        // A non-deterministic projection (PROCTIME(), RAND()) read twice above would be evaluated twice once inlined.
        var uses = new int[lower.Projections.Count];
        foreach (var projection in upper.Projections)
        {
            Count(projection, uses);
        }

        Count(upper.Condition, uses);
        for (var i = 0; i < uses.Length; i++)
        {
            if (uses[i] > 1 && !PlanExpressions.IsDeterministic(lower.Projections[i]))
            {
                return null;
            }
        }

        var projections = new BoundExpression[upper.Projections.Count];
        for (var i = 0; i < projections.Length; i++)
        {
            projections[i] = PlanExpressions.Inline(upper.Projections[i], lower.Projections);
        }

        var condition = PlanExpressions.And(lower.Condition, upper.Condition is null ? null : PlanExpressions.Inline(upper.Condition, lower.Projections));
        return new CalcNode(lower.Input, projections, CalcNode.FieldNames(upper.Schema), condition);
    }

    private static void Count(BoundExpression? expression, int[] uses)
    {
        if (expression is null)
        {
            return;
        }

        if (expression is InputReference reference)
        {
            uses[reference.Index]++;
            return;
        }

        foreach (var operand in expression.Operands)
        {
            Count(operand, uses);
        }
    }
}

/// <summary>Removes a Calc that filters nothing and projects its input's fields unchanged, in order, under the same names.</summary>
internal sealed class RemoveTrivialCalcRule : PlanRule
{
    /// <inheritdoc />
    public override LogicalNode? Apply(LogicalNode node, PlannerSettings settings) =>
        node is CalcNode { IsIdentity: true } calc ? calc.Input : null;
}

/// <summary>
/// Turns the filter on a rank's number (<c>WHERE rn &lt;= N</c>, <c>rn &lt; N</c>, <c>rn = 1</c>, <c>rn BETWEEN a AND b</c>)
/// in the Calc right above an unbounded <see cref="RankNode"/> into the rank's range, as Flink plans Top-N.
/// </summary>
internal sealed class RankRangeRule : PlanRule
{
    /// <inheritdoc />
    public override LogicalNode? Apply(LogicalNode node, PlannerSettings settings)
    {
        if (node is not CalcNode { Condition: not null, Input: RankNode { RankEnd: RankNode.Unbounded, OutputRankNumber: true } rank } calc)
        {
            return null;
        }

        var rankField = rank.Schema.Count - 1;
        long start = 1, end = RankNode.Unbounded;
        var rest = new List<BoundExpression>();
        foreach (var conjunct in PlanExpressions.Conjuncts(calc.Condition))
        {
            if (!TryBound(conjunct, rankField, ref start, ref end))
            {
                rest.Add(conjunct);
            }
        }

        if (end == RankNode.Unbounded)
        {
            return null;
        }

        return new CalcNode(rank.WithRange(start, end), calc.Projections, CalcNode.FieldNames(calc.Schema), PlanExpressions.And(rest));
    }

    private static bool TryBound(BoundExpression conjunct, int rankField, ref long start, ref long end)
    {
        if (conjunct is BetweenExpression { Negated: false, Operand: InputReference operand, Low: var low, High: var high } && operand.Index == rankField
            && Constant(low) is { } lowValue && Constant(high) is { } highValue)
        {
            start = Math.Max(start, lowValue);
            end = Math.Min(end, highValue);
            return true;
        }

        if (conjunct is not ComparisonExpression comparison)
        {
            return false;
        }

        var (op, value) = comparison switch
        {
            { Left: InputReference r, Right: var c } when r.Index == rankField && Constant(c) is { } v => (comparison.Operator, v),
            { Right: InputReference r, Left: var c } when r.Index == rankField && Constant(c) is { } v => (Flip(comparison.Operator), v),
            _ => ((ComparisonOperator?)null, 0L),
        };
        switch (op)
        {
            case ComparisonOperator.LessOrEqual:
                end = Math.Min(end, value);
                return true;
            case ComparisonOperator.Less:
                end = Math.Min(end, value - 1);
                return true;
            case ComparisonOperator.Equal:
                start = Math.Max(start, value);
                end = Math.Min(end, value);
                return true;
            case ComparisonOperator.GreaterOrEqual:
                start = Math.Max(start, value);
                return true;
            case ComparisonOperator.Greater:
                start = Math.Max(start, value + 1);
                return true;
            default:
                return false;
        }
    }

    private static long? Constant(BoundExpression expression) => expression switch
    {
        LiteralExpression { Value: int i } => i,
        LiteralExpression { Value: long l } => l,
        CastExpression { Operand: var operand } => Constant(operand),
        _ => null,
    };

    private static ComparisonOperator Flip(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Less => ComparisonOperator.Greater,
        ComparisonOperator.LessOrEqual => ComparisonOperator.GreaterOrEqual,
        ComparisonOperator.Greater => ComparisonOperator.Less,
        ComparisonOperator.GreaterOrEqual => ComparisonOperator.LessOrEqual,
        _ => op,
    };
}
