using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Npgsql;
using Sluice.Server;
using Sluice.Server.PgWire;
using Spectre.Console;

namespace Sluice.Bench.Cli.Suites;

/// <summary>
/// <c>sluice bench pgwire [--connections N] [--seconds S] [--rows N] [--json]</c>: a server with its PostgreSQL endpoint
/// over a warehouse table of N events; N Npgsql connections (each its own session, SCRAM login) run a Grafana-shaped
/// query — a per-minute aggregate over a ten-minute range, its start a parameter — back to back for S seconds. Reports
/// queries per second and the latency percentiles of all queries; any error fails the run.
/// </summary>
internal static class PgWireBenchCommand
{
    private const string Query = """
        SELECT date_trunc('minute', ts) AS "time", count(*) AS events, sum(amount) AS amount
        FROM events WHERE ts BETWEEN $1 AND $1 + INTERVAL 10 MINUTE GROUP BY 1 ORDER BY 1
        """;

    /// <summary>Builds the <c>pgwire</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var connections = new Option<int>("--connections") { Description = "Concurrent connections (at least 1).", DefaultValueFactory = _ => 50 }.MustBeAtLeast(1);
        var seconds = new Option<int>("--seconds") { Description = "How long the connections query (at least 1).", DefaultValueFactory = _ => 20 }.MustBeAtLeast(1);
        var rows = new Option<int>("--rows") { Description = "Events in the warehouse table, one per 100 ms (at least 1).", DefaultValueFactory = _ => 1_000_000 }.MustBeAtLeast(1);
        var command = new Command("pgwire", "Benchmark the server's PostgreSQL endpoint: concurrent Npgsql connections running a Grafana-shaped aggregate; queries/s and latency percentiles.")
        {
            json, connections, seconds, rows,
        };
        command.SetAction(async (r, cancellationToken) =>
        {
            var directory = Directory.CreateTempSubdirectory("sluice-bench-pgwire-");
            try
            {
                var count = r.GetValue(rows);
                Seed(Path.Combine(directory.FullName, "warehouse.duckdb"), count);
                var n = r.GetValue(connections);
                await using var server = await SluiceServer.StartAsync(new SluiceServerOptions
                {
                    DataDirectory = directory.FullName,
                    Port = 0,
                    PgWire = new PgWireOptions { Port = 0, Users = new Dictionary<string, string> { ["bench"] = "bench" }, MaxConnections = n + 1 },
                }, cancellationToken);
                var connectionString = $"Host=127.0.0.1;Port={server.PgPort};Username=bench;Password=bench;Database=sluice;Pooling=false;Timeout=60;Command Timeout=120";
                var report = await RunAsync(connectionString, n, TimeSpan.FromSeconds(r.GetValue(seconds)), count, cancellationToken);
                if (r.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
                    return 0;
                }
                var table = new Table().AddColumns("connections", "rows", "queries", "queries/s", "p50 ms", "p99 ms", "max ms");
                table.AddRow(report.Connections.ToString(CultureInfo.InvariantCulture), report.Rows.ToString("N0", CultureInfo.InvariantCulture),
                    report.Queries.ToString("N0", CultureInfo.InvariantCulture), report.QueriesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                    report.P50Ms.ToString("F1", CultureInfo.InvariantCulture), report.P99Ms.ToString("F1", CultureInfo.InvariantCulture),
                    report.MaxMs.ToString("F1", CultureInfo.InvariantCulture));
                AnsiConsole.Write(table);
                return 0;
            }
            finally
            {
                directory.Delete(recursive: true);
            }
        });
        return command;
    }

    /// <summary>One run's result.</summary>
    internal sealed record PgWireReport(int Connections, int Rows, long Queries, double QueriesPerSecond, double P50Ms, double P99Ms, double MaxMs);

    private static async Task<PgWireReport> RunAsync(string connectionString, int connections, TimeSpan duration, int rows, CancellationToken cancellationToken)
    {
        var sessions = new NpgsqlConnection[connections];
        for (var i = 0; i < connections; i++)
        {
            sessions[i] = new NpgsqlConnection(connectionString);
            await sessions[i].OpenAsync(cancellationToken);
        }
        try
        {
            var span = TimeSpan.FromMilliseconds(100 * (long)rows);
            var start = new DateTime(2026, 12, 1, 0, 0, 0);
            var clock = Stopwatch.StartNew();
            var latencies = await Task.WhenAll(sessions.Select((session, index) => Task.Run(async () =>
            {
                var mine = new List<double>();
                await using var command = new NpgsqlCommand(Query, session);
                var from = new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp };
                command.Parameters.Add(from);
                await command.PrepareAsync(cancellationToken);
                var random = new Random(index);
                while (clock.Elapsed < duration)
                {
                    from.TypedValue = start + (span * random.NextDouble());
                    var began = Stopwatch.GetTimestamp();
                    await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                    {
                        while (await reader.ReadAsync(cancellationToken))
                        {
                        }
                    }
                    mine.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                }
                return mine;
            }, cancellationToken)));
            var elapsed = clock.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            return new PgWireReport(connections, rows, all.Length, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), all.Length == 0 ? 0 : all[^1]);
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

    private static void Seed(string warehouse, int rows)
    {
        using var connection = new DuckDBConnection($"DataSource={warehouse}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TABLE events AS
            SELECT TIMESTAMP '2026-12-01 00:00:00' + INTERVAL (i * 100) MILLISECOND AS ts, (i % 1000)::INTEGER AS user_id,
                   ((i % 10000) / 100.0)::DECIMAL(10,2) AS amount
            FROM range({rows}) AS t(i)
            """;
        command.ExecuteNonQuery();
    }
}
