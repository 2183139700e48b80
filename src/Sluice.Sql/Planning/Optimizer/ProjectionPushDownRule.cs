using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>
/// Projection push-down: fields nobody reads are dropped as low as possible — a scan reads only the columns the Calc
/// above it uses; a join's sides, a union's inputs and a window table function's input are narrowed by a Calc below
/// them; an aggregate's unused calls (and window columns) are dropped and its input narrowed to the fields it reads; a
/// rank stops outputting an unused rank number. Together with <see cref="CalcMergeRule"/> the narrowing Calcs sink to
/// the scans.
/// </summary>
internal sealed class ProjectionPushDownRule : PlanRule
{
    /// <inheritdoc />
    public override LogicalNode? Apply(LogicalNode node, PlannerSettings settings) => node switch
    {
        CalcNode { Input: TableScanNode scan } calc => NarrowScan(calc, scan),
        CalcNode { Input: JoinNode join } calc when join.Kind is not (JoinKind.Semi or JoinKind.Anti) => NarrowJoin(calc, join),
        CalcNode { Input: AggregateNode aggregate } calc => DropCalls(calc, aggregate),
        CalcNode { Input: RankNode { OutputRankNumber: true } rank } calc when !Used(calc).Contains(rank.Schema.Count - 1) =>
            new CalcNode(rank.WithRankNumber(false), calc.Projections, CalcNode.FieldNames(calc.Schema), calc.Condition),
        CalcNode { Input: UnionNode union } calc => NarrowUnion(calc, union),
        CalcNode { Input: WindowTableFunctionNode function } calc => NarrowWindowInput(calc, function),
        AggregateNode aggregate => NarrowAggregateInput(aggregate),
        WindowAggregateNode window => NarrowAggregateInput(window),
        _ => null,
    };

    private static HashSet<int> Used(CalcNode calc)
    {
        var used = new HashSet<int>();
        foreach (var projection in calc.Projections)
        {
            PlanExpressions.CollectInputs(projection, used);
        }

        PlanExpressions.CollectInputs(calc.Condition, used);
        return used;
    }

    /// <summary>The Calc's expressions read through <paramref name="mapping"/> (old field → new field) from <paramref name="input"/>.</summary>
    private static CalcNode Rebase(CalcNode calc, LogicalNode input, int[] mapping) =>
        new(
            input,
            [.. calc.Projections.Select(p => PlanExpressions.Renumber(p, mapping, input.Schema))],
            CalcNode.FieldNames(calc.Schema),
            calc.Condition is null ? null : PlanExpressions.Renumber(calc.Condition, mapping, input.Schema));

    /// <summary>The fields of [<paramref name="from"/>, <paramref name="to"/>) in <paramref name="used"/>, and the old → new mapping.</summary>
    private static (List<int> Kept, int[] Mapping) Keep(HashSet<int> used, int from, int to, int offset)
    {
        var kept = new List<int>();
        var mapping = new int[to - from];
        for (var i = from; i < to; i++)
        {
            mapping[i - from] = used.Contains(i) ? offset + kept.Count : -1;
            if (used.Contains(i))
            {
                kept.Add(i - from);
            }
        }

        return (kept, mapping);
    }

    /// <summary>A Calc over <paramref name="input"/> projecting <paramref name="fields"/> by reference, names kept.</summary>
    private static CalcNode Project(LogicalNode input, IReadOnlyList<int> fields)
    {
        var projections = new BoundExpression[fields.Count];
        var names = new string[fields.Count];
        for (var i = 0; i < projections.Length; i++)
        {
            projections[i] = BoundExpressions.Field(input.Schema, fields[i]);
            names[i] = input.Schema[fields[i]].Name;
        }

        return new CalcNode(input, projections, names);
    }

    private static CalcNode? NarrowScan(CalcNode calc, TableScanNode scan)
    {
        var used = Used(calc);
        if (used.Count == scan.Fields.Count)
        {
            return null;
        }

        if (used.Count == 0)
        {
            if (scan.Fields.Count == 1)
            {
                return null;
            }

            used.Add(0);
        }

        var (kept, mapping) = Keep(used, 0, scan.Fields.Count, 0);
        var fields = new int[kept.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = scan.Fields[kept[i]];
        }

        return Rebase(calc, scan.WithFields(fields), mapping);
    }

    private static CalcNode? NarrowJoin(CalcNode calc, JoinNode join)
    {
        var used = Used(calc);
        PlanExpressions.CollectInputs(join.Condition, used);
        if (join.LookupTimeField >= 0)
        {
            used.Add(join.LookupTimeField);
        }

        var leftCount = join.Left.Schema.Count;
        var total = join.JoinedSchema.Count;
        if (used.Count == total)
        {
            return null;
        }

        if (!used.Any(i => i < leftCount))
        {
            used.Add(0);
        }

        if (!used.Any(i => i >= leftCount))
        {
            used.Add(leftCount);
        }

        var (leftKept, leftMapping) = Keep(used, 0, leftCount, 0);
        var (rightKept, rightMapping) = Keep(used, leftCount, total, leftKept.Count);
        if (leftKept.Count == leftCount && rightKept.Count == total - leftCount)
        {
            return null;
        }

        var left = leftKept.Count == leftCount ? join.Left : Project(join.Left, leftKept);
        var right = rightKept.Count == total - leftCount ? join.Right : Project(join.Right, rightKept);
        int[] mapping = [.. leftMapping, .. rightMapping];
        var joined = JoinNode.Joined(left.Schema, right.Schema);
        var condition = join.Condition is null ? null : PlanExpressions.Renumber(join.Condition, mapping, joined);
        var node = new JoinNode(left, right, join.Kind, condition, join.LookupTimeField < 0 ? -1 : mapping[join.LookupTimeField]);
        return Rebase(calc, node, mapping);
    }

    private static CalcNode? DropCalls(CalcNode calc, AggregateNode aggregate)
    {
        var used = Used(calc);
        var groups = aggregate.GroupFields.Count;
        var (kept, mapping) = Keep(used, groups, groups + aggregate.Calls.Count, groups);
        if (kept.Count == aggregate.Calls.Count || (aggregate.GroupFields.Count == 0 && kept.Count == 0))
        {
            return null;
        }

        var calls = new AggregateCall[kept.Count];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = aggregate.Calls[kept[i]];
        }

        int[] full = [.. AggregateSchemas.Range(groups), .. mapping];
        return Rebase(calc, new AggregateNode(aggregate.Input, aggregate.GroupFields, calls), full);
    }

    private static CalcNode? NarrowUnion(CalcNode calc, UnionNode union)
    {
        var used = Used(calc);
        if (used.Count == union.Schema.Count)
        {
            return null;
        }

        if (used.Count == 0)
        {
            used.Add(0);
        }

        var (kept, mapping) = Keep(used, 0, union.Schema.Count, 0);
        if (kept.Count == union.Schema.Count)
        {
            return null;
        }

        var inputs = new LogicalNode[union.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = Project(union.Inputs[i], kept);
        }

        return Rebase(calc, new UnionNode(inputs), mapping);
    }

    private static CalcNode? NarrowWindowInput(CalcNode calc, WindowTableFunctionNode function)
    {
        var used = Used(calc);
        var count = function.Input.Schema.Count;
        used.Add(function.Window.TimeField);
        foreach (var key in function.PartitionKeys)
        {
            used.Add(key);
        }

        var (kept, mapping) = Keep(used, 0, count, 0);
        if (kept.Count == count)
        {
            return null;
        }

        var input = Project(function.Input, kept);
        var window = function.Window with { TimeField = mapping[function.Window.TimeField] };
        var keys = function.PartitionKeys.Select(k => mapping[k]).ToArray();
        var node = new WindowTableFunctionNode(input, window, keys);
        int[] full = [.. mapping, kept.Count, kept.Count + 1, kept.Count + 2];
        return Rebase(calc, node, full);
    }

    private static LogicalNode? NarrowAggregateInput(LogicalNode node)
    {
        var (input, groups, calls, window) = node switch
        {
            AggregateNode a => (a.Input, a.GroupFields, a.Calls, (WindowSpec?)null),
            WindowAggregateNode w => (w.Input, w.GroupFields, w.Calls, w.Window),
            _ => throw new ArgumentException("Not an aggregate.", nameof(node)),
        };
        var used = new HashSet<int>(groups);
        foreach (var call in calls)
        {
            used.UnionWith(call.Arguments);
            if (call.FilterArgument >= 0)
            {
                used.Add(call.FilterArgument);
            }
        }

        if (window is not null)
        {
            used.Add(window.TimeField);
        }

        if (used.Count == 0)
        {
            used.Add(0);
        }

        var (kept, mapping) = Keep(used, 0, input.Schema.Count, 0);
        if (kept.Count == input.Schema.Count)
        {
            return null;
        }

        var narrowed = Project(input, kept);
        var newGroups = groups.Select(g => mapping[g]).ToArray();
        var newCalls = calls.Select(c => c with { Arguments = [.. c.Arguments.Select(a => mapping[a])], FilterArgument = c.FilterArgument < 0 ? -1 : mapping[c.FilterArgument] }).ToArray();
        return node is WindowAggregateNode w2
            ? new WindowAggregateNode(narrowed, w2.Window with { TimeField = mapping[w2.Window.TimeField] }, newGroups, newCalls, w2.Properties, w2.PropertyNames())
            : new AggregateNode(narrowed, newGroups, newCalls);
    }
}
