using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Connectors.Delta;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Bench.Cli.Suites;

/// <summary>
/// <c>sluice bench delta-upsert [--rows M] [--keys N] [--checkpoints C] [--files F] [--json]</c>: the per-checkpoint
/// latency of the Delta upsert sink — the writer's collapse and committable at the barrier, then the committer's MERGE
/// with its <c>txn</c> — for N changed keys (seeded, spread over the whole key range: updates and one insert in ten) per
/// checkpoint into a table of M rows written as F files. Runs the sink's own calls (as the runtime makes them) without a
/// job around them, so the numbers are the sink's alone. Prints p50 and max over the checkpoints.
/// </summary>
internal static class DeltaUpsertBenchCommand
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, amount DOUBLE, tag STRING");

    /// <summary>Builds the <c>delta-upsert</c> subcommand for <c>sluice bench</c>.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table." };
        var rows = new Option<int>("--rows") { Description = "Rows of the table before the first checkpoint (at least 1).", DefaultValueFactory = _ => 1_000_000 }.MustBeAtLeast(1);
        var keys = new Option<int>("--keys") { Description = "Keys changed per checkpoint (at least 1).", DefaultValueFactory = _ => 1_000 }.MustBeAtLeast(1);
        var checkpoints = new Option<int>("--checkpoints") { Description = "Checkpoints measured (at least 1).", DefaultValueFactory = _ => 10 }.MustBeAtLeast(1);
        var files = new Option<int>("--files") { Description = "Data files the table starts with (contiguous key ranges; at least 1).", DefaultValueFactory = _ => 10 }.MustBeAtLeast(1);
        var command = new Command("delta-upsert", "Benchmark the Delta upsert sink: per-checkpoint latency (collapse, committable, MERGE with txn) for N keys changed in an M-row table.")
        {
            json, rows, keys, checkpoints, files,
        };
        command.SetAction(r =>
        {
            var directory = Directory.CreateTempSubdirectory("sluice-bench-delta-upsert-");
            try
            {
                var m = r.GetValue(rows);
                var n = r.GetValue(keys);
                var count = r.GetValue(checkpoints);
                var path = Path.Combine(directory.FullName, "table");
                var table = DeltaTable.Create(path, s_schema);
                var perFile = (m + r.GetValue(files) - 1) / r.GetValue(files);
                for (long start = 0; start < m; start += perFile)
                {
                    var end = Math.Min(m, start + perFile);
                    table.Append(Enumerable.Range(0, (int)(end - start)).Select(i => Row.Of(s_schema, 2 * (start + i), (double)(start + i), "t")));
                }
                var sink = new DeltaUpsertSink(path, s_schema, ["id"]);
                sink.Open(new CommitterContext("DeltaUpsert(bench)", "bench", JobId.New(), NullLoggerFactory.Instance) { OperatorUid = "bench-upsert" });
                sink.AbortPending(0);
                var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("DeltaUpsert(bench)", 0, 1, TimeProvider.System));
                var random = new Random(42);
                var latencies = new double[count];
                long rewritten = 0;
                for (var c = 1; c <= count; c++)
                {
                    var changes = new List<Row>(n);
                    for (var i = 0; i < n; i++)
                    {
                        // Nine in ten update an existing (even) key, one inserts a new (odd) key.
                        var key = 2L * random.NextInt64(m) + (i % 10 == 9 ? 1 : 0);
                        changes.Add(Row.Of(s_schema, key, (double)c, "u"));
                    }
                    var versionBefore = table.GetSnapshot().Version;
                    var clock = Stopwatch.StartNew();
                    foreach (var change in changes)
                    {
                        writer.Write(change, 0);
                    }
                    sink.Commit(c, 0, writer.PrepareCommit(c));
                    clock.Stop();
                    latencies[c - 1] = clock.Elapsed.TotalMilliseconds;
                    var snapshot = table.GetSnapshot();
                    if (snapshot.Version != versionBefore + 1 || snapshot.GetTransactionVersion("bench-upsert") != c)
                    {
                        throw new CommandFailedException($"Checkpoint {c} did not commit one MERGE with its txn: the table went from version {versionBefore} to {snapshot.Version}.");
                    }
                    rewritten += DeltaTable.Open(path).History(1)[0].Metrics.TryGetValue("numTargetFilesRemoved", out var removed) ? long.Parse(removed, CultureInfo.InvariantCulture) : 0;
                }
                writer.Dispose();
                var sorted = latencies.Order().ToArray();
                var fileCount = table.GetSnapshot().FileCount;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Delta upsert sink: {count} checkpoints of {n:N0} changed keys into {m:N0} rows (started as {r.GetValue(files)} files, {fileCount} now): merge per checkpoint p50 {sorted[sorted.Length / 2]:F0} ms, max {sorted[^1]:F0} ms; {(double)rewritten / count:F1} files rewritten per checkpoint."));
                return CaseReport.Print([new BenchCase("delta upsert sink", (long)n * count, latencies.Sum() / 1000)], r.GetValue(json), "changes");
            }
            finally
            {
                directory.Delete(recursive: true);
            }
        });
        return command;
    }
}
