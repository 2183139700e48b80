using Sluice.Schemas;
using Sluice.Sql.Expressions;
using static Sluice.Sql.Tests.Expressions.Sql;

namespace Sluice.Sql.Tests.Expressions;

public sealed class MathAndTemporalFunctionTests
{
    private static readonly DateTime s_at = new(2026, 12, 5, 13, 45, 30, 250);

    [Fact]
    public void Abs_KeepsArgumentType()
    {
        Fn("ABS", -3).ShouldBe(3);
        Fn("ABS", -3L).ShouldBe(3L);
        Fn("ABS", -1.5).ShouldBe(1.5);
        Fn("ABS", -1.25m).ShouldBe(1.25m);
        Call("ABS", -1.25m).Type.ShouldBe(DataType.Parse("DECIMAL(3, 2) NOT NULL"));
        Fn("ABS", [null]).ShouldBeNull();
    }

    [Fact]
    public void Mod_IsRemainderWithDividendSign()
    {
        Fn("MOD", 7, 3).ShouldBe(1);
        Fn("MOD", -7, 3).ShouldBe(-1);
        Fn("MOD", 7, null).ShouldBeNull();
    }

    [Fact]
    public void Round_HalfAwayFromZero()
    {
        Fn("ROUND", 2.5).ShouldBe(3.0);
        Fn("ROUND", -2.5).ShouldBe(-3.0);
        Fn("ROUND", 1.2345m, 2).ShouldBe(1.23m);
        Fn("ROUND", 1.235m, 2).ShouldBe(1.24m);
        Fn("ROUND", 1234.5, -2).ShouldBe(1200.0);
        Fn("ROUND", 15, -1).ShouldBe(20);
    }

    [Fact]
    public void FloorAndCeil_Numbers()
    {
        Fn("FLOOR", -1.5).ShouldBe(-2.0);
        Fn("CEIL", -1.5).ShouldBe(-1.0);
        Fn("FLOOR", 2.75m).ShouldBe(2m);
        Call("FLOOR", 2.75m).Type.ShouldBe(DataType.Parse("DECIMAL(2, 0) NOT NULL"));
        Fn("CEIL", 7).ShouldBe(7);
    }

    [Fact]
    public void PowerSqrtLogExp_Double()
    {
        Fn("POWER", 2, 10).ShouldBe(1024.0);
        Fn("SQRT", 16).ShouldBe(4.0);
        Fn("LN", 1).ShouldBe(0.0);
        Fn("LOG10", 1000).ShouldBe(3.0);
        Fn("LOG", 2, 8).ShouldBe(3.0);
        Fn("EXP", 0).ShouldBe(1.0);
        ((double)Fn("SQRT", -1)!).ShouldBe(double.NaN);
        Fn("POWER", null, 2).ShouldBeNull();
    }

    [Fact]
    public void Rand_IsNotFoldedAndInRange()
    {
        var rand = Call("RAND");
        rand.IsDeterministic.ShouldBeFalse();
        BoundExpressions.Fold(rand).ShouldBeSameAs(rand);
        ((double)Eval(rand)!).ShouldBeInRange(0.0, 1.0);
    }

    [Fact]
    public void DateFormat_JavaPattern()
    {
        Fn("DATE_FORMAT", s_at, "yyyy-MM-dd HH:mm:ss.SSS").ShouldBe("2026-12-05 13:45:30.250");
        Fn("DATE_FORMAT", s_at, "yyyy/MM/dd'T'HH").ShouldBe("2026/12/05T13");
        Fn("DATE_FORMAT", "2026-12-05 13:45:30", "HH:mm").ShouldBe("13:45");
        Fn("DATE_FORMAT", null, "HH:mm").ShouldBeNull();
    }

    [Fact]
    public void ToTimestampAndToDate_ParseOrNull()
    {
        Fn("TO_TIMESTAMP", "2026-12-05 13:45:30").ShouldBe(new DateTime(2026, 12, 5, 13, 45, 30));
        Fn("TO_TIMESTAMP", "05/12/2026 13", "dd/MM/yyyy HH").ShouldBe(new DateTime(2026, 12, 5, 13, 0, 0));
        Fn("TO_TIMESTAMP", "not a time").ShouldBeNull();
        Call("TO_TIMESTAMP", "x").Type.ShouldBe(DataType.Timestamp(3));
        Fn("TO_DATE", "2026-12-05").ShouldBe(new DateOnly(2026, 12, 5));
        Fn("TO_DATE", "2026-13-05").ShouldBeNull();
    }

    [Fact]
    public void UnixTimeFunctions_UseSessionTimeZone()
    {
        var berlin = new SqlEvaluationContext(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), TimeProvider.System);
        Eval(Call("UNIX_TIMESTAMP", "1970-01-01 01:00:00"), context: berlin).ShouldBe(0L);
        Eval(Call("FROM_UNIXTIME", 0L), context: berlin).ShouldBe("1970-01-01 01:00:00");
        Eval(Call("FROM_UNIXTIME", 0L)).ShouldBe("1970-01-01 00:00:00");
    }

    [Fact]
    public void ToTimestampLtz_SecondsAndMillis()
    {
        Fn("TO_TIMESTAMP_LTZ", 1_000L, 0).ShouldBe(new DateTimeOffset(1970, 1, 1, 0, 16, 40, TimeSpan.Zero));
        Fn("TO_TIMESTAMP_LTZ", 1_500L, 3).ShouldBe(new DateTimeOffset(1970, 1, 1, 0, 0, 1, 500, TimeSpan.Zero));
        Fn("TO_TIMESTAMP_LTZ", 1_500L, 2).ShouldBeNull();
    }

    [Fact]
    public void FieldFunctions_OfTimestampAndDate()
    {
        Fn("YEAR", s_at).ShouldBe(2026L);
        Fn("QUARTER", s_at).ShouldBe(4L);
        Fn("MONTH", s_at).ShouldBe(12L);
        Fn("DAYOFMONTH", s_at).ShouldBe(5L);
        Fn("DAYOFWEEK", s_at).ShouldBe(7L); // 2026-12-05 is a Saturday; Sunday is 1.
        Fn("HOUR", s_at).ShouldBe(13L);
        Fn("MINUTE", s_at).ShouldBe(45L);
        Fn("SECOND", s_at).ShouldBe(30L);
        Fn("YEAR", new DateOnly(1999, 1, 2)).ShouldBe(1999L);
        Fn("HOUR", [null]).ShouldBeNull();
    }

    [Fact]
    public void Extract_UnitLiteral()
    {
        Fn("EXTRACT", "HOUR", s_at).ShouldBe(13L);
        Fn("EXTRACT", "DAY", new DateOnly(2026, 2, 3)).ShouldBe(3L);
    }

    [Fact]
    public void Extract_UnknownUnit_IsBindError()
    {
        var error = Should.Throw<SqlException>(() => Call("EXTRACT", "FORTNIGHT", s_at));
        error.Message.ShouldContain("time unit");
    }

    [Fact]
    public void FloorAndCeilToUnit_Timestamps()
    {
        Fn("FLOOR", s_at, "HOUR").ShouldBe(new DateTime(2026, 12, 5, 13, 0, 0));
        Fn("CEIL", s_at, "HOUR").ShouldBe(new DateTime(2026, 12, 5, 14, 0, 0));
        Fn("FLOOR", s_at, "MONTH").ShouldBe(new DateTime(2026, 12, 1));
        Fn("FLOOR", s_at, "WEEK").ShouldBe(new DateTime(2026, 11, 30));
        Fn("CEIL", new DateTime(2026, 12, 5, 13, 0, 0), "HOUR").ShouldBe(new DateTime(2026, 12, 5, 13, 0, 0));
    }

    [Fact]
    public void TimestampAddAndDiff()
    {
        Fn("TIMESTAMPADD", "DAY", 3, s_at).ShouldBe(s_at.AddDays(3));
        Fn("TIMESTAMPADD", "MONTH", 1, new DateTime(2026, 1, 31)).ShouldBe(new DateTime(2026, 2, 28));
        Fn("TIMESTAMPDIFF", "HOUR", new DateTime(2026, 1, 1), new DateTime(2026, 1, 2, 5, 0, 0)).ShouldBe(29);
        Fn("TIMESTAMPDIFF", "MONTH", new DateTime(2026, 1, 31), new DateTime(2026, 2, 28)).ShouldBe(0);
        Fn("TIMESTAMPDIFF", "MONTH", new DateTime(2026, 1, 15), new DateTime(2026, 3, 15)).ShouldBe(2);
    }

    [Fact]
    public void CurrentTimeFunctions_ReadContextClock()
    {
        var now = new DateTimeOffset(2026, 12, 5, 23, 30, 0, TimeSpan.Zero);
        var tokyo = new SqlEvaluationContext(TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"), new FixedClock(now));
        Eval(Call("CURRENT_TIMESTAMP"), context: tokyo).ShouldBe(now);
        Eval(Call("NOW"), context: tokyo).ShouldBe(now);
        Eval(Call("LOCALTIMESTAMP"), context: tokyo).ShouldBe(new DateTime(2026, 12, 6, 8, 30, 0));
        Eval(Call("CURRENT_DATE"), context: tokyo).ShouldBe(new DateOnly(2026, 12, 6));
        Call("PROCTIME").Type.ShouldBe(DataType.Parse("TIMESTAMP_LTZ(3) NOT NULL"));
        Call("CURRENT_TIMESTAMP").IsDeterministic.ShouldBeFalse();
    }

    [Fact]
    public void Json_ValueExistsQuery()
    {
        const string json = """{"a":{"b":[10,{"c":"x"}]},"n":null,"t":true}""";
        Fn("JSON_VALUE", json, "$.a.b[0]").ShouldBe("10");
        Fn("JSON_VALUE", json, "$.a.b[1].c").ShouldBe("x");
        Fn("JSON_VALUE", json, "$['t']").ShouldBe("true");
        Fn("JSON_VALUE", json, "$.a").ShouldBeNull();
        Fn("JSON_VALUE", json, "$.missing").ShouldBeNull();
        Fn("JSON_VALUE", "not json", "$.a").ShouldBeNull();
        Fn("JSON_EXISTS", json, "$.a.b[1]").ShouldBe(true);
        Fn("JSON_EXISTS", json, "$.n").ShouldBe(false);
        Fn("JSON_QUERY", json, "$.a.b").ShouldBe("""[10,{"c":"x"}]""");
        Fn("JSON_QUERY", json, "$.t").ShouldBeNull();
    }

    [Fact]
    public void JsonValue_Returning_ConvertsOrNull()
    {
        var number = BoundExpressions.JsonValue(BuiltIns, Lit("""{"a":"42"}"""), Lit("$.a"), DataType.Int);
        number.Type.ShouldBe(DataType.Int);
        Eval(number).ShouldBe(42);
        Eval(BoundExpressions.JsonValue(BuiltIns, Lit("""{"a":"x"}"""), Lit("$.a"), DataType.Int)).ShouldBeNull();
    }
}
