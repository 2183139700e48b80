using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using Sluice.Log;
using Sluice.Server;
using Sluice.Server.PgWire;
using Spectre.Console;

namespace Sluice.Bench.Cli.Suites;

/// <summary>
/// Materialized views over the server's PostgreSQL endpoint, two commands sharing one setup — a server, a table over
/// the embedded log topic <c>events</c> ({"k","seq"}), and the view <c>latest</c> (per key: last seq and count),
/// published every checkpoint interval:
/// <list type="bullet">
/// <item><c>sluice bench mv-freshness [--samples N] [--interval-ms I]</c>: appends one event at a time, at a random
/// moment of the checkpoint cycle, and polls the view over Npgsql until a query shows it; reports p50/p99/max of the
/// time from the append to the first query that sees it.</item>
/// <item><c>sluice bench mv-load [--connections N] [--rate R] [--seconds S]</c>: appends R events/s (in batches every
/// 100 ms) while N connections query the view back to back; reports queries/s, query p50/p99, errors, and the events
/// appended and applied per second.</item>
/// </list>
/// </summary>
internal static class MaterializedViewBenchCommand
{
    private const string User = "bench";
    private const string View = "CREATE MATERIALIZED VIEW latest WITH ('checkpoint.interval' = '{0} ms') AS SELECT k, MAX(seq) AS seq, COUNT(*) AS n FROM events GROUP BY k";

    /// <summary>Builds the <c>mv-freshness</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command CreateFreshness()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var samples = new Option<int>("--samples") { Description = "Events timed, one at a time (at least 1).", DefaultValueFactory = _ => 30 }.MustBeAtLeast(1);
        var interval = new Option<int>("--interval-ms") { Description = "The view's checkpoint interval, milliseconds (at least 10).", DefaultValueFactory = _ => 1000 }.MustBeAtLeast(10);
        var command = new Command("mv-freshness", "Benchmark a materialized view's freshness: time from appending an event to the source until a query over the PostgreSQL endpoint sees it (p50/p99).")
        {
            json, samples, interval,
        };
        command.SetAction(async (r, cancellationToken) =>
        {
            var intervalMs = r.GetValue(interval);
            await using var setup = await Setup.StartAsync(intervalMs, 1, cancellationToken);
            await using var connection = await setup.OpenAsync(cancellationToken);
            await using var query = new NpgsqlCommand("SELECT coalesce(max(seq), -1) FROM latest", connection);
            await setup.WaitForSeqAsync(query, -1, cancellationToken);
            var random = new Random(21);
            var latencies = new List<double>();
            for (var i = 0; i < r.GetValue(samples); i++)
            {
                // A random moment of the checkpoint cycle, so the samples cover early and late appends alike.
                await Task.Delay(random.Next(intervalMs), cancellationToken);
                var began = Stopwatch.GetTimestamp();
                setup.Append(i, 1);
                await setup.WaitForSeqAsync(query, i, cancellationToken);
                latencies.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
            }
            var sorted = latencies.Order().ToArray();
            var report = new FreshnessReport(sorted.Length, intervalMs, Percentile(sorted, 0.5), Percentile(sorted, 0.99), sorted[^1]);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var table = new Table().AddColumns("samples", "checkpoint ms", "p50 ms", "p99 ms", "max ms");
            table.AddRow(report.Samples.ToString(CultureInfo.InvariantCulture), report.CheckpointIntervalMs.ToString(CultureInfo.InvariantCulture),
                report.P50Ms.ToString("F0", CultureInfo.InvariantCulture), report.P99Ms.ToString("F0", CultureInfo.InvariantCulture), report.MaxMs.ToString("F0", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>Builds the <c>mv-load</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command CreateLoad()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var connections = new Option<int>("--connections") { Description = "Concurrent querying connections (at least 1).", DefaultValueFactory = _ => 50 }.MustBeAtLeast(1);
        var rate = new Option<int>("--rate") { Description = "Events appended per second (at least 10).", DefaultValueFactory = _ => 100_000 }.MustBeAtLeast(10);
        var seconds = new Option<int>("--seconds") { Description = "How long to append and query (at least 1).", DefaultValueFactory = _ => 20 }.MustBeAtLeast(1);
        var keys = new Option<int>("--keys") { Description = "Distinct keys of the events: rows of the view (at least 1).", DefaultValueFactory = _ => 10_000 }.MustBeAtLeast(1);
        var command = new Command("mv-load", "Benchmark queries over a materialized view under load: N Npgsql connections query while the view updates at R events/s; query p50/p99, errors, events applied/s.")
        {
            json, connections, rate, seconds, keys,
        };
        command.SetAction(async (r, cancellationToken) =>
        {
            var n = r.GetValue(connections);
            var keyCount = r.GetValue(keys);
            await using var setup = await Setup.StartAsync(1000, keyCount, cancellationToken, n + 2);
            await using (var connection = await setup.OpenAsync(cancellationToken))
            await using (var first = new NpgsqlCommand("SELECT coalesce(max(seq), -1) FROM latest", connection))
            {
                setup.Append(0, 1);
                await setup.WaitForSeqAsync(first, 0, cancellationToken);
            }
            var report = await LoadAsync(setup, n, r.GetValue(rate), TimeSpan.FromSeconds(r.GetValue(seconds)), keyCount, cancellationToken);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
                return report.Errors == 0 ? 0 : 1;
            }
            var table = new Table().AddColumns("connections", "appended/s", "applied/s", "queries", "queries/s", "p50 ms", "p99 ms", "max ms", "errors");
            table.AddRow(report.Connections.ToString(CultureInfo.InvariantCulture), report.AppendedPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                report.AppliedPerSecond.ToString("N0", CultureInfo.InvariantCulture), report.Queries.ToString("N0", CultureInfo.InvariantCulture),
                report.QueriesPerSecond.ToString("N0", CultureInfo.InvariantCulture), report.P50Ms.ToString("F1", CultureInfo.InvariantCulture),
                report.P99Ms.ToString("F1", CultureInfo.InvariantCulture), report.MaxMs.ToString("F1", CultureInfo.InvariantCulture), report.Errors.ToString(CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            return report.Errors == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>One freshness run's result, milliseconds.</summary>
    internal sealed record FreshnessReport(int Samples, int CheckpointIntervalMs, double P50Ms, double P99Ms, double MaxMs);

    /// <summary>One load run's result.</summary>
    internal sealed record LoadReport(int Connections, double AppendedPerSecond, double AppliedPerSecond, long Queries, double QueriesPerSecond, double P50Ms, double P99Ms, double MaxMs, long Errors, string? FirstError);

    private static async Task<LoadReport> LoadAsync(Setup setup, int connections, int rate, TimeSpan duration, int keys, CancellationToken cancellationToken)
    {
        var sessions = new NpgsqlConnection[connections];
        for (var i = 0; i < connections; i++)
        {
            sessions[i] = await setup.OpenAsync(cancellationToken);
        }
        try
        {
            long errors = 0;
            string? firstError = null;
            var clock = Stopwatch.StartNew();
            var producer = Task.Run(async () =>
            {
                // Batches every 100 ms, paced against the clock, so the rate holds when an append is slow.
                long seq = 1;
                var perBatch = Math.Max(1, rate / 10);
                for (var batch = 1; clock.Elapsed < duration; batch++)
                {
                    setup.Append(seq, perBatch);
                    seq += perBatch;
                    var due = TimeSpan.FromMilliseconds(100 * batch) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken);
                    }
                }
                return seq - 1;
            }, cancellationToken);
            var latencies = await Task.WhenAll(sessions.Select((session, index) => Task.Run(async () =>
            {
                var mine = new List<double>();
                await using var command = new NpgsqlCommand("SELECT k, seq, n FROM latest WHERE k = $1", session);
                var key = new NpgsqlParameter<string>();
                command.Parameters.Add(key);
                await command.PrepareAsync(cancellationToken);
                await using var top = new NpgsqlCommand("SELECT count(*), sum(n), max(seq) FROM latest", session);
                var random = new Random(index);
                for (var q = 0; clock.Elapsed < duration; q++)
                {
                    key.TypedValue = "k" + random.Next(keys).ToString(CultureInfo.InvariantCulture);
                    var began = Stopwatch.GetTimestamp();
                    try
                    {
                        await using var reader = await (q % 2 == 0 ? command : top).ExecuteReaderAsync(cancellationToken);
                        while (await reader.ReadAsync(cancellationToken))
                        {
                        }
                    }
                    catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, e.Message, null);
                        continue;
                    }
                    mine.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                }
                return mine;
            }, cancellationToken)));
            var appended = await producer;
            var elapsed = clock.Elapsed.TotalSeconds;
            long applied;
            await using (var count = new NpgsqlCommand("SELECT coalesce(sum(n), 0)::BIGINT FROM latest", sessions[0]))
            {
                applied = (long)(await count.ExecuteScalarAsync(cancellationToken))! - 1; // the warm-up event
            }
            var all = latencies.SelectMany(l => l).Order().ToArray();
            return new LoadReport(connections, appended / elapsed, applied / elapsed, all.Length, all.Length / elapsed,
                Percentile(all, 0.50), Percentile(all, 0.99), all.Length == 0 ? 0 : all[^1], errors, firstError);
        }
        finally
        {
            foreach (var session in sessions)
            {
                await session.DisposeAsync();
            }
        }
    }

    private static double Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];

    /// <summary>A server in a temporary directory with the table <c>events</c> and the view <c>latest</c>.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private readonly DirectoryInfo _directory;
        private readonly SluiceServer _server;
        private readonly PartitionLog _partition;
        private readonly int _keys;

        private Setup(DirectoryInfo directory, SluiceServer server, int keys)
        {
            _directory = directory;
            _server = server;
            _keys = keys;
            _partition = server.Log.GetPartition("events", 0);
        }

        public static async Task<Setup> StartAsync(int intervalMs, int keys, CancellationToken cancellationToken, int maxConnections = 4)
        {
            var directory = Directory.CreateTempSubdirectory("sluice-bench-mv-");
            var server = await SluiceServer.StartAsync(new SluiceServerOptions
            {
                DataDirectory = directory.FullName,
                Port = 0,
                PgWire = new PgWireOptions { Port = 0, Users = new Dictionary<string, string> { [User] = User }, MaxConnections = maxConnections },
            }, cancellationToken);
            server.Log.CreateTopic("events", new TopicConfig { Partitions = 1 });
            var setup = new Setup(directory, server, keys);
            await using var connection = await setup.OpenAsync(cancellationToken);
            foreach (var sql in new[]
            {
                $"""
                CREATE TABLE events (k STRING, seq BIGINT) WITH ('connector' = 'sluice-log', 'path' = '{Path.Combine(directory.FullName, "log")}',
                  'topic' = 'events', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')
                """,
                string.Format(CultureInfo.InvariantCulture, View, intervalMs),
            })
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return setup;
        }

        public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
        {
            var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={_server.PgPort};Username={User};Password={User};Database=sluice;Pooling=false;Timeout=60;Command Timeout=120");
            await connection.OpenAsync(cancellationToken);
            return connection;
        }

        /// <summary>Appends events <paramref name="from"/> … + <paramref name="count"/> − 1 in one batch (durable when it returns).</summary>
        public void Append(long from, int count)
        {
            var records = new ProducerRecord[count];
            for (var i = 0; i < count; i++)
            {
                var seq = from + i;
                records[i] = new ProducerRecord(null, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"k":"k{{seq % _keys}}","seq":{{seq}}}""")));
            }
            _partition.Append(records);
        }

        /// <summary>Polls <paramref name="query"/> (the view's max seq) until it reaches <paramref name="seq"/>; the view's table appears at its first commit.</summary>
        public async Task WaitForSeqAsync(NpgsqlCommand query, long seq, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    if (Convert.ToInt64(await query.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) >= seq)
                    {
                        return;
                    }
                }
                catch (PostgresException e) when (e.SqlState == "42P01")
                {
                    // Not committed yet.
                }
                if (deadline.Elapsed > TimeSpan.FromMinutes(2))
                {
                    throw new TimeoutException($"The view did not show seq {seq} within 2 minutes.");
                }
                await Task.Delay(5, cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _server.DisposeAsync();
            _directory.Delete(recursive: true);
        }
    }
}
