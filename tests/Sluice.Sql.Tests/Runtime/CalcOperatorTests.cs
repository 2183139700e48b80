using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Runtime;
using Sluice.Testing;

namespace Sluice.Sql.Tests.Runtime;

public sealed class CalcOperatorTests
{
    private static readonly Schema s_input = Schema.Parse("id BIGINT NOT NULL, qty INT, price DOUBLE");
    private static readonly Schema s_output = Schema.Parse("id BIGINT NOT NULL, per_unit DOUBLE");

    // WHERE qty > 0, SELECT id, price / qty
    private static OperatorTestDriver<Row, Row> Driver(bool withCondition = true)
    {
        var condition = BoundExpressions.Compare(ComparisonOperator.Greater, BoundExpressions.Field(s_input, "qty"), BoundExpressions.Literal(0));
        BoundExpression[] projection =
        [
            BoundExpressions.Field(s_input, "id"),
            BoundExpressions.Arithmetic(ArithmeticOperator.Divide, BoundExpressions.Field(s_input, "price"), BoundExpressions.Field(s_input, "qty")),
        ];
        var predicate = withCondition ? ExpressionCompiler.CompilePredicate(condition, s_input) : null;
        var projector = ExpressionCompiler.CompileProjection(projection, s_input, s_output);
        return new OperatorTestDriver<Row, Row>(s => s.Transform("Calc", () => new CalcOperator("Calc", predicate, projector, s_output, SqlEvaluationContext.Default)));
    }

    [Fact]
    public void ProcessElement_FiltersAndProjects_KeepingKindAndTimestamp()
    {
        using var driver = Driver();
        var retraction = Row.Of(s_input, 2L, 4, 10.0);
        retraction.Kind = RowKind.UpdateBefore;

        driver.ProcessElement(Row.Of(s_input, 1L, 0, 5.0), 100)
            .ProcessElement(retraction, 200)
            .ProcessElement(Row.Of(s_input, 3L, null, 1.0), 300)
            .Finish();

        driver.Output.Count.ShouldBe(1);
        var (row, timestamp) = driver.Output[0];
        (row.GetInt64(0), row.GetDouble(1), row.Kind, timestamp).ShouldBe((2L, 2.5, RowKind.UpdateBefore, 200L));
    }

    [Fact]
    public void ProcessElement_EvaluationFails_DeadLettersTheRowAndGoesOn()
    {
        // SELECT id, 100 / qty: an INT division, which fails for qty = 0.
        var output = Schema.Parse("id BIGINT NOT NULL, share INT");
        BoundExpression[] projection =
        [
            BoundExpressions.Field(s_input, "id"),
            BoundExpressions.Arithmetic(ArithmeticOperator.Divide, BoundExpressions.Literal(100), BoundExpressions.Field(s_input, "qty")),
        ];
        var projector = ExpressionCompiler.CompileProjection(projection, s_input, output);
        using var driver = new OperatorTestDriver<Row, Row>(s => s.Transform("Calc", () => new CalcOperator("Calc(select=[id, 100 / qty])", null, projector, output, SqlEvaluationContext.Default)));
        var dead = driver.SideOutput(DeadLetters.Tag);

        driver.ProcessElement(Row.Of(s_input, 1L, 0, 3.0), 10)
            .ProcessElement(Row.Of(s_input, 2L, 4, 3.0), 20)
            .Finish();

        driver.Values.Single().ToString().ShouldBe(Row.Of(output, 2L, 25).ToString());
        var letter = dead.Items.ShouldHaveSingleItem();
        letter.Source.ShouldBe("Calc(select=[id, 100 / qty])");
        letter.Position.ShouldBe("row at event time 10");
        letter.Reason.ShouldContain("zero");
        (letter.Kind, letter.Operator, letter.EventTime).ShouldBe((DeadLetterKind.Processing, "Calc(select=[id, 100 / qty])", 10L));
        letter.Payload.ShouldBe(Row.Of(s_input, 1L, 0, 3.0).ToString());
    }
}
