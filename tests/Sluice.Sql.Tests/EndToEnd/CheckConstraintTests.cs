using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Quality;
using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Session;
using Sluice.Sql.Syntax;
using Sluice.Sql.Tests.Session;

namespace Sluice.Sql.Tests.EndToEnd;

/// <summary><c>CONSTRAINT name CHECK (…) ON VIOLATION {DLQ | DROP | WARN | FAIL}</c> in CREATE TABLE: parsed, stored, and enforced on the rows written into the table.</summary>
public sealed class CheckConstraintTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sql-checks-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static SqlSession Session()
    {
        var registry = new ConnectorRegistry().Register(new RowsConnectorFactory(SqlEndToEndTests.BidRows)).Register(new FilesystemConnectorFactory());
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute("CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'rows')");
        return session;
    }

    [Fact]
    public void Parse_CheckConstraints_RoundTripThroughTheFormatter()
    {
        const string Sql = "CREATE TABLE t (a INT, b STRING, CONSTRAINT a_positive CHECK (a > 0) ON VIOLATION DROP, CONSTRAINT b_set CHECK (b IS NOT NULL)) WITH ('connector' = 'print')";

        var create = SqlParser.ParseStatement(Sql).ShouldBeOfType<SqlCreateTable>();

        create.Checks.Select(c => (c.Name, c.Action)).ShouldBe([("a_positive", RuleAction.Drop), ("b_set", RuleAction.DeadLetter)]);
        var formatted = SqlFormatter.Format(create);
        formatted.ShouldContain("CONSTRAINT a_positive CHECK (a > 0) ON VIOLATION DROP");
        formatted.ShouldContain("CONSTRAINT b_set CHECK (b IS NOT NULL) ON VIOLATION DLQ");
        SqlParser.ParseStatement(formatted).ShouldBeOfType<SqlCreateTable>().Checks.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("CREATE TABLE t (a INT,\n  CONSTRAINT c CHECK (a > 0) ON VIOLATION EXPLODE) WITH ('connector' = 'print')", "2:43: Expected DLQ, DROP, WARN or FAIL after ON VIOLATION but found 'EXPLODE'.")]
    [InlineData("CREATE TABLE t (a INT,\n  CHECK (a > 0)) WITH ('connector' = 'print')", "2:3: A CHECK constraint needs a name")]
    [InlineData("CREATE TABLE t (a INT,\n  CONSTRAINT c CHECK (a > 0),\n  CONSTRAINT c CHECK (a < 9)) WITH ('connector' = 'print')", "3:3: Table constraint 'c' is declared twice")]
    public void Parse_BadCheckConstraint_FailsWithLineAndColumn(string sql, string expected)
    {
        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement(sql));

        error.Message.ShouldStartWith(expected);
    }

    [Theory]
    [InlineData("CONSTRAINT price_low CHECK (prise < 100)", "2:3: CHECK constraint 'price_low' of table 'checked' is invalid:", "'prise'")]
    [InlineData("CONSTRAINT price_number CHECK (price + 1)", "2:3: CHECK constraint 'price_number' of table 'checked' is", "must be BOOLEAN")]
    public void CreateTable_CheckThatDoesNotBind_IsRejectedAtTheConstraint(string constraint, string expectedStart, string expectedPart)
    {
        var session = Session();

        var error = Should.Throw<SqlException>(() => session.Execute($"CREATE TABLE checked (auction BIGINT, price BIGINT,\n  {constraint}) WITH ('connector' = 'filesystem', 'path' = '{_directory}', 'format' = 'json')"));

        error.Message.ShouldStartWith(expectedStart);
        error.Message.ShouldContain(expectedPart);
    }

    [Fact]
    public async Task Insert_IntoTableWithChecks_DropsDeadLettersAndCountsPerConstraint()
    {
        using var failures = new RuleMetricCounter("operator", "Check(checked_bids)");
        var session = Session();
        var path = Path.Combine(_directory, "out");
        session.Execute($"""
            CREATE TABLE checked_bids (auction BIGINT, price BIGINT,
              CONSTRAINT price_present CHECK (price IS NOT NULL) ON VIOLATION DROP,
              CONSTRAINT price_low CHECK (price < 100) ON VIOLATION DLQ,
              CONSTRAINT auction_small CHECK (auction < 3) ON VIOLATION WARN
            ) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'json')
            """);

        var job = session.Execute("INSERT INTO checked_bids SELECT auction, price FROM bid").ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.OrTimeout();

        var lines = Directory.GetFiles(path, "*", SearchOption.AllDirectories)
            .Where(static f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).StartsWith('_'))
            .SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal).ToList();
        // 100 and 150 fail price_low (dead-lettered), NULL fails price_present (dropped); auction 3 is only warned about.
        lines.ShouldBe(["{\"auction\":2,\"price\":20}", "{\"auction\":2,\"price\":5}", "{\"auction\":3,\"price\":70}"]);
        var failed = failures.ByRule;
        failed.ShouldBe(new Dictionary<string, long> { ["price_present"] = 1, ["price_low"] = 2, ["auction_small"] = 1 }, ignoreOrder: true);
    }

    [Fact]
    public void Explain_InsertIntoTableWithChecks_ShowsTheCheckOperator()
    {
        var session = Session();
        session.Execute($"CREATE TABLE checked (auction BIGINT, price BIGINT, CONSTRAINT price_low CHECK (price < 100) ON VIOLATION FAIL) WITH ('connector' = 'filesystem', 'path' = '{_directory}', 'format' = 'json')");

        var plan = session.Execute("EXPLAIN INSERT INTO checked SELECT auction, price FROM bid").ShouldHaveSingleItem().ShouldBeOfType<SqlExplainResult>().Plan;

        // The constraints run in their own operator, chained between the scan and the sink.
        plan.ShouldContain("task [1x] TableSource(bid) -> TableScan(bid) + Calc(select=[auction, price]) -> Check(checked) -> TableSink(checked)\n");
    }

    [Fact]
    public void Open_GoldenVersion1FileWithChecks_ReadsThem()
    {
        var directory = Path.Combine(_directory, "catalog");
        Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Catalog", "golden", "catalog-v1-checks.json"), Path.Combine(directory, "catalog.json"));

        var orders = SqlCatalog.Open(_directory).GetTable("orders");

        orders.Checks.ShouldBe([new CheckSpec("amount_positive", "amount > 0", RuleAction.Drop), new CheckSpec("id_present", "id IS NOT NULL", RuleAction.DeadLetter)]);
    }

    [Fact]
    public void CreateTable_WithChecks_SurvivesReopeningTheCatalog()
    {
        var catalog = SqlCatalog.Open(_directory);
        var table = new CatalogTable
        {
            Name = "t",
            Columns = [new PhysicalColumn("a", DataType.Int)],
            Options = [new("connector", "datagen")],
            Checks = [new CheckSpec("a_positive", "`a` > 0", RuleAction.Fail), new CheckSpec("a_small", "`a` < 10", RuleAction.Warn)],
        };
        catalog.CreateTable(table);

        SqlCatalog.Open(_directory).GetTable("t").Checks.ShouldBe(table.Checks);
    }
}
