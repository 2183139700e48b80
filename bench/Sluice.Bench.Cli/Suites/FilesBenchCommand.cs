using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Benchmarks.Files;
using Spectre.Console;

namespace Sluice.Bench.Cli.Suites;

/// <summary><c>sluice bench files [--rows N] [--runs N] [--formats json,parquet] [--json]</c>: the 'filesystem' connector's write and read throughput per format.</summary>
internal static class FilesBenchCommand
{
    /// <summary>Builds the <c>files</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var rows = new Option<int>("--rows") { Description = "Rows written and read per run (at least 1).", DefaultValueFactory = _ => 1_000_000 }.MustBeAtLeast(1);
        var runs = new Option<int>("--runs") { Description = "Runs per format; the fastest is reported (at least 1).", DefaultValueFactory = _ => 3 }.MustBeAtLeast(1);
        var formats = new Option<string>("--formats") { Description = "Comma-separated formats among json, csv, parquet.", DefaultValueFactory = _ => "json,parquet" }
            .MustSatisfy(f => f.Split(',').All(x => x is "json" or "csv" or "parquet"), "must list formats among json, csv and parquet");
        var dir = new Option<string?>("--dir") { Description = "Scratch directory on the disk to measure (default: system temp)." }
            .MustSatisfy(d => !File.Exists(d), "must name a directory, not a file");
        var command = new Command("files", "Benchmark the filesystem connector: write and read throughput per format.") { json, rows, runs, formats, dir };
        command.SetAction(r =>
        {
            var results = FilesystemFormatBenchmark.Run(new FilesystemFormatBenchmarkOptions
            {
                Rows = r.GetValue(rows),
                Runs = r.GetValue(runs),
                Formats = r.GetValue(formats)!.Split(','),
                Directory = r.GetValue(dir),
            });
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(
                    results.Select(x => new { x.Format, x.Rows, x.WriteSeconds, x.WriteRowsPerSecond, x.ReadSeconds, x.ReadRowsPerSecond, x.Bytes }),
                    new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }

            var table = new Table().AddColumns("format", "rows", "write s", "write rows/s", "read s", "read rows/s", "bytes");
            foreach (var x in results)
            {
                table.AddRow(
                    x.Format,
                    x.Rows.ToString("N0", CultureInfo.InvariantCulture),
                    x.WriteSeconds.ToString("F2", CultureInfo.InvariantCulture),
                    x.WriteRowsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                    x.ReadSeconds.ToString("F2", CultureInfo.InvariantCulture),
                    x.ReadRowsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                    x.Bytes.ToString("N0", CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
