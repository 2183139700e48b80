using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Tests.Planning;

public sealed class ChangelogInferenceTests
{
    private static LogicalNode Query(string sql) => TestTables.Fixture().Plan(sql).Query!;

    [Fact]
    public void Plan_FilterAndProjection_IsInsertOnly()
    {
        var plan = Query("SELECT auction, price FROM bids WHERE price > 1");

        plan.Changelog.ShouldBe(ChangelogMode.InsertOnly);
        plan.UpdateProducer.ShouldBeNull();
    }

    [Fact]
    public void Plan_GroupAggregate_IsUpdatingAndProducedByTheAggregate()
    {
        var plan = Query("SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction");

        plan.Changelog.ShouldBe(ChangelogMode.All);
        plan.UpdateProducer.ShouldBeOfType<AggregateNode>();
    }

    [Fact]
    public void Plan_WindowAggregateOverAppendOnlyInput_IsInsertOnly()
    {
        var plan = Query("SELECT auction, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY auction, window_start, window_end");

        plan.Changelog.ShouldBe(ChangelogMode.InsertOnly);
    }

    [Fact]
    public void Plan_WindowAggregateOverUpdatingInput_IsRejectedNamingTheProducer()
    {
        var fixture = TestTables.Fixture();

        var error = Should.Throw<SqlException>(() => fixture.Plan("""
            SELECT COUNT(*) FROM (SELECT auction, MAX(ts) AS ts FROM bids GROUP BY auction) AS m
            GROUP BY TUMBLE(m.ts, INTERVAL '5' SECOND)
            """));

        error.Message.ShouldBe("2:17: The TUMBLE window's time column 'ts' of table 'm' is not a time attribute: 'm' declares no WATERMARK for 'ts'. Add WATERMARK FOR ts AS … to the table, or window on a PROCTIME() column.");
    }

    [Fact]
    public void Plan_TopN_IsUpdating()
    {
        var plan = Query("SELECT * FROM (SELECT auction, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 2");

        plan.Changelog.ShouldBe(ChangelogMode.All);
        plan.UpdateProducer.ShouldBeOfType<RankNode>();
    }

    [Fact]
    public void Plan_ProctimeDeduplicationKeepingFirstRow_IsInsertOnly()
    {
        var plan = Query("SELECT id, name FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY pt) AS rn FROM people) WHERE rn = 1");

        plan.Changelog.ShouldBe(ChangelogMode.InsertOnly);
        plan.Explain().ShouldContain("Deduplicate(keep=[FirstRow], key=[id], order=[PROCTIME]");
    }

    [Fact]
    public void Plan_RowtimeDeduplicationKeepingLastRow_IsUpdating()
    {
        var plan = Query("SELECT auction FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY ts DESC) AS rn FROM bids) WHERE rn = 1");

        plan.Changelog.ShouldBe(ChangelogMode.All);
    }

    [Fact]
    public void Plan_InnerJoinOfAppendOnlyInputs_IsInsertOnly()
    {
        var plan = Query("SELECT b.price, p.name FROM bids AS b JOIN people AS p ON b.bidder = p.id");

        plan.Changelog.ShouldBe(ChangelogMode.InsertOnly);
    }

    [Fact]
    public void Plan_LeftJoin_IsUpdatingAndProducedByTheJoin()
    {
        var plan = Query("SELECT b.price, p.name FROM bids AS b LEFT JOIN people AS p ON b.bidder = p.id");

        plan.Changelog.ShouldBe(ChangelogMode.All);
        plan.UpdateProducer.ShouldBeOfType<JoinNode>();
    }

    [Fact]
    public void Plan_JoinOfAnUpdatingInput_IsUpdatingAndProducedByTheAggregate()
    {
        var plan = Query("SELECT b.price, m.n FROM bids AS b JOIN (SELECT bidder, COUNT(*) AS n FROM bids GROUP BY bidder) AS m ON b.bidder = m.bidder");

        plan.Changelog.ShouldBe(ChangelogMode.All);
        plan.UpdateProducer.ShouldBeOfType<AggregateNode>();
    }

    [Fact]
    public void Plan_IntervalJoin_IsInsertOnlyWithBounds()
    {
        var plan = Query("""
            SELECT a.price FROM bids AS a JOIN bids AS b
            ON a.auction = b.auction AND a.ts BETWEEN b.ts - INTERVAL '10' SECOND AND b.ts + INTERVAL '5' SECOND
            """);

        plan.Changelog.ShouldBe(ChangelogMode.InsertOnly);
        var join = Find<JoinNode>(plan);
        join.Strategy.ShouldBe(JoinStrategy.Interval);
        join.Interval.ShouldBe(new IntervalBounds(LeftTimeField: 2, RightTimeField: 1, LowerMillis: -10_000, UpperMillis: 5_000, IsProcessingTime: false));
    }

    [Fact]
    public void Plan_UnionOfAppendAndUpdating_IsUpdating()
    {
        var plan = Query("SELECT auction FROM bids UNION ALL SELECT auction FROM bids GROUP BY auction");

        plan.Changelog.ShouldBe(ChangelogMode.All);
        plan.UpdateProducer.ShouldBeOfType<AggregateNode>();
    }

    [Fact]
    public void Plan_OverAggregateOverUpdatingInput_IsRejectedNamingTheProducer()
    {
        var fixture = TestTables.Fixture();

        var error = Should.Throw<SqlException>(() => fixture.Plan("""
            SELECT id, COUNT(*) OVER (PARTITION BY id ORDER BY pt ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
            FROM (SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY name) AS rn FROM people) WHERE rn <= 2)
            """));

        error.Message.ShouldBe("OverAggregate does not support consuming update and delete changes, which Rank(rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=unbounded], partitionBy=[id], orderBy=[name ASC], select=[id, name, created, pt, rn]) produces.");
    }

    [Fact]
    public void Plan_UpdatingQueryIntoAppendOnlySink_IsRejectedNamingTheAggregate()
    {
        var fixture = TestTables.Fixture();

        var error = Should.Throw<SqlException>(() => fixture.Plan("INSERT INTO appended SELECT auction, COUNT(*) FROM bids GROUP BY auction"));

        error.Message.ShouldBe("Table sink 'appended' accepts only inserts, but GroupAggregate(groupBy=[auction], select=[auction, COUNT(*) AS `EXPR$1`]) produces updates; write into a table whose connector takes updates (an upsert sink with a PRIMARY KEY), or make the query append-only.");
    }

    [Fact]
    public void Plan_UpdatingQueryIntoPrintSink_IsAccepted()
    {
        var fixture = TestTables.Fixture();

        var planned = fixture.Plan("INSERT INTO printed SELECT auction, COUNT(*) FROM bids GROUP BY auction");

        planned.Sinks.Single().Changelog.ShouldBe(ChangelogMode.All);
    }

    [Fact]
    public void Plan_SinkModeFromSettings_DecidesWhatIsAccepted()
    {
        var fixture = new PlanningFixture { Settings = PlannerSettings.Default with { SinkChangelogMode = static _ => ChangelogMode.Upsert } };
        fixture.Run(TestTables.Ddl);

        var planned = fixture.Plan("INSERT INTO appended SELECT auction, COUNT(*) FROM bids GROUP BY auction");

        planned.Sinks.Single().SinkMode.ShouldBe(ChangelogMode.Upsert);
    }

    private static T Find<T>(LogicalNode node)
        where T : LogicalNode
    {
        if (node is T found)
        {
            return found;
        }

        foreach (var input in node.Inputs)
        {
            if (TryFind<T>(input) is { } inner)
            {
                return inner;
            }
        }

        throw new ShouldAssertException($"No {typeof(T).Name} in the plan.");
    }

    private static T? TryFind<T>(LogicalNode node)
        where T : LogicalNode
    {
        if (node is T found)
        {
            return found;
        }

        foreach (var input in node.Inputs)
        {
            if (TryFind<T>(input) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
