using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sluice.Examples.Decision;
using Sluice.Tests.Shared;
using Spectre.Console;
using StackExchange.Redis;

namespace Sluice.Bench.Cli.Suites;

/// <summary>
/// <c>sluice bench freshness</c>: how fresh the Redis features of the decision path are. A client posts transactions
/// to the server's HTTP ingest at a fixed rate, each stamped with the wall-clock time it is sent (its event time
/// <c>ts</c>); the decision pipeline writes each user's features to <c>user:{user_id}</c>; a reader polls the users with
/// transactions outstanding (pipelined <c>HGET user:{u} last_ts</c>) and takes a transaction's freshness as the time it
/// first saw <c>last_ts ≥ ts</c> minus <c>ts</c> — send, ingest (durable), log, pipeline, sink and one poll, in ms.
/// </summary>
internal static class FreshnessBenchCommand
{
    /// <summary>Builds the <c>freshness</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var rate = new Option<int>("--rate") { Description = "Transactions per second posted (1 to 1000000).", DefaultValueFactory = _ => 10_000 }.MustBeBetween(1, 1_000_000);
        var seconds = new Option<int>("--seconds") { Description = "How long the load lasts (1 to 3600).", DefaultValueFactory = _ => 20 }.MustBeBetween(1, 3600);
        var warmup = new Option<int>("--warmup-seconds") { Description = "Samples of the first seconds are left out (JIT, connections); 0 keeps all.", DefaultValueFactory = _ => 3 }.MustBeAtLeast(0);
        var users = new Option<int>("--users") { Description = "Distinct users (at least 1).", DefaultValueFactory = _ => 10_000 }.MustBeAtLeast(1);
        var interval = new Option<int>("--checkpoint-interval-ms") { Description = "The job's checkpoint interval (10 to 3600000).", DefaultValueFactory = _ => 1000 }.MustBeBetween(10, 3_600_000);
        var configuration = new Option<string?>("--configuration") { Description = "A Redis to use (StackExchange.Redis configuration; keys user:* and decision:* are written). Default: a private redis-server." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var command = new Command("freshness", "Event to feature readable in Redis, through HTTP ingest and the decision pipeline: p50/p99/max at a fixed rate.")
        {
            rate, seconds, warmup, users, interval, configuration, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(configuration);
            await using var server = given is null ? await RedisServer.StartAsync().ConfigureAwait(false) : null;
            var report = await RunAsync(given ?? server!.Configuration, parse.GetValue(rate), parse.GetValue(seconds), parse.GetValue(warmup), parse.GetValue(users),
                parse.GetValue(interval), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                var table = new Table().AddColumns("posted", "rate /s", "samples", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "unseen");
                table.AddRow(N(report.Posted), N((long)report.PostedPerSecond), N(report.Samples), report.P50Ms.ToString(CultureInfo.InvariantCulture), report.P99Ms.ToString(CultureInfo.InvariantCulture),
                    report.P999Ms.ToString(CultureInfo.InvariantCulture), report.MaxMs.ToString(CultureInfo.InvariantCulture), N(report.Unseen));
                AnsiConsole.Write(table);
            }
            return report.Unseen == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>A freshness run's figures (ms: event time to first read that saw it).</summary>
    internal sealed record FreshnessReport(long Posted, double PostedPerSecond, long Samples, long P50Ms, long P99Ms, long P999Ms, long MaxMs, long Unseen);

    private static async Task<FreshnessReport> RunAsync(string redis, int rate, int seconds, int warmupSeconds, int users, int intervalMs, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("sluice-bench-freshness-").FullName;
        try
        {
            await using var host = await DecisionHost.StartAsync(new DecisionOptions(root, redis, CheckpointInterval: TimeSpan.FromMilliseconds(intervalMs)), cancellationToken).ConfigureAwait(false);
            using var reader = await ConnectionMultiplexer.ConnectAsync(redis).ConfigureAwait(false);
            var sent = new ConcurrentQueue<(string User, long Ts)>();
            var samples = new List<long>();
            var start = NowMs();
            var sampleFrom = start + (warmupSeconds * 1000L);
            var sending = Task.Run(() => SendAsync(host, sent, rate, seconds, users, cancellationToken), cancellationToken);
            var reading = Task.Run(() => ReadAsync(reader.GetDatabase(), sent, samples, sampleFrom, sending, cancellationToken), cancellationToken);
            var posted = await sending.ConfigureAwait(false);
            var elapsed = (NowMs() - start) / 1000.0;
            var unseen = await reading.ConfigureAwait(false);
            samples.Sort();
            return new FreshnessReport(posted, posted / elapsed, samples.Count, Percentile(samples, 0.50), Percentile(samples, 0.99), Percentile(samples, 0.999),
                samples.Count > 0 ? samples[^1] : 0, unseen);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Posts transactions at <paramref name="rate"/> for <paramref name="seconds"/>: each loop posts what is due (at most 2,000 per request), stamped now.</summary>
    private static async Task<long> SendAsync(DecisionHost host, ConcurrentQueue<(string User, long Ts)> sent, int rate, int seconds, int users, CancellationToken cancellationToken)
    {
        var random = new Random(1);
        var clock = Stopwatch.StartNew();
        long posted = 0;
        var total = (long)rate * seconds;
        var batch = new List<CardTransaction>(2000);
        // Pacing, not waiting for a condition: every 5 ms the transactions due by then go out in one request.
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (posted < total)
        {
            var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate)) - posted;
            if (due <= 0)
            {
                await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            batch.Clear();
            var ts = NowMs();
            for (var i = 0; i < Math.Min(due, 2000); i++)
            {
                var user = random.Next(users);
                batch.Add(new CardTransaction(string.Create(CultureInfo.InvariantCulture, $"t{posted + i}"), DecisionInput.UserId(user), random.Next(500, 15_000),
                    DecisionInput.Cities[user % DecisionInput.Cities.Count], ts));
            }
            await host.IngestAsync(batch, batch.Count, cancellationToken).ConfigureAwait(false);
            foreach (var t in batch)
            {
                sent.Enqueue((t.UserId, t.Ts));
            }
            posted += batch.Count;
        }
        return posted;
    }

    /// <summary>
    /// Polls the users with transactions not yet seen until the sender ended and all are seen (or 30 s passed after it);
    /// returns how many were never seen.
    /// </summary>
    private static async Task<long> ReadAsync(IDatabase database, ConcurrentQueue<(string User, long Ts)> sent, List<long> samples, long sampleFrom, Task sending, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        long outstanding = 0;
        long? giveUpAt = null;
        // One poll a millisecond at most, so the reader does not take a core from the pipeline it measures (adds ≤ 1 ms).
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        while (true)
        {
            await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
            while (sent.TryDequeue(out var s))
            {
                if (!pending.TryGetValue(s.User, out var list))
                {
                    pending[s.User] = list = [];
                }
                list.Add(s.Ts);
                outstanding++;
            }
            if (sending.IsCompleted)
            {
                giveUpAt ??= NowMs() + 30_000;
                if ((outstanding == 0 && sent.IsEmpty) || NowMs() > giveUpAt)
                {
                    return outstanding;
                }
            }
            if (pending.Count == 0)
            {
                continue;
            }
            var keys = pending.Keys.Take(2000).ToArray();
            var reads = new Task<RedisValue>[keys.Length];
            var batch = database.CreateBatch();
            for (var i = 0; i < keys.Length; i++)
            {
                reads[i] = batch.HashGetAsync("user:" + keys[i], "last_ts");
            }
            batch.Execute();
            await Task.WhenAll(reads).ConfigureAwait(false);
            var now = NowMs();
            for (var i = 0; i < keys.Length; i++)
            {
                if (!reads[i].Result.TryParse(out long lastTs))
                {
                    continue;
                }
                var list = pending[keys[i]];
                var seen = 0;
                while (seen < list.Count && list[seen] <= lastTs)
                {
                    if (list[seen] >= sampleFrom)
                    {
                        samples.Add(now - list[seen]);
                    }
                    seen++;
                }
                list.RemoveRange(0, seen);
                outstanding -= seen;
                if (list.Count == 0)
                {
                    pending.Remove(keys[i]);
                }
            }
        }
    }

    private static long Percentile(List<long> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
