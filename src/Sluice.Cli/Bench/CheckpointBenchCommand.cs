using System.CommandLine;
using System.Text.Json;
using Sluice.Benchmarks.Checkpoints;

namespace Sluice.Cli.Bench;

/// <summary><c>sluice bench checkpoints</c>: checkpoint overhead and restore time (docs/benchmarks.md).</summary>
internal static class CheckpointBenchCommand
{
    public static Command Create()
    {
        var seconds = new Option<int>("--seconds") { Description = "Wall time of each throughput run (1 to 3600).", DefaultValueFactory = _ => 25 }.MustBeBetween(1, 3600);
        var parallelism = new Option<int>("--parallelism") { Description = "Subtasks per operator (1 to 256).", DefaultValueFactory = _ => 1 }.MustBeBetween(1, 256);
        var dir = new Option<string>("--dir") { Description = "Scratch directory for checkpoints.", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "sluice-bench-checkpoints") }
            .MustSatisfy(d => !File.Exists(d), "must name a directory, not a file");
        var json = new Option<bool>("--json") { Description = "One JSON object per line." };
        var command = new Command("checkpoints", "Throughput with checkpoints off / every 10 s / every 1 s at 10K and 1M keys, and restore time at 1M keys.")
        {
            seconds, parallelism, dir, json,
        };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var options = new CheckpointBenchOptions(parse.GetValue(dir)!, TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(parallelism));
            var (runs, restore, bytes) = CheckpointBenchmark.Run(options, asJson ? null : Console.WriteLine);
            if (asJson)
            {
                foreach (var run in runs)
                {
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        keys = run.Keys,
                        interval_s = run.Interval?.TotalSeconds,
                        records = run.Records,
                        seconds = run.Seconds,
                        records_per_sec = run.RecordsPerSecond,
                        checkpoints = run.Checkpoints,
                        checkpoint_bytes = run.LastCheckpointBytes,
                    }));
                }
                Console.WriteLine(JsonSerializer.Serialize(new { restore_keys = 1_000_000, restore_ms = restore.TotalMilliseconds, restore_bytes = bytes }));
            }
            return 0;
        });
        return command;
    }
}
