using Sluice.Schemas;
using Sluice.Sql.Expressions;
using static Sluice.Sql.Tests.Expressions.Sql;

namespace Sluice.Sql.Tests.Expressions;

public sealed class OperatorEvaluationTests
{
    [Theory]
    [InlineData(true, true, true, true)]
    [InlineData(true, false, false, true)]
    [InlineData(true, null, null, true)]
    [InlineData(false, null, false, null)]
    [InlineData(null, false, false, null)]
    [InlineData(null, true, null, true)]
    [InlineData(null, null, null, null)]
    [InlineData(false, false, false, false)]
    public void AndOr_ThreeValuedTruthTable(bool? a, bool? b, bool? and, bool? or)
    {
        Eval(BoundExpressions.And(Bool(a), Bool(b))).ShouldBe(and);
        Eval(BoundExpressions.Or(Bool(a), Bool(b))).ShouldBe(or);
    }

    [Fact]
    public void And_FalseLeft_DoesNotEvaluateRight()
    {
        var failing = BoundExpressions.Compare(ComparisonOperator.Equal, BoundExpressions.Arithmetic(ArithmeticOperator.Divide, Lit(1), Lit(0)), Lit(1));

        Eval(BoundExpressions.And(Lit(false), failing)).ShouldBe(false);
        Should.Throw<SqlEvaluationException>(() => Eval(BoundExpressions.And(Lit(true), failing))).Message.ShouldBe("Division by zero in '/'.");
    }

    [Fact]
    public void Not_Null_StaysNull()
    {
        Eval(BoundExpressions.Not(Bool(null))).ShouldBeNull();
        Eval(BoundExpressions.Not(Lit(true))).ShouldBe(false);
    }

    [Fact]
    public void IsNull_NeverNull()
    {
        Eval(BoundExpressions.IsNull(Typed(null, "INT"))).ShouldBe(true);
        Eval(BoundExpressions.IsNull(Lit(1), negated: true)).ShouldBe(true);
    }

    [Fact]
    public void Arithmetic_IntegerDivisionAndWrap()
    {
        Eval(BoundExpressions.Arithmetic(ArithmeticOperator.Divide, Lit(7), Lit(2))).ShouldBe(3);
        Eval(BoundExpressions.Arithmetic(ArithmeticOperator.Divide, Lit(-7), Lit(2))).ShouldBe(-3);
        Eval(BoundExpressions.Arithmetic(ArithmeticOperator.Add, Lit(int.MaxValue), Lit(1))).ShouldBe(int.MinValue);
        Eval(BoundExpressions.Arithmetic(ArithmeticOperator.Divide, Lit(int.MinValue), Lit(-1))).ShouldBe(int.MinValue);
        Eval(BoundExpressions.Arithmetic(ArithmeticOperator.Divide, Lit(7.0), Lit(2))).ShouldBe(3.5);
        Eval(BoundExpressions.Arithmetic(ArithmeticOperator.Add, Lit(1), Lit(null))).ShouldBeNull();
    }

    [Fact]
    public void Arithmetic_Decimal_RoundsToResultScale()
    {
        var third = BoundExpressions.Arithmetic(ArithmeticOperator.Divide, Lit(1.00m), Lit(3));
        third.Type.ShouldBe(DataType.Parse("DECIMAL(14, 13) NOT NULL"));
        Eval(third).ShouldBe(0.3333333333333m);
        Eval(BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, Lit(1.5m), Lit(2.25m))).ShouldBe(3.375m);
        Eval(BoundExpressions.Arithmetic(ArithmeticOperator.Add, Lit(0.1m), Lit(0.2m))).ShouldBe(0.3m);
        Eval(BoundExpressions.Negate(Lit(1.5m))).ShouldBe(-1.5m);
    }

    [Fact]
    public void Arithmetic_DecimalOverflow_NamesType()
    {
        var big = Typed(9_999_999_999_999_999_999_999_999_999m, "DECIMAL(28, 0)");

        Should.Throw<SqlEvaluationException>(() => Eval(BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, big, big)))
            .Message.ShouldBe("The result of '*' does not fit DECIMAL(28, 0); CAST an operand to a DECIMAL with more integer digits or to DOUBLE.");
    }

    [Theory]
    [InlineData("a", "b", ComparisonOperator.Less, true)]
    [InlineData("b", "a", ComparisonOperator.Less, false)]
    [InlineData("a", "a", ComparisonOperator.Equal, true)]
    [InlineData("B", "a", ComparisonOperator.Less, true)]
    [InlineData("a", "b", ComparisonOperator.NotEqual, true)]
    // The parameter is object because ComparisonOperator is internal and a public test method cannot name it.
    public void Compare_Strings_Ordinal(string a, string b, object op, bool expected)
    {
        Eval(BoundExpressions.Compare((ComparisonOperator)op, Lit(a), Lit(b))).ShouldBe(expected);
    }

    [Fact]
    public void Compare_MixedNumericAndTemporal()
    {
        Eval(BoundExpressions.Compare(ComparisonOperator.Less, Lit(1), Lit(1.5m))).ShouldBe(true);
        Eval(BoundExpressions.Compare(ComparisonOperator.Equal, Lit(2L), Lit(2.0))).ShouldBe(true);
        Eval(BoundExpressions.Compare(ComparisonOperator.Greater, Lit(new DateTime(2026, 1, 1, 0, 0, 1)), Lit(new DateOnly(2026, 1, 1)))).ShouldBe(true);
        Eval(BoundExpressions.Compare(ComparisonOperator.Equal, Lit(1), Lit(null))).ShouldBeNull();
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(5, false)]
    public void In_ValueFound(int value, bool expected)
    {
        Eval(BoundExpressions.In(Lit(value), [Lit(1), Lit(2), Lit(3L)])).ShouldBe(expected);
        Eval(BoundExpressions.In(Lit(value), [Lit(1), Lit(2), Lit(3L)], negated: true)).ShouldBe(!expected);
    }

    [Fact]
    public void In_NullSemantics()
    {
        Eval(BoundExpressions.In(Lit(5), [Lit(1), Lit(null)])).ShouldBeNull();
        Eval(BoundExpressions.In(Lit(1), [Lit(1), Lit(null)])).ShouldBe(true);
        Eval(BoundExpressions.In(Typed(null, "INT"), [Lit(1)])).ShouldBeNull();
        Eval(BoundExpressions.In(Lit(5), [Lit(1), Lit(null)], negated: true)).ShouldBeNull();
    }

    [Fact]
    public void In_LongConstantList_UsesSetWithSameAnswer()
    {
        var values = new BoundExpression[] { Lit("a"), Lit("b"), Lit("c"), Lit("d"), Lit("e"), Lit("f"), Lit("g") };

        Eval(BoundExpressions.In(Lit("f"), values)).ShouldBe(true);
        Eval(BoundExpressions.In(Lit("z"), values)).ShouldBe(false);
    }

    [Fact]
    public void Between_InclusiveAndNull()
    {
        Eval(BoundExpressions.Between(Lit(5), Lit(1), Lit(5))).ShouldBe(true);
        Eval(BoundExpressions.Between(Lit(6), Lit(1), Lit(5))).ShouldBe(false);
        Eval(BoundExpressions.Between(Lit(6), Lit(null), Lit(5))).ShouldBe(false);
        Eval(BoundExpressions.Between(Lit(3), Lit(null), Lit(5))).ShouldBeNull();
        Eval(BoundExpressions.Between(Lit(6), Lit(1), Lit(5), negated: true)).ShouldBe(true);
    }

    [Theory]
    [InlineData("abc", "a%", true)]
    [InlineData("abc", "_b_", true)]
    [InlineData("abc", "b%", false)]
    [InlineData("a.c", "a.c", true)]
    [InlineData("abc", "a.c", false)]
    [InlineData("50%", "50!%", true)]
    [InlineData("501", "50!%", false)]
    public void Like_Patterns(string value, string pattern, bool expected)
    {
        Eval(BoundExpressions.Like(Lit(value), Lit(pattern), Lit("!"))).ShouldBe(expected);
    }

    [Fact]
    public void CaseCoalesceIfNullIf()
    {
        var @case = BoundExpressions.Case([Lit(false), Bool(null), Lit(true)], [Lit(1), Lit(2), Lit(3)], Lit(4));
        Eval(@case).ShouldBe(3);
        Eval(BoundExpressions.Case([Lit(false)], [Lit(1)])).ShouldBeNull();
        Eval(BoundExpressions.Coalesce([Lit(null), Typed(null, "INT"), Lit(7), Lit(8)])).ShouldBe(7);
        Eval(BoundExpressions.Call(BuiltIns, "IF", [Lit(false), Lit("a"), Lit("b")])).ShouldBe("b");
        Eval(BoundExpressions.Call(BuiltIns, "NULLIF", [Lit(3), Lit(3)])).ShouldBeNull();
        Eval(BoundExpressions.Call(BuiltIns, "NULLIF", [Lit(3), Lit(4)])).ShouldBe(3);
    }

    [Fact]
    public void Case_UntakenBranch_IsNotEvaluated()
    {
        var failing = BoundExpressions.Arithmetic(ArithmeticOperator.Divide, Lit(1), Lit(0));

        Eval(BoundExpressions.Case([Lit(true)], [Lit(1)], failing)).ShouldBe(1);
    }

    [Fact]
    public void FieldAndElementAccess()
    {
        var schema = Schema.Parse("r ROW<x INT, y STRING>, a ARRAY<BIGINT>, m MAP<STRING, INT>");
        var nested = Row.Of(schema[0].Type.Fields!, 7, "why");
        var row = Row.Of(schema, nested, new object?[] { 10L, null, 30L }, new[] { new KeyValuePair<object, object?>("k", 1) });
        Eval(BoundExpressions.FieldAccess(BoundExpressions.Field(schema, "r"), "y"), row).ShouldBe("why");
        Eval(BoundExpressions.Element(BoundExpressions.Field(schema, "a"), Lit(1)), row).ShouldBe(10L);
        Eval(BoundExpressions.Element(BoundExpressions.Field(schema, "a"), Lit(2)), row).ShouldBeNull();
        Eval(BoundExpressions.Element(BoundExpressions.Field(schema, "a"), Lit(4)), row).ShouldBeNull();
        Eval(BoundExpressions.Element(BoundExpressions.Field(schema, "m"), Lit("k")), row).ShouldBe(1);
        Eval(BoundExpressions.Element(BoundExpressions.Field(schema, "m"), Lit("z")), row).ShouldBeNull();
        var empty = new Row(schema);
        Eval(BoundExpressions.FieldAccess(BoundExpressions.Field(schema, "r"), "x"), empty).ShouldBeNull();
    }

    [Fact]
    public void Fold_LiteralSubtrees_BecomeLiterals()
    {
        var schema = Schema.Parse("x INT");
        var expression = BoundExpressions.Arithmetic(ArithmeticOperator.Add, BoundExpressions.Field(schema, "x"),
            BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, Lit(2), Lit(3)));

        var folded = (ArithmeticExpression)BoundExpressions.Fold(expression);

        folded.Right.ShouldBeOfType<LiteralExpression>().Value.ShouldBe(6);
        folded.Left.ShouldBeOfType<InputReference>();
        BoundExpressions.Fold(Call("UPPER", "abc")).ShouldBeOfType<LiteralExpression>().Value.ShouldBe("ABC");
    }

    [Fact]
    public void Fold_FailingCast_KeptForRuntime()
    {
        var cast = BoundExpressions.Cast(Lit("x"), DataType.Int);

        BoundExpressions.Fold(cast).ShouldBeSameAs(cast);
    }

    private static BoundExpression Bool(bool? value) => value is null ? Typed(null, "BOOLEAN") : Lit(value.Value);
}
