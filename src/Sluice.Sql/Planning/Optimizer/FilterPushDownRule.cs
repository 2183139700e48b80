using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>
/// Filter push-down: moves the deterministic conjuncts of a Calc's condition below the node under it when that keeps
/// the result — into a join's sides (or its condition, for an inner join), into every input of a union, below an
/// aggregate or window aggregate (conjuncts on group keys), a rank or OVER aggregate (conjuncts on partition keys), and
/// a window table function (conjuncts not on window columns). Repeated to a fixpoint, filters reach the Calc right
/// above the scan.
/// </summary>
internal sealed class FilterPushDownRule : PlanRule
{
    /// <inheritdoc />
    public override LogicalNode? Apply(LogicalNode node, PlannerSettings settings)
    {
        if (node is not CalcNode { Condition: not null } calc)
        {
            return null;
        }

        var conjuncts = PlanExpressions.Conjuncts(calc.Condition);
        var kept = new List<BoundExpression>();
        LogicalNode? replaced = calc.Input switch
        {
            JoinNode join => IntoJoin(join, conjuncts, kept),
            UnionNode union => IntoUnion(union, calc.Condition),
            AggregateNode aggregate => Below(aggregate, aggregate.Input, conjuncts, kept, aggregate.GroupFields, aggregate.GroupFields.Count),
            WindowAggregateNode window => Below(window, window.Input, conjuncts, kept, window.GroupFields, window.GroupFields.Count),
            RankNode rank => Below(rank, rank.Input, conjuncts, kept, Identity(rank.Input.Schema.Count), rank.Input.Schema.Count, rank.PartitionFields),
            OverAggregateNode over => Below(over, over.Input, conjuncts, kept, Identity(over.Input.Schema.Count), over.Input.Schema.Count, over.PartitionFields),
            WindowTableFunctionNode function => Below(function, function.Input, conjuncts, kept, Identity(function.Input.Schema.Count), function.Input.Schema.Count),
            _ => null,
        };
        if (replaced is null)
        {
            return null;
        }

        return new CalcNode(replaced, calc.Projections, CalcNode.FieldNames(calc.Schema), calc.Input is UnionNode ? null : PlanExpressions.And(kept));
    }

    private static int[] Identity(int count) => AggregateSchemas.Range(count);

    /// <summary>
    /// Pushes conjuncts that read only output fields [0, <paramref name="count"/>) — restricted to <paramref name="allowed"/>
    /// when given — below <paramref name="node"/>, reading input field <paramref name="mapping"/>[i] for output field i.
    /// </summary>
    private static LogicalNode? Below(LogicalNode node, LogicalNode input, List<BoundExpression> conjuncts, List<BoundExpression> kept, IReadOnlyList<int> mapping, int count, IReadOnlyList<int>? allowed = null)
    {
        var pushed = new List<BoundExpression>();
        foreach (var conjunct in conjuncts)
        {
            var used = new HashSet<int>();
            PlanExpressions.CollectInputs(conjunct, used);
            var pushable = PlanExpressions.IsDeterministic(conjunct) && used.Count > 0;
            foreach (var field in used)
            {
                pushable &= field < count && (allowed is null || allowed.Contains(field));
            }

            if (pushable)
            {
                pushed.Add(PlanExpressions.Renumber(conjunct, mapping, input.Schema));
            }
            else
            {
                kept.Add(conjunct);
            }
        }

        return pushed.Count == 0 ? null : node.WithInputs([CalcNode.Filter(input, PlanExpressions.And(pushed)!)]);
    }

    private static UnionNode IntoUnion(UnionNode union, BoundExpression condition)
    {
        var inputs = new LogicalNode[union.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = union.Inputs[i];
            inputs[i] = CalcNode.Filter(input, PlanExpressions.Renumber(condition, Identity(input.Schema.Count), input.Schema));
        }

        return new UnionNode(inputs);
    }

    private static JoinNode? IntoJoin(JoinNode join, List<BoundExpression> conjuncts, List<BoundExpression> kept)
    {
        var leftCount = join.Left.Schema.Count;
        var total = join.JoinedSchema.Count;
        var toLeft = new List<BoundExpression>();
        var toRight = new List<BoundExpression>();
        var toJoin = new List<BoundExpression>();
        var semi = join.Kind is JoinKind.Semi or JoinKind.Anti;
        foreach (var conjunct in conjuncts)
        {
            if (!PlanExpressions.IsDeterministic(conjunct) || PlanExpressions.IsConstant(conjunct))
            {
                kept.Add(conjunct);
            }
            else if (PlanExpressions.ReadsOnly(conjunct, 0, leftCount) && join.Kind is JoinKind.Inner or JoinKind.Left or JoinKind.Semi or JoinKind.Anti)
            {
                toLeft.Add(PlanExpressions.Renumber(conjunct, Identity(leftCount), join.Left.Schema));
            }
            else if (!semi && PlanExpressions.ReadsOnly(conjunct, leftCount, total) && join.Kind is JoinKind.Inner or JoinKind.Right && join.Strategy != JoinStrategy.Lookup)
            {
                toRight.Add(PlanExpressions.Shift(conjunct, -leftCount, join.Right.Schema));
            }
            else if (join.Kind == JoinKind.Inner && join.Strategy != JoinStrategy.Lookup)
            {
                toJoin.Add(PlanExpressions.Renumber(conjunct, Identity(total), join.JoinedSchema));
            }
            else
            {
                kept.Add(conjunct);
            }
        }

        if (toLeft.Count == 0 && toRight.Count == 0 && toJoin.Count == 0)
        {
            return null;
        }

        var left = toLeft.Count == 0 ? join.Left : CalcNode.Filter(join.Left, PlanExpressions.And(toLeft)!);
        var right = toRight.Count == 0 ? join.Right : CalcNode.Filter(join.Right, PlanExpressions.And(toRight)!);
        var condition = PlanExpressions.And(join.Condition, PlanExpressions.And(toJoin));
        return new JoinNode(left, right, join.Kind, condition, join.LookupTimeField);
    }
}

/// <summary>
/// Pushes the conjuncts of a join's own condition that read one side only into that side (for an inner join either
/// side; for outer joins only the side whose rows the join may drop), leaving the equi keys and the rest on the join.
/// </summary>
internal sealed class JoinConditionPushDownRule : PlanRule
{
    /// <inheritdoc />
    public override LogicalNode? Apply(LogicalNode node, PlannerSettings settings)
    {
        if (node is not JoinNode { Condition: not null } join)
        {
            return null;
        }

        var leftCount = join.Left.Schema.Count;
        var total = join.JoinedSchema.Count;
        var toLeft = new List<BoundExpression>();
        var toRight = new List<BoundExpression>();
        var rest = new List<BoundExpression>();
        foreach (var conjunct in PlanExpressions.Conjuncts(join.Condition))
        {
            if (!PlanExpressions.IsDeterministic(conjunct) || PlanExpressions.IsConstant(conjunct))
            {
                rest.Add(conjunct);
            }
            else if (PlanExpressions.ReadsOnly(conjunct, 0, leftCount) && join.Kind is JoinKind.Inner or JoinKind.Right or JoinKind.Semi)
            {
                toLeft.Add(PlanExpressions.Renumber(conjunct, AggregateSchemas.Range(leftCount), join.Left.Schema));
            }
            else if (PlanExpressions.ReadsOnly(conjunct, leftCount, total) && join.Kind is JoinKind.Inner or JoinKind.Left or JoinKind.Semi or JoinKind.Anti && join.Strategy != JoinStrategy.Lookup)
            {
                toRight.Add(PlanExpressions.Shift(conjunct, -leftCount, join.Right.Schema));
            }
            else
            {
                rest.Add(conjunct);
            }
        }

        if (toLeft.Count == 0 && toRight.Count == 0)
        {
            return null;
        }

        var left = toLeft.Count == 0 ? join.Left : CalcNode.Filter(join.Left, PlanExpressions.And(toLeft)!);
        var right = toRight.Count == 0 ? join.Right : CalcNode.Filter(join.Right, PlanExpressions.And(toRight)!);
        return new JoinNode(left, right, join.Kind, PlanExpressions.And(rest), join.LookupTimeField);
    }
}
