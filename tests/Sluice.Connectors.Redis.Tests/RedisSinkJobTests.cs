using Sluice.Checkpoints;
using Sluice.Configuration;
using Sluice.Connectors.Filesystem;
using Sluice.Schemas;
using Sluice.Sql;
using Sluice.Sql.Session;

namespace Sluice.Connectors.Redis.Tests;

/// <summary>The Redis sink in running jobs: a restart after a failure, and the 'redis' SQL connector.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSinkJobTests(RedisFixture redis) : IDisposable
{
    private const int Count = 200;
    private const int Users = 10;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private sealed record Spend(long UserId, long Amount, long Seq);

    [Fact]
    public async Task TaskFailure_RestartReplaysFromTheCheckpoint_FinalStateEqualsTheLastRecordPerEntity()
    {
        var prefix = RedisFixture.NewPrefix("job");
        var source = new PausableRangeSource(Count) { PauseAt = 40 };
        var env = StreamEnvironment.Create(new JobOptions
        {
            Checkpoints = CheckpointOptions.InDirectory(_directory.Path, TimeSpan.FromHours(1)),
            Restart = RestartStrategy.FixedDelay(1, TimeSpan.Zero),
        });
        var failed = 0;
        env.FromSource(source).Uid("range")
            .Map(v => v == 70 && Interlocked.Exchange(ref failed, 1) == 0 ? throw new InvalidOperationException("injected failure at 70") : v).Uid("map")
            .Map(v => new Spend(v % Users, v * 3, v)).Uid("spend")
            .ToRedis(new RedisSinkOptions { Configuration = redis.Server.Configuration, KeyPattern = prefix + ":{user_id}", BatchSize = 7 }).Uid("redis");

        var client = await source.StartAndCheckpointAtPauseAsync(env);
        source.AdvanceTo(70);
        source.PauseAt = long.MaxValue;
        var result = await client.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        result.Restarts.ShouldBe(1);
        for (var user = 0; user < Users; user++)
        {
            var last = Count - Users + user; // the last value of v with v % 10 == user
            var hash = redis.Hash($"{prefix}:{user}");
            hash["seq"].ShouldBe($"{last}");
            hash["amount"].ShouldBe($"{last * 3}");
        }
    }

    [Fact]
    public async Task BurstThenNoInputAndNoBarrier_EveryRecordReachesRedis()
    {
        var prefix = RedisFixture.NewPrefix("burst");
        var source = new PausableRangeSource(Count) { PauseAt = 0 };
        var env = StreamEnvironment.Create(new JobOptions { Checkpoints = CheckpointOptions.InDirectory(_directory.Path, TimeSpan.FromHours(1)) });
        env.FromSource(source).Uid("range")
            .Map(v => new Spend(v, v * 3, v)).Uid("spend")
            .ToRedis(new RedisSinkOptions { Configuration = redis.Server.Configuration, KeyPattern = prefix + ":{user_id}" }).Uid("redis");
        var client = env.Start();
        source.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        // Redis holds writes for a second: the burst's first batch is outstanding while the rest is buffered behind it.
        redis.PauseWrites(1000);

        source.AdvanceTo(100); // then nothing more: no record, no barrier (checkpoints hourly), no end of input

        (await RedisSinkTests.PollAsync(() => Enumerable.Range(0, 100).All(u => redis.Database.KeyExists($"{prefix}:{u}"))))
            .ShouldBeTrue("all 100 hashes appear once Redis answers, without further input");
        redis.Hash($"{prefix}:99")["amount"].ShouldBe("297");
        client.Completion.IsCompleted.ShouldBeFalse();
        source.PauseAt = long.MaxValue;
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Sql_UpdatingAggregate_IsWrittenAsOneHashPerPrimaryKey()
    {
        File.WriteAllLines(_directory.File("orders.json"),
        [
            """{"customer":"ann","amount":10}""",
            """{"customer":"bob","amount":5}""",
            """{"customer":"ann","amount":7}""",
        ]);
        var registry = new ConnectorRegistry().Register(new FilesystemConnectorFactory()).AddAssembly(typeof(RedisConnectorFactory).Assembly);
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });
        var table = "totals_" + Guid.NewGuid().ToString("N")[..8];
        session.Execute($"CREATE TABLE orders (customer STRING, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = '{_directory.File("orders.json")}', 'format' = 'json')");
        session.Execute($"""
            CREATE TABLE {table} (customer STRING, total BIGINT, orders BIGINT, PRIMARY KEY (customer) NOT ENFORCED) WITH (
              'connector' = 'redis', 'port' = '{redis.Server.Port}', 'password' = '{RedisServer.Password}', 'ttl' = '1 h')
            """);

        var job = session.Execute($"INSERT INTO {table} SELECT customer, SUM(amount), COUNT(*) FROM orders GROUP BY customer").ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        redis.Hash($"{table}:ann")["total"].ShouldBe("17");
        redis.Hash($"{table}:ann")["orders"].ShouldBe("2");
        redis.Hash($"{table}:bob")["total"].ShouldBe("5");
        redis.Database.KeyTimeToLive($"{table}:bob").ShouldNotBeNull();
    }

    [Fact]
    public void Sql_TableWithoutKeyOrPattern_IsRefusedNamingTheOption()
    {
        var registry = new ConnectorRegistry().AddAssembly(typeof(RedisConnectorFactory).Assembly);
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = registry });

        var error = Should.Throw<SqlException>(() => session.Execute("CREATE TABLE t (a STRING, b BIGINT) WITH ('connector' = 'redis')"));

        error.Message.ShouldContain("key-pattern");
        error.Message.ShouldContain("PRIMARY KEY");
    }
}
