using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>
/// Fuses a window table function with the GROUP BY over it: <c>Aggregate(Calc?(WindowTableFunction(x)))</c> grouped by
/// window_start and window_end becomes a <see cref="WindowAggregateNode"/> over <c>Calc?(x)</c>, with a Calc above
/// restoring the aggregate's field order. Applies only when nothing else reads the window columns (they exist only
/// per window, not per input row).
/// </summary>
internal sealed class WindowAggregateFusionRule : PlanRule
{
    /// <inheritdoc />
    public override LogicalNode? Apply(LogicalNode node, PlannerSettings settings)
    {
        if (node is not AggregateNode aggregate)
        {
            return null;
        }

        var (calc, function) = aggregate.Input switch
        {
            CalcNode { Input: WindowTableFunctionNode f } c => (c, f),
            WindowTableFunctionNode f => ((CalcNode?)null, f),
            _ => ((CalcNode?)null, (WindowTableFunctionNode?)null),
        };
        if (function is null)
        {
            return null;
        }

        // The projections (over the TVF's output) the aggregate reads: window_start/window_end must be plain references.
        var inputCount = function.Input.Schema.Count;
        var projections = calc is null
            ? [.. AggregateSchemas.Range(function.Schema.Count).Select(i => (BoundExpression)BoundExpressions.Field(function.Schema, i))]
            : calc.Projections.ToArray();
        int startGroup = -1, endGroup = -1;
        var otherGroups = new List<int>();
        for (var g = 0; g < aggregate.GroupFields.Count; g++)
        {
            var projection = projections[aggregate.GroupFields[g]];
            if (projection is InputReference reference && reference.Index == inputCount && startGroup < 0)
            {
                startGroup = g;
            }
            else if (projection is InputReference end && end.Index == inputCount + 1 && endGroup < 0)
            {
                endGroup = g;
            }
            else
            {
                otherGroups.Add(g);
            }
        }

        if (startGroup < 0 || endGroup < 0)
        {
            return null;
        }

        // Everything else the aggregate reads must not touch the window columns.
        var read = new HashSet<int>();
        foreach (var g in otherGroups)
        {
            read.Add(aggregate.GroupFields[g]);
        }

        foreach (var call in aggregate.Calls)
        {
            read.UnionWith(call.Arguments);
            if (call.FilterArgument >= 0)
            {
                read.Add(call.FilterArgument);
            }
        }

        foreach (var field in read)
        {
            if (!PlanExpressions.ReadsOnly(projections[field], 0, inputCount))
            {
                return null;
            }
        }

        if (calc?.Condition is { } condition && !PlanExpressions.ReadsOnly(condition, 0, inputCount))
        {
            return null;
        }

        // The new input: the read projections (over x) plus the time field.
        var newProjections = new List<BoundExpression>();
        var names = new List<string>();
        var mapping = new Dictionary<int, int>();
        foreach (var field in read.Order())
        {
            mapping[field] = newProjections.Count;
            newProjections.Add(PlanExpressions.Renumber(projections[field], AggregateSchemas.Range(inputCount), function.Input.Schema));
            names.Add(calc is null ? function.Schema[field].Name : calc.Schema[field].Name);
        }

        var timeField = newProjections.Count;
        newProjections.Add(BoundExpressions.Field(function.Input.Schema, function.Window.TimeField));
        names.Add(function.Input.Schema[function.Window.TimeField].Name);
        var condition2 = calc?.Condition is null ? null : PlanExpressions.Renumber(calc.Condition, AggregateSchemas.Range(inputCount), function.Input.Schema);
        var input = new CalcNode(function.Input, newProjections, QueryBinder.UniqueNames(names), condition2);

        var groups = otherGroups.Select(g => mapping[aggregate.GroupFields[g]]).ToArray();
        var calls = aggregate.Calls.Select(c => c with { Arguments = [.. c.Arguments.Select(a => mapping[a])], FilterArgument = c.FilterArgument < 0 ? -1 : mapping[c.FilterArgument] }).ToArray();
        var window = function.Window with { TimeField = timeField };
        var fused = new WindowAggregateNode(
            input,
            window,
            groups,
            calls,
            [WindowProperty.Start, WindowProperty.End],
            [aggregate.Schema[startGroup].Name, aggregate.Schema[endGroup].Name]);

        // Restore the aggregate's order: its group fields (window columns among them), then the calls.
        var order = new BoundExpression[aggregate.Schema.Count];
        var next = 0;
        for (var g = 0; g < aggregate.GroupFields.Count; g++)
        {
            order[g] = BoundExpressions.Field(fused.Schema, g == startGroup ? fused.PropertyIndex(WindowProperty.Start) : g == endGroup ? fused.PropertyIndex(WindowProperty.End) : next++);
        }

        for (var c = 0; c < aggregate.Calls.Count; c++)
        {
            order[aggregate.GroupFields.Count + c] = BoundExpressions.Field(fused.Schema, groups.Length + c);
        }

        return new CalcNode(fused, order, CalcNode.FieldNames(aggregate.Schema));
    }
}
