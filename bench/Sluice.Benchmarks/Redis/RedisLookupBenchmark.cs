using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Sluice.Connectors;
using Sluice.Connectors.Redis;
using Sluice.Schemas;
using Sluice.Sinks;
using StackExchange.Redis;

namespace Sluice.Benchmarks.Redis;

/// <summary>Settings of <see cref="RedisLookupBenchmark"/>.</summary>
public sealed record RedisLookupBenchmarkOptions
{
    /// <summary>Events per run and case.</summary>
    public int Events { get; init; } = 1_000_000;

    /// <summary>The hot users: 9 events in 10 look one of them up (each is read once, then cached).</summary>
    public int HotUsers { get; init; } = 1_000;

    /// <summary>Runs per case; the report keeps the fastest (the machine is shared).</summary>
    public int Runs { get; init; } = 3;

    /// <summary>A server to use (StackExchange.Redis configuration); null starts a private redis-server and stops it afterwards.</summary>
    public string? Configuration { get; init; }
}

/// <summary>One case's fastest run.</summary>
/// <param name="Case">What was measured.</param>
/// <param name="Events">Events (or keys) per run.</param>
/// <param name="Seconds">The fastest run.</param>
/// <param name="HitRate">The cache hit rate the run measured (counted by <c>sluice.lookup.cache.*</c>); null for the raw loop.</param>
public sealed record RedisLookupResult(string Case, int Events, double Seconds, double? HitRate)
{
    /// <summary>Events per second.</summary>
    public double EventsPerSecond => Events / Seconds;
}

/// <summary>
/// <c>LookupAsync</c> joining events with Redis hashes through <see cref="RedisLookups"/>, against a raw
/// StackExchange.Redis loop of batched, pipelined <c>HGETALL</c>s of the same keys without a cache, in one process and
/// one run, alternating. Event <c>i</c> looks up a hot user (<c>i % HotUsers</c>) unless <c>i % 10 == 9</c>, when it looks
/// up a cold user read only once — so the cache (PARTIAL, bounded, 1 min TTL) answers about 90 % of events. The job runs
/// with parallelism 1, batches of 100 keys, 1,000 records in flight and ordered output, into a counting sink.
/// </summary>
public static class RedisLookupBenchmark
{
    private static readonly Schema s_users = Schema.Parse("user_id BIGINT NOT NULL, spend DOUBLE, orders BIGINT, city STRING");
    private static readonly Schema s_key = Schema.Parse("user_id BIGINT NOT NULL");

    /// <summary>Seeds the hashes, runs both cases <see cref="RedisLookupBenchmarkOptions.Runs"/> times, alternating, and returns the fastest of each.</summary>
    public static IReadOnlyList<RedisLookupResult> Run(RedisLookupBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var server = BenchRedisServer.Start(options.Configuration);
        var configuration = server.Configuration;
        using var client = ConnectionMultiplexer.Connect(configuration);
        var prefix = "bench-lookup-" + Guid.NewGuid().ToString("N")[..8];
        Seed(client.GetDatabase(), prefix, options);
        var best = new Dictionary<string, (double Seconds, double? HitRate)>(StringComparer.Ordinal);
        for (var run = 0; run < options.Runs; run++)
        {
            Keep(best, "raw batched HGETALL (no cache)", (Raw(client.GetDatabase(), prefix, options), null));
            Keep(best, "LookupAsync (cache ~90 %)", Job(configuration, prefix, options));
        }
        return [.. best.Select(b => new RedisLookupResult(b.Key, options.Events, b.Value.Seconds, b.Value.HitRate))];
    }

    /// <summary>The user event <paramref name="i"/> looks up.</summary>
    private static long UserOf(long i, int hotUsers) => i % 10 == 9 ? hotUsers + i : i % hotUsers;

    private static void Keep(Dictionary<string, (double Seconds, double? HitRate)> best, string name, (double Seconds, double? HitRate) run)
    {
        if (!best.TryGetValue(name, out var previous) || run.Seconds < previous.Seconds)
        {
            best[name] = run;
        }
    }

    private static void Seed(IDatabase database, string prefix, RedisLookupBenchmarkOptions options)
    {
        var writes = new List<Task>(1024);
        for (long i = 0; i < options.Events; i++)
        {
            if (i % 10 != 9 && i >= options.HotUsers)
            {
                continue; // a hot user already written
            }
            var user = UserOf(i, options.HotUsers);
            writes.Add(database.HashSetAsync($"{prefix}:{user}", [new("spend", (user * 0.5).ToString("R", CultureInfo.InvariantCulture)), new("orders", user % 17), new("city", "city-" + (user % 100))]));
            if (writes.Count == 1024)
            {
                Task.WaitAll(writes);
                writes.Clear();
            }
        }
        Task.WaitAll(writes);
    }

    private static (double Seconds, double? HitRate) Job(string configuration, string prefix, RedisLookupBenchmarkOptions options)
    {
        long hits = 0, misses = 0, joined = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Sluice" && instrument.Name.StartsWith("sluice.lookup.cache.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "sluice.lookup.cache.hits")
            {
                Interlocked.Add(ref hits, value);
            }
            else
            {
                Interlocked.Add(ref misses, value);
            }
        });
        listener.Start();
        var hot = options.HotUsers;
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(Enumerable.Range(0, options.Events).Select(i => (long)i))
            .LookupAsync(() => RedisLookups.Create(configuration, prefix + ":{user_id}", s_users),
                e => Row.Of(s_key, UserOf(e, hot)), (e, user) => user is null ? -e : e,
                new AsyncLookupOptions
                {
                    BatchSize = 100,
                    Capacity = 1000,
                    Lookup = new LookupOptions { Cache = LookupCacheMode.Partial, MaxRows = hot * 10L, ExpireAfterWrite = TimeSpan.FromMinutes(1) },
                })
            .SinkTo(new CallbackSink<long>(e =>
            {
                if (e < 0)
                {
                    throw new InvalidOperationException($"Event {-e} found no user: the seed is incomplete.");
                }
                joined++;
            }));
        var watch = Stopwatch.StartNew();
        env.ExecuteAsync().GetAwaiter().GetResult();
        var seconds = watch.Elapsed.TotalSeconds;
        if (joined != options.Events)
        {
            throw new InvalidOperationException($"The job joined {joined} of {options.Events} events.");
        }
        return (seconds, (double)hits / (hits + misses));
    }

    private static double Raw(IDatabase database, string prefix, RedisLookupBenchmarkOptions options)
    {
        const int batchSize = 100;
        const int batchesInFlight = 10;
        var inFlight = new Queue<Task<HashEntry[]>[]>(batchesInFlight);
        var found = 0L;
        var watch = Stopwatch.StartNew();
        for (long start = 0; start < options.Events; start += batchSize)
        {
            var count = (int)Math.Min(batchSize, options.Events - start);
            var batch = database.CreateBatch();
            var reads = new Task<HashEntry[]>[count];
            for (var j = 0; j < count; j++)
            {
                reads[j] = batch.HashGetAllAsync(prefix + ":" + UserOf(start + j, options.HotUsers).ToString(CultureInfo.InvariantCulture));
            }
            batch.Execute();
            inFlight.Enqueue(reads);
            if (inFlight.Count >= batchesInFlight)
            {
                found += Await(inFlight.Dequeue());
            }
        }
        while (inFlight.Count > 0)
        {
            found += Await(inFlight.Dequeue());
        }
        var seconds = watch.Elapsed.TotalSeconds;
        if (found != options.Events)
        {
            throw new InvalidOperationException($"The raw loop found {found} of {options.Events} hashes.");
        }
        return seconds;
    }

    private static long Await(Task<HashEntry[]>[] reads)
    {
        var found = 0L;
        foreach (var read in reads)
        {
            found += read.GetAwaiter().GetResult().Length > 0 ? 1 : 0;
        }
        return found;
    }
}
