using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Benchmarks.State;
using Sluice.State;

namespace Sluice.Bench.Cli.Suites;

/// <summary><c>sluice bench state</c>: a keyed count over many distinct keys, with the managed heap and the state on disk (docs/benchmarks.md).</summary>
internal static class StateBenchCommand
{
    public static Command Create()
    {
        var keys = new Option<long>("--keys") { Description = "Distinct keys (at least 1).", DefaultValueFactory = _ => 1_000_000 }.MustBeAtLeast(1);
        var passes = new Option<int>("--passes") { Description = "Records per key: one per pass over all keys (1 to 1000).", DefaultValueFactory = _ => 2 }.MustBeBetween(1, 1000);
        var stateBackend = new Option<string>("--state-backend") { Description = "Where keyed state lives: heap or rocksdb (under --dir).", DefaultValueFactory = _ => "rocksdb" }
            .MustSatisfy(b => b is "heap" or "rocksdb", "must be heap or rocksdb");
        var parallelism = new Option<int>("--parallelism") { Description = "Subtasks per operator (1 to 256).", DefaultValueFactory = _ => 1 }.MustBeBetween(1, 256);
        var dir = new Option<string>("--dir") { Description = "Scratch directory for the state (emptied first).", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "sluice-bench-state") }
            .MustSatisfy(d => !File.Exists(d), "must name a directory, not a file");
        var json = new Option<bool>("--json") { Description = "One JSON object instead of text." };
        var command = new Command("state", "Keyed count over N distinct keys: throughput, peak managed heap and state size on disk; checks every key was counted once per pass.")
        {
            keys, passes, stateBackend, parallelism, dir, json,
        };
        command.SetAction(parse =>
        {
            var directory = DataDirectories.CreateWritable(parse.GetValue(dir)!, "state bench directory");
            var backend = parse.GetValue(stateBackend) == "rocksdb" ? new RocksDbStateBackend { Directory = Path.Combine(directory, "rocksdb") } : (StateBackendOptions)HeapStateBackend.Instance;
            var asJson = parse.GetValue(json);
            var options = new KeyedStateBenchOptions(parse.GetValue(keys), parse.GetValue(passes), backend, parse.GetValue(parallelism), directory);
            var result = KeyedStateBenchmark.Run(options, asJson ? null : Console.Error.WriteLine);
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    keys = result.Keys,
                    passes = result.Passes,
                    state_backend = backend.Name,
                    parallelism = options.Parallelism,
                    records = result.Records,
                    seconds = result.Seconds,
                    records_per_sec = result.RecordsPerSecond,
                    keys_counted = result.KeysCounted,
                    total = result.Total,
                    correct = result.Correct,
                    peak_managed_bytes = result.PeakManagedBytes,
                    peak_heap_size_after_gc_bytes = result.PeakHeapSizeAfterGcBytes,
                    peak_working_set_bytes = result.PeakWorkingSetBytes,
                    state_bytes_at_end = result.StateBytesAtEnd,
                    peak_state_bytes = result.PeakStateBytes,
                    gen2_collections = result.Gen2Collections,
                }));
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Keys:N0} keys × {result.Passes} passes on {backend.Name} (parallelism {options.Parallelism}): {result.Records:N0} records in {result.Seconds:F1} s = {result.RecordsPerSecond:N0} records/s"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"managed heap: peak {result.PeakManagedBytes / 1e6:N0} MB allocated (GC.GetTotalMemory), peak {result.PeakHeapSizeAfterGcBytes / 1e6:N0} MB after a collection (GCMemoryInfo.HeapSizeBytes), {result.Gen2Collections} gen-2 collections; working set peak {result.PeakWorkingSetBytes / 1e6:N0} MB"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"state on disk: {result.StateBytesAtEnd / 1e6:N0} MB at the end, peak {result.PeakStateBytes / 1e6:N0} MB"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"check: {result.KeysCounted:N0} keys counted (expected {result.Keys:N0}), total {result.Total:N0} (expected {result.Keys * result.Passes:N0}): {(result.Correct ? "OK" : "WRONG")}"));
            }
            if (!result.Correct)
            {
                throw new CommandFailedException($"The keyed count is wrong: {result.KeysCounted:N0} keys counted (expected {result.Keys:N0}), total {result.Total:N0} (expected {result.Keys * result.Passes:N0}).");
            }
            return 0;
        });
        return command;
    }
}
