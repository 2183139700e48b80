using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sluice.Checkpoints;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Redis.Tests;

/// <summary>
/// <see cref="DataStream{T}.LookupAsync{TOut}"/> against a real redis-server through <see cref="RedisLookups"/>: order,
/// left and inner joins, batching, the cache, retries, the timeout policy, and a restore mid-stream.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisAsyncLookupTests(RedisFixture redis) : IDisposable
{
    private const int Users = 10; // users 0..7 have a hash; 8 and 9 have none
    private static readonly Schema s_users = new([new Field("user_id", DataType.BigInt), new Field("name", DataType.Varchar), new Field("tier", DataType.Int)]);
    private static readonly Schema s_key = new([new Field("user_id", DataType.BigInt)]);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string SeedUsers()
    {
        var prefix = RedisFixture.NewPrefix("users");
        for (var user = 0; user < Users - 2; user++)
        {
            redis.Database.HashSet($"{prefix}:{user}", [new("name", $"u{user}"), new("tier", $"{user % 3}")]);
        }
        return prefix;
    }

    private Func<IAsyncLookupSource> Source(string prefix) => () => RedisLookups.Create(redis.Server.Configuration, prefix + ":{user_id}", s_users);

    private static Row KeyOf(long seq) => Row.Of(s_key, seq % Users);

    private static string Join(long seq, Row? user) => $"{seq}:{user?.GetString(1) ?? "null"}";

    private static string Expected(long seq) => seq % Users < Users - 2 ? $"{seq}:u{seq % Users}" : $"{seq}:null";

    private static List<string> Run(StreamEnvironment env, DataStream<string> stream)
    {
        var sink = stream.Collect();
        env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        return [.. sink.Items];
    }

    [Fact]
    public void Ordered_LeftJoin_KeepsInputOrder_MissingKeyGivesNull_BatchesKeysPerRoundTrip()
    {
        var prefix = SeedUsers();
        var name = "lookup-" + Guid.NewGuid().ToString("N")[..8];
        using var counters = new LookupCounters(name);
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var joined = env.FromCollection(Enumerable.Range(0, 300).Select(i => (long)i))
            .LookupAsync(Source(prefix), KeyOf, Join, new AsyncLookupOptions { BatchSize = 16, Linger = TimeSpan.FromHours(1) }, name);

        var output = Run(env, joined);

        output.ShouldBe([.. Enumerable.Range(0, 300).Select(i => Expected(i))]);
        counters["sluice.lookup.requests"].ShouldBe(19, "300 keys in batches of 16 (the last one partial, sent at the end of input)");
    }

    [Fact]
    public void Unordered_InnerJoin_DropsMissingKeys_EmitsEveryOtherRecordOnce()
    {
        var prefix = SeedUsers();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        var joined = env.FromCollection(Enumerable.Range(0, 500).Select(i => (long)i))
            .LookupAsync(Source(prefix), KeyOf, Join, new AsyncLookupOptions { BatchSize = 7, Capacity = 20, OutputMode = AsyncLookupOutputMode.Unordered, JoinType = LookupJoinType.Inner });

        var output = Run(env, joined);

        output.ShouldBe([.. Enumerable.Range(0, 500).Where(i => i % Users < Users - 2).Select(i => Expected(i))], ignoreOrder: true);
    }

    [Fact]
    public void PartialCache_OneRecordInFlight_MissesOncePerKeyIncludingMissingKeys_HitsTheRest()
    {
        var prefix = SeedUsers();
        var name = "cached-" + Guid.NewGuid().ToString("N")[..8];
        using var counters = new LookupCounters(name);
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var joined = env.FromCollection(Enumerable.Range(0, 200).Select(i => (long)i))
            .LookupAsync(Source(prefix), KeyOf, Join, new AsyncLookupOptions
            {
                Capacity = 1,
                BatchSize = 1,
                Linger = TimeSpan.Zero,
                Lookup = new LookupOptions { Cache = LookupCacheMode.Partial, MaxRows = 100, ExpireAfterWrite = TimeSpan.FromHours(1) },
            }, name);

        var output = Run(env, joined);

        output.ShouldBe([.. Enumerable.Range(0, 200).Select(i => Expected(i))]);
        counters["sluice.lookup.cache.misses"].ShouldBe(Users);
        counters["sluice.lookup.cache.hits"].ShouldBe(200 - Users);
        counters["sluice.lookup.requests"].ShouldBe(Users);
    }

    [Fact]
    public void FailingRequests_AreRetriedWithBackoff_ThenAnswered()
    {
        var prefix = SeedUsers();
        var name = "retried-" + Guid.NewGuid().ToString("N")[..8];
        using var counters = new LookupCounters(name);
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var joined = env.FromCollection(Enumerable.Range(0, 50).Select(i => (long)i))
            .LookupAsync(() => new FaultyLookupSource(Source(prefix)(), failures: 2, hangs: 0), KeyOf, Join,
                new AsyncLookupOptions { BatchSize = 10, RetryBackoff = TimeSpan.FromMilliseconds(1), Lookup = new LookupOptions { MaxRetries = 2 } }, name);

        var output = Run(env, joined);

        output.ShouldBe([.. Enumerable.Range(0, 50).Select(i => Expected(i))]);
        counters["sluice.lookup.retries"].ShouldBe(2);
    }

    [Fact]
    public void FailingRequests_BeyondTheRetries_FailTheJobNamingTheKey()
    {
        var prefix = SeedUsers();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(Enumerable.Range(0, 5).Select(i => (long)i))
            .LookupAsync(() => new FaultyLookupSource(Source(prefix)(), failures: 3, hangs: 0), KeyOf, Join,
                new AsyncLookupOptions { RetryBackoff = TimeSpan.Zero, Lookup = new LookupOptions { MaxRetries = 2 } }, "users")
            .Collect();

        var error = Should.Throw<JobExecutionException>(() => env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult());

        error.Message.ShouldContain("'users'");
        error.Message.ShouldContain("after 3 attempt(s)");
        error.Message.ShouldContain("injected failure");
    }

    [Fact]
    public void TimedOutRequest_MissingPolicy_JoinsWithNullAndCountsIt()
    {
        var prefix = SeedUsers();
        var name = "timeouts-" + Guid.NewGuid().ToString("N")[..8];
        using var counters = new LookupCounters(name);
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var joined = env.FromCollection(Enumerable.Range(0, 20).Select(i => (long)i))
            .LookupAsync(() => new FaultyLookupSource(Source(prefix)(), failures: 0, hangs: 1), KeyOf, Join, new AsyncLookupOptions
            {
                Capacity = 1,
                BatchSize = 1,
                Linger = TimeSpan.Zero,
                Timeout = TimeSpan.FromMilliseconds(100),
                TimeoutPolicy = LookupTimeoutPolicy.Missing,
                Lookup = new LookupOptions { MaxRetries = 0 },
            }, name);

        var output = Run(env, joined);

        output.ShouldBe(["0:null", .. Enumerable.Range(1, 19).Select(i => Expected(i))], "the first request never answers: its record is joined with null");
        counters["sluice.lookup.timeouts"].ShouldBe(1);
    }

    [Fact]
    public async Task TaskFailure_RestoreFromACheckpointTakenWithLookupsInFlight_EveryRecordJoinedExactlyOnce()
    {
        var prefix = SeedUsers();
        var output = _directory.File("out");
        var source = new PausableRangeSource(200) { PauseAt = 40 };
        var env = StreamEnvironment.Create(new JobOptions
        {
            Parallelism = 1,
            Checkpoints = CheckpointOptions.InDirectory(_directory.File("checkpoints"), TimeSpan.FromHours(1)),
            Restart = RestartStrategy.FixedDelay(1, TimeSpan.Zero),
        });
        var failed = 0;
        // A linger of an hour and a batch of 1000: at the barrier every record is still in flight, so only the drain
        // before the barrier can emit them.
        env.FromSource(source).Uid("range")
            .LookupAsync(Source(prefix), KeyOf, Join, new AsyncLookupOptions { BatchSize = 1000, Linger = TimeSpan.FromHours(1) }).Uid("lookup")
            .Map(s => s.StartsWith("70:", StringComparison.Ordinal) && Interlocked.Exchange(ref failed, 1) == 0 ? throw new InvalidOperationException("injected failure at 70") : s).Uid("fail-once")
            .WriteJsonLinesDirectory(output).Uid("out");

        var client = await source.StartAndCheckpointAtPauseAsync(env);
        source.PauseAt = long.MaxValue;
        var result = await client.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        result.Restarts.ShouldBe(1);
        var lines = JsonLinesDirectorySink<string>.CommittedFiles(output).SelectMany(File.ReadAllLines)
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<string>(l)!).ToList();
        lines.ShouldBe([.. Enumerable.Range(0, 200).Select(i => Expected(i))], ignoreOrder: true);
        lines.Count.ShouldBe(200, "no record joined twice");
    }

    /// <summary>A real lookup source whose first <c>failures</c> calls throw and whose next <c>hangs</c> calls never answer (fault injection around the real thing).</summary>
    private sealed class FaultyLookupSource(IAsyncLookupSource inner, int failures, int hangs) : IAsyncLookupSource
    {
        private int _calls;

        public Schema KeySchema => inner.KeySchema;

        public Schema Schema => inner.Schema;

        public void Open(LookupContext context) => inner.Open(context);

        public Task<IReadOnlyList<IReadOnlyList<Row>>> LookupBatchAsync(IReadOnlyList<Row> keys, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            if (call <= failures)
            {
                return Task.FromException<IReadOnlyList<IReadOnlyList<Row>>>(new IOException($"injected failure {call}"));
            }
            if (call <= failures + hangs)
            {
                return new TaskCompletionSource<IReadOnlyList<IReadOnlyList<Row>>>().Task; // never answers, ignores its token
            }
            return inner.LookupBatchAsync(keys, cancellationToken);
        }

        public void Dispose() => inner.Dispose();
    }

    /// <summary>Totals of the <c>sluice.lookup.*</c> counters of one operator.</summary>
    private sealed class LookupCounters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _totals = new();

        public LookupCounters(string operatorName)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Sluice" && instrument.Name.StartsWith("sluice.lookup.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "operator" && tag.Value as string == operatorName)
                    {
                        _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
                    }
                }
            });
            _listener.Start();
        }

        public long this[string name] => _totals.GetValueOrDefault(name);

        public void Dispose() => _listener.Dispose();
    }
}
