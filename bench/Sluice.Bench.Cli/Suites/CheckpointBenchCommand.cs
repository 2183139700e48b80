using System.CommandLine;
using System.Text.Json;
using Sluice.Benchmarks.Checkpoints;

namespace Sluice.Bench.Cli.Suites;

/// <summary>
/// <c>sluice bench checkpoints</c>: checkpoint overhead and restore time on the heap backend; with
/// <c>--state-backend rocksdb</c>, the bytes each RocksDB checkpoint writes, full versus incremental (docs/benchmarks.md).
/// </summary>
internal static class CheckpointBenchCommand
{
    public static Command Create()
    {
        var seconds = new Option<int>("--seconds") { Description = "Wall time of each throughput run (1 to 3600).", DefaultValueFactory = _ => 25 }.MustBeBetween(1, 3600);
        var parallelism = new Option<int>("--parallelism") { Description = "Subtasks per operator (1 to 256).", DefaultValueFactory = _ => 1 }.MustBeBetween(1, 256);
        var dir = new Option<string>("--dir") { Description = "Scratch directory for checkpoints.", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "sluice-bench-checkpoints") }
            .MustSatisfy(d => !File.Exists(d), "must name a directory, not a file");
        var json = new Option<bool>("--json") { Description = "One JSON object per line." };
        var backend = new Option<string>("--state-backend")
        {
            Description = "heap: throughput and restore time (the default). rocksdb: bytes written per checkpoint, full versus incremental.",
            DefaultValueFactory = _ => "heap",
        }.MustSatisfy(b => b is "heap" or "rocksdb", "must be heap or rocksdb");
        var keys = new Option<int>("--keys") { Description = "rocksdb: keys in state (1,000 to 100,000,000).", DefaultValueFactory = _ => 1_000_000 }.MustBeBetween(1_000, 100_000_000);
        var changed = new Option<double>("--changed-percent") { Description = "rocksdb: percentage of the keys updated between checkpoints (0.001 to 100).", DefaultValueFactory = _ => 1.0 }
            .MustBeBetween(0.001, 100.0);
        var rounds = new Option<int>("--rounds") { Description = "rocksdb: checkpoints after the first, each after a round of updates (1 to 100).", DefaultValueFactory = _ => 8 }.MustBeBetween(1, 100);
        var command = new Command("checkpoints",
            "Throughput with checkpoints off / every 10 s / every 1 s at 10K and 1M keys, and restore time at 1M keys; or, with --state-backend rocksdb, the bytes each full and incremental RocksDB checkpoint writes.")
        {
            seconds, parallelism, dir, json, backend, keys, changed, rounds,
        };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            if (parse.GetValue(backend) == "rocksdb")
            {
                var sizes = IncrementalCheckpointBenchmark.Run(
                    new RocksDbCheckpointBenchOptions(parse.GetValue(dir)!, parse.GetValue(keys), parse.GetValue(changed), parse.GetValue(rounds)), asJson ? null : Console.WriteLine);
                if (asJson)
                {
                    foreach (var size in sizes)
                    {
                        Console.WriteLine(JsonSerializer.Serialize(new
                        {
                            mode = size.Mode,
                            checkpoint = size.Checkpoint,
                            bytes_written = size.BytesWritten,
                            state_bytes = size.StateBytes,
                            written_fraction = size.WrittenFraction,
                            ms = size.Milliseconds,
                        }));
                    }
                }
                return 0;
            }
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
