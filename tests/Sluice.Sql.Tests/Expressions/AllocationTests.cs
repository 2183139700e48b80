using Sluice.Schemas;
using Sluice.Sql.Expressions;
using static Sluice.Sql.Tests.Expressions.Sql;

namespace Sluice.Sql.Tests.Expressions;

public sealed class AllocationTests
{
    private const int Rows = 10_000;

    [Fact]
    public void NumericFilterAndProjection_AllocateNothingPerRow()
    {
        var input = Schema.Parse("id BIGINT NOT NULL, price DECIMAL(10, 2), qty INT, ratio DOUBLE, at TIMESTAMP(3)");
        BoundExpression F(string name) => BoundExpressions.Field(input, name);
        var condition = BoundExpressions.And(
            BoundExpressions.Compare(ComparisonOperator.Greater, F("qty"), Lit(3)),
            BoundExpressions.Or(
                BoundExpressions.Compare(ComparisonOperator.Less, BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, F("price"), F("qty")), Lit(500.5m)),
                BoundExpressions.IsNull(F("ratio"))));
        BoundExpression[] projection =
        [
            F("id"),
            BoundExpressions.Arithmetic(ArithmeticOperator.Add, F("price"), Lit(1)),
            BoundExpressions.Case([BoundExpressions.Compare(ComparisonOperator.Greater, F("ratio"), Lit(0.5))], [F("ratio")], Lit(0.0)),
            BoundExpressions.Coalesce([F("qty"), Lit(-1)]),
            BoundExpressions.Call(BuiltIns, "HOUR", [F("at")]),
            BoundExpressions.Between(F("qty"), Lit(1), Lit(10)),
            BoundExpressions.Cast(F("qty"), DataType.Double),
        ];
        var output = ExpressionCompiler.ProjectionSchema(projection, ["id", "price", "ratio", "qty", "hour", "small", "qty_double"]);
        var filter = ExpressionCompiler.CompilePredicate(condition, input);
        var project = ExpressionCompiler.CompileProjection(projection, input, output);
        var rows = new Row[Rows];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = Row.Of(input, (long)i, i % 7 == 0 ? null : i / 100m, i % 5 == 0 ? null : i % 20, i % 3 == 0 ? null : i / 1000.0, new DateTime(2026, 1, 1).AddMinutes(i));
        }
        var target = new Row(output);
        var context = SqlEvaluationContext.Default;
        var passed = Run(rows, filter, project, target, context);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var passedAgain = Run(rows, filter, project, target, context);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBe(0L);
        passedAgain.ShouldBe(passed);
        passed.ShouldBeGreaterThan(0);
    }

    private static int Run(Row[] rows, RowPredicate filter, RowProjector project, Row target, SqlEvaluationContext context)
    {
        var passed = 0;
        foreach (var row in rows)
        {
            if (filter(row, context))
            {
                project(row, target, context);
                passed++;
            }
        }
        return passed;
    }
}
