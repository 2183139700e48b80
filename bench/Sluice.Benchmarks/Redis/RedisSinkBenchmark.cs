using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Connectors.Redis;
using Sluice.Connectors.Redis.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;
using StackExchange.Redis;

namespace Sluice.Benchmarks.Redis;

/// <summary>Settings of <see cref="RedisSinkBenchmark"/>.</summary>
public sealed record RedisSinkBenchmarkOptions
{
    /// <summary>Records (feature updates) per run and case.</summary>
    public int Records { get; init; } = 1_000_000;

    /// <summary>Distinct entities the records update.</summary>
    public int Entities { get; init; } = 100_000;

    /// <summary>Runs per case; the report keeps the fastest (the machine is shared).</summary>
    public int Runs { get; init; } = 3;

    /// <summary>A server to use (StackExchange.Redis configuration); null starts a private redis-server and stops it afterwards.</summary>
    public string? Configuration { get; init; }
}

/// <summary>One case's fastest run, and the least CPU its runs took.</summary>
/// <param name="Case">What was measured: <c>sink</c> or <c>raw pipelined HSET</c>.</param>
/// <param name="Records">Records per run.</param>
/// <param name="Seconds">The fastest run, from the first record to the last reply.</param>
/// <param name="ServerCpuSeconds">The fewest CPU seconds (user + system, from <c>INFO cpu</c>) redis-server spent in a run of the case.</param>
/// <param name="ClientCpuSeconds">The fewest CPU seconds this process spent in a run of the case (every thread).</param>
public sealed record RedisSinkResult(string Case, int Records, double Seconds, double ServerCpuSeconds, double ClientCpuSeconds)
{
    /// <summary>Records per second.</summary>
    public double RecordsPerSecond => Records / Seconds;
}

/// <summary>
/// The Redis feature-store sink against a raw StackExchange.Redis loop doing the same writes, in one process and one
/// run, alternating: each record sets 4 features (spend, orders, city, score) of one of the entities' hashes. The raw
/// loop sends one <c>HSET</c> per record, pipelined (1,024 in flight), without versions; the sink sends its versioned
/// script calls, batched and pipelined with its defaults. Each run writes under a fresh key prefix.
/// </summary>
public static class RedisSinkBenchmark
{
    private static readonly Schema s_schema = Schema.Parse("user_id BIGINT NOT NULL, spend DOUBLE, orders BIGINT, city STRING, score DOUBLE");

    /// <summary>Runs both cases <see cref="RedisSinkBenchmarkOptions.Runs"/> times, alternating, and returns the fastest of each.</summary>
    public static IReadOnlyList<RedisSinkResult> Run(RedisSinkBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var server = BenchRedisServer.Start(options.Configuration);
        var configuration = server.Configuration;
        using var client = ConnectionMultiplexer.Connect(configuration + ",allowAdmin=true");
        var rows = Rows(options.Records, options.Entities);
        var redis = client.GetServer(client.GetEndPoints()[0]);
        var best = new Dictionary<string, (double Seconds, double Server, double Client)>(StringComparer.Ordinal);
        for (var run = 0; run < options.Runs; run++)
        {
            Measure(best, "raw pipelined HSET", redis, () => Raw(client.GetDatabase(), rows, "raw" + run));
            Measure(best, "sink", redis, () => Sink(configuration, rows, "sink" + run));
            redis.Execute("FLUSHDB");
        }
        return [.. best.Select(b => new RedisSinkResult(b.Key, options.Records, b.Value.Seconds, b.Value.Server, b.Value.Client))];
    }

    /// <summary>Runs one case and keeps, per case, the fastest run and the least server and client CPU of any run.</summary>
    private static void Measure(Dictionary<string, (double Seconds, double Server, double Client)> best, string name, IServer redis, Func<double> run)
    {
        var server = ServerCpuSeconds(redis);
        var client = Process.GetCurrentProcess().TotalProcessorTime;
        var seconds = run();
        var measured = (seconds, ServerCpuSeconds(redis) - server, (Process.GetCurrentProcess().TotalProcessorTime - client).TotalSeconds);
        best[name] = best.TryGetValue(name, out var previous)
            ? (Math.Min(previous.Seconds, measured.seconds), Math.Min(previous.Server, measured.Item2), Math.Min(previous.Client, measured.Item3))
            : measured;
    }

    /// <summary>redis-server's CPU seconds so far (user + system of the main thread and its helpers), from <c>INFO cpu</c>.</summary>
    private static double ServerCpuSeconds(IServer redis)
    {
        var cpu = redis.Info("cpu").SelectMany(static g => g).ToDictionary(static p => p.Key, static p => p.Value, StringComparer.Ordinal);
        return double.Parse(cpu["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(cpu["used_cpu_sys"], CultureInfo.InvariantCulture);
    }

    private static Row[] Rows(int count, int entities)
    {
        var rows = new Row[count];
        for (var i = 0; i < count; i++)
        {
            rows[i] = Row.Of(s_schema, (long)(i % entities), i * 0.25, (long)i, "city-" + (i % 100), i / 7.0);
        }
        return rows;
    }

    private static double Sink(string configuration, Row[] rows, string prefix)
    {
        using var sink = RedisSink.ForRows(new RedisSinkOptions { Configuration = configuration, KeyPattern = prefix + ":{user_id}" }, s_schema);
        sink.Open(new CommitterContext("bench", "bench", JobId.New(), NullLoggerFactory.Instance));
        sink.AbortPending(0);
        var watch = Stopwatch.StartNew();
        using (var writer = sink.CreateWriter(new SinkContext("bench", 0, 1, TimeProvider.System) { LoggerFactory = NullLoggerFactory.Instance }))
        {
            foreach (var row in rows)
            {
                writer.Write(row, 0);
            }
            writer.Flush();
        }
        return watch.Elapsed.TotalSeconds;
    }

    private static double Raw(IDatabase database, Row[] rows, string prefix)
    {
        const int window = 1024;
        var inFlight = new Queue<Task>(window);
        var watch = Stopwatch.StartNew();
        foreach (var row in rows)
        {
            var key = prefix + ":" + row.GetInt64(0).ToString(CultureInfo.InvariantCulture);
            inFlight.Enqueue(database.HashSetAsync(key,
            [
                new("spend", row.GetDouble(1).ToString("R", CultureInfo.InvariantCulture)),
                new("orders", row.GetInt64(2)),
                new("city", row.GetString(3)),
                new("score", row.GetDouble(4).ToString("R", CultureInfo.InvariantCulture)),
            ]));
            if (inFlight.Count >= window)
            {
                inFlight.Dequeue().GetAwaiter().GetResult();
            }
        }
        while (inFlight.Count > 0)
        {
            inFlight.Dequeue().GetAwaiter().GetResult();
        }
        return watch.Elapsed.TotalSeconds;
    }
}
