namespace Sluice.Sql.Tests.Planning;

public sealed class BindingErrorTests
{
    private static SqlException Fails(string sql)
    {
        var fixture = TestTables.Fixture();
        return Should.Throw<SqlException>(() => fixture.Plan(sql));
    }

    [Fact]
    public void Plan_UnknownTable_NamesTheClosestTables()
    {
        var error = Fails("SELECT * FROM bid");

        error.Message.ShouldBe("1:15: Table 'bid' does not exist. Did you mean 'bids'?");
    }

    [Fact]
    public void Plan_UnknownColumn_NamesTheClosestColumns()
    {
        var error = Fails("SELECT prize FROM bids");

        error.Message.ShouldBe("1:8: Column 'prize' not found in any table of the FROM clause. Did you mean 'price'?");
    }

    [Fact]
    public void Plan_UnknownQualifiedColumn_NamesTheTable()
    {
        var error = Fails("SELECT b.bid FROM bids AS b");

        error.Message.ShouldBe("1:8: Column 'bid' not found in table 'b'. Did you mean 'bidder', 'ts' or 'price'?");
    }

    [Fact]
    public void Plan_AmbiguousColumn_NamesBothTables()
    {
        var error = Fails("SELECT ts FROM bids AS b JOIN bids AS c ON b.auction = c.auction");

        error.Message.ShouldBe("1:8: Column 'ts' is ambiguous: it is a column of 'b' and of 'c'; qualify it (t.ts).");
    }

    [Fact]
    public void Plan_TypeMismatch_NamesBothTypes()
    {
        var error = Fails("SELECT * FROM bids WHERE channel > 5");

        error.Message.ShouldBe("1:34: The operator '>' cannot be applied to VARCHAR and INT NOT NULL; CAST one operand to the other's type.");
    }

    [Fact]
    public void Plan_InsertTypeMismatch_NamesTheColumnAndBothTypes()
    {
        var error = Fails("INSERT INTO printed SELECT auction, channel FROM bids");

        error.Message.ShouldBe("1:21: Column 'n' of table sink 'printed' is BIGINT, but the query's column 'channel' is VARCHAR, which does not cast to it implicitly; CAST it explicitly.");
    }

    [Fact]
    public void Plan_InsertColumnCountMismatch_PrintsBothSchemas()
    {
        var error = Fails("INSERT INTO printed SELECT auction FROM bids");

        error.Message.ShouldBe("1:21: The query writes 1 columns into table sink 'printed', which takes 2: query schema [auction BIGINT], sink schema [a BIGINT, n BIGINT].");
    }

    [Theory]
    [InlineData("SELECT auction FROM bids INTERSECT SELECT auction FROM bids", "1:26: INTERSECT is not supported yet.")]
    [InlineData("SELECT EXISTS (SELECT 1) FROM bids", "1:8: EXISTS anywhere but a WHERE condition joined with AND is not supported yet.")]
    [InlineData("SELECT * FROM bids WHERE price > 1 OR auction IN (SELECT id FROM people)", "1:47: IN with a subquery anywhere but a WHERE condition joined with AND is not supported yet.")]
    [InlineData("SELECT x FROM UNNEST(ARRAY[1, 2]) AS t (x)", "1:15: UNNEST is not supported yet.")]
    [InlineData("SELECT * FROM bids ORDER BY ts", "1:1: ORDER BY on a time attribute without LIMIT is not supported yet.")]
    [InlineData("SELECT * FROM bids LIMIT 10", "1:1: LIMIT without ORDER BY is not supported yet.")]
    [InlineData("SELECT * FROM bids ORDER BY price + 1 LIMIT 2", "1:29: An ORDER BY item that is not a column of the query (select it, then order by its name) is not supported yet.")]
    public void Plan_UnsupportedFeature_NamesIt(string sql, string message)
    {
        var error = Fails(sql);

        error.Message.ShouldBe(message);
    }

    [Fact]
    public void Plan_OrderByNonTimeAttribute_IsRejectedAsInFlink()
    {
        var error = Fails("SELECT * FROM bids ORDER BY price");

        error.Message.ShouldBe("1:29: Sort on a non-time-attribute field is not supported: a streaming ORDER BY must start with a time attribute in ascending order.");
    }

    [Fact]
    public void Plan_WindowOnColumnWithoutWatermark_NamesTableAndColumn()
    {
        var error = Fails("SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE people, DESCRIPTOR(created), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end");

        error.Message.ShouldBe("1:63: The TUMBLE window's time column 'created' of table 'people' is not a time attribute: 'people' declares no WATERMARK for 'created'. Add WATERMARK FOR created AS … to the table, or window on a PROCTIME() column.");
    }

    [Fact]
    public void Plan_LegacyGroupWindowWithoutWatermark_NamesTableAndColumn()
    {
        var error = Fails("SELECT COUNT(*) FROM people AS p GROUP BY TUMBLE(p.created, INTERVAL '1' MINUTE)");

        error.Message.ShouldBe("1:50: The TUMBLE window's time column 'created' of table 'p' is not a time attribute: 'p' declares no WATERMARK for 'created'. Add WATERMARK FOR created AS … to the table, or window on a PROCTIME() column.");
    }

    [Fact]
    public void Plan_ColumnNeitherGroupedNorAggregated_IsRejected()
    {
        var error = Fails("SELECT auction, price FROM bids GROUP BY auction");

        error.Message.ShouldBe("1:17: Expression 'price' is not being grouped: add it to GROUP BY or aggregate it (MAX(price), …).");
    }

    [Fact]
    public void Plan_AggregateInWhere_IsRejected()
    {
        var error = Fails("SELECT auction FROM bids WHERE COUNT(*) > 1");

        error.Message.ShouldBe("1:41: Aggregate functions are not allowed in WHERE; filter groups with HAVING.");
    }

    [Fact]
    public void Plan_RowNumberWithoutRankFilter_IsRejected()
    {
        var error = Fails("SELECT auction, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price) AS rn FROM bids");

        error.Message.ShouldBe("OVER windows' ordering in stream mode must be defined on a time attribute: a ROW_NUMBER() needs an outer filter on its result (WHERE rn <= N) to become a Top-N.");
    }

    [Fact]
    public void Plan_OverAggregateNotOrderedByTime_IsRejected()
    {
        var error = Fails("SELECT SUM(price) OVER (PARTITION BY auction ORDER BY price) FROM bids");

        error.Message.ShouldBe("1:55: OVER windows' ordering in stream mode must be defined on a time attribute, in ascending order.");
    }
}
