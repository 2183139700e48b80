using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Checkpoints;
using Sluice.Connectors.Log;
using Sluice.Log;
using Sluice.Plans;

namespace Sluice.Examples.Clickstream.Demo;

/// <summary>Options of <c>sluice demo</c>.</summary>
/// <param name="Events">Input events (a bounded run: the job stops after them and flushes everything).</param>
/// <param name="Seed">Generator seed: the same seed and count give identical gold tables.</param>
/// <param name="DataDirectory">Where the log, lake, warehouse and checkpoints live.</param>
/// <param name="Rate">Records per second to pace the job at, or null for as fast as possible.</param>
/// <param name="Parallelism">Subtasks per operator.</param>
public sealed record DemoOptions(int Events, int Seed, string DataDirectory, double? Rate = null, int Parallelism = 2)
{
    /// <summary>Checkpoint interval.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Null (default): the input topic is in the embedded log. Otherwise the cluster whose topic <c>clicks</c> holds
    /// the input (created with one partition if missing) and the job reads it with a Kafka source; everything after
    /// the source is the same.
    /// </summary>
    public DemoKafkaOptions? Kafka { get; init; }

    /// <summary>
    /// Called on the calling thread after each batch of input lines is durable in the embedded-log topic, with the
    /// number of input lines the topic holds then; null (default) for none. Not called for Kafka input, nor when an
    /// earlier run already appended all of the input.
    /// </summary>
    public Action<long>? InputAppended { get; init; }

    /// <summary>How the bronze layer is stored: Parquet files (default) or a Delta table. A data directory keeps the format of its first run.</summary>
    public DemoLakeFormat LakeFormat { get; init; } = DemoLakeFormat.Parquet;

    /// <summary>Where the job and the embedded log log (the CLI's stderr logger in <c>sluice demo</c>); default none.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}

/// <summary>What a demo run did.</summary>
/// <param name="Truth">The generated input and its anomalies.</param>
/// <param name="Result">The job's report.</param>
/// <param name="Paths">Where the data landed.</param>
public sealed record DemoRun(DemoInputTruth Truth, JobResult Result, DemoPaths Paths)
{
    /// <summary>What <c>clicks.dlq</c> holds after the run (every run's letters): counts by kind, rule and reason.</summary>
    public DeadLetterStats? DeadLetters { get; init; }
}

/// <summary>
/// Runs the click-stream demo end to end: generates the input into the embedded log or a Kafka topic (once), then
/// runs the pipeline with checkpoints. Killed and run again with the same options, it resumes — the input from the
/// lines already in the topic (see <see cref="DemoInput.Produce"/>), the job from the last checkpoint — and finishes
/// with the same tables an uninterrupted run produces.
/// </summary>
public static class ClickstreamDemo
{
    /// <summary>Runs the demo; <paramref name="started"/> receives the job's client just before it starts (for a live view).</summary>
    public static async Task<DemoRun> RunAsync(DemoOptions options, DemoStats stats, Action<JobClient>? started = null, CancellationToken cancellationToken = default)
    {
        var paths = new DemoPaths(Path.GetFullPath(options.DataDirectory));
        Directory.CreateDirectory(paths.Root);
        CheckInputKind(paths, options.Kafka is null ? "log" : "kafka");
        CheckLakeFormat(paths, options.LakeFormat);
        var truth = DemoInput.Generate(options.Events, options.Seed);
        using var log = PartitionedLog.Open(paths.Log, new LogOptions { Logger = options.LoggerFactory.CreateLogger("Sluice.Log") });
        if (options.Kafka is { } kafka)
        {
            DemoKafkaInput.Produce(kafka, truth);
        }
        else
        {
            DemoInput.Produce(log, truth, options.InputAppended);
        }
        var env = StreamEnvironment.Create(CreateJobOptions(options, paths));
        DemoPipeline.Build(env, log, paths, stats, options.Rate, options.Kafka, options.LakeFormat);
        var client = env.Start(c =>
        {
            c.CheckpointCompleted += _ => stats.RecordCheckpoint();
            started?.Invoke(c);
        }, cancellationToken);
        var result = await client.Completion.ConfigureAwait(false);
        return new DemoRun(truth, result, paths) { DeadLetters = new DeadLetterQueue(log).Stats(DemoInput.Topic) };
    }

    /// <summary>
    /// The plan the demo job would run with <paramref name="options"/> (parallelism, pacing, log or Kafka input), without
    /// running it or touching <see cref="DemoOptions.DataDirectory"/> or the cluster: the job is built against an empty
    /// embedded log in a temporary directory, deleted before returning.
    /// </summary>
    public static PlanDescription DescribePlan(DemoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scratch = new DemoPaths(Path.Combine(Path.GetTempPath(), "sluice-demo-plan-" + Guid.NewGuid().ToString("N")));
        try
        {
            using var log = PartitionedLog.Open(scratch.Log);
            log.CreateTopic(DemoInput.Topic, new TopicConfig { Partitions = DemoInput.Partitions });
            var env = StreamEnvironment.Create(CreateJobOptions(options, scratch));
            DemoPipeline.Build(env, log, scratch, new DemoStats(), options.Rate, options.Kafka, options.LakeFormat);
            return env.DescribePlan();
        }
        finally
        {
            if (Directory.Exists(scratch.Root))
            {
                Directory.Delete(scratch.Root, recursive: true);
            }
        }
    }

    private static JobOptions CreateJobOptions(DemoOptions options, DemoPaths paths) => new()
    {
        JobName = "clickstream-demo",
        Parallelism = options.Parallelism,
        Checkpoints = CheckpointOptions.InDirectory(paths.Checkpoints, options.CheckpointInterval),
        LoggerFactory = options.LoggerFactory,
    };

    /// <summary>
    /// The bronze layer keeps the format it was first written in: resuming a Parquet lake as a Delta table (or back)
    /// would leave part of the data where the other reader does not look.
    /// </summary>
    private static void CheckLakeFormat(DemoPaths paths, DemoLakeFormat format)
    {
        if (!Directory.Exists(paths.BronzeTable) || !Directory.EnumerateFileSystemEntries(paths.BronzeTable).Any())
        {
            return;
        }
        var found = Sluice.Connectors.Delta.DeltaTable.Exists(paths.BronzeTable) ? DemoLakeFormat.Delta : DemoLakeFormat.Parquet;
        if (found != format)
        {
            throw new InvalidOperationException($"The data directory {paths.Root} holds a demo run whose bronze layer is {Describe(found)}, not {Describe(format)}: "
                + $"rerun with --lake-format {found.ToString().ToLowerInvariant()}, or use another --data-dir.");
        }

        static string Describe(DemoLakeFormat f) => f == DemoLakeFormat.Delta ? "a Delta table" : "Parquet files";
    }

    /// <summary>
    /// A data directory belongs to one kind of input: its checkpoints hold positions of that source, and its lake and
    /// tables the output read from it. Records the kind on first use; refuses the other kind later.
    /// </summary>
    private static void CheckInputKind(DemoPaths paths, string kind)
    {
        var marker = Path.Combine(paths.Root, "input-kind");
        if (File.Exists(marker))
        {
            var recorded = File.ReadAllText(marker).Trim();
            if (recorded != kind)
            {
                throw new InvalidOperationException($"The data directory {paths.Root} holds a demo run whose input was the {Describe(recorded)}, not the {Describe(kind)}: "
                    + "use another --data-dir (or delete this one).");
            }
            return;
        }
        if (Directory.Exists(paths.Checkpoints) || Directory.Exists(paths.Lake))
        {
            // A run from before the marker existed: those read the embedded log.
            if (kind != "log")
            {
                throw new InvalidOperationException($"The data directory {paths.Root} holds a demo run whose input was the {Describe("log")}, not the {Describe(kind)}: "
                    + "use another --data-dir (or delete this one).");
            }
        }
        File.WriteAllText(marker, kind + Environment.NewLine);

        static string Describe(string k) => k == "kafka" ? "Kafka topic" : "embedded-log topic";
    }
}
