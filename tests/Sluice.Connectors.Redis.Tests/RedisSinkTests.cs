using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Connectors.Redis.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Redis.Tests;

/// <summary>The feature-store sink driven directly (writer → barrier → restore) against a real redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSinkTests(RedisFixture redis)
{
    private static readonly Schema s_features = Schema.Parse("user_id BIGINT NOT NULL, spend DOUBLE, orders BIGINT, city STRING, vip BOOLEAN");

    private RedisSink<Row> Sink(string prefix, Action<RedisSinkOptions>? check = null, int batchSize = 64, TimeSpan? keyTtl = null)
    {
        var options = new RedisSinkOptions { Configuration = redis.Server.Configuration, KeyPattern = prefix + ":{user_id}", BatchSize = batchSize, KeyTtl = keyTtl };
        check?.Invoke(options);
        var sink = RedisSink.ForRows(options, s_features);
        sink.Open(new CommitterContext("Redis(test)", "redis-test", JobId.New(), NullLoggerFactory.Instance));
        return sink;
    }

    private static ITwoPhaseSinkWriter<Row> Writer(RedisSink<Row> sink) =>
        (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("Redis(test)", 0, 1, TimeProvider.System));

    private static Row User(RowKind kind, long id, double? spend, long? orders, string? city, bool? vip = null)
    {
        var row = Row.Of(s_features, id, spend, orders, city, vip);
        row.Kind = kind;
        return row;
    }

    [Fact]
    public void Upserts_WriteOneHashPerEntity_OneFieldPerFeature_WithTheEpochAsVersion()
    {
        var prefix = RedisFixture.NewPrefix("users");
        using var sink = Sink(prefix);
        sink.AbortPending(0);
        using var writer = Writer(sink);

        writer.Write(User(RowKind.Insert, 1, 12.5, 3, "Oslo", true), 0);
        writer.Write(User(RowKind.Insert, 2, 0.1, 1, "Lima"), 0);
        writer.Flush();

        redis.Hash($"{prefix}:1").ShouldBe(new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["_sluice_version"] = "1",
            ["city"] = "Oslo",
            ["orders"] = "3",
            ["spend"] = "12.5",
            ["vip"] = "true",
        });
        redis.Hash($"{prefix}:2").ShouldBe(new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["_sluice_version"] = "1",
            ["city"] = "Lima",
            ["orders"] = "1",
            ["spend"] = "0.1",
        });
    }

    [Fact]
    public void Changelog_UpdateAfterOverwrites_UpdateBeforeIsIgnored_DeleteRemovesTheHash_NullRemovesTheField()
    {
        var prefix = RedisFixture.NewPrefix("changes");
        using var sink = Sink(prefix, batchSize: 2);
        sink.AbortPending(0);
        using var writer = Writer(sink);

        writer.Write(User(RowKind.Insert, 1, 1.0, 1, "Oslo"), 0);
        writer.Write(User(RowKind.Insert, 2, 2.0, 2, "Lima"), 0);
        writer.Write(User(RowKind.UpdateBefore, 1, 1.0, 1, "Oslo"), 0);
        writer.Write(User(RowKind.UpdateAfter, 1, 5.0, 2, null), 0);
        writer.Write(User(RowKind.Delete, 2, 2.0, 2, "Lima"), 0);
        writer.Flush();

        redis.Hash($"{prefix}:1").ShouldBe(new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["_sluice_version"] = "1",
            ["orders"] = "2",
            ["spend"] = "5",
        });
        redis.Database.KeyExists($"{prefix}:2").ShouldBeFalse();
    }

    [Fact]
    public void Barrier_WaitsForEveryWrite_AndTheNextEpochIsTheCheckpointPlusOne()
    {
        var prefix = RedisFixture.NewPrefix("epochs");
        using var sink = Sink(prefix, batchSize: 1000);
        sink.AbortPending(0);
        using var writer = Writer(sink);

        for (var i = 0; i < 500; i++)
        {
            writer.Write(User(RowKind.Insert, i, i, i, "c"), 0);
        }
        writer.PrepareCommit(7).ShouldBeEmpty();

        redis.Database.HashGet($"{prefix}:499", "orders").ToString().ShouldBe("499", "the barrier returns only once every write is in Redis");
        writer.Write(User(RowKind.UpdateAfter, 3, 30, 30, "d"), 0);
        writer.Flush();
        redis.Hash($"{prefix}:3")["_sluice_version"].ShouldBe("8");
        redis.Database.StringGet(sink.EpochKey).ToString().ShouldBe("8");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Write_WhileRedisHasNothingToAnswer_IsReadableWithoutWaitingForAFullBatchOrABarrier(bool asBatch)
    {
        var prefix = RedisFixture.NewPrefix("fresh");
        using var sink = Sink(prefix, batchSize: 1000);
        sink.AbortPending(0);
        using var writer = Writer(sink);

        if (asBatch)
        {
            writer.WriteBatch([User(RowKind.Insert, 1, 5, 1, "Oslo"), User(RowKind.Insert, 2, 6, 2, "Lima")], [0, 0]);
        }
        else
        {
            writer.Write(User(RowKind.Insert, 2, 6, 2, "Lima"), 0);
        }

        // No Flush, no barrier, the batch far from full: it went out because no round trip of the writer was outstanding.
        var key = $"{prefix}:2";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!redis.Database.KeyExists(key) && DateTime.UtcNow < deadline)
        {
            // Each check is a round trip to Redis: the poll paces itself.
        }
        redis.Hash(key).GetValueOrDefault("city").ShouldBe("Lima", $"{key} is readable before any flush or barrier");
    }

    [Fact]
    public void WriteOfAnOlderEpoch_NeverOverwritesANewerOne()
    {
        var prefix = RedisFixture.NewPrefix("older");
        var epochKey = RedisSink<Row>.EpochKeyPrefix + prefix + ":{user_id}";
        using var sink = Sink(prefix);
        sink.AbortPending(3);
        using var late = Writer(sink); // epoch 4: as a failed attempt's writer whose writes arrive late
        // Meanwhile a newer attempt raised the pattern's epoch key to 10 and wrote user 1 at version 10.
        redis.Database.StringSet(epochKey, 10);
        redis.Database.HashSet($"{prefix}:1", [new("_sluice_version", 10), new("spend", "99"), new("city", "Rome")]);

        late.Write(User(RowKind.Insert, 1, 1.0, 1, "Oslo"), 0);
        late.Write(User(RowKind.Insert, 2, 2.0, 2, "Lima"), 0);
        late.Write(User(RowKind.Delete, 1, 1.0, 1, "Oslo"), 0);
        late.Flush();
        using var current = Writer(sink); // epoch 10, the epoch key's: its batches write without reading versions
        current.Write(User(RowKind.UpdateAfter, 2, 5.0, 5, "Quito"), 0);
        current.Flush();

        redis.Hash($"{prefix}:1").ShouldBe(new SortedDictionary<string, string>(StringComparer.Ordinal) { ["_sluice_version"] = "10", ["city"] = "Rome", ["spend"] = "99" });
        redis.Hash($"{prefix}:2")["city"].ShouldBe("Quito", "an entity with no newer write is written, then overwritten by the current epoch");
        redis.Hash($"{prefix}:2")["_sluice_version"].ShouldBe("10");
    }

    [Fact]
    public void Restore_ReplayedRecordsOverwriteWhatTheFailedAttemptWroteAfterAnUncompletedBarrier()
    {
        var prefix = RedisFixture.NewPrefix("restore");
        using (var first = Sink(prefix))
        {
            first.AbortPending(0);
            using var writer = Writer(first);
            writer.Write(User(RowKind.Insert, 1, 1.0, 1, "a"), 0);
            writer.PrepareCommit(1); // checkpoint 1 completes
            writer.Write(User(RowKind.UpdateAfter, 1, 2.0, 2, "b"), 0);
            writer.PrepareCommit(2); // checkpoint 2's barrier passes, but the checkpoint never completes
            writer.Write(User(RowKind.UpdateAfter, 1, 3.0, 3, "c"), 0); // epoch 3
            writer.Flush();
            redis.Hash($"{prefix}:1")["_sluice_version"].ShouldBe("3");
        }

        // The job restarts from checkpoint 1 and replays with different barrier positions: its first epoch must not be 2,
        // or the replayed records would be refused as older than what the failed attempt wrote.
        using var second = Sink(prefix);
        second.AbortPending(1);
        using var replay = Writer(second);
        replay.Write(User(RowKind.UpdateAfter, 1, 2.0, 2, "b"), 0);
        replay.Write(User(RowKind.UpdateAfter, 1, 4.0, 4, "final"), 0);
        replay.Flush();

        redis.Hash($"{prefix}:1")["city"].ShouldBe("final");
    }

    [Fact]
    public void KeyTtl_IsSetAndRenewed()
    {
        var prefix = RedisFixture.NewPrefix("ttl");
        using var sink = Sink(prefix, keyTtl: TimeSpan.FromMinutes(10));
        sink.AbortPending(0);
        using var writer = Writer(sink);

        writer.Write(User(RowKind.Insert, 1, 1.0, 1, "a"), 0);
        writer.Flush();

        var ttl = redis.Database.KeyTimeToLive($"{prefix}:1");
        ttl.ShouldNotBeNull();
        ttl.Value.ShouldBeInRange(TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        redis.Database.KeyTimeToLive($"{prefix}:none").ShouldBeNull();
    }

    [Fact]
    public void FeatureTtl_NeedsRedis74_OlderServersAreRefusedAtStart_NamingTheVersionAndTheAlternative()
    {
        var prefix = RedisFixture.NewPrefix("fttl");
        var version = redis.Database.Multiplexer.GetServer(redis.Database.Multiplexer.GetEndPoints()[0]).Version;
        using var sink = RedisSink.ForRows(new RedisSinkOptions
        {
            Configuration = redis.Server.Configuration,
            KeyPattern = prefix + ":{user_id}",
            FeatureTtl = new Dictionary<string, TimeSpan> { ["spend"] = TimeSpan.FromMinutes(10) },
        }, s_features);

        if (version < new Version(7, 4)) // the Debian 12 package is 7.0
        {
            var error = Should.Throw<RedisSinkException>(() => sink.AbortPending(0));
            error.Message.ShouldContain("7.4");
            error.Message.ShouldContain(version.ToString());
            error.Message.ShouldContain("KeyTtl");
        }
        else
        {
            sink.AbortPending(0);
            using var writer = Writer(sink);
            writer.Write(User(RowKind.Insert, 1, 1.0, 1, "a"), 0);
            writer.Flush();
            var ttl = (long)redis.Database.Execute("HPTTL", $"{prefix}:1", "FIELDS", 2, "spend", "city")[0];
            ttl.ShouldBeInRange(9 * 60_000, 10 * 60_000);
        }
    }

    [Fact]
    public void KeyOfAnotherType_FailsTheWrite_NamingTheKey()
    {
        var prefix = RedisFixture.NewPrefix("wrongtype");
        redis.Database.StringSet($"{prefix}:1", "not a hash");
        using var sink = Sink(prefix);
        sink.AbortPending(0);
        using var writer = Writer(sink);

        writer.Write(User(RowKind.Insert, 1, 1.0, 1, "a"), 0);
        var error = Should.Throw<RedisSinkException>(writer.Flush);

        error.Message.ShouldContain($"{prefix}:1");
        error.Message.ShouldContain("WRONGTYPE");
    }

    [Fact]
    public void WrongPassword_FailsNamingTheEndpoint_NotThePassword()
    {
        using var sink = RedisSink.ForRows(new RedisSinkOptions { Configuration = $"127.0.0.1:{redis.Server.Port},password=not-the-password-42", KeyPattern = "u:{user_id}", ConnectAttempts = 1 }, s_features);

        var error = Should.Throw<RedisSinkException>(() => sink.AbortPending(0));

        error.Message.ShouldContain($"127.0.0.1:{redis.Server.Port}");
        error.Message.ShouldContain("password");
        error.ToString().ShouldNotContain("not-the-password-42");
    }

    [Fact]
    public void Unreachable_FailsAfterItsAttempts_NamingTheEndpoint()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        using var sink = RedisSink.ForRows(new RedisSinkOptions { Configuration = $"127.0.0.1:{port},password=secret-77,connectTimeout=500", KeyPattern = "u:{user_id}", ConnectAttempts = 2 }, s_features);

        var error = Should.Throw<RedisSinkException>(() => sink.AbortPending(0));

        error.Message.ShouldContain($"127.0.0.1:{port}");
        error.Message.ShouldContain("2 attempts");
        error.ToString().ShouldNotContain("secret-77");
    }

    [Fact]
    public async Task RecordsBufferedBehindAReply_WhenTheReplyArrives_AskForAWakeUpThatSendsThem()
    {
        var prefix = RedisFixture.NewPrefix("idle");
        using var sink = Sink(prefix);
        sink.AbortPending(0);
        using var wakeUps = new SemaphoreSlim(0);
        using var writer = sink.CreateWriter(new SinkContext("Redis(test)", 0, 1, TimeProvider.System) { WakeUp = () => wakeUps.Release() });
        // Redis holds every write for 500 ms, so the first record's reply is outstanding while the next two arrive.
        redis.PauseWrites(500);

        writer.Write(User(RowKind.Insert, 1, 1.0, 1, "Oslo"), 0); // Redis idle: sent at once
        writer.Write(User(RowKind.Insert, 2, 2.0, 2, "Lima"), 0); // buffered behind the reply
        writer.Write(User(RowKind.Insert, 3, 3.0, 3, "Rome"), 0);

        (await wakeUps.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue("the first record's reply asks for a wake-up");
        redis.Hash($"{prefix}:1")["city"].ShouldBe("Oslo");
        redis.Hash($"{prefix}:2").ShouldBeEmpty("buffered until the wake-up");
        writer.OnWakeUp(); // what the task does on its thread
        (await PollAsync(() => redis.Hash($"{prefix}:3").Count > 0)).ShouldBeTrue("the buffered records are sent without more input, barrier or flush");
        redis.Hash($"{prefix}:2")["city"].ShouldBe("Lima");
        redis.Hash($"{prefix}:3")["city"].ShouldBe("Rome");
        wakeUps.CurrentCount.ShouldBe(0, "one wake-up per wait, not per record");
    }

    [Fact]
    public void Options_ToString_ShowsTheEndpointsButNeverThePassword()
    {
        var options = new RedisSinkOptions { Configuration = "127.0.0.1:6390,password=s3cret-value,user=feature-writer", KeyPattern = "user:{user_id}" };

        var text = options.ToString();

        text.ShouldNotContain("s3cret-value");
        text.ShouldNotContain("feature-writer");
        text.ShouldContain("127.0.0.1:6390");
        text.ShouldContain("user:{user_id}");
    }

    /// <summary>Polls <paramref name="condition"/> every 10 ms until it holds (true) or 30 s pass (false).</summary>
    internal static async Task<bool> PollAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await tick.WaitForNextTickAsync();
        }
        return true;
    }

    [Fact]
    public void Options_Inconsistent_AreRefusedAtConstruction_NamingTheField()
    {
        Should.Throw<ArgumentException>(() => RedisSink.ForRows(new RedisSinkOptions { Configuration = "x:1", KeyPattern = "u:{id}" }, s_features))
            .Message.ShouldContain("'id'");
        Should.Throw<ArgumentException>(() => RedisSink.ForRows(new RedisSinkOptions { Configuration = "x:1", KeyPattern = "users" }, s_features))
            .Message.ShouldContain("placeholder");
        Should.Throw<ArgumentException>(() => RedisSink.ForRows(new RedisSinkOptions { Configuration = "x:1", KeyPattern = "u:{user_id}", Features = ["spend", "tax"] }, s_features))
            .Message.ShouldContain("'tax'");
        Should.Throw<ArgumentException>(() => RedisSink.ForRows(new RedisSinkOptions { Configuration = "x:1", KeyPattern = "u:{user_id", }, s_features))
            .Message.ShouldContain("unclosed");
    }

    [Fact]
    public void KeyPattern_WithSeveralFieldsAndEscapedBraces_FormatsTheKey()
    {
        var schema = Schema.Parse("shop STRING NOT NULL, sku BIGINT NOT NULL, price DOUBLE");
        var pattern = RedisKeyPattern.Parse("price:{{{shop}}}:{sku}", schema);

        pattern.Format(Row.Of(schema, "north", 42L, 1.5)).ShouldBe("price:{north}:42");
        Should.Throw<ArgumentException>(() => pattern.Format(Row.Of(schema, null, 42L, 1.5))).Message.ShouldContain("'shop'");
    }
}
