using Sluice.Schemas;
using Sluice.Sql.Expressions;
using static Sluice.Sql.Tests.Expressions.Sql;

namespace Sluice.Sql.Tests.Expressions;

public sealed class CompilerTests
{
    private static readonly Schema s_input = Schema.Parse("id BIGINT NOT NULL, price DECIMAL(10, 2), qty INT, name STRING");

    private static BoundExpression F(string name) => BoundExpressions.Field(s_input, name);

    [Fact]
    public void Predicate_NullCondition_IsFalse()
    {
        var filter = ExpressionCompiler.CompilePredicate(BoundExpressions.Compare(ComparisonOperator.Greater, F("qty"), Lit(2)), s_input);

        filter(Row.Of(s_input, 1L, 1.5m, 3, "a"), SqlEvaluationContext.Default).ShouldBeTrue();
        filter(Row.Of(s_input, 1L, 1.5m, 2, "a"), SqlEvaluationContext.Default).ShouldBeFalse();
        filter(Row.Of(s_input, 1L, 1.5m, null, "a"), SqlEvaluationContext.Default).ShouldBeFalse();
    }

    [Fact]
    public void Predicate_NotBoolean_Rejected()
    {
        Should.Throw<ArgumentException>(() => ExpressionCompiler.CompilePredicate(F("qty"), s_input)).Message.ShouldStartWith("A filter condition must be BOOLEAN, not INT");
    }

    [Fact]
    public void Projection_WritesEachExpression()
    {
        BoundExpression[] expressions =
        [
            F("id"),
            BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, F("price"), F("qty")),
            BoundExpressions.Call(BuiltIns, "UPPER", [F("name")]),
            BoundExpressions.Coalesce([F("qty"), Lit(0)]),
        ];
        var output = ExpressionCompiler.ProjectionSchema(expressions, ["id", "total", "upper_name", "qty"]);
        var project = ExpressionCompiler.CompileProjection(expressions, s_input, output);
        var target = new Row(output);

        project(Row.Of(s_input, 7L, 2.50m, 4, "ab"), target, SqlEvaluationContext.Default);
        target.ShouldBe(Row.Of(output, 7L, 10.00m, "AB", 4));
        output.ToString().ShouldBe("ROW<id BIGINT NOT NULL, total DECIMAL(20, 2), upper_name VARCHAR, qty INT NOT NULL>");

        project(Row.Of(s_input, 8L, null, null, null), target, SqlEvaluationContext.Default);
        target.ShouldBe(Row.Of(output, 8L, null, null, 0));
    }

    [Fact]
    public void Projection_FieldReadInABranchThatDidNotRun_IsReadAgainOutsideIt()
    {
        // price is read first inside the CASE's THEN branch, which runs only when qty > 2, then by the second
        // expression: that read must not reuse the branch's locals (reads are shared only within one statement list).
        BoundExpression[] expressions =
        [
            BoundExpressions.Case([BoundExpressions.Compare(ComparisonOperator.Greater, F("qty"), Lit(2))], [F("price")]),
            F("price"),
            BoundExpressions.Arithmetic(ArithmeticOperator.Add, F("price"), F("price")),
        ];
        var output = ExpressionCompiler.ProjectionSchema(expressions, ["maybe", "price", "twice"]);
        var project = ExpressionCompiler.CompileProjection(expressions, s_input, output);
        var target = new Row(output);

        project(Row.Of(s_input, 1L, 2.50m, 1, "a"), target, SqlEvaluationContext.Default);
        target.ShouldBe(Row.Of(output, null, 2.50m, 5.00m));

        project(Row.Of(s_input, 2L, 4.25m, 3, "b"), target, SqlEvaluationContext.Default);
        target.ShouldBe(Row.Of(output, 4.25m, 4.25m, 8.50m));

        project(Row.Of(s_input, 3L, null, 1, "c"), target, SqlEvaluationContext.Default);
        target.ShouldBe(Row.Of(output, null, null, null));
    }

    [Fact]
    public void Projection_NullableIntoNotNull_Rejected()
    {
        var output = Schema.Parse("q INT NOT NULL");

        Should.Throw<ArgumentException>(() => ExpressionCompiler.CompileProjection([F("qty")], s_input, output))
            .Message.ShouldBe("Output field 'q' is INT NOT NULL but expression 1 (qty) may be NULL. (Parameter 'output')");
    }

    [Fact]
    public void Compile_FieldOfOtherSchema_Rejected()
    {
        var other = Schema.Parse("qty STRING");

        Should.Throw<ArgumentException>(() => ExpressionCompiler.CompileEvaluator(BoundExpressions.Field(other, 0), s_input)).Message.ShouldContain("does not match the input schema");
    }

    [Fact]
    public void CompiledRegex_ConstantPattern_ReusedAcrossRows()
    {
        var schema = Schema.Parse("s STRING");
        var extract = ExpressionCompiler.CompileEvaluator(BoundExpressions.Call(BuiltIns, "REGEXP_EXTRACT", [BoundExpressions.Field(schema, 0), Lit("(\\d+)"), Lit(1)]), schema);

        extract(Row.Of(schema, "a12b"), SqlEvaluationContext.Default).ShouldBe("12");
        extract(Row.Of(schema, "x7"), SqlEvaluationContext.Default).ShouldBe("7");
        extract(Row.Of(schema, "none"), SqlEvaluationContext.Default).ShouldBeNull();
    }
}
