using Sluice.Checkpoints;
using Sluice.Log;

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
}

/// <summary>What a demo run did.</summary>
/// <param name="Truth">The generated input and its anomalies.</param>
/// <param name="Result">The job's report.</param>
/// <param name="Paths">Where the data landed.</param>
public sealed record DemoRun(DemoInputTruth Truth, JobResult Result, DemoPaths Paths);

/// <summary>
/// Runs the click-stream demo end to end: generates the input into the embedded log (once per data directory), then
/// runs the pipeline with checkpoints. Killed and run again with the same options, it resumes from the last checkpoint
/// and finishes with the same tables an uninterrupted run produces.
/// </summary>
public static class ClickstreamDemo
{
    /// <summary>Runs the demo; <paramref name="started"/> receives the running job (for a live view).</summary>
    public static async Task<DemoRun> RunAsync(DemoOptions options, DemoStats stats, Action<JobClient>? started = null, CancellationToken cancellationToken = default)
    {
        var paths = new DemoPaths(Path.GetFullPath(options.DataDirectory));
        Directory.CreateDirectory(paths.Root);
        var truth = DemoInput.Generate(options.Events, options.Seed);
        using var log = PartitionedLog.Open(paths.Log);
        DemoInput.Produce(log, truth);
        var env = StreamEnvironment.Create(new JobOptions
        {
            JobName = "clickstream-demo",
            Parallelism = options.Parallelism,
            Checkpoints = CheckpointOptions.InDirectory(paths.Checkpoints, options.CheckpointInterval),
        });
        DemoPipeline.Build(env, log, paths, stats, options.Rate);
        var client = env.Start(cancellationToken);
        client.CheckpointCompleted += _ => stats.RecordCheckpoint();
        started?.Invoke(client);
        var result = await client.Completion.ConfigureAwait(false);
        return new DemoRun(truth, result, paths);
    }
}
