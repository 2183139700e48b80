using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Benchmarks.Postgres;
using Spectre.Console;

namespace Sluice.Bench.Cli.Suites;

/// <summary><c>sluice bench postgres [--rows N] [--runs N] [--connection CS] [--json]</c>: the PostgreSQL sink against plain Npgsql, append and upsert, in one run.</summary>
internal static class PostgresBenchCommand
{
    /// <summary>Builds the <c>postgres</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var rows = new Option<int>("--rows") { Description = "Rows per run and case (at least 1).", DefaultValueFactory = _ => 1_000_000 }.MustBeAtLeast(1);
        var runs = new Option<int>("--runs") { Description = "Runs per case, alternating; the fastest is reported (at least 1).", DefaultValueFactory = _ => 3 }.MustBeAtLeast(1);
        var connection = new Option<string?>("--connection") { Description = "An Npgsql connection string of a server to use (default: start a private cluster from the postgresql package)." };
        var command = new Command("postgres", "Benchmark the PostgreSQL sink (append, upsert) against plain Npgsql doing the same writes.") { json, rows, runs, connection };
        command.SetAction(r =>
        {
            var results = PostgresSinkBenchmark.Run(new PostgresSinkBenchmarkOptions { Rows = r.GetValue(rows), Runs = r.GetValue(runs), ConnectionString = r.GetValue(connection) });
            double Seconds(string name) => results.First(x => x.Case == name).Seconds;
            var appendRatio = Seconds("npgsql append") / Seconds("sink append");
            var stagedAppendRatio = Seconds("npgsql append") / Seconds("sink append (staged)");
            var upsertRatio = Seconds("npgsql upsert") / Seconds("sink upsert");
            var stagedUpsertRatio = Seconds("npgsql upsert") / Seconds("sink upsert (staged)");
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    cases = results.Select(x => new { x.Case, x.Rows, x.Seconds, x.RowsPerSecond }),
                    appendRatio,
                    stagedAppendRatio,
                    upsertRatio,
                    stagedUpsertRatio,
                }, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var table = new Table().AddColumns("case", "rows", "s", "rows/s");
            foreach (var x in results)
            {
                table.AddRow(x.Case, x.Rows.ToString("N0", CultureInfo.InvariantCulture), x.Seconds.ToString("F2", CultureInfo.InvariantCulture), x.RowsPerSecond.ToString("N0", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"sink ÷ npgsql throughput: append {appendRatio:F2} (staged {stagedAppendRatio:F2}), upsert {upsertRatio:F2} (staged {stagedUpsertRatio:F2})"));
            return 0;
        });
        return command;
    }
}
