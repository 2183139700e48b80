using Sluice.Configuration;
using Sluice.Connectors.Filesystem;
using Sluice.Sql;
using Sluice.Sql.Session;

namespace Sluice.Connectors.Redis.Tests;

/// <summary>Lookup joins (<c>FOR SYSTEM_TIME AS OF</c>) into Redis hashes, from SQL.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisLookupTests(RedisFixture redis) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private SqlSession Session(string users)
    {
        File.WriteAllLines(_directory.File("orders.json"),
        [
            """{"order_id":1,"user_id":10,"amount":5}""",
            """{"order_id":2,"user_id":11,"amount":7}""",
            """{"order_id":3,"user_id":12,"amount":9}""",
            """{"order_id":4,"user_id":10,"amount":1}""",
        ]);
        var registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory()).Register(new Sluice.Connectors.Blackhole.BlackholeConnectorFactory()).AddAssembly(typeof(RedisConnectorFactory).Assembly);
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        session.Execute($"CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount BIGINT, pt AS PROCTIME()) WITH ('connector' = 'filesystem', 'path' = '{_directory.File("orders.json")}', 'format' = 'json')");
        session.Execute($"""
            CREATE TABLE users (user_id BIGINT, name STRING, tier INT, score DOUBLE) WITH (
              'connector' = 'redis', 'port' = '{redis.Server.Port}', 'password' = '{RedisServer.Password}', 'key-pattern' = '{users}:{"{user_id}"}',
              'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '10')
            """);
        return session;
    }

    [Fact]
    public async Task LeftLookupJoin_ReadsTheEntitysHash_MissingKeyAndMissingFieldAreNull()
    {
        var users = RedisFixture.NewPrefix("users");
        redis.Database.HashSet($"{users}:10", [new("name", "ann"), new("tier", "1"), new("score", "0.5"), new("_sluice_version", "3")]);
        redis.Database.HashSet($"{users}:11", [new("name", "bob")]);
        var enriched = RedisFixture.NewPrefix("enriched");
        var session = Session(users);
        session.Execute($"""
            CREATE TABLE enriched (order_id BIGINT, name STRING, tier INT, score DOUBLE, PRIMARY KEY (order_id) NOT ENFORCED) WITH (
              'connector' = 'redis', 'port' = '{redis.Server.Port}', 'password' = '{RedisServer.Password}', 'key-pattern' = '{enriched}:{"{order_id}"}')
            """);

        var job = session.Execute("INSERT INTO enriched SELECT o.order_id, u.name, u.tier, u.score FROM orders AS o LEFT JOIN users FOR SYSTEM_TIME AS OF o.pt AS u ON o.user_id = u.user_id")
            .ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Features(redis.Hash($"{enriched}:1")).ShouldBe("name=ann, score=0.5, tier=1");
        Features(redis.Hash($"{enriched}:2")).ShouldBe("name=bob", "bob's hash has no tier or score: NULL");
        Features(redis.Hash($"{enriched}:3")).ShouldBe("", "user 12 has no hash: every column NULL");
        Features(redis.Hash($"{enriched}:4")).ShouldBe("name=ann, score=0.5, tier=1");
    }

    [Fact]
    public void LookupJoin_OnColumnsOtherThanTheKeyPattern_IsRefusedNamingThem()
    {
        var session = Session(RedisFixture.NewPrefix("users"));
        session.Execute("CREATE TABLE out_names (name STRING) WITH ('connector' = 'blackhole')");

        var error = Should.Throw<SqlException>(() => session.Execute("INSERT INTO out_names SELECT u.name FROM orders AS o JOIN users FOR SYSTEM_TIME AS OF o.pt AS u ON CAST(o.amount AS INT) = u.tier"));

        error.Message.ShouldContain("key pattern");
        error.Message.ShouldContain("user_id");
    }

    private static string Features(SortedDictionary<string, string> hash) =>
        string.Join(", ", hash.Where(e => e.Key != "_sluice_version").Select(e => $"{e.Key}={e.Value}"));
}
