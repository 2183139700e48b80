using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Checkpoints;
using Sluice.Connectors.Delta;
using Sluice.Connectors.Log;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Schemas;

namespace Sluice.Bench.Cli.Chaos;

/// <summary>
/// <c>sluice chaos delta</c>: kill -9 for the Delta sink. The input — seeded orders lines — goes into an embedded-log
/// topic (2 partitions); a job appends them as rows to a Delta table partitioned by region (null and special-character
/// regions included) with parallelism 2. It runs once uninterrupted into <c>reference/table</c>, then as a child process
/// (<c>chaos delta-run-job</c>) into <c>run/table</c> that is killed (SIGKILL) after a seeded number of completed
/// checkpoints and restarted from its checkpoints, until the kills happened and a last run finished. Then the two
/// tables' rows must be equal multisets, and the chaos table's log must show exactly-once commits: every commit that
/// adds or removes files carries one <c>txn</c>, no (appId, version) pair is committed twice, and no file is added
/// twice. With <c>--mode upsert</c> the job is a changelog instead — line <c>id</c> upserts key <c>id % 2000</c> (or deletes
/// it, for one line in 25) — applied through the Delta upsert sink (one MERGE per checkpoint), and the tables must hold the
/// same rows per key. Exit code 0 = PASS.
/// </summary>
internal static class DeltaChaosCommand
{
    private const string Topic = "orders";
    private const int Partitions = 2;
    private static readonly string?[] s_regions = ["eu", "us", "a/b c%=", null, "é"];

    /// <summary>Keys of the upsert mode: line <c>id</c> changes key <c>id % Keys</c> (even, so a key stays in one input partition and its changes in order).</summary>
    private const int Keys = 2000;

    /// <summary>The rows the job appends.</summary>
    internal static Schema Schema { get; } = Schema.Parse("id BIGINT NOT NULL, region STRING, amount DOUBLE");

    /// <summary>The rows the job upserts (<c>--mode upsert</c>): the key, and the region, amount and line id of its last change.</summary>
    internal static Schema UpsertSchema { get; } = Schema.Parse("id BIGINT NOT NULL, region STRING, amount DOUBLE, last_line BIGINT NOT NULL");

    /// <summary>Builds <c>chaos delta</c>.</summary>
    public static Command Create()
    {
        var kills = new Option<int>("--kills") { Description = "Kills before the job may finish (0 to 1000).", DefaultValueFactory = _ => 10 }.MustBeBetween(0, 1000);
        var seed = new Option<int>("--seed") { Description = "Seed of the input and the kill points.", DefaultValueFactory = _ => 1 };
        var events = new Option<int>("--events") { Description = "Input lines (at least 1).", DefaultValueFactory = _ => 100_000 }.MustBeAtLeast(1);
        var rate = new Option<double>("--rate") { Description = "Records per second of a child run (0 = unthrottled), so kills land mid-job.", DefaultValueFactory = _ => 10_000 }.MustBeAtLeast(0);
        var interval = new Option<int>("--interval-ms") { Description = "Checkpoint interval of the child (1 to 3600000).", DefaultValueFactory = _ => 100 }.MustBeBetween(1, 3_600_000);
        var maxCheckpoints = new Option<int>("--max-checkpoints") { Description = "A kill comes after 1..N completed checkpoints of the child.", DefaultValueFactory = _ => 3 }.MustBeAtLeast(1);
        var workDir = new Option<string?>("--work-dir") { Description = "Where the logs, checkpoints and tables go (default: a new temp directory, deleted on PASS)." };
        var mode = ModeOption();
        var command = new Command("delta", "Kill -9 a job appending (or upserting, --mode upsert) to a Delta table at random checkpoints, restart it; check the table equals an uninterrupted run's and every txn version commits once.")
        {
            kills, seed, events, rate, interval, maxCheckpoints, workDir, mode,
        };
        command.SetAction(parse =>
        {
            var work = parse.GetValue(workDir);
            var root = work is null ? Directory.CreateTempSubdirectory("sluice-chaos-delta-").FullName : DataDirectories.CreateWritable(work, "chaos work directory");
            var pass = Run(new Options(parse.GetValue(kills), parse.GetValue(seed), parse.GetValue(events), parse.GetValue(rate), parse.GetValue(interval), parse.GetValue(maxCheckpoints), root, parse.GetValue(mode) == "upsert"));
            if (pass && work is null)
            {
                Directory.Delete(root, recursive: true);
            }
            return pass ? 0 : 1;
        });
        return command;
    }

    /// <summary>Builds <c>chaos delta-run-job</c>, the child: the job over the data directory's log into its table,
    /// restoring its latest checkpoint; prints <c>checkpoint &lt;id&gt;</c> per completed checkpoint.</summary>
    public static Command CreateChild()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The data directory the driver prepared (log/, checkpoints/, table/).", Required = true };
        var interval = new Option<int>("--interval-ms") { Description = "Checkpoint interval.", DefaultValueFactory = _ => 100 }.MustBeBetween(1, 3_600_000);
        var rate = new Option<double>("--rate") { Description = "Records per second (0 = unthrottled).", DefaultValueFactory = _ => 0 }.MustBeAtLeast(0);
        var mode = ModeOption();
        var command = new Command("delta-run-job", "The child of 'chaos delta': appends (or upserts) the data directory's orders to its Delta table; prints 'checkpoint <id>' per completed checkpoint.") { dataDir, interval, rate, mode };
        command.SetAction(parse =>
        {
            var directory = DataDirectories.RequireExisting(parse.GetValue(dataDir)!, "chaos data directory");
            var result = RunJob(directory, TimeSpan.FromMilliseconds(parse.GetValue(interval)), parse.GetValue(rate), parse.GetValue(mode) == "upsert",
                id => Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checkpoint {id}")));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"finished restored={result.RestoredCheckpointId} checkpoints={result.CheckpointsCompleted}"));
            return 0;
        });
        return command;
    }

    private static Option<string> ModeOption() => new Option<string>("--mode")
    {
        Description = "append (default: the Delta sink) or upsert (a changelog by key through the Delta upsert sink, one MERGE per checkpoint).",
        DefaultValueFactory = _ => "append",
    }.MustSatisfy(m => m is "append" or "upsert", "must be append or upsert");

    private sealed record Options(int Kills, int Seed, int Events, double Rate, int IntervalMs, int MaxCheckpoints, string WorkDirectory, bool Upsert);

    private static bool Run(Options options)
    {
        var clock = Stopwatch.StartNew();
        var reference = Path.Combine(options.WorkDirectory, "reference");
        var run = Path.Combine(options.WorkDirectory, "run");
        Prepare(reference, options.Events, options.Seed);
        Prepare(run, options.Events, options.Seed);
        var result = RunJob(reference, TimeSpan.FromMilliseconds(options.IntervalMs), rate: 0, options.Upsert, onCheckpoint: null);
        var expected = Rows(reference, options.Upsert);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reference: {options.Events:N0} orders -> {expected.Count:N0} rows in {Table(reference)} ({clock.ElapsedMilliseconds} ms, {result.CheckpointsCompleted} checkpoints)"));

        var random = new Random(options.Seed);
        var kills = 0;
        var starts = 0;
        var finished = false;
        while (!finished)
        {
            starts++;
            var killAfter = kills < options.Kills ? random.Next(1, options.MaxCheckpoints + 1) : int.MaxValue;
            var outcome = RunChild(run, options.IntervalMs, options.Rate, options.Upsert, killAfter);
            if (outcome.Killed)
            {
                kills++;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kill {kills}: after checkpoint {outcome.LastCheckpoint}, table at version {DeltaTable.Open(Table(run)).GetSnapshot().Version}"));
            }
            else if (outcome.ExitCode == 0)
            {
                finished = true;
            }
            else
            {
                Console.WriteLine($"verdict: FAIL — the child exited with code {outcome.ExitCode} without being killed:{Environment.NewLine}{outcome.Stderr}");
                return false;
            }
        }

        var problems = new List<string>();
        ChaosDriver.Compare("rows", expected, Rows(run, options.Upsert), problems);
        var log = ScanLog(Table(run), problems);
        if (kills < options.Kills)
        {
            problems.Add($"the job finished after {kills} of {options.Kills} kills: use more --events, a lower --rate or a lower --max-checkpoints");
        }
        Console.WriteLine($"chaos delta ({(options.Upsert ? "upsert" : "append")}): {kills} kills, {starts} child runs, {clock.Elapsed.TotalSeconds:F1} s");
        if (problems.Count > 0)
        {
            Console.WriteLine("verdict: FAIL — " + string.Join("; ", problems) + $" (data kept in {options.WorkDirectory})");
            return false;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"verdict: PASS — the table's {expected.Count:N0} rows after {kills} kills equal the uninterrupted run's; {log.Commits} commits with adds or removes, each with one txn, {log.Transactions} distinct (appId, version), {log.Files} files each added once"));
        return true;
    }

    private static string Table(string directory) => Path.Combine(directory, "table");

    /// <summary>Creates <paramref name="directory"/>'s log with the orders topic holding <paramref name="events"/> seeded lines <c>id,region,amount</c>.</summary>
    private static void Prepare(string directory, int events, int seed)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        var random = new Random(seed);
        using var log = PartitionedLog.Open(Path.Combine(directory, "log"));
        var topic = log.CreateTopic(Topic, new TopicConfig { Partitions = Partitions });
        var batches = new[] { new List<ProducerRecord>(), new List<ProducerRecord>() };
        for (var id = 0; id < events; id++)
        {
            var region = s_regions[random.Next(s_regions.Length)];
            var amount = random.Next(1, 100_000) / 100.0;
            var line = string.Create(CultureInfo.InvariantCulture, $"{id},{region ?? "\\N"},{amount:R}");
            batches[id % Partitions].Add(ProducerRecord.FromArrays(null, Encoding.UTF8.GetBytes(line), 1_764_979_200_000L + id));
        }
        for (var p = 0; p < Partitions; p++)
        {
            var records = batches[p];
            for (var first = 0; first < records.Count; first += 1000)
            {
                topic.GetPartition(p).Append(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(records).Slice(first, Math.Min(1000, records.Count - first)));
            }
            topic.GetPartition(p).Flush();
        }
    }

    /// <summary>Runs the job over <paramref name="directory"/> to the end of its topic (restoring its latest checkpoint).</summary>
    private static JobResult RunJob(string directory, TimeSpan interval, double rate, bool upsert, Action<long>? onCheckpoint)
    {
        using var log = PartitionedLog.Open(Path.Combine(directory, "log"));
        using var pacer = rate > 0 ? new Examples.RecordPacer(rate) : null;
        var env = StreamEnvironment.Create(new JobOptions
        {
            JobName = "chaos-delta",
            Parallelism = 2,
            Checkpoints = CheckpointOptions.InDirectory(Path.Combine(directory, "checkpoints"), interval),
            Restart = RestartStrategy.None,
            BatchSize = 64,
        });
        var lines = env.FromLog(log, Topic, MessageDeserializers.Utf8String(), new LogSourceOptions { Bounded = true }, WatermarkStrategy<string>.ForMonotonousTimestamps()).Uid("input");
        if (pacer is not null)
        {
            lines = lines.Map(line => { pacer.Wait(); return line; }, "Throttle").Uid("throttle");
        }
        if (upsert)
        {
            lines.Map(static line => ToChange(line), "Change").Uid("change")
                .ToDeltaUpsert(Table(directory), UpsertSchema, ["id"], new DeltaSinkOptions { PartitionBy = ["region"] }).Uid("delta-upsert-sink");
        }
        else
        {
            lines.Map(static line => ToRow(line), "Row").Uid("row")
                .ToDelta(Table(directory), Schema, new DeltaSinkOptions { PartitionBy = ["region"] }).Uid("delta-sink");
        }
        var job = env.Start();
        if (onCheckpoint is not null)
        {
            job.CheckpointCompleted += onCheckpoint;
        }
        return job.Completion.GetAwaiter().GetResult();
    }

    private static Row ToRow(string line)
    {
        var parts = line.Split(',');
        var row = new Row(Schema);
        row.SetInt64(0, long.Parse(parts[0], CultureInfo.InvariantCulture));
        if (parts[1] == "\\N")
        {
            row.SetNull(1);
        }
        else
        {
            row.SetString(1, parts[1]);
        }
        row.SetDouble(2, double.Parse(parts[2], CultureInfo.InvariantCulture));
        return row;
    }

    /// <summary>Line <c>id,region,amount</c> as a change of key <c>id % Keys</c>: a delete for one line in 25, else an upsert.</summary>
    private static Row ToChange(string line)
    {
        var order = ToRow(line);
        var id = order.GetInt64(0);
        var row = new Row(UpsertSchema) { Kind = id % 25 == 24 ? RowKind.Delete : RowKind.Insert };
        row.SetInt64(0, id % Keys);
        row.SetValue(1, order.GetValue(1));
        row.SetDouble(2, order.GetDouble(2));
        row.SetInt64(3, id);
        return row;
    }

    /// <summary>
    /// The latest snapshot's rows of <paramref name="directory"/>'s table as <c>id|region|amount</c> lines, read by DuckDB
    /// through the view <c>sluice query</c> uses (<see cref="DeltaDuckDbView"/>: the snapshot's active files only).
    /// </summary>
    /// <remarks>
    /// Not through <see cref="DeltaTable.ReadRows"/>: on 2026-12-06 it refused a file Sluice wrote (492 rows, no null
    /// id by its statistics and by DuckDB) with "Column 'id' is NOT NULL but the file holds null in row 480", a
    /// Parquet.Net reading problem to chase separately; the verdict must not depend on it.
    /// </remarks>
    private static List<string> Rows(string directory, bool upsert)
    {
        var rows = new List<string>();
        using var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, region, amount, {(upsert ? "last_line" : "0")} FROM (" + DeltaDuckDbView.SelectStatement(DeltaTable.Open(Table(directory)).GetSnapshot()) + ")";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"{reader.GetInt64(0)}|{(reader.IsDBNull(1) ? "NULL" : reader.GetString(1))}|{reader.GetDouble(2):R}|{reader.GetInt64(3)}"));
        }
        return rows;
    }

    /// <summary>What <see cref="ScanLog"/> counted.</summary>
    internal sealed record LogScan(int Commits, int Transactions, int Files);

    /// <summary>
    /// Reads every JSON commit of <paramref name="table"/>'s log and adds a problem for a commit that adds or removes files
    /// without exactly one <c>txn</c>, an (appId, version) pair committed by two versions, and a file added twice.
    /// </summary>
    internal static LogScan ScanLog(string table, List<string> problems)
    {
        var transactions = new Dictionary<(string AppId, long Version), long>();
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        var commits = 0;
        var latest = DeltaTable.Open(table).GetSnapshot().Version;
        for (var version = 0L; version <= latest; version++)
        {
            var path = Path.Combine(table, "_delta_log", version.ToString("D20", CultureInfo.InvariantCulture) + ".json");
            var txns = new List<(string, long)>();
            var adds = new List<string>();
            var removes = 0;
            foreach (var line in File.ReadLines(path))
            {
                if (line.Length == 0)
                {
                    continue;
                }
                using var action = JsonDocument.Parse(line);
                if (action.RootElement.TryGetProperty("txn", out var txn))
                {
                    txns.Add((txn.GetProperty("appId").GetString()!, txn.GetProperty("version").GetInt64()));
                }
                else if (action.RootElement.TryGetProperty("add", out var add))
                {
                    adds.Add(add.GetProperty("path").GetString()!);
                }
                else if (action.RootElement.TryGetProperty("remove", out _))
                {
                    removes++;
                }
            }
            if (adds.Count + removes + txns.Count == 0)
            {
                continue;
            }
            commits++;
            if (txns.Count != 1)
            {
                problems.Add($"version {version} adds {adds.Count} and removes {removes} files with {txns.Count} txn actions, not one");
            }
            foreach (var id in txns)
            {
                if (!transactions.TryAdd(id, version))
                {
                    problems.Add($"txn ({id.Item1}, {id.Item2}) is committed by versions {transactions[id]} and {version}");
                }
            }
            foreach (var file in adds)
            {
                if (!files.TryAdd(file, version))
                {
                    problems.Add($"file {file} is added by versions {files[file]} and {version}");
                }
            }
        }
        return new LogScan(commits, transactions.Count, files.Count);
    }

    /// <summary>Runs the child until it exits or reported <paramref name="killAfterCheckpoints"/> completed checkpoints, then kills it (SIGKILL).</summary>
    private static CheckpointKillOutcome RunChild(string dataDir, int intervalMs, double rate, bool upsert, int killAfterCheckpoints) =>
        ChaosChildProcess.RunUntilCheckpoints(
            ["chaos", "delta-run-job", "--data-dir", dataDir, "--interval-ms", intervalMs.ToString(CultureInfo.InvariantCulture), "--rate", rate.ToString(CultureInfo.InvariantCulture), "--mode", upsert ? "upsert" : "append"],
            null, killAfterCheckpoints, "The Delta chaos child");
}
