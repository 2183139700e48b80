using Sluice.Sql.Planning;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Tests.Planning;

public sealed class OptimizerRuleTests
{
    private static LogicalNode Bound(string sql)
    {
        var fixture = TestTables.Fixture();
        return new QueryBinder(fixture.Catalog, fixture.Functions, fixture.Settings).Bind(SqlParser.ParseQuery(sql));
    }

    private static string Apply(string sql, params PlanRule[] rules) =>
        Optimizer.Optimize(Bound(sql), PlannerSettings.Default, rules: rules).Explain();

    private static string Lines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    [Fact]
    public void ConstantFolding_ConstantProjectionAndTrueCondition_FoldsAndDropsTheCondition()
    {
        var plan = Apply("SELECT 1 + 2 AS three, price FROM bids WHERE 1 = 1", new ConstantFoldingRule());

        plan.ShouldBe(Lines("""
            Calc(select=[3 AS three, price])
            +- Calc(select=[auction, bidder, price, channel, ts])
               +- TableSourceScan(table=[[bids]], fields=[auction, bidder, price, channel, ts], watermark=[ts, (ts - INTERVAL '1' SECOND)])

            """));
    }

    [Fact]
    public void CalcMerge_StackedCalcs_BecomeOneWithBothConditions()
    {
        var plan = Apply("SELECT p FROM (SELECT price + 1 AS p FROM bids WHERE price > 0) WHERE p < 10", new CalcMergeRule());

        plan.ShouldBe(Lines("""
            Calc(select=[(price + CAST(1 AS BIGINT NOT NULL)) AS p], where=[((price > CAST(0 AS BIGINT NOT NULL)) AND ((price + CAST(1 AS BIGINT NOT NULL)) < CAST(10 AS BIGINT NOT NULL)))])
            +- TableSourceScan(table=[[bids]], fields=[auction, bidder, price, channel, ts], watermark=[ts, (ts - INTERVAL '1' SECOND)])

            """));
    }

    [Fact]
    public void CalcMerge_NonDeterministicProjectionReadTwice_IsNotInlined()
    {
        var plan = Apply("SELECT r, r + 1 AS s FROM (SELECT RAND() AS r FROM bids)", new CalcMergeRule());

        plan.ShouldStartWith("Calc(select=[r, (r + CAST(1 AS DOUBLE NOT NULL)) AS s])\n+- Calc(select=[RAND() AS r])");
    }

    [Fact]
    public void RemoveTrivialCalc_SelectStar_LeavesTheScan()
    {
        var plan = Apply("SELECT * FROM bids", new RemoveTrivialCalcRule());

        plan.ShouldBe(Lines("""
            TableSourceScan(table=[[bids]], fields=[auction, bidder, price, channel, ts], watermark=[ts, (ts - INTERVAL '1' SECOND)])

            """));
    }

    [Fact]
    public void FilterPushDown_ThroughUnion_FiltersEveryInput()
    {
        var plan = Apply("SELECT * FROM (SELECT auction FROM bids UNION ALL SELECT id FROM people) WHERE auction > 5", new FilterPushDownRule(), new CalcMergeRule(), new RemoveTrivialCalcRule());

        plan.ShouldBe(Lines("""
            Union(all=[true], union=[auction])
            :- Calc(select=[auction], where=[(auction > CAST(5 AS BIGINT NOT NULL))])
            :  +- TableSourceScan(table=[[bids]], fields=[auction, bidder, price, channel, ts], watermark=[ts, (ts - INTERVAL '1' SECOND)])
            +- Calc(select=[id AS auction], where=[(id > CAST(5 AS BIGINT NOT NULL))])
               +- TableSourceScan(table=[[people]], fields=[id, name, created, pt], pt=[PROCTIME()])

            """));
    }

    [Fact]
    public void FilterPushDown_OnGroupKeyAndAggregate_PushesOnlyTheGroupKeyConjunct()
    {
        var plan = Apply("SELECT * FROM (SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction) WHERE auction = 1 AND n > 2", new FilterPushDownRule(), new CalcMergeRule(), new RemoveTrivialCalcRule());

        plan.ShouldBe(Lines("""
            Calc(select=[auction, n], where=[(n > CAST(2 AS BIGINT NOT NULL))])
            +- GroupAggregate(groupBy=[auction], select=[auction, COUNT(*) AS n])
               +- Calc(select=[auction], where=[(auction = CAST(1 AS BIGINT NOT NULL))])
                  +- TableSourceScan(table=[[bids]], fields=[auction, bidder, price, channel, ts], watermark=[ts, (ts - INTERVAL '1' SECOND)])

            """));
    }

    [Fact]
    public void FilterPushDown_IntoInnerJoin_SplitsBySideAndMergesTheRestIntoTheCondition()
    {
        var plan = Apply("SELECT * FROM bids AS b, people AS p WHERE b.bidder = p.id AND b.price > 1 AND p.name = 'x'", new FilterPushDownRule(), new RemoveTrivialCalcRule());

        plan.ShouldBe(Lines("""
            Join(joinType=[InnerJoin], where=[(bidder = id)], select=[auction, bidder, price, channel, ts, id, name, created, pt])
            :- Calc(select=[auction, bidder, price, channel, ts], where=[(price > CAST(1 AS BIGINT NOT NULL))])
            :  +- TableSourceScan(table=[[bids]], fields=[auction, bidder, price, channel, ts], watermark=[ts, (ts - INTERVAL '1' SECOND)])
            +- Calc(select=[id, name, created, pt], where=[(name = 'x')])
               +- TableSourceScan(table=[[people]], fields=[id, name, created, pt], pt=[PROCTIME()])

            """));
    }

    [Fact]
    public void FilterPushDown_LeftJoin_KeepsTheRightSideConjunctAboveTheJoin()
    {
        var plan = Apply("SELECT * FROM bids AS b LEFT JOIN people AS p ON b.bidder = p.id WHERE p.name = 'x' AND b.price > 1", new FilterPushDownRule());

        plan.ShouldStartWith(Lines("""
            Calc(select=[auction, bidder, price, channel, ts, id, name, created, pt])
            +- Calc(select=[auction, bidder, price, channel, ts, id, name, created, pt], where=[(name = 'x')])
               +- Join(joinType=[LeftOuterJoin]
            """));
        plan.ShouldContain(":- Calc(select=[auction, bidder, price, channel, ts], where=[(price > CAST(1 AS BIGINT NOT NULL))])");
    }

    [Fact]
    public void JoinConditionPushDown_OneSidedConjunctOfOn_MovesIntoThatSide()
    {
        var plan = Apply("SELECT * FROM bids AS b JOIN people AS p ON b.bidder = p.id AND p.name = 'x'", new JoinConditionPushDownRule());

        plan.ShouldContain("+- Join(joinType=[InnerJoin], where=[(bidder = id)]");
        plan.ShouldContain("+- Calc(select=[id, name, created, pt], where=[(name = 'x')])");
    }

    [Fact]
    public void ProjectionPushDown_CalcOverScan_ReadsOnlyTheUsedColumns()
    {
        var plan = Apply("SELECT price FROM bids", new ProjectionPushDownRule());

        plan.ShouldBe(Lines("""
            Calc(select=[price])
            +- TableSourceScan(table=[[bids]], fields=[price], watermark=[ts, (ts - INTERVAL '1' SECOND)])

            """));
    }

    [Fact]
    public void ProjectionPushDown_JoinSides_AreNarrowedToWhatTheJoinAndItsParentRead()
    {
        var plan = Apply("SELECT p.name FROM bids AS b JOIN people AS p ON b.bidder = p.id", new ProjectionPushDownRule(), new CalcMergeRule());

        plan.ShouldBe(Lines("""
            Calc(select=[name])
            +- Join(joinType=[InnerJoin], where=[(bidder = id)], select=[bidder, id, name])
               :- Calc(select=[bidder])
               :  +- TableSourceScan(table=[[bids]], fields=[bidder], watermark=[ts, (ts - INTERVAL '1' SECOND)])
               +- Calc(select=[id, name])
                  +- TableSourceScan(table=[[people]], fields=[id, name])

            """));
    }

    [Fact]
    public void ProjectionPushDown_UnusedRankNumber_IsNoLongerOutput()
    {
        var plan = Optimizer.Optimize(Bound("SELECT auction FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price) AS rn FROM bids) WHERE rn <= 1"), PlannerSettings.Default);

        plan.ShouldBeOfType<CalcNode>().Input.ShouldBeOfType<RankNode>().OutputRankNumber.ShouldBeFalse();
    }

    [Fact]
    public void WindowAggregateFusion_TumbleThenGroupBy_BecomesOneWindowAggregate()
    {
        var plan = Optimizer.Optimize(
            Bound("SELECT window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end"),
            PlannerSettings.Default,
            rules: [new WindowAggregateFusionRule()]);

        var text = plan.Explain();
        text.ShouldContain("WindowAggregate(window=[TUMBLE(time_col=[ts], size=[1 min])], select=[COUNT(*) AS n, start('w$) AS window_start, end('w$) AS window_end])");
        text.ShouldNotContain("WindowTableFunction");
    }

    [Fact]
    public void WindowAggregateFusion_WindowColumnAggregated_IsNotFused()
    {
        var plan = Optimizer.Optimize(
            Bound("SELECT MAX(window_time) AS m FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end"),
            PlannerSettings.Default,
            rules: [new WindowAggregateFusionRule()]);

        plan.Explain().ShouldContain("WindowTableFunction(window=[TUMBLE(time_col=[ts], size=[1 min])])");
    }

    [Theory]
    [InlineData("rn <= 5", 1, 5)]
    [InlineData("rn < 6", 1, 5)]
    [InlineData("rn = 1", 1, 1)]
    [InlineData("rn BETWEEN 2 AND 4", 2, 4)]
    [InlineData("rn > 1 AND rn <= 3", 2, 3)]
    public void RankRange_FilterOnRankNumber_BecomesTheRankRange(string filter, long start, long end)
    {
        var plan = Optimizer.Optimize(
            Bound($"SELECT * FROM (SELECT auction, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price) AS rn FROM bids) WHERE {filter}"),
            PlannerSettings.Default);

        var rank = plan as RankNode ?? plan.Inputs.Single().ShouldBeOfType<RankNode>();
        rank.RankStart.ShouldBe(start);
        rank.RankEnd.ShouldBe(end);
    }

    [Fact]
    public void Optimize_AllRules_ReachAFixpointThatIsStable()
    {
        var once = Optimizer.Optimize(Bound("SELECT p.name, b.price FROM bids AS b JOIN people AS p ON b.bidder = p.id WHERE b.price > 1 + 1"), PlannerSettings.Default);

        var twice = Optimizer.Optimize(once, PlannerSettings.Default);

        twice.Explain().ShouldBe(once.Explain());
    }
}
