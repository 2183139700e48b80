using System.Reflection;
using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Connectors;
using Sluice.Sql.Expressions;
using Sluice.Testing;

namespace Sluice.Sql.Tests.Runtime;

public sealed class TableScanOperatorTests
{
    // The connector's row: (kind INT, at TIMESTAMP(3), qty INT); the fused Calc: WHERE kind = 2, SELECT qty * 10 AS ten, at.
    private static readonly Schema s_source = Schema.Parse("kind INT, at TIMESTAMP(3), qty INT");
    private static readonly Schema s_output = Schema.Parse("ten INT, at TIMESTAMP(3)");
    private static readonly DateTime s_epoch = DateTime.UnixEpoch;

    private static TableScanProgram Program(string? calcName = "Calc(select=[ten, at], where=[(kind = 2)])", BoundExpression? divisor = null)
    {
        var condition = BoundExpressions.Compare(ComparisonOperator.Equal, BoundExpressions.Field(s_source, "kind"), BoundExpressions.Literal(2));
        BoundExpression[] projection =
        [
            divisor is null
                ? BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, BoundExpressions.Field(s_source, "qty"), BoundExpressions.Literal(10))
                : BoundExpressions.Arithmetic(ArithmeticOperator.Divide, BoundExpressions.Literal(10), divisor),
            BoundExpressions.Field(s_source, "at"),
        ];
        return new TableScanProgram(
            "TableScan(t)",
            ExpressionCompiler.CompilePredicate(condition, s_source),
            ExpressionCompiler.CompileProjection(projection, s_source, s_output),
            s_output,
            WatermarkExpressions.CompileMillis(BoundExpressions.Field(s_source, "at"), s_source),
            SqlEvaluationContext.Default,
            calcName,
            [],
            null);
    }

    private static Row Source(int kind, long atMillis, int? qty) => Row.Of(s_source, kind, s_epoch.AddMilliseconds(atMillis), qty);

    [Fact]
    public void ProcessElement_FusedCalc_KeepsMatchingRowsProjectedWithTheirRowtime()
    {
        var program = Program();
        using var driver = new OperatorTestDriver<Row, Row>(s => s.Transform("TableScan(t)", () => new TableScanOperator(program)));
        var update = Source(2, 2_000, null);
        update.Kind = RowKind.UpdateAfter;

        driver.ProcessElement(Source(1, 1_000, 5), 1)
            .ProcessElement(update, 2)
            .ProcessElement(Source(2, 3_000, 7), 3)
            .Finish();

        driver.Output.Count.ShouldBe(2);
        var (first, firstTime) = driver.Output[0];
        (first.IsNull(0), first.GetTimestamp(1), first.Kind, firstTime).ShouldBe((true, s_epoch.AddMilliseconds(2_000), RowKind.UpdateAfter, 2_000L));
        var (second, secondTime) = driver.Output[1];
        (second.GetInt32(0), second.Kind, secondTime).ShouldBe((70, RowKind.Insert, 3_000L));
    }

    [Fact]
    public void ProcessElement_FusedCalcFails_DeadLettersNamingTheCalc()
    {
        // SELECT 10 / qty: an INT division, which fails for qty = 0.
        var program = Program(divisor: BoundExpressions.Field(s_source, "qty"));
        using var driver = new OperatorTestDriver<Row, Row>(s => s.Transform("TableScan(t)", () => new TableScanOperator(program)));
        var dead = driver.SideOutput(DeadLetters.Tag);

        driver.ProcessElement(Source(2, 1_000, 0), 1)
            .ProcessElement(Source(2, 2_000, 5), 2)
            .Finish();

        driver.Output.Count.ShouldBe(1);
        driver.Output[0].Value.GetInt32(0).ShouldBe(2);
        var letter = dead.Items.ShouldHaveSingleItem();
        letter.Source.ShouldBe("Calc(select=[ten, at], where=[(kind = 2)])");
        letter.Position.ShouldBe("row at event time 1000");
        (letter.Kind, letter.Operator, letter.EventTime).ShouldBe((DeadLetterKind.Processing, "Calc(select=[ten, at], where=[(kind = 2)])", 1000L));
    }

    [Fact]
    public void ProcessElement_PlainScanFails_FailsTheJob()
    {
        var program = Program(calcName: null, divisor: BoundExpressions.Field(s_source, "qty"));
        using var driver = new OperatorTestDriver<Row, Row>(s => s.Transform("TableScan(t)", () => new TableScanOperator(program)));

        Should.Throw<Exception>(() => driver.ProcessElement(Source(2, 1_000, 0), 1).Finish());
    }

    [Fact]
    public void ProcessBatch_SteadyState_AllocatesOnlyTheKeptRows()
    {
        const int Rows = 4_096;
        var op = new TableScanOperator(Program());
        var output = new CountingOutput();
        // The runtime sets operators up; Setup is internal to the API and the runtime.
        typeof(StreamOperator<Row>).GetMethod("Setup", BindingFlags.Instance | BindingFlags.NonPublic)!.Invoke(op, [null, output]);
        var rejected = new Row[Rows];
        var kept = new Row[Rows];
        var timestamps = new long[Rows];
        for (var i = 0; i < Rows; i++)
        {
            rejected[i] = Source(i % 2, i, i);
            kept[i] = Source(2, i, i);
        }
        op.ProcessBatch(rejected, timestamps);
        op.ProcessBatch(kept, timestamps);
        var oneRow = Allocated(() => _ = new Row(s_output));

        // The fewest bytes of a few batches each: a per-row allocation shows in every batch, while the runtime may
        // allocate a few bytes on this thread once (tiered compilation swapping in optimized code; a CI run saw 48).
        var rejecting = FewestAllocated(() => op.ProcessBatch(rejected, timestamps));
        var keeping = FewestAllocated(() => op.ProcessBatch(kept, timestamps));

        rejecting.ShouldBe(0L);
        keeping.ShouldBe(oneRow * Rows);
        output.Count.ShouldBe(Rows + 3 * Rows); // one warm-up batch and three measured batches kept every row
        output.LastTimestamp.ShouldBe(Rows - 1);
    }

    private static long FewestAllocated(Action action)
    {
        var fewest = long.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            fewest = Math.Min(fewest, Allocated(action));
        }
        return fewest;
    }

    private static long Allocated(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private sealed class CountingOutput : IOperatorOutput<Row>
    {
        public long Count { get; private set; }

        public long LastTimestamp { get; private set; }

        public void Collect(Row value, long timestamp)
        {
            Count++;
            LastTimestamp = timestamp;
        }

        public void CollectSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp) => throw new InvalidOperationException($"Unexpected side output {tag}.");

        public void EmitWatermark(long watermark) { }
    }
}
