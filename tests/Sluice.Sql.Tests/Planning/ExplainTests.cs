namespace Sluice.Sql.Tests.Planning;

public sealed class ExplainTests
{
    [Fact]
    public void Explain_FilterAndProjection_PrintsBoundAndOptimizedPlans()
    {
        var fixture = TestTables.Fixture();

        var text = fixture.Plan("EXPLAIN SELECT auction, price * 2 AS doubled FROM bids WHERE price > 10 + 5").Explain();

        text.ShouldBe("""
            == Abstract Syntax Tree ==
            Calc(select=[auction, (price * CAST(2 AS BIGINT NOT NULL)) AS doubled])
            +- Calc(select=[auction, bidder, price, channel, ts], where=[(price > CAST((10 + 5) AS BIGINT NOT NULL))])
               +- TableSourceScan(table=[[bids]], fields=[auction, bidder, price, channel, ts], watermark=[ts, (ts - INTERVAL '1' SECOND)])

            == Optimized Logical Plan ==
            Calc(select=[auction, (price * 2) AS doubled], where=[(price > 15)])
            +- TableSourceScan(table=[[bids]], fields=[auction, price], watermark=[ts, (ts - INTERVAL '1' SECOND)])


            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_GroupAggregateIntoSink_PrintsSinkAndGroupAggregate()
    {
        var fixture = TestTables.Fixture();

        var text = fixture.Plan("EXPLAIN INSERT INTO printed SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction").Explain();

        text.ShouldBe("""
            == Abstract Syntax Tree ==
            LogicalSink(table=[printed], fields=[a, n])
            +- Calc(select=[auction AS a, n])
               +- Calc(select=[auction, n])
                  +- GroupAggregate(groupBy=[auction], select=[auction, COUNT(*) AS n])
                     +- Calc(select=[auction])
                        +- TableSourceScan(table=[[bids]], fields=[auction, bidder, price, channel, ts], watermark=[ts, (ts - INTERVAL '1' SECOND)])

            == Optimized Logical Plan ==
            Sink(table=[printed], fields=[a, n])
            +- Calc(select=[auction AS a, n])
               +- GroupAggregate(groupBy=[auction], select=[auction, COUNT(*) AS n])
                  +- TableSourceScan(table=[[bids]], fields=[auction], watermark=[ts, (ts - INTERVAL '1' SECOND)])


            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_TumbleWindowAggregate_FusesTheWindowFunctionIntoTheAggregate()
    {
        var fixture = TestTables.Fixture();

        var text = fixture.Optimized("""
            SELECT window_start, auction, MAX(price) AS top
            FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
            GROUP BY window_start, window_end, auction
            """);

        text.ShouldBe("""
            Calc(select=[window_start, auction, top])
            +- WindowAggregate(groupBy=[auction], window=[TUMBLE(time_col=[ts], size=[10 s])], select=[auction, MAX(price) AS top, start('w$) AS window_start, end('w$) AS window_end])
               +- TableSourceScan(table=[[bids]], fields=[auction, price, ts], watermark=[ts, (ts - INTERVAL '1' SECOND)])

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_TopN_MovesTheRankFilterIntoTheRank()
    {
        var fixture = TestTables.Fixture();

        var text = fixture.Optimized("""
            SELECT auction, price FROM (
              SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bids)
            WHERE rn <= 3
            """);

        text.ShouldBe("""
            Calc(select=[auction, price])
            +- Rank(rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=3], partitionBy=[auction], orderBy=[price DESC], select=[auction, bidder, price, channel, ts])
               +- TableSourceScan(table=[[bids]], fields=[auction, bidder, price, channel, ts], watermark=[ts, (ts - INTERVAL '1' SECOND)])

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_JoinWithWhere_PushesEachSideFilterBelowTheJoin()
    {
        var fixture = TestTables.Fixture();

        var text = fixture.Optimized("""
            SELECT p.name, b.price
            FROM bids AS b JOIN people AS p ON b.bidder = p.id
            WHERE b.price > 100 AND p.name <> 'x'
            """);

        text.ShouldBe("""
            Calc(select=[name, price])
            +- Join(joinType=[InnerJoin], where=[(bidder = id)], select=[bidder, price, id, name])
               :- Calc(select=[bidder, price], where=[(price > 100)])
               :  +- TableSourceScan(table=[[bids]], fields=[bidder, price], watermark=[ts, (ts - INTERVAL '1' SECOND)])
               +- Calc(select=[id, name], where=[(name <> 'x')])
                  +- TableSourceScan(table=[[people]], fields=[id, name])

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
