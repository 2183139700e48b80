using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Benchmarks.Log;
using Spectre.Console;

namespace Sluice.Bench.Cli.Suites;

/// <summary><c>sluice bench log [--json]</c>: embedded-log throughput and latency, next to a plain FileStream baseline.</summary>
internal static class LogBenchCommand
{
    /// <summary>Builds the <c>log</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var records = new Option<int>("--records") { Description = "Records per single-writer scenario (at least 1).", DefaultValueFactory = _ => 2_000_000 }.MustBeAtLeast(1);
        var dir = new Option<string?>("--dir") { Description = "Scratch directory on the disk to measure (default: system temp)." }
            .MustSatisfy(d => !File.Exists(d), "must name a directory, not a file");
        var command = new Command("log", "Benchmark the embedded log: appends per flush policy, group commit, reads.") { json, records, dir };
        command.SetAction(r =>
        {
            var report = LogBenchmark.Run(new LogBenchmarkOptions { Records = r.GetValue(records), Directory = r.GetValue(dir) });
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(
                    report.Results.Select(x => new { x.Scenario, x.Records, x.Seconds, x.RecordsPerSecond, x.P99LatencyMicros }),
                    new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }

            var table = new Table().AddColumns("scenario", "records", "seconds", "records/s", "p99 append (µs)");
            foreach (LogBenchmarkResult x in report.Results)
            {
                table.AddRow(
                    Markup.Escape(x.Scenario),
                    x.Records.ToString("N0", CultureInfo.InvariantCulture),
                    x.Seconds.ToString("F2", CultureInfo.InvariantCulture),
                    x.RecordsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                    x.P99LatencyMicros?.ToString("N0", CultureInfo.InvariantCulture) ?? "-");
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
