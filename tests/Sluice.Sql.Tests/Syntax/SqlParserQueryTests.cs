using Sluice.Sql.Syntax;
using static Sluice.Sql.Tests.Syntax.Ast;

namespace Sluice.Sql.Tests.Syntax;

public sealed class SqlParserQueryTests
{
    [Fact]
    public void ParseQuery_SelectWithEveryClause_ReadsThemInOrder()
    {
        var select = SqlParser.ParseQuery(
            "SELECT DISTINCT B.*, count(*) AS n, price p FROM bid B WHERE price > 10 GROUP BY bidder, TUMBLE(ts, INTERVAL '1' MINUTE) HAVING count(*) > 1 WINDOW w AS (PARTITION BY a)")
            .ShouldBeOfType<SqlSelect>();

        select.Distinct.ShouldBeTrue();
        select.Items.ShouldBe(List(
            new SqlSelectItem(new SqlStar(List("B"), P), null, P),
            new SqlSelectItem(Call("count", new SqlStar(SqlList<string>.Empty, P)), "n", P),
            new SqlSelectItem(Id("price"), "p", P)));
        select.From.ShouldBe(new SqlNamedTable(Id("bid"), null, new SqlTableAlias("B", SqlList<string>.Empty, P), P));
        select.Where.ShouldBe(Bin(SqlBinaryOperator.Greater, Id("price"), Int("10")));
        select.GroupBy.Count.ShouldBe(2);
        select.GroupBy[1].ShouldBeOfType<SqlFunctionCall>().Name.ShouldBe(Id("TUMBLE"));
        select.Having.ShouldNotBeNull();
        select.Windows.ShouldBe(List(new SqlNamedWindow("w",
            new SqlWindowSpecification(null, false, List<SqlExpression>(Id("a")), SqlList<SqlOrderItem>.Empty, null, P), P)));
    }

    [Fact]
    public void ParseQuery_WithCtesUnionOrderLimit_NestsAsWritten()
    {
        var query = SqlParser.ParseQuery("WITH a (x) AS (SELECT 1), b AS (SELECT 2) SELECT x FROM a UNION ALL SELECT * FROM b ORDER BY 1 DESC LIMIT 10")
            .ShouldBeOfType<SqlOrderedQuery>();

        query.OrderBy.ShouldBe(List(new SqlOrderItem(Int("1"), true, null, P)));
        query.Limit.ShouldBe(Int("10"));
        var with = query.Query.ShouldBeOfType<SqlWith>();
        with.Tables.Select(t => t.Name).ShouldBe(["a", "b"]);
        with.Tables[0].Columns.ShouldBe(List("x"));
        var union = with.Body.ShouldBeOfType<SqlSetOperation>();
        union.Operator.ShouldBe(SqlSetOperator.Union);
        union.All.ShouldBeTrue();
    }

    [Fact]
    public void ParseQuery_IntersectBindsTighterThanUnion()
    {
        var union = SqlParser.ParseQuery("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3").ShouldBeOfType<SqlSetOperation>();

        union.Operator.ShouldBe(SqlSetOperator.Union);
        union.Right.ShouldBeOfType<SqlSetOperation>().Operator.ShouldBe(SqlSetOperator.Intersect);
        SqlParser.ParseQuery("SELECT 1 MINUS SELECT 2").ShouldBeOfType<SqlSetOperation>().Operator.ShouldBe(SqlSetOperator.Except);
    }

    [Fact]
    public void ParseQuery_OffsetFetch_ReadAsOffsetAndLimit()
    {
        var query = SqlParser.ParseQuery("SELECT a FROM t ORDER BY a OFFSET 5 ROWS FETCH FIRST 3 ROWS ONLY").ShouldBeOfType<SqlOrderedQuery>();

        query.Offset.ShouldBe(Int("5"));
        query.Limit.ShouldBe(Int("3"));
    }

    [Fact]
    public void ParseQuery_Values_ReadsRows()
    {
        SqlParser.ParseQuery("VALUES (1, 'a'), (2, 'b')").ShouldBe(new SqlValues(List(List<SqlExpression>(Int("1"), Str("a")), List<SqlExpression>(Int("2"), Str("b"))), P));
    }

    [Theory]
    [InlineData("JOIN", SqlJoinType.Inner)]
    [InlineData("INNER JOIN", SqlJoinType.Inner)]
    [InlineData("LEFT JOIN", SqlJoinType.Left)]
    [InlineData("LEFT OUTER JOIN", SqlJoinType.Left)]
    [InlineData("RIGHT OUTER JOIN", SqlJoinType.Right)]
    [InlineData("FULL JOIN", SqlJoinType.Full)]
    // The parameter is object because SqlJoinType is internal and a public test method cannot name it.
    public void ParseQuery_JoinOn_GivesType(string join, object type)
    {
        var from = SqlParser.ParseQuery($"SELECT * FROM a {join} b ON a.id = b.id").ShouldBeOfType<SqlSelect>().From;

        from.ShouldBe(new SqlJoin((SqlJoinType)type, new SqlNamedTable(Id("a"), null, null, P), new SqlNamedTable(Id("b"), null, null, P),
            Bin(SqlBinaryOperator.Equal, Id("a", "id"), Id("b", "id")), SqlList<string>.Empty, P));
    }

    [Fact]
    public void ParseQuery_CommaCrossJoinUsingAndUnnest_NestLeftToRight()
    {
        var from = SqlParser.ParseQuery("SELECT * FROM a, b CROSS JOIN UNNEST(b.tags) WITH ORDINALITY AS t (tag, n) JOIN c USING (id)")
            .ShouldBeOfType<SqlSelect>().From.ShouldBeOfType<SqlJoin>();

        from.Type.ShouldBe(SqlJoinType.Inner);
        from.Using.ShouldBe(List("id"));
        var cross = from.Left.ShouldBeOfType<SqlJoin>();
        cross.Type.ShouldBe(SqlJoinType.Cross);
        cross.Right.ShouldBe(new SqlUnnest(List<SqlExpression>(Id("b", "tags")), true, new SqlTableAlias("t", List("tag", "n"), P), P));
        cross.Left.ShouldBeOfType<SqlJoin>().Type.ShouldBe(SqlJoinType.Comma);
    }

    [Fact]
    public void ParseQuery_LookupJoin_ReadsSystemTimeAndAlias()
    {
        var join = SqlParser.ParseQuery("SELECT * FROM (SELECT *, PROCTIME() as p_time FROM bid) B JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S ON mod(B.auction, 10000) = S.key")
            .ShouldBeOfType<SqlSelect>().From.ShouldBeOfType<SqlJoin>();

        join.Left.ShouldBeOfType<SqlDerivedTable>().Alias!.Name.ShouldBe("B");
        join.Right.ShouldBe(new SqlNamedTable(Id("side_input"), Id("B", "p_time"), new SqlTableAlias("S", SqlList<string>.Empty, P), P));
    }

    [Fact]
    public void ParseQuery_WindowTvfAndLateralTable_AreTableFunctions()
    {
        var tumble = SqlParser.ParseQuery("SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))")
            .ShouldBeOfType<SqlSelect>().From.ShouldBeOfType<SqlTableFunction>();
        tumble.Lateral.ShouldBeFalse();
        tumble.Call.Arguments[0].ShouldBe(new SqlTableArgument(Id("bid"), SqlList<SqlExpression>.Empty, P));
        tumble.Call.Arguments[1].ShouldBe(new SqlDescriptor(List("dateTime"), P));

        var lateral = SqlParser.ParseQuery("SELECT * FROM o LEFT JOIN LATERAL TABLE(split(tags)) AS t (tag) ON TRUE")
            .ShouldBeOfType<SqlSelect>().From.ShouldBeOfType<SqlJoin>().Right.ShouldBeOfType<SqlTableFunction>();
        lateral.Lateral.ShouldBeTrue();
        lateral.Alias.ShouldBe(new SqlTableAlias("t", List("tag"), P));
    }

    [Fact]
    public void ParseQuery_ParenthesizedJoin_IsNestedTableReference()
    {
        var join = SqlParser.ParseQuery("SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.y = b.y").ShouldBeOfType<SqlSelect>().From.ShouldBeOfType<SqlJoin>();

        join.Right.ShouldBeOfType<SqlJoin>().Left.ShouldBe(new SqlNamedTable(Id("b"), null, null, P));
    }

    [Fact]
    public void ParseQuery_NonReservedKeywords_AreNames()
    {
        var select = SqlParser.ParseQuery("SELECT key, final, `value`, window_start FROM t AS rows").ShouldBeOfType<SqlSelect>();

        select.Items.Select(i => ((SqlIdentifier)i.Expression).Name).ShouldBe(["key", "final", "value", "window_start"]);
        select.From.ShouldBeOfType<SqlNamedTable>().Alias!.Name.ShouldBe("rows");
    }
}
