using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Benchmarks.Postgres;
using Spectre.Console;

namespace Sluice.Bench.Cli.Suites;

/// <summary><c>sluice bench postgres-cdc [--changes N] [--runs N] [--connection CS] [--json]</c>: the CDC source's snapshot and streaming throughput.</summary>
internal static class PostgresCdcBenchCommand
{
    /// <summary>Builds the <c>postgres-cdc</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var changes = new Option<int>("--changes") { Description = "Changes per run (half inserts, a quarter updates, a quarter deletes), and rows of the snapshot (at least 4).", DefaultValueFactory = _ => 400_000 }.MustBeAtLeast(4);
        var runs = new Option<int>("--runs") { Description = "Runs; the fastest of each case is reported (at least 1).", DefaultValueFactory = _ => 3 }.MustBeAtLeast(1);
        var connection = new Option<string?>("--connection") { Description = "An Npgsql connection string of a server with wal_level=logical to use (default: start a private cluster from the postgresql package)." };
        var command = new Command("postgres-cdc", "Benchmark the PostgreSQL CDC source: the initial snapshot's rows/s and the streaming of committed changes/s.") { json, changes, runs, connection };
        command.SetAction(r =>
        {
            var results = PostgresCdcBenchmark.Run(new PostgresCdcBenchmarkOptions { Changes = r.GetValue(changes), Runs = r.GetValue(runs), ConnectionString = r.GetValue(connection) });
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { cases = results.Select(x => new { x.Case, x.Count, x.Seconds, x.PerSecond }) }, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var table = new Table().AddColumns("case", "rows or changes", "s", "per s");
            foreach (var x in results)
            {
                table.AddRow(x.Case, x.Count.ToString("N0", CultureInfo.InvariantCulture), x.Seconds.ToString("F2", CultureInfo.InvariantCulture), x.PerSecond.ToString("N0", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
