using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.Testing;

namespace Sluice.Bench.Cli.Chaos;

/// <summary>
/// <c>sluice chaos</c>: the kill harness. The driver prepares an input topic, runs the pipeline once without crashes
/// (the reference), then runs it as a child process that it kills (<c>Process.Kill</c>, SIGKILL on Linux) at seeded
/// random progress points and restarts from its checkpoints, until the requested number of kills happened, then
/// lets it finish and compares the committed outputs with the reference (same multiset). <c>chaos run-job</c> is
/// the child. With <c>--kafka</c> the input topic lives on a Kafka mock cluster the driver hosts (both the reference
/// and the child read it with a Kafka source); the sinks stay the same. Exit code 0 = exactly-once verdict PASS, 1 = FAIL.
/// </summary>
internal static class ChaosCommand
{
    /// <summary>Environment variable naming the fault the child installs at startup (see docs/operations.md).</summary>
    public const string FaultVariable = CheckpointFaultInjection.EnvironmentVariable;

    public static Command Create()
    {
        var kills = new Option<int>("--kills") { Description = "Kills before the job may finish (0 to 10000).", DefaultValueFactory = _ => 20 }.MustBeBetween(0, 10_000);
        var seed = new Option<int>("--seed") { Description = "Seed of the input data and the kill points.", DefaultValueFactory = _ => 1 };
        var events = new Option<int>("--events") { Description = "Input lines (with ~5% duplicates and ~2% malformed; at least 1).", DefaultValueFactory = _ => 4000 }.MustBeAtLeast(1);
        var rate = new Option<int>("--records-per-second") { Description = "Throttle of the killed child (0 = unthrottled).", DefaultValueFactory = _ => 400 }.MustBeAtLeast(0);
        var interval = IntervalOption();
        var parallelism = ParallelismOption();
        var maxLines = new Option<int>("--max-progress-lines") { Description = "A kill comes after 1..N progress lines (records/checkpoint) of the child.", DefaultValueFactory = _ => 16 }
            .MustBeAtLeast(1);
        var fault = new Option<string?>("--fault") { Description = "Also run the child once with SLUICE_FAULT=<phase>:<checkpoint|*> (snapshot, before-manifest, before-commit: first run; restore: after the first kill)." }
            .MustSatisfy(CheckpointFaultInjection.IsValid, "must be <phase>:<checkpoint id|*> with phase snapshot, before-manifest, before-commit or restore");
        var kafka = new Option<bool>("--kafka") { Description = "Read the input from a Kafka topic (2 partitions) on an in-process mock cluster the driver keeps alive, instead of an embedded-log topic." };
        var stateBackend = StateBackendOption();
        var workDir = new Option<string?>("--work-dir") { Description = "Where the reference and chaos data go (default: a new temp directory, deleted on PASS)." };
        var command = new Command("chaos", "Kill harness: kill -9 a checkpointed job at random points, restart it, and check its committed output is exactly the no-crash output.")
        {
            kills, seed, events, rate, interval, parallelism, maxLines, fault, kafka, stateBackend, workDir, RunJob(),
            Ingest.IngestChaosCommand.Create(), Ingest.IngestChaosCommand.CreateServer(),
            RedisChaosCommand.Create(), RedisChaosCommand.CreateChild(),
            DeltaChaosCommand.Create(), DeltaChaosCommand.CreateChild(),
            Cdc.CdcChaosCommand.Create(), Cdc.CdcChaosCommand.CreateJob(),
        };
        command.SetAction(parse =>
        {
            var work = parse.GetValue(workDir);
            if (work is not null)
            {
                DataDirectories.CreateWritable(work, "chaos work directory");
            }
            var options = new ChaosDriverOptions(
                parse.GetValue(kills), parse.GetValue(seed), parse.GetValue(events), parse.GetValue(rate), parse.GetValue(interval),
                parse.GetValue(parallelism), parse.GetValue(maxLines), parse.GetValue(fault), work, parse.GetValue(CommandLineHost.Verbose), parse.GetValue(kafka),
                parse.GetValue(stateBackend)!);
            return new ChaosDriver(options with { LoggerFactory = CommandLineHost.LoggerFactory(parse) }).Run();
        });
        return command;
    }

    private static Option<int> IntervalOption() =>
        new Option<int>("--interval-ms") { Description = "Checkpoint interval of the child (1 to 3600000).", DefaultValueFactory = _ => 150 }.MustBeBetween(1, 3_600_000);

    private static Option<string> StateBackendOption() =>
        new Option<string>("--state-backend")
        {
            Description = "Where the keyed state (dedup, windows, sessions) lives: heap, or rocksdb (in rocksdb/ under the data directory, so a restarted child finds the killed one's working copies).",
            DefaultValueFactory = _ => "heap",
        }.MustSatisfy(b => b is "heap" or "rocksdb", "must be heap or rocksdb");

    private static Option<int> ParallelismOption() =>
        new Option<int>("--parallelism") { Description = "Subtasks per operator (1 to 256).", DefaultValueFactory = _ => 2 }.MustBeBetween(1, 256);

    private static Command RunJob()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Data directory prepared by the driver (log/, checkpoints/, out/; rocksdb/ with --state-backend rocksdb).", Required = true };
        var rate = new Option<int>("--records-per-second") { Description = "Throttle (0 = unthrottled).", DefaultValueFactory = _ => 0 }.MustBeAtLeast(0);
        var interval = IntervalOption();
        var parallelism = ParallelismOption();
        var kafka = new Option<string?>("--kafka-bootstrap") { Description = "Read the input from this Kafka cluster's chaos-input topic (group chaos-run) instead of the embedded log." }
            .MustSatisfy(b => !string.IsNullOrWhiteSpace(b), "must name bootstrap servers (host:port[,host:port…])");
        var stateBackend = StateBackendOption();
        var command = new Command("run-job", "The child of the kill harness: runs the chaos pipeline in a data directory, restoring its latest checkpoint; prints 'checkpoint <id>' per completed checkpoint.")
        {
            dataDir, rate, interval, parallelism, kafka, stateBackend,
        };
        command.SetAction(parse => RunChild(DataDirectories.RequireExisting(parse.GetValue(dataDir)!, "chaos data directory"), parse.GetValue(rate), parse.GetValue(interval), parse.GetValue(parallelism),
            parse.GetValue(kafka) is { } bootstrap ? new ChaosKafkaInput(bootstrap, ChaosKafkaInput.RunGroup) : null, parse.GetValue(stateBackend)!, CommandLineHost.LoggerFactory(parse)));
        return command;
    }

    private static int RunChild(string dataDir, int recordsPerSecond, int intervalMs, int parallelism, ChaosKafkaInput? kafka, string stateBackend,
        ILoggerFactory loggerFactory)
    {
        // The driver sets the variable for the one run that must crash at an exact checkpoint phase (--fault).
        CheckpointFaultInjection.InstallFromEnvironment();
        using var log = ChaosPipeline.OpenLog(dataDir, loggerFactory);
        var env = StreamEnvironment.Create(ChaosPipeline.Options(dataDir, parallelism, TimeSpan.FromMilliseconds(intervalMs), loggerFactory, stateBackend));
        ChaosPipeline.Build(env, log, dataDir, recordsPerSecond > 0 ? new ChaosThrottle(recordsPerSecond) : null, kafka);
        var job = env.Start();
        job.CheckpointCompleted += id => Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checkpoint {id}"));
        Console.Out.WriteLine("started");
        try
        {
            var result = job.Completion.GetAwaiter().GetResult();
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"finished restored={result.RestoredCheckpointId} checkpoints={result.CheckpointsCompleted}"));
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"chaos job failed: {e}");
            return 2;
        }
    }
}
