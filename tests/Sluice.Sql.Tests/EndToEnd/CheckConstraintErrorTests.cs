using Sluice.Connectors;
using Sluice.Connectors.Filesystem;
using Sluice.Sql.Session;
using Sluice.Sql.Tests.Session;

namespace Sluice.Sql.Tests.EndToEnd;

/// <summary>A CHECK whose condition cannot be evaluated for a row (division by zero): the row is dead-lettered with the error, the task goes on.</summary>
public sealed class CheckConstraintErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sql-check-errors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Insert_CheckDividesByZero_RowLeavesTheTableAndTheJobFinishes()
    {
        using var failures = new RuleMetricCounter("operator", "Check(ratios)");
        var registry = new ConnectorRegistry().Register(new RowsConnectorFactory(SqlEndToEndTests.BidRows)).Register(new FilesystemConnectorFactory());
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute("CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'rows')");
        var path = Path.Combine(_directory, "out");
        session.Execute($"""
            CREATE TABLE ratios (auction BIGINT, price BIGINT,
              CONSTRAINT ratio_positive CHECK (price / (auction - 2) > 0) ON VIOLATION WARN
            ) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'json')
            """);

        var job = session.Execute("INSERT INTO ratios SELECT auction, price FROM bid").ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.OrTimeout();

        var lines = Directory.GetFiles(path, "*", SearchOption.AllDirectories)
            .Where(static f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).StartsWith('_'))
            .SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal).ToList();
        // Auction 2 divides by zero: both its rows are dead-lettered although the action is WARN. Auction 1's prices
        // fail the condition and are only warned about; the NULL price passes (NULL condition); auction 3 passes.
        lines.ShouldBe(["{\"auction\":1,\"price\":100}", "{\"auction\":1,\"price\":150}", "{\"auction\":1,\"price\":null}", "{\"auction\":3,\"price\":70}"]);
        failures.ByRule.ShouldBe(new Dictionary<string, long> { ["ratio_positive"] = 4 });
    }
}
