using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Runtime;

namespace Sluice.Sql.Planning.Physical;

// The stateful nodes: aggregations, joins and ranks become keyed operators of Sluice.Sql.Runtime. Each gets a uid from
// its position among the plan's stateful operators, so the same SQL restores its state from a checkpoint or savepoint.
internal sealed partial class PhysicalPlanner
{
    private int _statefulOperators;

    private DataStream<Row> Aggregate(AggregateNode node)
    {
        var input = Translate(node.Input);
        var schema = node.Input.Schema;
        var groups = node.GroupFields;
        var calls = node.Calls;
        var retracts = node.Input.Changelog != ChangelogMode.InsertOnly;
        var ttl = _settings.StateTtl;
        var name = node.Describe();
        Added(name);
        return Stateful(input.KeyBy(GroupAggregateOperator.KeySelector(schema, groups))
            .Transform(name, () => new GroupAggregateOperator(schema, groups, calls, retracts, ttl)), node);
    }

    private DataStream<Row> Join(JoinNode node)
    {
        if (node.Strategy == JoinStrategy.Lookup)
        {
            return LookupJoin(node);
        }

        var left = Translate(node.Left);
        var right = Translate(node.Right);
        var leftKeys = new int[node.EquiKeys.Count];
        var rightKeys = new int[node.EquiKeys.Count];
        for (var i = 0; i < leftKeys.Length; i++)
        {
            (leftKeys[i], rightKeys[i]) = node.EquiKeys[i];
        }

        var condition = node.NonEquiCondition is null
            ? null
            : ExpressionCompiler.CompilePredicate(BoundExpressions.Fold(node.NonEquiCondition, _settings.Scan.Evaluation), node.JoinedSchema);
        var name = node.Describe();
        Added(name);
        switch (node.Strategy)
        {
            case JoinStrategy.Interval when node.Interval is { IsProcessingTime: false } bounds:
                var interval = new IntervalJoinSpec(node.Left.Schema, node.Right.Schema, leftKeys, rightKeys, node.Kind, bounds.LeftTimeField, bounds.RightTimeField, bounds.LowerMillis, bounds.UpperMillis)
                {
                    Condition = condition,
                    EvaluationContext = _settings.Scan.Evaluation,
                };
                return Stateful(IntervalJoinOperator.Apply(left, right, interval, name), node);
            case JoinStrategy.Window when node.WindowBounds is { } window:
                var (windowLeftKeys, windowRightKeys) = (new List<int>(), new List<int>());
                for (var i = 0; i < leftKeys.Length; i++)
                {
                    if ((leftKeys[i], rightKeys[i]) != (window.LeftStart, window.RightStart) && (leftKeys[i], rightKeys[i]) != (window.LeftEnd, window.RightEnd))
                    {
                        windowLeftKeys.Add(leftKeys[i]);
                        windowRightKeys.Add(rightKeys[i]);
                    }
                }

                var windowed = new WindowJoinSpec(node.Left.Schema, node.Right.Schema, windowLeftKeys, windowRightKeys, node.Kind, window.LeftStart, window.LeftEnd, window.RightStart, window.RightEnd)
                {
                    Condition = condition,
                    EvaluationContext = _settings.Scan.Evaluation,
                };
                return Stateful(WindowJoinOperator.Apply(left, right, windowed, name), node);
            case JoinStrategy.Regular:
                var regular = new RegularJoinSpec(node.Left.Schema, node.Right.Schema, leftKeys, rightKeys, node.Kind)
                {
                    Condition = condition,
                    StateTtl = _settings.StateTtl,
                    EvaluationContext = _settings.Scan.Evaluation,
                };
                return Stateful(RegularJoinOperator.Apply(left, right, regular, name), node);
            default:
                throw new SqlException($"{name} cannot run yet: the streaming runtime has no {node.Name} operator{(node.Interval is { IsProcessingTime: true } ? " on processing time" : "")}.");
        }
    }

    private DataStream<Row> Rank(RankNode node)
    {
        var input = Translate(node.Input);
        var name = node.Describe();
        Added(name);
        if (node.WindowFields is { } window)
        {
            // Window Top-N / window deduplication: each window ranked once when it closes, insert-only.
            var partition = new List<int>(node.PartitionFields.Count);
            foreach (var field in node.PartitionFields)
            {
                if (field != window.Start && field != window.End)
                {
                    partition.Add(field);
                }
            }

            var windowed = new WindowRankSpec(node.Input.Schema, partition, window.Start, window.End, node.OrderKeys, node.Function, node.RankStart, node.RankEnd, node.OutputRankNumber)
            {
                RankFieldName = node.RankFieldName,
            };
            return Stateful(WindowRankOperator.Apply(input, windowed, name), node);
        }

        if (node.IsDeduplicate && !node.OutputRankNumber && node.Input.Changelog == ChangelogMode.InsertOnly)
        {
            var time = node.OrderKeys[0].Field;
            var dedup = new DeduplicateSpec(node.Input.Schema, node.PartitionFields, node.KeepsLastRow, node.Input.TimeAttributes[time] == TimeAttributeKind.Rowtime ? time : -1)
            {
                StateTtl = _settings.StateTtl,
            };
            return Stateful(DeduplicateOperator.Apply(input, dedup, name), node);
        }

        if (node.RankEnd == RankNode.Unbounded)
        {
            throw new SqlException($"{name} has no upper rank bound: a streaming Top-N needs WHERE {node.RankFieldName} <= N (or BETWEEN).");
        }

        var spec = new RankSpec(node.Input.Schema, node.PartitionFields, node.OrderKeys, node.Function, node.RankStart, node.RankEnd, node.OutputRankNumber, node.Input.Changelog == ChangelogMode.InsertOnly)
        {
            RankFieldName = node.RankFieldName,
            StateTtl = _settings.StateTtl,
        };
        return Stateful(RankOperator.Apply(input, spec, name), node);
    }

    /// <summary>Gives a stateful operator its uid: its index among the plan's stateful operators, and its kind.</summary>
    private DataStream<Row> Stateful(DataStream<Row> stream, LogicalNode node) =>
        stream.Uid($"sql-{_statefulOperators++}-{node.Name.ToLowerInvariant()}");
}
