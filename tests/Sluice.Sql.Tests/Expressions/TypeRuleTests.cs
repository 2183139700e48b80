using Sluice.Schemas;
using Sluice.Sql.Expressions;
using static Sluice.Sql.Tests.Expressions.Sql;

namespace Sluice.Sql.Tests.Expressions;

public sealed class TypeRuleTests
{
    private static readonly Schema s_input = Schema.Parse(
        "i INT, b BIGINT, f FLOAT, d DOUBLE, m DECIMAL(10, 2), n DECIMAL(5, 0) NOT NULL, s STRING, t TIMESTAMP(3), dt DATE, ltz TIMESTAMP_LTZ(3), nn INT NOT NULL");

    private static BoundExpression F(string name) => BoundExpressions.Field(s_input, name);

    [Theory]
    [InlineData("i", "+", "i", "INT")]
    [InlineData("i", "+", "b", "BIGINT")]
    [InlineData("i", "/", "i", "INT")]
    [InlineData("b", "%", "i", "BIGINT")]
    [InlineData("i", "*", "f", "FLOAT")]
    [InlineData("b", "+", "d", "DOUBLE")]
    [InlineData("f", "+", "m", "DOUBLE")]
    [InlineData("f", "-", "f", "FLOAT")]
    [InlineData("m", "+", "m", "DECIMAL(11, 2)")]
    [InlineData("m", "-", "i", "DECIMAL(13, 2)")]
    [InlineData("m", "*", "m", "DECIMAL(20, 4)")]
    [InlineData("m", "/", "m", "DECIMAL(23, 13)")]
    [InlineData("m", "%", "i", "DECIMAL(10, 2)")]
    [InlineData("m", "*", "b", "DECIMAL(28, 2)")]
    [InlineData("m", "/", "b", "DECIMAL(28, 20)")]
    [InlineData("n", "+", "nn", "DECIMAL(11, 0) NOT NULL")]
    [InlineData("nn", "+", "nn", "INT NOT NULL")]
    [InlineData("d", "*", "m", "DOUBLE")]
    public void Arithmetic_ResultType_FollowsFlink(string left, string op, string right, string expected)
    {
        var result = BoundExpressions.Arithmetic(Operator(op), F(left), F(right));

        result.Type.ShouldBe(DataType.Parse(expected));
    }

    [Theory]
    [InlineData("i", "b", "BIGINT")]
    [InlineData("i", "m", "DECIMAL(12, 2)")]
    [InlineData("m", "d", "DOUBLE")]
    [InlineData("t", "dt", "TIMESTAMP(3)")]
    [InlineData("s", "s", "VARCHAR")]
    public void Comparison_OperandsCastToCommonType(string left, string right, string common)
    {
        var comparison = (ComparisonExpression)BoundExpressions.Compare(ComparisonOperator.Less, F(left), F(right));

        comparison.Left.Type.WithNullability(true).ShouldBe(DataType.Parse(common));
        comparison.Right.Type.WithNullability(true).ShouldBe(DataType.Parse(common));
        comparison.Type.ShouldBe(DataType.Boolean);
    }

    [Fact]
    public void Comparison_ImplicitCast_IsExplicitNode()
    {
        var comparison = (ComparisonExpression)BoundExpressions.Compare(ComparisonOperator.Equal, F("i"), F("b"));

        comparison.Left.ShouldBeOfType<CastExpression>().Operand.ShouldBeOfType<InputReference>().Name.ShouldBe("i");
        comparison.Right.ShouldBeOfType<InputReference>();
    }

    [Theory]
    [InlineData("s", "i")]
    [InlineData("t", "ltz")]
    [InlineData("dt", "i")]
    public void Comparison_Incompatible_NamesBothTypes(string left, string right)
    {
        var error = Should.Throw<SqlException>(() => BoundExpressions.Compare(ComparisonOperator.Equal, F(left), F(right), new SqlPosition(7, 1, 8)));

        error.Message.ShouldBe(
            $"1:8: The operator '=' cannot be applied to {s_input[s_input.IndexOf(left)].Type} and {s_input[s_input.IndexOf(right)].Type}; CAST one operand to the other's type.");
    }

    [Fact]
    public void Arithmetic_StringAndNumber_IsError()
    {
        var error = Should.Throw<SqlException>(() => BoundExpressions.Arithmetic(ArithmeticOperator.Add, F("s"), F("i")));

        error.Message.ShouldBe("The operator '+' cannot be applied to VARCHAR and INT; CAST one operand to the other's type.");
    }

    [Fact]
    public void Concat_OnStrings_ResolvesConcat()
    {
        var concat = BoundExpressions.Call(BuiltIns, "CONCAT", [F("s"), Lit("x")]);

        concat.Type.ShouldBe(DataType.Varchar);
    }

    [Fact]
    public void TimestampPlusInterval_KeepsType()
    {
        var plus = BoundExpressions.Arithmetic(ArithmeticOperator.Add, F("t"), BoundExpressions.Interval(90_000, IntervalKind.DayToSecond));
        var before = BoundExpressions.Arithmetic(ArithmeticOperator.Add, BoundExpressions.Interval(2, IntervalKind.YearToMonth), F("t"));

        plus.Type.ShouldBe(DataType.Timestamp(3));
        before.Type.ShouldBe(DataType.Timestamp(3));
        var row = Row.Of(s_input, null, null, null, null, null, 1m, null, new DateTime(2026, 1, 31, 10, 0, 0), null, null, 1);
        Eval(plus, row).ShouldBe(new DateTime(2026, 1, 31, 10, 1, 30));
        Eval(before, row).ShouldBe(new DateTime(2026, 3, 31, 10, 0, 0));
    }

    [Fact]
    public void IntervalOutsideTemporalArithmetic_IsError()
    {
        var error = Should.Throw<SqlException>(() => BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, F("i"), BoundExpressions.Interval(1, IntervalKind.DayToSecond)));

        error.Message.ShouldContain("INTERVAL DAY TO SECOND");
        Should.Throw<SqlException>(() => BoundExpressions.Compare(ComparisonOperator.Equal, F("i"), BoundExpressions.Interval(1, IntervalKind.YearToMonth)))
            .Message.ShouldContain("intervals only add to or subtract from dates and timestamps");
    }

    [Theory]
    [InlineData("INT", "BIGINT", true)]
    [InlineData("BIGINT", "INT", false)]
    [InlineData("INT", "DECIMAL(10, 0)", true)]
    [InlineData("INT", "DECIMAL(9, 0)", false)]
    [InlineData("DECIMAL(5, 2)", "DECIMAL(7, 3)", true)]
    [InlineData("DECIMAL(5, 2)", "DECIMAL(7, 1)", false)]
    [InlineData("DATE", "TIMESTAMP(3)", true)]
    [InlineData("VARCHAR", "INT", false)]
    [InlineData("INT", "VARCHAR", false)]
    public void CanImplicitlyCast_Table(string from, string to, bool expected)
    {
        SqlTypeRules.CanImplicitlyCast(DataType.Parse(from), DataType.Parse(to)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("VARCHAR", "INT", true)]
    [InlineData("INT", "VARCHAR", true)]
    [InlineData("BIGINT", "TIMESTAMP(3)", false)]
    [InlineData("BOOLEAN", "INT", true)]
    [InlineData("TIMESTAMP(3)", "TIMESTAMP_LTZ(3)", true)]
    [InlineData("BYTES", "INT", false)]
    [InlineData("ARRAY<INT>", "VARCHAR", true)]
    [InlineData("VARCHAR", "ARRAY<INT>", false)]
    public void CanCast_Table(string from, string to, bool expected)
    {
        SqlTypeRules.CanCast(DataType.Parse(from), DataType.Parse(to)).ShouldBe(expected);
    }

    [Fact]
    public void Cast_NotAllowed_NamesBothTypesAndFix()
    {
        var error = Should.Throw<SqlException>(() => BoundExpressions.Cast(F("b"), DataType.Timestamp(3)));

        error.Message.ShouldBe("CAST from BIGINT to TIMESTAMP(3) is not supported; use TO_TIMESTAMP_LTZ(epoch, precision) to read a number as an instant.");
    }

    [Fact]
    public void Case_ResultsWidenAndNullability()
    {
        var @case = BoundExpressions.Case([F("nn").Type.IsNullable ? Lit(true) : Lit(true)], [F("nn")], Lit(2.5m));

        @case.Type.ShouldBe(DataType.Parse("DECIMAL(11, 1) NOT NULL"));
        BoundExpressions.Case([Lit(true)], [F("nn")]).Type.ShouldBe(DataType.Int);
    }

    [Fact]
    public void Coalesce_NotNullWhenAnyItemIs()
    {
        BoundExpressions.Coalesce([F("i"), F("nn")]).Type.ShouldBe(DataType.Int.NotNull());
        BoundExpressions.Coalesce([F("i"), F("b")]).Type.ShouldBe(DataType.BigInt);
    }

    [Fact]
    public void UntypedNull_TakesOtherType()
    {
        BoundExpressions.Arithmetic(ArithmeticOperator.Add, F("nn"), Lit(null)).Type.ShouldBe(DataType.Int);
        Should.Throw<SqlException>(() => BoundExpressions.Coalesce([Lit(null), Lit(null)])).Message.ShouldContain("CAST one of them");
    }

    [Fact]
    public void FieldAccess_UnknownField_ListsClosest()
    {
        var nested = Schema.Parse("r ROW<price INT, name STRING>");
        var error = Should.Throw<SqlException>(() => BoundExpressions.FieldAccess(BoundExpressions.Field(nested, "r"), "prize"));

        error.Message.ShouldBe("The ROW ROW<price INT, name VARCHAR> has no field 'prize'. Did you mean 'price'?");
    }

    [Fact]
    public void Field_UnknownColumn_ListsClosest()
    {
        var error = Should.Throw<SqlException>(() => BoundExpressions.Field(s_input, "ltx", new SqlPosition(0, 1, 1)));

        error.Message.ShouldBe("1:1: Column 'ltx' not found. Did you mean 'ltz'?");
    }

    private static ArithmeticOperator Operator(string op) => op switch
    {
        "+" => ArithmeticOperator.Add,
        "-" => ArithmeticOperator.Subtract,
        "*" => ArithmeticOperator.Multiply,
        "/" => ArithmeticOperator.Divide,
        _ => ArithmeticOperator.Modulo,
    };
}
