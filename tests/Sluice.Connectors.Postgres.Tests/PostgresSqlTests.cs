using Sluice.Configuration;
using Sluice.Connectors.Filesystem;
using Sluice.Sql;
using Sluice.Sql.Session;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>The 'postgres' and 'jdbc' connectors from SQL: an updating aggregate upserted into PostgreSQL, and the option errors.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSqlTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-pg-sql-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private SqlSession Session()
    {
        File.WriteAllLines(Path.Combine(_directory, "orders.json"),
        [
            """{"customer":"ann","amount":10}""",
            """{"customer":"bob","amount":5}""",
            """{"customer":"ann","amount":7}""",
            """{"customer":"cy","amount":1}""",
            """{"customer":"bob","amount":2}""",
        ]);
        var registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory()).AddAssembly(typeof(PostgresConnectorFactory).Assembly);
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute($"CREATE TABLE orders (customer STRING, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = '{_directory}/orders.json', 'format' = 'json')");
        return session;
    }

    [Fact]
    public async Task Postgres_UpdatingAggregate_IsUpsertedByKey()
    {
        var table = PostgresCluster.NewTable("totals");
        var session = Session();
        session.Execute($"""
            CREATE TABLE totals (customer STRING, total BIGINT, orders BIGINT, PRIMARY KEY (customer) NOT ENFORCED) WITH (
              'connector' = 'postgres', 'hostname' = '127.0.0.1', 'port' = '{cluster.Server.Port}',
              'username' = '{PostgresServer.User}', 'password' = '{PostgresServer.Password}',
              'database-name' = 'postgres', 'table-name' = '{table}')
            """);

        var job = session.Execute("INSERT INTO totals SELECT customer, SUM(amount), COUNT(*) FROM orders GROUP BY customer").ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        cluster.Query($"SELECT customer, total, orders FROM {table} ORDER BY customer").ShouldBe([["ann", 17L, 2L], ["bob", 7L, 2L], ["cy", 1L, 1L]]);
    }

    [Fact]
    public async Task Jdbc_PostgresUrl_AppendsInsertOnlyRows()
    {
        var table = PostgresCluster.NewTable("big_orders");
        var session = Session();
        session.Execute($"""
            CREATE TABLE big_orders (customer STRING, amount BIGINT) WITH (
              'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:{cluster.Server.Port}/postgres', 'table-name' = 'public.{table}',
              'username' = '{PostgresServer.User}', 'password' = '{PostgresServer.Password}')
            """);

        var job = session.Execute("INSERT INTO big_orders SELECT customer, amount FROM orders WHERE amount >= 5").ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        cluster.Query($"SELECT customer, amount FROM {table} ORDER BY amount").ShouldBe([["bob", 5L], ["ann", 7L], ["ann", 10L]]);
    }

    [Fact]
    public void Jdbc_OtherDatabase_IsRefusedNamingTheUrlOption()
    {
        var session = Session();
        session.Execute("CREATE TABLE out (customer STRING, amount BIGINT) WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://localhost/shop', 'table-name' = 'out')");

        var error = Should.Throw<Exception>(() => session.Execute("INSERT INTO out SELECT customer, amount FROM orders"));

        error.ToString().ShouldContain("jdbc:postgresql://host[:port]/database");
    }

    [Fact]
    public void Postgres_AppendOfAnUpdatingQuery_IsRefusedAtPlanning()
    {
        var session = Session();
        session.Execute($"CREATE TABLE t (customer STRING, total BIGINT) WITH ('connector' = 'postgres', 'hostname' = '127.0.0.1', 'username' = 'x', 'database-name' = 'postgres', 'table-name' = 't')");

        var error = Should.Throw<SqlException>(() => session.Execute("INSERT INTO t SELECT customer, SUM(amount) FROM orders GROUP BY customer"));

        error.Reason.ShouldContain("'t'");
    }
}
