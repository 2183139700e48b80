using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Runtime;

namespace Sluice.Sql.Planning.Physical;

// Window table functions, window aggregates and OVER aggregates.
internal sealed partial class PhysicalPlanner
{
    private DataStream<Row> WindowTableFunction(WindowTableFunctionNode node)
    {
        var input = Translate(node.Input);
        var schema = node.Input.Schema;
        var output = node.Schema;
        var window = node.Window;
        var name = node.Describe();
        _ = new WindowTableFunctionOperator(schema, window, output); // fails at planning, not in the job
        Added(name);
        return input.Transform(name, () => new WindowTableFunctionOperator(schema, window, output));
    }

    private DataStream<Row> WindowAggregate(WindowAggregateNode node)
    {
        var input = Translate(node.Input);
        var retracts = node.Input.Changelog != ChangelogMode.InsertOnly;
        var name = node.Describe();
        Added(name);
        var stream = Stateful(AggregationStreams.WindowAggregate(input, node.Input.Schema, node.GroupFields, node.Calls, node.Window, retracts, out var produced).Name(name), node);

        // The operator emits every window column (start, end, time) after the calls; the node outputs those the query
        // selects, in its order.
        var fixedFields = node.GroupFields.Count + node.Calls.Count;
        var projection = new BoundExpression[node.Schema.Count];
        var identity = projection.Length == produced.Count;
        for (var i = 0; i < projection.Length; i++)
        {
            var source = i < fixedFields ? i : fixedFields + (int)node.Properties[i - fixedFields];
            projection[i] = BoundExpressions.Field(produced, source);
            identity &= source == i;
        }

        return identity ? stream : Project(stream, produced, projection, node.Schema, $"Calc(select=[{string.Join(", ", FieldNames(node.Schema))}])", null);
    }

    private DataStream<Row> OverAggregate(OverAggregateNode node)
    {
        var input = Translate(node.Input);
        var frame = new OverFrameSpec(node.OrderField, node.Frame.IsRows, node.Frame.IsUnbounded ? OverFrameSpec.Unbounded : node.Frame.Preceding, node.Input.TimeAttributes[node.OrderField] == TimeAttributeKind.Proctime);
        var name = node.Describe();
        Added(name);
        return Stateful(AggregationStreams.OverAggregate(input, node.Input.Schema, node.PartitionFields, node.Calls, frame, out _).Name(name), node);
    }
}
