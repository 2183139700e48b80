using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// How the physical planner adds the aggregation operators to a stream of rows: each method keys the stream by the
/// group (partition) fields and adds the operator with <c>Transform</c>. The operator is built once here, so a spec that
/// does not fit the input fails while planning (a <see cref="SqlException"/>), not when the job starts; the factory
/// then builds one per subtask. Give the returned stream a <c>Uid</c>: the operator's state is checkpointed under it.
/// </summary>
internal static class AggregationStreams
{
    /// <summary>A regular GROUP BY (<see cref="GroupAggregateOperator"/>): an updating changelog of <c>OutputSchema</c>.</summary>
    /// <exception cref="SqlException">A call does not fit the input.</exception>
    public static DataStream<Row> GroupAggregate(DataStream<Row> input, Schema schema, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls, bool inputRetracts, TimeSpan? stateTtl, out Schema outputSchema)
    {
        ArgumentNullException.ThrowIfNull(input);
        outputSchema = new GroupAggregateOperator(schema, groupFields, calls, inputRetracts, stateTtl).OutputSchema;
        return input.KeyBy(GroupAggregateOperator.KeySelector(schema, groupFields))
            .Transform("GroupAggregate", () => new GroupAggregateOperator(schema, groupFields, calls, inputRetracts, stateTtl));
    }

    /// <summary>
    /// A window TVF aggregation: <see cref="SessionWindowAggregateOperator"/> for SESSION, else
    /// <see cref="WindowAggregateOperator"/>; insert-only rows of <paramref name="outputSchema"/>.
    /// </summary>
    /// <exception cref="SqlException">An invalid window spec or a call that does not fit the input.</exception>
    public static DataStream<Row> WindowAggregate(DataStream<Row> input, Schema schema, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls, WindowSpec window, bool inputRetracts, out Schema outputSchema)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(window);
        var keyed = input.KeyBy(WindowAggregateOperatorBase.KeySelector(schema, groupFields));
        if (window.Kind == WindowKind.Session)
        {
            outputSchema = new SessionWindowAggregateOperator(schema, groupFields, calls, window, inputRetracts).OutputSchema;
            return keyed.Transform("SessionWindowAggregate", () => new SessionWindowAggregateOperator(schema, groupFields, calls, window, inputRetracts));
        }
        outputSchema = new WindowAggregateOperator(schema, groupFields, calls, window, inputRetracts).OutputSchema;
        return keyed.Transform("WindowAggregate", () => new WindowAggregateOperator(schema, groupFields, calls, window, inputRetracts));
    }

    /// <summary>An event-time OVER aggregation (<see cref="OverAggregateOperator"/>): insert-only rows of <paramref name="outputSchema"/>.</summary>
    /// <exception cref="SqlException">An unsupported frame or a call that does not fit the input.</exception>
    public static DataStream<Row> OverAggregate(DataStream<Row> input, Schema schema, IReadOnlyList<int> partitionFields, IReadOnlyList<AggregateCall> calls, OverFrameSpec frame, out Schema outputSchema)
    {
        ArgumentNullException.ThrowIfNull(input);
        outputSchema = new OverAggregateOperator(schema, calls, frame).OutputSchema;
        return input.KeyBy(GroupAggregateOperator.KeySelector(schema, partitionFields))
            .Transform("OverAggregate", () => new OverAggregateOperator(schema, calls, frame));
    }
}
