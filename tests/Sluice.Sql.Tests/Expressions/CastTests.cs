using Sluice.Schemas;
using Sluice.Sql.Expressions;
using static Sluice.Sql.Tests.Expressions.Sql;

namespace Sluice.Sql.Tests.Expressions;

public sealed class CastTests
{
    [Theory]
    [InlineData(" 42 ", "INT", 42)]
    [InlineData("-7", "BIGINT", -7L)]
    [InlineData("1.5", "DOUBLE", 1.5)]
    [InlineData("TRUE", "BOOLEAN", true)]
    [InlineData("false", "BOOLEAN", false)]
    public void Cast_FromString_Parses(string text, string type, object expected)
    {
        Eval(BoundExpressions.Cast(Lit(text), DataType.Parse(type))).ShouldBe(expected);
    }

    [Fact]
    public void Cast_StringToDecimalAndTemporal()
    {
        Eval(BoundExpressions.Cast(Lit("3.14159"), DataType.Decimal(5, 2))).ShouldBe(3.14m);
        Eval(BoundExpressions.Cast(Lit("2026-12-05"), DataType.Date)).ShouldBe(new DateOnly(2026, 12, 5));
        Eval(BoundExpressions.Cast(Lit("2026-12-05 10:11:12.345678"), DataType.Timestamp(3))).ShouldBe(new DateTime(2026, 12, 5, 10, 11, 12, 345));
        Eval(BoundExpressions.Cast(Lit("10:11:12"), DataType.Time(0))).ShouldBe(new TimeOnly(10, 11, 12));
    }

    [Fact]
    public void Cast_Failure_NamesValueAndType()
    {
        var error = Should.Throw<SqlEvaluationException>(() => Eval(BoundExpressions.Cast(Lit("abc"), DataType.Int, position: new SqlPosition(7, 1, 8))));

        error.Message.ShouldBe("1:8: CAST of 'abc' to INT failed: the value does not convert; use TRY_CAST to get NULL instead.");
    }

    [Fact]
    public void TryCast_Failure_GivesNullAndNullableType()
    {
        var cast = BoundExpressions.Cast(Lit("abc"), DataType.Int, isTry: true);

        cast.Type.ShouldBe(DataType.Int);
        Eval(cast).ShouldBeNull();
        Eval(BoundExpressions.Cast(Lit("12"), DataType.Int, isTry: true)).ShouldBe(12);
    }

    [Fact]
    public void Cast_DecimalOverflow_FailsOrNull()
    {
        Should.Throw<SqlEvaluationException>(() => Eval(BoundExpressions.Cast(Lit(123.45m), DataType.Decimal(4, 2))));
        Eval(BoundExpressions.Cast(Lit(123.45m), DataType.Decimal(4, 2), isTry: true)).ShouldBeNull();
        Eval(BoundExpressions.Cast(Lit(123.456m), DataType.Decimal(5, 1))).ShouldBe(123.5m);
    }

    [Fact]
    public void Cast_Numbers_JavaSemantics()
    {
        Eval(BoundExpressions.Cast(Lit(3.99), DataType.Int)).ShouldBe(3);
        Eval(BoundExpressions.Cast(Lit(-3.99m), DataType.Int)).ShouldBe(-3);
        Eval(BoundExpressions.Cast(Lit(1e20), DataType.Int)).ShouldBe(int.MaxValue);
        Eval(BoundExpressions.Cast(Lit(4_294_967_297L), DataType.Int)).ShouldBe(1);
        Eval(BoundExpressions.Cast(Lit(0), DataType.Boolean)).ShouldBe(false);
        Eval(BoundExpressions.Cast(Lit(true), DataType.Int)).ShouldBe(1);
    }

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(1.5, "1.5")]
    [InlineData(1e10, "1.0E10")]
    [InlineData(0.0001, "1.0E-4")]
    public void Cast_DoubleToString_JavaForm(double value, string expected)
    {
        Eval(BoundExpressions.Cast(Lit(value), DataType.Varchar)).ShouldBe(expected);
    }

    [Fact]
    public void Cast_ToString_FlinkForms()
    {
        Eval(BoundExpressions.Cast(Lit(1.50m), DataType.Varchar)).ShouldBe("1.50");
        Eval(BoundExpressions.Cast(Lit(true), DataType.Varchar)).ShouldBe("TRUE");
        Eval(BoundExpressions.Cast(Lit(new DateTime(2026, 12, 5, 1, 2, 3, 40)), DataType.Varchar)).ShouldBe("2026-12-05 01:02:03.040");
        Eval(BoundExpressions.Cast(Lit(new DateOnly(2026, 12, 5)), DataType.Varchar)).ShouldBe("2026-12-05");
        Eval(BoundExpressions.Cast(Typed(new object?[] { 1, null }, "ARRAY<INT>"), DataType.Varchar)).ShouldBe("[1, NULL]");
    }

    [Fact]
    public void Cast_TimestampAndLtz_ThroughSessionZone()
    {
        var paris = new SqlEvaluationContext(TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"), TimeProvider.System);
        var instant = new DateTimeOffset(2026, 7, 1, 10, 0, 0, TimeSpan.Zero);

        Eval(BoundExpressions.Cast(Lit(instant), DataType.Timestamp(3)), context: paris).ShouldBe(new DateTime(2026, 7, 1, 12, 0, 0));
        Eval(BoundExpressions.Cast(Lit(new DateTime(2026, 7, 1, 12, 0, 0)), DataType.TimestampLtz(3)), context: paris).ShouldBe(instant);
        Eval(BoundExpressions.Cast(Lit(instant), DataType.Varchar), context: paris).ShouldBe("2026-07-01 12:00:00.000");
    }

    [Fact]
    public void Cast_TimestampPrecision_Truncates()
    {
        Eval(BoundExpressions.Cast(Typed(new DateTime(2026, 1, 1, 0, 0, 1, 999), "TIMESTAMP(3)"), DataType.Timestamp(0))).ShouldBe(new DateTime(2026, 1, 1, 0, 0, 1));
    }

    [Fact]
    public void Cast_Null_StaysNull()
    {
        Eval(BoundExpressions.Cast(Typed(null, "VARCHAR"), DataType.Int)).ShouldBeNull();
        BoundExpressions.Cast(Lit(null), DataType.Int).Type.ShouldBe(DataType.Int);
    }
}
