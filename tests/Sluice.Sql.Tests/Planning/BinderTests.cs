using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Tests.Planning;

public sealed class BinderTests
{
    private static PlannedStatement Plan(string sql) => TestTables.Fixture().Plan(sql);

    [Fact]
    public void Plan_CommonTableExpression_IsExpandedWhereUsed()
    {
        var planned = Plan("WITH big AS (SELECT auction, price FROM bids WHERE price > 100) SELECT b.auction FROM big AS b");

        planned.Query!.Schema.ToString().ShouldBe("ROW<auction BIGINT>");
        planned.Query.Explain().ShouldContain("where=[(price > 100)]");
    }

    [Fact]
    public void Plan_View_IsExpandedFromItsStoredText()
    {
        var fixture = TestTables.Fixture();
        fixture.Run("CREATE VIEW expensive (a, p) AS SELECT auction, price FROM bids WHERE price > 100");

        var planned = fixture.Plan("SELECT a FROM expensive WHERE p < 200");

        planned.Query!.Explain().ShouldContain("where=[((price > 100) AND (price < 200))]");
    }

    [Fact]
    public void Plan_FloorToUnit_BindsTheUnitAsAConstantAndKeepsTheTimestampType()
    {
        var planned = Plan("SELECT FLOOR(ts TO MINUTE) AS m, CEIL(ts TO HOUR) AS h FROM bids");

        planned.Query!.Schema.ToString().ShouldBe("ROW<m TIMESTAMP(3), h TIMESTAMP(3)>");
    }

    [Fact]
    public void Plan_JoinUsing_StarListsTheMergedColumnOnceThenEachSidesOtherColumns()
    {
        var planned = Plan("SELECT * FROM bids AS b JOIN (SELECT id AS bidder, name FROM people) AS p USING (bidder)");

        CalcNode.FieldNames(planned.Query!.Schema).ShouldBe(["bidder", "auction", "price", "channel", "ts", "name"]);
    }

    [Fact]
    public void Plan_JoinUsing_BareNameIsTheMergedColumnAndQualifiedNamesReadTheSides()
    {
        var planned = Plan("SELECT bidder, b.bidder AS l, p.bidder AS r FROM bids AS b LEFT JOIN (SELECT id AS bidder, name FROM people) AS p USING (bidder)");

        planned.Query!.Schema.ToString().ShouldBe("ROW<bidder BIGINT, l BIGINT, r BIGINT>");
        planned.Query.Explain().ShouldContain("joinType=[LeftOuterJoin]");
    }

    [Fact]
    public void Plan_JoinUsingAColumnOneSideLacks_IsAnErrorNamingTheColumnAndSide()
    {
        var error = Should.Throw<SqlException>(() => Plan("SELECT * FROM bids AS b JOIN people AS p USING (bidder)"));

        error.Reason.ShouldStartWith("USING column 'bidder' is not a column of the right side of the join");
    }

    [Fact]
    public void Plan_InSubquery_IsASemiJoinOnTheOperandAndTheSubquerysColumn()
    {
        var explain = Plan("SELECT auction FROM bids WHERE auction IN (SELECT id FROM people) AND price > 1").Query!.Explain();

        explain.ShouldContain("joinType=[LeftSemiJoin]");
        explain.ShouldContain("(auction = id)");
    }

    [Fact]
    public void Plan_NotInOverNullableColumns_IsANullAwareAntiJoin()
    {
        var explain = Plan("SELECT auction FROM bids WHERE auction NOT IN (SELECT id FROM people)").Query!.Explain();

        explain.ShouldContain("joinType=[LeftAntiJoin]");
        explain.ShouldContain("auction IS NULL");
        explain.ShouldContain("id IS NULL");
    }

    [Fact]
    public void Plan_CorrelatedExists_JoinsOnTheSubquerysWhere()
    {
        var explain = Plan("SELECT b.auction FROM bids AS b WHERE NOT EXISTS (SELECT * FROM people AS p WHERE p.id = b.bidder)").Query!.Explain();

        explain.ShouldContain("joinType=[LeftAntiJoin]");
        explain.ShouldContain("(id = bidder)");
    }

    [Fact]
    public void Plan_InSubqueryOfTwoColumns_IsAnErrorCountingThem()
    {
        var error = Should.Throw<SqlException>(() => Plan("SELECT auction FROM bids WHERE auction IN (SELECT id, name FROM people)"));

        error.Reason.ShouldBe("The subquery of IN must return one column, but it returns 2.");
    }

    [Fact]
    public void Plan_QualifiedStar_ExpandsOneTable()
    {
        var planned = Plan("SELECT p.*, b.price FROM bids AS b JOIN people AS p ON b.bidder = p.id");

        CalcNode.FieldNames(planned.Query!.Schema).ShouldBe(["id", "name", "created", "pt", "price"]);
    }

    [Fact]
    public void Plan_RowFieldAccess_ReadsTheNestedField()
    {
        var fixture = TestTables.Fixture();
        fixture.Run("CREATE TABLE nested (r ROW<x BIGINT, y VARCHAR>) WITH ('connector' = 'datagen')");

        var planned = fixture.Plan("SELECT r.y, n.r.x FROM nested AS n");

        planned.Query!.Schema.ToString().ShouldBe("ROW<y VARCHAR, x BIGINT>");
    }

    [Fact]
    public void Plan_UnionAll_CastsBothInputsToTheCommonType()
    {
        var planned = Plan("SELECT CAST(price AS INT) AS v FROM bids UNION ALL SELECT id FROM people");

        planned.Query!.Schema.ToString().ShouldBe("ROW<v BIGINT>");
        planned.Query.ShouldBeOfType<UnionNode>();
    }

    [Fact]
    public void Plan_Values_TypesEachColumnByItsValues()
    {
        var planned = Plan("SELECT * FROM (VALUES (1, 'a'), (2000000000000, NULL)) AS t (n, s)");

        planned.Query!.Schema.ToString().ShouldBe("ROW<n BIGINT NOT NULL, s VARCHAR>");
    }

    [Fact]
    public void Plan_SelectDistinct_GroupsByEveryColumn()
    {
        var planned = Plan("SELECT DISTINCT auction, bidder FROM bids");

        planned.Query!.Explain().ShouldStartWith("GroupAggregate(groupBy=[auction, bidder], select=[auction, bidder])");
    }

    [Fact]
    public void Plan_Having_FiltersAboveTheAggregate()
    {
        var planned = Plan("SELECT auction FROM bids GROUP BY auction HAVING SUM(price) > 10");

        planned.Query!.Explain().ShouldStartWith("Calc(select=[auction], where=[(`EXPR$SUM` > 10)])\n+- GroupAggregate(groupBy=[auction], select=[auction, SUM(price) AS `EXPR$SUM`])");
    }

    [Fact]
    public void Plan_LegacyHopWindow_BecomesAWindowAggregateWithItsProperties()
    {
        var planned = Plan("""
            SELECT auction, HOP_START(ts, INTERVAL '1' SECOND, INTERVAL '5' SECOND) AS s, HOP_END(ts, INTERVAL '1' SECOND, INTERVAL '5' SECOND) AS e, COUNT(*) AS n
            FROM bids GROUP BY HOP(ts, INTERVAL '1' SECOND, INTERVAL '5' SECOND), auction
            """);

        planned.Query!.Explain().ShouldContain("WindowAggregate(groupBy=[auction], window=[HOP(time_col=[ts], size=[5 s], slide=[1 s])], select=[auction, COUNT(*) AS n, start('w$) AS window_start, end('w$) AS window_end])");
        planned.Query.Changelog.ShouldBe(ChangelogMode.InsertOnly);
    }

    [Fact]
    public void Plan_OverAggregateWithNamedWindow_BecomesAnOverAggregate()
    {
        var planned = Plan("SELECT auction, SUM(price) OVER w AS total FROM bids WINDOW w AS (PARTITION BY auction ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW)");

        planned.Query!.Explain().ShouldContain("OverAggregate(partitionBy=[auction], orderBy=[ts ASC], window=[RANGE BETWEEN 1 min PRECEDING AND CURRENT ROW], select=[auction, bidder, price, channel, ts, SUM(price) AS total])");
    }

    [Fact]
    public void Plan_LookupJoin_KeysOnTheComputedLeftExpression()
    {
        var planned = Plan("SELECT b.price, p.name FROM (SELECT *, PROCTIME() AS t FROM bids) AS b JOIN people FOR SYSTEM_TIME AS OF b.t AS p ON b.bidder + 1 = p.id");

        var text = planned.Query!.Explain();
        text.ShouldContain("LookupJoin(joinType=[InnerJoin], table=[people], where=[(`$f");
        text.ShouldContain("(bidder + 1) AS `$f");
    }

    [Fact]
    public void Plan_EventTimeTemporalJoin_IsNamedAsUnsupported()
    {
        var error = Should.Throw<SqlException>(() => Plan("SELECT * FROM bids AS b JOIN people FOR SYSTEM_TIME AS OF b.ts AS p ON b.bidder = p.id"));

        error.Message.ShouldBe("1:59: An event-time temporal join (FOR SYSTEM_TIME AS OF a rowtime attribute) is not supported yet.");
    }

    [Fact]
    public void Plan_StatementSet_PlansOneSinkPerInsert()
    {
        var planned = Plan("""
            EXECUTE STATEMENT SET BEGIN
              INSERT INTO printed SELECT auction, price FROM bids;
              INSERT INTO appended (n) SELECT price FROM bids;
            END
            """);

        planned.Sinks.Select(static s => s.Table.Name).ShouldBe(["printed", "appended"]);
        planned.Sinks[1].Explain().ShouldStartWith("Sink(table=[appended], fields=[a, n])\n+- Calc(select=[CAST(NULL AS BIGINT) AS a, price AS n])");
    }

    [Fact]
    public void Plan_CreateTableWithBadComputedColumn_IsRejectedNamingTheColumn()
    {
        var fixture = new PlanningFixture();

        var error = Should.Throw<SqlException>(() => fixture.Run("CREATE TABLE t (a BIGINT, b AS a + nope) WITH ('connector' = 'datagen')"));

        error.Message.ShouldBe("1:1: Computed column 'b' of table 't' is invalid: Column 'nope' not found in any table of the FROM clause. Did you mean 'a'?");
    }

    [Fact]
    public void IntervalBounds_AnyBetweenOfShiftedTimes_GivesTheShiftsAsBounds()
    {
        Gen.Select(Gen.Int[0, 3600], Gen.Int[0, 3600]).Sample((before, after) =>
        {
            var planned = Plan($"""
                SELECT a.price FROM bids AS a JOIN bids AS b
                ON a.auction = b.auction AND a.ts BETWEEN b.ts - INTERVAL '{before}' SECOND AND b.ts + INTERVAL '{after}' SECOND
                """);
            var join = planned.Query!.Inputs.Single().ShouldBeOfType<JoinNode>();
            join.Interval.ShouldBe(new IntervalBounds(2, 1, -before * 1000L, after * 1000L, false));
        }, iter: 50);
    }
}
