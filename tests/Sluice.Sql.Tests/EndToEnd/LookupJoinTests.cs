using Sluice.Connectors;
using Sluice.Connectors.DuckDb;
using Sluice.Schemas;
using Sluice.Sql.Session;
using Sluice.Sql.Tests.Session;

namespace Sluice.Sql.Tests.EndToEnd;

/// <summary>Lookup joins (<c>FOR SYSTEM_TIME AS OF</c>) through the whole stack, against a DuckDB table.</summary>
public sealed class LookupJoinTests : IDisposable
{
    // auction, bidder, price
    private static readonly object?[][] s_bids =
    [
        [1L, 10L, 100L],
        [2L, 11L, 5L],
        [1L, 12L, 150L],
        [3L, 10L, 70L],
        [2L, 13L, 20L],
        [1L, 11L, null],
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sql-lookup-").FullName;

    public LookupJoinTests()
    {
        using var connection = DuckDbQueries.Open(Database);
        connection.Run("CREATE TABLE people (id BIGINT, name VARCHAR, tier INTEGER); INSERT INTO people VALUES (10, 'ann', 1), (11, 'bob', 2), (13, 'cy', 3)");
    }

    private string Database => Path.Combine(_directory, "dim.duckdb");

    public void Dispose()
    {
        DuckDbWarehouse.Release(Database);
        Directory.Delete(_directory, recursive: true);
    }

    private SqlSession Session(int parallelism = 1, string cache = "")
    {
        var registry = new ConnectorRegistry()
            .Register(new RowsConnectorFactory(s_bids))
            .Register(new DuckDbConnectorFactory());
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute("CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, pt AS PROCTIME()) WITH ('connector' = 'rows')");
        session.Execute($"CREATE TABLE dim (id BIGINT, name STRING, tier INT) WITH ('connector' = 'duckdb', 'path' = '{Database}', 'table-name' = 'people'{cache})");
        session.Execute($"SET 'parallelism.default' = '{parallelism}'");
        return session;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Select_InnerLookupJoin_EachBidGetsItsBiddersRow(int parallelism)
    {
        var rows = await QueryRows.SortedTextAsync(Session(parallelism), "SELECT b.auction, b.bidder, d.name FROM bid AS b JOIN dim FOR SYSTEM_TIME AS OF b.pt AS d ON b.bidder = d.id");

        rows.ShouldBe(["+I[1, 10, ann]", "+I[1, 11, bob]", "+I[2, 11, bob]", "+I[2, 13, cy]", "+I[3, 10, ann]"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Select_LeftLookupJoinWithCacheAndCondition_PadsTheBidsWithoutAMatch(int parallelism)
    {
        var session = Session(parallelism, ", 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '2'");

        var rows = await QueryRows.SortedTextAsync(session, "SELECT b.auction, b.bidder, d.name, d.tier * 10 AS t FROM bid AS b LEFT JOIN dim FOR SYSTEM_TIME AS OF b.pt AS d ON b.bidder = d.id AND d.tier > 1");

        // Bidder 12 is not in the table, and ann's tier (1) fails the condition: both padded with NULLs.
        rows.ShouldBe(["+I[1, 10, null, null]", "+I[1, 11, bob, 20]", "+I[1, 12, null, null]", "+I[2, 11, bob, 20]", "+I[2, 13, cy, 30]", "+I[3, 10, null, null]"]);
    }

    [Fact]
    public void Explain_LookupJoin_ShowsTheLookupJoinInBothPlans()
    {
        var explain = Session().Execute("EXPLAIN SELECT b.auction, d.name FROM bid AS b JOIN dim FOR SYSTEM_TIME AS OF b.pt AS d ON b.bidder = d.id")
            .ShouldHaveSingleItem().ShouldBeOfType<SqlExplainResult>();

        explain.Plan.ShouldContain("LookupJoin(joinType=[InnerJoin], table=[dim], where=[(bidder = id)]");
        explain.Plan[explain.Plan.IndexOf("== Physical Execution Plan ==", StringComparison.Ordinal)..].ShouldContain("LookupJoin");
    }

    [Fact]
    public void Select_LookupWithoutAnEqualityOnTheTable_IsOneSentenceNamingTheTable()
    {
        var session = Session();

        var error = Should.Throw<SqlException>(() => session.Execute("SELECT d.name FROM bid AS b JOIN dim FOR SYSTEM_TIME AS OF b.pt AS d ON d.id > b.bidder"));

        error.Reason.ShouldStartWith("LookupJoin(joinType=[InnerJoin], table=[dim]");
        error.Reason.ShouldEndWith("needs an equality between a column of the left side and a column of table 'dim' in its ON condition: a lookup reads the table by key.");
    }
}
