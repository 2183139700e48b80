using Sluice.Schemas;
using Sluice.Sql.Syntax;
using static Sluice.Sql.Tests.Syntax.Ast;

namespace Sluice.Sql.Tests.Syntax;

public sealed class SqlParserExpressionTests
{
    [Fact]
    public void ParseExpression_AndOrNot_FollowPrecedence()
    {
        var expression = SqlParser.ParseExpression("NOT a OR b AND c = 1");

        expression.ShouldBe(Bin(SqlBinaryOperator.Or,
            new SqlUnaryExpression(SqlUnaryOperator.Not, Id("a"), P),
            Bin(SqlBinaryOperator.And, Id("b"), Bin(SqlBinaryOperator.Equal, Id("c"), Int("1")))));
    }

    [Fact]
    public void ParseExpression_Arithmetic_MultiplicationAndConcatBindTighter()
    {
        var expression = SqlParser.ParseExpression("-a + b * c || d - e % 2");

        expression.ShouldBe(Bin(SqlBinaryOperator.Subtract,
            Bin(SqlBinaryOperator.Add,
                new SqlUnaryExpression(SqlUnaryOperator.Negate, Id("a"), P),
                Bin(SqlBinaryOperator.Concat, Bin(SqlBinaryOperator.Multiply, Id("b"), Id("c")), Id("d"))),
            Bin(SqlBinaryOperator.Modulo, Id("e"), Int("2"))));
    }

    [Theory]
    [InlineData("a = b", SqlBinaryOperator.Equal)]
    [InlineData("a <> b", SqlBinaryOperator.NotEqual)]
    [InlineData("a != b", SqlBinaryOperator.NotEqual)]
    [InlineData("a < b", SqlBinaryOperator.Less)]
    [InlineData("a <= b", SqlBinaryOperator.LessOrEqual)]
    [InlineData("a > b", SqlBinaryOperator.Greater)]
    [InlineData("a >= b", SqlBinaryOperator.GreaterOrEqual)]
    [InlineData("a IS DISTINCT FROM b", SqlBinaryOperator.IsDistinctFrom)]
    [InlineData("a IS NOT DISTINCT FROM b", SqlBinaryOperator.IsNotDistinctFrom)]
    public void ParseExpression_Comparison_GivesOperator(string sql, SqlBinaryOperator op)
    {
        SqlParser.ParseExpression(sql).ShouldBe(Bin(op, Id("a"), Id("b")));
    }

    [Theory]
    [InlineData("x IS NULL", SqlIsTest.Null, false)]
    [InlineData("x is not null", SqlIsTest.Null, true)]
    [InlineData("x IS TRUE", SqlIsTest.True, false)]
    [InlineData("x IS NOT FALSE", SqlIsTest.False, true)]
    [InlineData("x IS UNKNOWN", SqlIsTest.Unknown, false)]
    public void ParseExpression_IsTest_GivesTestAndNegation(string sql, SqlIsTest test, bool negated)
    {
        SqlParser.ParseExpression(sql).ShouldBe(new SqlIsExpression(Id("x"), test, negated, P));
    }

    [Fact]
    public void ParseExpression_BetweenSymmetricAndNotBetween_ReadBounds()
    {
        SqlParser.ParseExpression("t NOT BETWEEN SYMMETRIC a - 1 AND b").ShouldBe(
            new SqlBetweenExpression(Id("t"), Bin(SqlBinaryOperator.Subtract, Id("a"), Int("1")), Id("b"), true, true, P));
        SqlParser.ParseExpression("t BETWEEN a AND b AND c").ShouldBe(
            Bin(SqlBinaryOperator.And, new SqlBetweenExpression(Id("t"), Id("a"), Id("b"), false, false, P), Id("c")));
    }

    [Fact]
    public void ParseExpression_InListAndSubquery_AreDistinguished()
    {
        SqlParser.ParseExpression("lower(c) NOT IN ('apple', 'google')").ShouldBe(
            new SqlInListExpression(Call("lower", Id("c")), List<SqlExpression>(Str("apple"), Str("google")), true, P));

        var inQuery = SqlParser.ParseExpression("id IN (SELECT seller FROM auction)").ShouldBeOfType<SqlInQueryExpression>();
        inQuery.Query.ShouldBeOfType<SqlSelect>().From.ShouldBe(new SqlNamedTable(Id("auction"), null, null, P));
    }

    [Fact]
    public void ParseExpression_LikeAndSimilar_ReadEscape()
    {
        SqlParser.ParseExpression("name NOT LIKE 'a!%%' ESCAPE '!'").ShouldBe(
            new SqlLikeExpression(Id("name"), Str("a!%%"), Str("!"), true, false, P));
        SqlParser.ParseExpression("name SIMILAR TO '[a-z]+'").ShouldBe(
            new SqlLikeExpression(Id("name"), Str("[a-z]+"), null, false, true, P));
    }

    [Fact]
    public void ParseExpression_CaseSimpleAndSearched_ReadWhens()
    {
        SqlParser.ParseExpression("CASE WHEN a = 0 THEN 'x' ELSE 'y' END").ShouldBe(new SqlCaseExpression(null,
            List(new SqlWhenClause(Bin(SqlBinaryOperator.Equal, Id("a"), Int("0")), Str("x"), P)), Str("y"), P));
        SqlParser.ParseExpression("CASE a WHEN 1 THEN 2 WHEN 3 THEN 4 END").ShouldBe(new SqlCaseExpression(Id("a"),
            List(new SqlWhenClause(Int("1"), Int("2"), P), new SqlWhenClause(Int("3"), Int("4"), P)), null, P));
    }

    [Fact]
    public void ParseExpression_CastAndTryCast_UseCoreTypes()
    {
        SqlParser.ParseExpression("CAST(price AS DECIMAL(23, 3))").ShouldBe(new SqlCastExpression(Id("price"), DataType.Decimal(23, 3), false, P));
        SqlParser.ParseExpression("try_cast(s AS TIMESTAMP(3) NOT NULL)").ShouldBe(new SqlCastExpression(Id("s"), DataType.Timestamp(3).NotNull(), true, P));
        SqlParser.ParseExpression("CAST(r AS ROW<a INT, `b c` ARRAY<STRING>>)").ShouldBe(new SqlCastExpression(Id("r"),
            DataType.Row(new Field("a", DataType.Int), new Field("b c", DataType.Array(DataType.Varchar))), false, P));
    }

    [Fact]
    public void ParseExpression_ExtractAndTrim_ReadSpecialSyntax()
    {
        SqlParser.ParseExpression("EXTRACT(HOUR FROM ts)").ShouldBe(new SqlExtractExpression(SqlTimeUnit.Hour, Id("ts"), P));
        SqlParser.ParseExpression("TRIM(LEADING 'x' FROM s)").ShouldBe(new SqlTrimExpression(SqlTrimMode.Leading, Str("x"), Id("s"), P));
        SqlParser.ParseExpression("TRIM(s)").ShouldBe(new SqlTrimExpression(SqlTrimMode.Both, null, Id("s"), P));
    }

    [Fact]
    public void ParseExpression_SubstringAndPosition_BecomePlainCalls()
    {
        SqlParser.ParseExpression("SUBSTRING(s FROM 2 FOR 3)").ShouldBe(Call("SUBSTRING", Id("s"), Int("2"), Int("3")));
        SqlParser.ParseExpression("POSITION('a' IN s)").ShouldBe(Call("POSITION", Str("a"), Id("s")));
    }

    [Fact]
    public void ParseExpression_FloorAndCeilToUnit_BecomeCallsWithTheUnitAsABareName()
    {
        SqlParser.ParseExpression("FLOOR(ts TO minute)").ShouldBe(Call("FLOOR", Id("ts"), Id("MINUTE")));
        SqlParser.ParseExpression("CEIL(ts TO HOUR)").ShouldBe(Call("CEIL", Id("ts"), Id("HOUR")));
        SqlParser.ParseExpression("FLOOR(x)").ShouldBe(Call("FLOOR", Id("x")));
    }

    [Fact]
    public void ParseExpression_Literals_HaveKinds()
    {
        SqlParser.ParseExpression("0.908").ShouldBe(new SqlNumberLiteral("0.908", SqlNumberKind.Decimal, P));
        SqlParser.ParseExpression("1e3").ShouldBe(new SqlNumberLiteral("1e3", SqlNumberKind.Approximate, P));
        SqlParser.ParseExpression("'it''s'").ShouldBe(Str("it's"));
        SqlParser.ParseExpression("x'0aff'").ShouldBe(new SqlBinaryLiteral("0AFF", P));
        SqlParser.ParseExpression("TRUE").ShouldBe(new SqlBooleanLiteral(true, P));
        SqlParser.ParseExpression("false").ShouldBe(new SqlBooleanLiteral(false, P));
        SqlParser.ParseExpression("UNKNOWN").ShouldBe(new SqlBooleanLiteral(null, P));
        SqlParser.ParseExpression("NULL").ShouldBe(new SqlNullLiteral(P));
        SqlParser.ParseExpression("DATE '2024-01-31'").ShouldBe(new SqlDateTimeLiteral(SqlDateTimeKind.Date, "2024-01-31", P));
        SqlParser.ParseExpression("TIME '12:30:00.123'").ShouldBe(new SqlDateTimeLiteral(SqlDateTimeKind.Time, "12:30:00.123", P));
        SqlParser.ParseExpression("TIMESTAMP '2024-01-31 12:30:00'").ShouldBe(new SqlDateTimeLiteral(SqlDateTimeKind.Timestamp, "2024-01-31 12:30:00", P));
        SqlParser.ParseExpression("TIMESTAMP_LTZ '2024-01-31 12:30:00.000000001'").ShouldBe(new SqlDateTimeLiteral(SqlDateTimeKind.TimestampLtz, "2024-01-31 12:30:00.000000001", P));
    }

    [Theory]
    [InlineData("INTERVAL '10' SECOND", 0L, 100_000_000L)]
    [InlineData("INTERVAL '1.5' SECOND", 0L, 15_000_000L)]
    [InlineData("INTERVAL '2' DAY", 0L, 1_728_000_000_000L)]
    [InlineData("INTERVAL '1:30' MINUTE TO SECOND", 0L, 900_000_000L)]
    [InlineData("INTERVAL '1 02:03:04.5' DAY TO SECOND", 0L, 937_845_000_000L)]
    [InlineData("INTERVAL '10:30' HOUR TO MINUTE", 0L, 378_000_000_000L)]
    [InlineData("INTERVAL '-5' MINUTE", 0L, -3_000_000_000L)]
    [InlineData("INTERVAL -'5' MINUTE", 0L, -3_000_000_000L)]
    [InlineData("INTERVAL '3' YEAR", 36L, 0L)]
    [InlineData("INTERVAL '1-6' YEAR TO MONTH", 18L, 0L)]
    [InlineData("INTERVAL '7' MONTH", 7L, 0L)]
    public void ParseExpression_Interval_CarriesMonthsOrTicks(string sql, long months, long ticks)
    {
        var interval = SqlParser.ParseExpression(sql).ShouldBeOfType<SqlIntervalLiteral>();

        interval.Months.ShouldBe(months);
        interval.Time.Ticks.ShouldBe(ticks);
    }

    [Fact]
    public void ParseExpression_Calls_ReadStarDistinctFilterAndOver()
    {
        SqlParser.ParseExpression("count(*)").ShouldBe(Call("count", new SqlStar(SqlList<string>.Empty, P)));
        SqlParser.ParseExpression("count(distinct bidder) filter (where price < 10000)").ShouldBe(new SqlFunctionCall(Id("count"),
            List<SqlExpression>(Id("bidder")), true, Bin(SqlBinaryOperator.Less, Id("price"), Int("10000")), null, false, P));

        var over = SqlParser.ParseExpression("AVG(Q.price) OVER (PARTITION BY Q.seller ORDER BY Q.`dateTime` DESC NULLS LAST ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)")
            .ShouldBeOfType<SqlFunctionCall>().Over.ShouldNotBeNull();
        over.ShouldBe(new SqlWindowSpecification(null, false, List<SqlExpression>(Id("Q", "seller")),
            List(new SqlOrderItem(Id("Q", "dateTime"), true, false, P)),
            new SqlWindowFrame(SqlFrameUnit.Rows, new SqlFrameBound(SqlFrameBoundKind.Preceding, Int("10"), P), new SqlFrameBound(SqlFrameBoundKind.CurrentRow, null, P), P), P));

        SqlParser.ParseExpression("sum(x) OVER w").ShouldBeOfType<SqlFunctionCall>().Over.ShouldBe(
            new SqlWindowSpecification("w", true, SqlList<SqlExpression>.Empty, SqlList<SqlOrderItem>.Empty, null, P));
        SqlParser.ParseExpression("sum(x) OVER (ORDER BY ts RANGE INTERVAL '1' HOUR PRECEDING)").ShouldBeOfType<SqlFunctionCall>()
            .Over!.Frame!.Start.Offset.ShouldBeOfType<SqlIntervalLiteral>().Time.ShouldBe(TimeSpan.FromHours(1));
    }

    [Fact]
    public void ParseExpression_NiladicAndQualifiedFunctions_AreCalls()
    {
        SqlParser.ParseExpression("current_timestamp").ShouldBe(new SqlFunctionCall(Id("CURRENT_TIMESTAMP"), SqlList<SqlExpression>.Empty, false, null, null, true, P));
        SqlParser.ParseExpression("PROCTIME()").ShouldBe(Call("PROCTIME"));
        SqlParser.ParseExpression("cat.db.f(1)").ShouldBe(new SqlFunctionCall(Id("cat", "db", "f"), List<SqlExpression>(Int("1")), false, null, null, false, P));
    }

    [Fact]
    public void ParseExpression_Constructors_AndAccess()
    {
        SqlParser.ParseExpression("ARRAY[1, 2][1]").ShouldBe(new SqlItemExpression(new SqlArrayConstructor(List<SqlExpression>(Int("1"), Int("2")), P), Int("1"), P));
        SqlParser.ParseExpression("MAP['k', 1]['k']").ShouldBe(new SqlItemExpression(new SqlMapConstructor(List<SqlExpression>(Str("k"), Int("1")), P), Str("k"), P));
        SqlParser.ParseExpression("ROW(a, 'b')").ShouldBe(new SqlRowConstructor(List<SqlExpression>(Id("a"), Str("b")), P));
        SqlParser.ParseExpression("(a, b)").ShouldBe(new SqlRowConstructor(List<SqlExpression>(Id("a"), Id("b")), P));
        SqlParser.ParseExpression("person.`dateTime`").ShouldBe(Id("person", "dateTime"));
        SqlParser.ParseExpression("f(x).name").ShouldBe(new SqlFieldAccess(Call("f", Id("x")), "name", P));
        SqlParser.ParseExpression("(r).a.b").ShouldBe(new SqlFieldAccess(new SqlFieldAccess(Id("r"), "a", P), "b", P));
    }

    [Fact]
    public void ParseExpression_WindowTableFunctionArguments_ReadTableDescriptorAndNames()
    {
        var gap = new SqlIntervalLiteral("5", false, SqlTimeUnit.Minute, null, 0, TimeSpan.FromMinutes(5), P);

        SqlParser.ParseExpression("SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '5' MINUTES)").ShouldBe(Call("SESSION",
            new SqlTableArgument(Id("bid"), List<SqlExpression>(Id("bidder")), P), new SqlDescriptor(List("ts"), P), gap));
        SqlParser.ParseExpression("SESSION(DATA => TABLE bid PARTITION BY (a, b), TIMECOL => DESCRIPTOR(ts), GAP => INTERVAL '5' MINUTE)").ShouldBe(Call("SESSION",
            new SqlNamedArgument("DATA", new SqlTableArgument(Id("bid"), List<SqlExpression>(Id("a"), Id("b")), P), P),
            new SqlNamedArgument("TIMECOL", new SqlDescriptor(List("ts"), P), P),
            new SqlNamedArgument("GAP", gap, P)));
    }

    [Fact]
    public void ParseExpression_SubqueriesAndExists_AreExpressions()
    {
        SqlParser.ParseExpression("EXISTS (SELECT 1)").ShouldBeOfType<SqlExistsExpression>();
        SqlParser.ParseExpression("(SELECT max(price) FROM bid) + 1").ShouldBeOfType<SqlBinaryExpression>().Left.ShouldBeOfType<SqlSubqueryExpression>();
    }

    [Fact]
    public void ParseExpression_Positions_PointAtConstructs()
    {
        var expression = SqlParser.ParseExpression("a +\n  f(b)").ShouldBeOfType<SqlBinaryExpression>();

        expression.Position.ToString().ShouldBe("1:3");
        expression.Left.Position.ToString().ShouldBe("1:1");
        expression.Right.Position.ToString().ShouldBe("2:3");
        ((SqlFunctionCall)expression.Right).Arguments[0].Position.ToString().ShouldBe("2:5");
    }

    [Fact]
    public void Equals_SameTreeDifferentPositions_IsEqual()
    {
        var first = SqlParser.ParseExpression("a + f(b)");
        var second = SqlParser.ParseExpression("  a   +\n f( b )");

        second.ShouldBe(first);
        second.GetHashCode().ShouldBe(first.GetHashCode());
        SqlParser.ParseExpression("a + f(c)").ShouldNotBe(first);
    }
}
