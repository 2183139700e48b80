using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using static Sluice.Sql.Tests.Runtime.Aggregation.Aggregates;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary>The numeric accumulators, FILTER, and the accumulator format's reads allocate nothing per row.</summary>
public sealed class AccumulatorAllocationTests
{
    private const int Rows = 10_000;

    [Fact]
    public void AccumulateRetractAndDeserialize_NumericCalls_AllocateNothingPerRow()
    {
        // A BIGINT key: reading a VARCHAR key back allocates its string (which the output row needs anyway).
        var input = Schema.Parse("k BIGINT, v BIGINT, i INT, d DOUBLE, m DECIMAL(10, 2), f BOOLEAN");
        var aggregator = new RowAggregator(input, [0], [
            Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull()),
            Call(AggregateKind.Count, "n", DataType.BigInt.NotNull(), 1, filter: 5),
            Call(AggregateKind.Sum, "sv", DataType.BigInt, 1),
            Call(AggregateKind.Sum0, "si", DataType.Int.NotNull(), 2),
            Call(AggregateKind.Avg, "ad", DataType.Double, 3),
            Call(AggregateKind.Avg, "am", DataType.Decimal(10, 2), 4),
            Call(AggregateKind.StddevPop, "sd", DataType.Double, 3),
            Call(AggregateKind.BoolOr, "any", DataType.Boolean, 5),
        ], retracts: false);
        var serializer = new AccumulatorSerializer(aggregator.AccumulatorSchema);
        var rows = new Row[Rows];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = Row.Of(input, 7L, i % 9 == 0 ? null : (long)i, i % 100, i / 8.0, i / 4m, i % 2 == 0);
        }
        var accumulator = new Row(aggregator.AccumulatorSchema);
        aggregator.Initialize(accumulator, rows[0]);
        Run(aggregator, rows, accumulator);
        var bytes = serializer.Serialize(accumulator);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(aggregator, rows, accumulator);
        serializer.Deserialize(bytes, accumulator);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBe(0L);
        aggregator.RowCount(accumulator).ShouldBe(0, "every row accumulated was retracted");
    }

    [Fact]
    public void Accumulate_ValueCallsOnInsertOnlyInput_AllocateNothingPerRow()
    {
        var input = Schema.Parse("k STRING, v BIGINT, d DOUBLE, s STRING");
        var aggregator = new RowAggregator(input, [0], [
            Call(AggregateKind.Min, "low", DataType.BigInt, 1),
            Call(AggregateKind.Max, "high", DataType.Double, 2),
            Call(AggregateKind.FirstValue, "first", DataType.Varchar, 3),
            Call(AggregateKind.LastValue, "last", DataType.BigInt, 1),
        ], retracts: false);
        var rows = new Row[Rows];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = Row.Of(input, "a", (long)(i % 77), i / 8.0, "s" + (i % 10));
        }
        var accumulator = new Row(aggregator.AccumulatorSchema);
        aggregator.Initialize(accumulator, rows[0]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var row in rows)
        {
            aggregator.Accumulate(accumulator, row, 0);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBe(0L);
        var output = new Row(RowAggregator.OutputSchema(input, [0], [
            Call(AggregateKind.Min, "low", DataType.BigInt, 1), Call(AggregateKind.Max, "high", DataType.Double, 2),
            Call(AggregateKind.FirstValue, "first", DataType.Varchar, 3), Call(AggregateKind.LastValue, "last", DataType.BigInt, 1),
        ]));
        aggregator.WriteOutput(accumulator, 0, output);
        output.ToString().ShouldBe("+I[a, 0, 1249.875, s0, 66]");
    }

    private static void Run(RowAggregator aggregator, Row[] rows, Row accumulator)
    {
        foreach (var row in rows)
        {
            aggregator.Accumulate(accumulator, row, 0);
        }
        foreach (var row in rows)
        {
            aggregator.Retract(accumulator, row, 0);
        }
    }
}
