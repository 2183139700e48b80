using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Connectors.Kafka.Testing;
using Sluice.Log;

namespace Sluice.Bench.Cli.Chaos;

/// <summary>Settings of one <c>sluice chaos</c> run.</summary>
internal sealed record ChaosDriverOptions(int Kills, int Seed, int Events, int RecordsPerSecond, int IntervalMs, int Parallelism,
    int MaxProgressLines, string? Fault, string? WorkDir, bool Verbose, bool Kafka = false, string StateBackend = "heap")
{
    /// <summary>The CLI's logger factory: the in-process reference run and the logs it opens log there.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}

/// <summary>
/// The kill harness's driver: reference run in-process, then child runs of <c>sluice chaos run-job</c> killed after a
/// seeded number of progress lines (<c>records n</c> / <c>checkpoint id</c>) — no sleeps, so kills land at random
/// points relative to checkpoints, barriers and commits — and a final run to completion; then the verdict. In Kafka
/// mode the driver also hosts the mock cluster holding the input topic for the whole run.
/// </summary>
internal sealed class ChaosDriver(ChaosDriverOptions options)
{
    private static readonly TimeSpan s_lineTimeout = TimeSpan.FromSeconds(60);
    private string? _kafkaBootstrap;

    public int Run()
    {
        var ownWorkDir = options.WorkDir is null;
        var work = options.WorkDir ?? Path.Combine(Path.GetTempPath(), "sluice-chaos-" + Guid.NewGuid().ToString("N"));
        var referenceDir = Path.Combine(work, "reference");
        var runDir = Path.Combine(work, "run");
        foreach (var dir in new[] { referenceDir, runDir })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        var clock = Stopwatch.StartNew();
        // Kafka mode: the cluster lives here, in the driver, so it outlives every killed child.
        using var cluster = options.Kafka ? new KafkaMockCluster() : null;
        if (cluster is not null)
        {
            ChaosKafkaInput.Produce(cluster, ChaosPipeline.GenerateInput(options.Events, options.Seed));
            _kafkaBootstrap = cluster.BootstrapServers;
            Console.WriteLine($"kafka: mock cluster at {cluster.BootstrapServers}, topic {ChaosPipeline.InputTopic} ({ChaosPipeline.InputPartitions} partitions, {options.Events} records)");
        }
        (List<string> Topic, List<string> Files) reference;
        using (var log = ChaosPipeline.OpenLog(referenceDir, options.LoggerFactory))
        {
            PrepareDataDirectory(log);
            var env = StreamEnvironment.Create(ChaosPipeline.Options(referenceDir, options.Parallelism, interval: null, options.LoggerFactory, options.StateBackend));
            ChaosPipeline.Build(env, log, referenceDir, throttle: null,
                _kafkaBootstrap is null ? null : new ChaosKafkaInput(_kafkaBootstrap, ChaosKafkaInput.ReferenceGroup));
            env.ExecuteAsync().GetAwaiter().GetResult();
            reference = ChaosPipeline.ReadCommitted(log, referenceDir);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reference: {options.Events} input lines -> {reference.Topic.Count} topic records, {reference.Files.Count} file records ({clock.ElapsedMilliseconds} ms, state backend {options.StateBackend})"));
        using (var log = ChaosPipeline.OpenLog(runDir, options.LoggerFactory))
        {
            PrepareDataDirectory(log);
        }

        var random = new Random(options.Seed);
        var kills = 0;
        var starts = 0;
        var finished = false;
        var faultHit = false;
        var faultRun = false;
        // A restore fault needs a checkpoint to restore: it runs once a killed run has completed one (a kill that lands
        // before the first checkpoint leaves nothing to restore, so more kills follow); the others on the first run.
        var faultAfterKills = options.Fault is { } f && f.StartsWith("restore:", StringComparison.Ordinal) ? 1 : 0;
        var checkpointed = false;
        var killsWanted = Math.Max(options.Kills, faultAfterKills);
        while (!finished && (kills < killsWanted || (options.Fault is not null && !faultRun)))
        {
            if (options.Fault is { } fault && !faultRun && kills >= faultAfterKills && (faultAfterKills == 0 || checkpointed))
            {
                faultRun = true;
                starts++;
                var faulted = RunChild(runDir, killAfterLines: int.MaxValue, fault);
                faultHit = faulted.Stderr.Contains("fault injected", StringComparison.Ordinal);
                Console.WriteLine($"fault {fault}: child exited with code {faulted.ExitCode} after {faulted.ProgressLines} progress lines{(faultHit ? "" : " (the fault point was not reached)")}");
                finished = faulted.ExitCode == 0;
                continue;
            }
            var target = random.Next(1, options.MaxProgressLines + 1);
            starts++;
            // Still no checkpoint for a restore fault to restore: this run is killed right after its first one.
            var outcome = faultAfterKills > 0 && kills >= faultAfterKills && !checkpointed
                ? RunChild(runDir, int.MaxValue, fault: null, killAtCheckpoint: true)
                : RunChild(runDir, target, fault: null);
            if (outcome.Killed)
            {
                kills++;
                checkpointed |= outcome.Checkpoints > 0;
                Console.WriteLine($"kill {kills}: after {outcome.ProgressLines} progress lines (last: {outcome.LastLine}){LeftBehind(runDir)}");
            }
            else if (outcome.ExitCode == 0)
            {
                finished = true;
            }
            else
            {
                Console.WriteLine($"verdict: FAIL — the child exited with code {outcome.ExitCode} without being killed:{Environment.NewLine}{outcome.Stderr}");
                return 1;
            }
        }
        if (!finished)
        {
            starts++;
            var outcome = RunChild(runDir, int.MaxValue, fault: null);
            if (outcome.ExitCode != 0)
            {
                Console.WriteLine($"verdict: FAIL — the final run exited with code {outcome.ExitCode}:{Environment.NewLine}{outcome.Stderr}");
                return 1;
            }
        }

        (List<string> Topic, List<string> Files) actual;
        using (var log = ChaosPipeline.OpenLog(runDir, options.LoggerFactory))
        {
            actual = ChaosPipeline.ReadCommitted(log, runDir);
        }
        var problems = new List<string>();
        Compare("log topic", reference.Topic, actual.Topic, problems);
        Compare("file sink", reference.Files, actual.Files, problems);
        if (ChaosPipeline.RocksDbWorkingCopies(runDir) is var left and > 0)
        {
            problems.Add($"{left} RocksDB working copies are left in {ChaosPipeline.RocksDbDirectory(runDir)} after the final run (those of killed runs must be swept, the final run's deleted)");
        }
        if (options.Fault is not null && !faultHit)
        {
            problems.Add($"the fault {options.Fault} was never hit (no such phase or checkpoint id)");
        }
        if (kills < killsWanted)
        {
            problems.Add($"the job finished after {kills} of {killsWanted} kills: use more --events or a lower --records-per-second");
        }
        Console.WriteLine($"chaos: {kills} kills, {starts} child runs, {clock.Elapsed.TotalSeconds:F1} s");
        if (problems.Count > 0)
        {
            Console.WriteLine("verdict: FAIL — " + string.Join("; ", problems) + $" (data kept in {work})");
            return 1;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"verdict: PASS — committed output equals the no-crash reference exactly ({actual.Topic.Count} topic records, {actual.Files.Count} file records, {kills} kills)"));
        if (ownWorkDir)
        {
            Directory.Delete(work, recursive: true);
        }
        return 0;
    }

    /// <summary>Creates a data directory's topics: input and output in log mode, only the output in Kafka mode (the input is the Kafka topic).</summary>
    private void PrepareDataDirectory(PartitionedLog log)
    {
        if (options.Kafka)
        {
            ChaosPipeline.PrepareOutput(log);
        }
        else
        {
            ChaosPipeline.PrepareInput(log, options.Events, options.Seed);
        }
    }

    /// <summary>With the RocksDB backend, how many working copies the killed child left (the next child sweeps them); otherwise empty.</summary>
    private string LeftBehind(string runDir) =>
        options.StateBackend == "rocksdb" ? $", {ChaosPipeline.RocksDbWorkingCopies(runDir)} RocksDB working copies left behind" : "";

    /// <summary>Adds a problem to <paramref name="problems"/> unless <paramref name="actual"/> equals <paramref name="expected"/> as a multiset (a duplicate is a problem).</summary>
    internal static void Compare(string what, List<string> expected, List<string> actual, List<string> problems)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in expected)
        {
            counts[value] = counts.GetValueOrDefault(value) + 1;
        }
        foreach (var value in actual)
        {
            counts[value] = counts.GetValueOrDefault(value) - 1;
        }
        var missing = counts.Where(c => c.Value > 0).ToList();
        var duplicated = counts.Where(c => c.Value < 0).ToList();
        if (missing.Count > 0 || duplicated.Count > 0)
        {
            problems.Add($"{what}: {missing.Sum(c => c.Value)} records missing (e.g. {string.Join(", ", missing.Take(3).Select(c => c.Key))}), "
                + $"{-duplicated.Sum(c => c.Value)} extra/duplicated (e.g. {string.Join(", ", duplicated.Take(3).Select(c => c.Key))})");
        }
    }

    /// <summary>How a child run ended; <paramref name="Checkpoints"/> counts the checkpoints it reported completed.</summary>
    private sealed record ChildOutcome(bool Killed, int ExitCode, int ProgressLines, int Checkpoints, string? LastLine, string Stderr);

    /// <summary>
    /// Runs the child until it exits or printed <paramref name="killAfterLines"/> progress lines (or, with
    /// <paramref name="killAtCheckpoint"/>, reported its first completed checkpoint), then kills it (SIGKILL, whole tree).
    /// </summary>
    private ChildOutcome RunChild(string dataDir, int killAfterLines, string? fault, bool killAtCheckpoint = false)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[typeof(ChaosCommand).Assembly.Location, "chaos", "run-job", "--data-dir", dataDir,
                     "--records-per-second", options.RecordsPerSecond.ToString(CultureInfo.InvariantCulture),
                     "--interval-ms", options.IntervalMs.ToString(CultureInfo.InvariantCulture),
                     "--parallelism", options.Parallelism.ToString(CultureInfo.InvariantCulture), "--state-backend", options.StateBackend])
        {
            info.ArgumentList.Add(arg);
        }
        if (_kafkaBootstrap is not null)
        {
            info.ArgumentList.Add("--kafka-bootstrap");
            info.ArgumentList.Add(_kafkaBootstrap);
        }
        info.Environment.Remove(ChaosCommand.FaultVariable);
        if (fault is not null)
        {
            info.Environment[ChaosCommand.FaultVariable] = fault;
        }
        using var child = ChaosChildProcess.Start(info, "the chaos child process");
        var process = child.Process;
        var lines = child.Lines;
        var progress = 0;
        var checkpoints = 0;
        string? last = null;
        while (true)
        {
            string? line;
            try
            {
                using var timeout = new CancellationTokenSource(s_lineTimeout);
                line = lines.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult() && lines.TryRead(out var read) ? read : null;
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The chaos child printed nothing for {s_lineTimeout.TotalSeconds} s (after {progress} progress lines); killed it.");
            }
            if (line is null)
            {
                process.WaitForExit();
                return new ChildOutcome(false, process.ExitCode, progress, checkpoints, last, child.Stderr);
            }
            if (options.Verbose)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  child [{process.Id}]: {line}"));
            }
            if (line.StartsWith("records ", StringComparison.Ordinal) || line.StartsWith("checkpoint ", StringComparison.Ordinal))
            {
                progress++;
                checkpoints += line.StartsWith("checkpoint ", StringComparison.Ordinal) ? 1 : 0;
                last = line;
                if (progress >= killAfterLines || (killAtCheckpoint && checkpoints > 0))
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                    return new ChildOutcome(true, process.ExitCode, progress, checkpoints, last, child.Stderr);
                }
            }
        }

    }

    private static string DotnetHost()
    {
        var path = Environment.ProcessPath;
        return path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
    }
}
