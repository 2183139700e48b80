using Sluice.Configuration;
using Sluice.Connectors.Filesystem;
using Sluice.Schemas;
using Sluice.Sql;
using Sluice.Sql.Session;

namespace Sluice.Connectors.Postgres.Tests;

/// <summary>PostgreSQL tables as lookup tables: SQL's <c>FOR SYSTEM_TIME AS OF</c> ('postgres' and 'jdbc') and <see cref="PostgresLookups"/> for <c>LookupAsync</c>.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLookupTests(PostgresCluster cluster) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-pg-lookup-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Users()
    {
        var users = PostgresCluster.NewTable("users");
        cluster.Execute($"CREATE TABLE {users} (user_id BIGINT PRIMARY KEY, name TEXT, tier INTEGER, score DOUBLE PRECISION)");
        cluster.Execute($"INSERT INTO {users} VALUES (10, 'ann', 1, 0.5), (11, 'bob', NULL, NULL)");
        return users;
    }

    private SqlSession Session()
    {
        File.WriteAllLines(Path.Combine(_directory, "orders.json"),
        [
            """{"order_id":1,"user_id":10,"amount":5}""",
            """{"order_id":2,"user_id":11,"amount":7}""",
            """{"order_id":3,"user_id":12,"amount":9}""",
            """{"order_id":4,"user_id":10,"amount":1}""",
        ]);
        var registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory()).AddAssembly(typeof(PostgresConnectorFactory).Assembly);
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute($"CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount BIGINT, pt AS PROCTIME()) WITH ('connector' = 'filesystem', 'path' = '{_directory}/orders.json', 'format' = 'json')");
        return session;
    }

    private string Server => $"'hostname' = '127.0.0.1', 'port' = '{cluster.Server.Port}', 'username' = '{PostgresServer.User}', 'password' = '{PostgresServer.Password}', 'database-name' = 'postgres'";

    [Fact]
    public async Task Postgres_LeftLookupJoin_ReadsRowsByKey_MissingKeyAndNullColumnsAreNull()
    {
        var users = Users();
        var enriched = PostgresCluster.NewTable("enriched");
        var session = Session();
        session.Execute($"CREATE TABLE users (user_id BIGINT, name STRING, tier INT, score DOUBLE) WITH ('connector' = 'postgres', {Server}, 'table-name' = '{users}', 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '10')");
        session.Execute($"CREATE TABLE enriched (order_id BIGINT, name STRING, tier INT, score DOUBLE) WITH ('connector' = 'postgres', {Server}, 'table-name' = '{enriched}')");

        var job = session.Execute("INSERT INTO enriched SELECT o.order_id, u.name, u.tier, u.score FROM orders AS o LEFT JOIN users FOR SYSTEM_TIME AS OF o.pt AS u ON o.user_id = u.user_id")
            .ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        cluster.Query($"SELECT order_id, name, tier, score FROM {enriched} ORDER BY order_id").ShouldBe(
        [
            [1L, "ann", 1, 0.5],
            [2L, "bob", null, null],
            [3L, null, null, null],
            [4L, "ann", 1, 0.5],
        ]);
    }

    [Fact]
    public async Task Jdbc_InnerLookupJoin_DropsOrdersWithoutAUser()
    {
        var users = Users();
        var enriched = PostgresCluster.NewTable("enriched");
        var session = Session();
        var url = $"'url' = 'jdbc:postgresql://127.0.0.1:{cluster.Server.Port}/postgres', 'username' = '{PostgresServer.User}', 'password' = '{PostgresServer.Password}'";
        session.Execute($"CREATE TABLE users (user_id BIGINT, name STRING) WITH ('connector' = 'jdbc', {url}, 'table-name' = 'public.{users}')");
        session.Execute($"CREATE TABLE enriched (order_id BIGINT, name STRING) WITH ('connector' = 'jdbc', {url}, 'table-name' = '{enriched}')");

        var job = session.Execute("INSERT INTO enriched SELECT o.order_id, u.name FROM orders AS o JOIN users FOR SYSTEM_TIME AS OF o.pt AS u ON o.user_id = u.user_id")
            .ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        cluster.Query($"SELECT order_id, name FROM {enriched} ORDER BY order_id").ShouldBe([[1L, "ann"], [2L, "bob"], [4L, "ann"]]);
    }

    [Fact]
    public void Postgres_LookupOptionsWithoutPartialCache_AreRefusedNamingTheOption()
    {
        var session = Session();
        session.Execute($"CREATE TABLE users (user_id BIGINT, name STRING) WITH ('connector' = 'postgres', {Server}, 'table-name' = 'u', 'lookup.partial-cache.max-rows' = '10')");

        var error = Should.Throw<Exception>(() => session.Execute("SELECT o.order_id, u.name FROM orders AS o JOIN users FOR SYSTEM_TIME AS OF o.pt AS u ON o.user_id = u.user_id"));

        error.ToString().ShouldContain("lookup.partial-cache.max-rows");
    }

    [Fact]
    public async Task LookupAsync_CompositeNonUniqueKey_OneQueryPerBatch_EveryMatchingRowJoined()
    {
        var prices = PostgresCluster.NewTable("prices");
        cluster.Execute($"CREATE TABLE {prices} (region TEXT, sku BIGINT, price NUMERIC(10, 2), seller TEXT)");
        cluster.Execute($"INSERT INTO {prices} VALUES ('eu', 1, 9.50, 'a'), ('eu', 1, 9.75, 'b'), ('eu', 2, 3.00, 'a'), ('us', 1, 11.00, 'c')");
        var schema = new Schema([new Field("region", DataType.Varchar), new Field("sku", DataType.BigInt), new Field("price", DataType.Decimal(10, 2)), new Field("seller", DataType.Varchar)]);
        var key = new Schema([new Field("region", DataType.Varchar), new Field("sku", DataType.BigInt)]);
        (string Region, long Sku)[] orders = [("eu", 1), ("us", 2), ("us", 1), ("eu", 2), (null!, 1)];
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var joined = env.FromCollection(orders)
            .LookupAsync(() => PostgresLookups.Create(cluster.ConnectionString, prices, schema, ["region", "sku"]),
                o => Row.Of(key, o.Region, o.Sku),
                (o, row) => $"{o.Region ?? "null"}/{o.Sku}:{(row is null ? "none" : $"{row.GetDecimal(2)}@{row.GetString(3)}")}",
                new AsyncLookupOptions { BatchSize = 100, Linger = TimeSpan.FromHours(1) })
            .Collect();

        await env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60));

        joined.Items.ShouldBe(["eu/1:9.50@a", "eu/1:9.75@b", "us/2:none", "us/1:11.00@c", "eu/2:3.00@a", "null/1:none"], ignoreOrder: true);
        joined.Items.Take(2).ShouldBe(["eu/1:9.50@a", "eu/1:9.75@b"], ignoreOrder: true, "ordered output: the first order's rows come first");
    }
}
