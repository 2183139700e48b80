using Microsoft.Extensions.Logging;
using Sluice.Checkpoints;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>
/// What a job logs through <see cref="JobOptions.LoggerFactory"/>: its start and end, failures, and checkpoints that
/// complete, time out, fail or are abandoned — every message naming the job by name and id, and the checkpoint.
/// </summary>
public sealed class JobLoggingTests : IDisposable
{
    private const string JobCategory = "Sluice.Runtime.JobExecution";
    private const string CheckpointCategory = "Sluice.Checkpointing";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-logging-" + Guid.NewGuid().ToString("N"));
    private readonly CollectingLoggerFactory _logs = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task BoundedJob_LogsStartedAndFinished_NamingTheJobByNameAndId()
    {
        var env = StreamEnvironment.Create(new JobOptions { JobName = "orders", LoggerFactory = _logs, Parallelism = 2 });
        env.FromCollection(Enumerable.Range(0, 10)).Collect();
        var client = env.Start();

        await client.Completion.OrTimeout();

        var started = _logs.WithEventId(1000).ShouldHaveSingleItem();
        (started.Category, started.Level).ShouldBe((JobCategory, LogLevel.Information));
        started.Message.ShouldStartWith($"Job 'orders' ({client.Id}) started: ");
        var finished = _logs.WithEventId(1003).ShouldHaveSingleItem();
        (finished.Category, finished.Level).ShouldBe((JobCategory, LogLevel.Information));
        finished.Message.ShouldStartWith($"Job 'orders' ({client.Id}) finished in ");
        finished.Message.ShouldContain("source records 10, checkpoints 0, restarts 0.");
        _logs.WithEventId(1009).Select(e => e.Message).ShouldBe([
            $"Job 'orders' ({client.Id}) status Created -> Running.",
            $"Job 'orders' ({client.Id}) status Running -> Finished.",
        ]);
    }

    [Fact]
    public async Task FailingJob_LogsAnErrorWithTheFailure()
    {
        var env = StreamEnvironment.Create(new JobOptions { JobName = "divide", LoggerFactory = _logs });
        env.FromCollection(new[] { 1, 0 }).Map(i => 10 / i, "Divide").Collect();
        var client = env.Start();

        var error = await Should.ThrowAsync<JobExecutionException>(() => client.Completion.OrTimeout());

        var failed = _logs.WithEventId(1005).ShouldHaveSingleItem();
        (failed.Category, failed.Level).ShouldBe((JobCategory, LogLevel.Error));
        failed.Message.ShouldStartWith($"Job 'divide' ({client.Id}) failed (restarts: 0): ");
        failed.Message.ShouldContain("'Divide' (subtask 1/1)");
        failed.Exception.ShouldBeSameAs(error);
    }

    [Fact]
    public async Task StoppedWithCheckpoints_LogsStoppingTheFinalCheckpointAndSuspended()
    {
        var env = StreamEnvironment.Create(new JobOptions { JobName = "stop", LoggerFactory = _logs, Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) });
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 10 };
        env.FromSource(source, name: "Endless").Collect();
        var client = env.Start();
        source.Paused.WaitOrFail("the source to reach 10");

        await client.StopAsync().OrTimeout();

        _logs.WithEventId(1007).ShouldHaveSingleItem().Message.ShouldBe($"Job 'stop' ({client.Id}) is stopping (drain: True): its sources end now.");
        var completed = _logs.WithEventId(1100).ShouldHaveSingleItem();
        (completed.Category, completed.Level).ShouldBe((CheckpointCategory, LogLevel.Debug));
        completed.Message.ShouldStartWith($"Checkpoint {client.LastCheckpointId} of job 'stop' ({client.Id}) completed in ");
        _logs.WithEventId(1004).ShouldHaveSingleItem().Message.ShouldStartWith($"Job 'stop' ({client.Id}) stopped and suspended at checkpoint {client.LastCheckpointId}:");
    }

    [Fact]
    public async Task CheckpointOutlivesItsTimeout_LogsAWarningNamingTheCheckpoint()
    {
        var checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) with { Timeout = TimeSpan.FromTicks(1) };
        var (client, source, release) = StartWithAHeldTask(checkpoints);
        client.TriggerCheckpoint().ShouldBe(1);

        client.TriggerCheckpoint().ShouldBe(0, "checkpoint 1 outlived its timeout");
        source.PauseAt = long.MaxValue;
        release.Set();
        await Should.ThrowAsync<JobExecutionException>(() => client.Completion.OrTimeout());

        var timedOut = _logs.WithEventId(1101).ShouldHaveSingleItem();
        (timedOut.Category, timedOut.Level).ShouldBe((CheckpointCategory, LogLevel.Warning));
        timedOut.Message.ShouldStartWith($"Checkpoint 1 of job 'held' ({client.Id}) did not complete within ");
    }

    [Fact]
    public async Task AttemptFailsWhileACheckpointIsPending_LogsTheCheckpointAbandoned()
    {
        var (client, _, release) = StartWithAHeldTask(CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)));
        client.TriggerCheckpoint().ShouldBe(1);

        release.Set();

        await Should.ThrowAsync<JobExecutionException>(() => client.Completion.OrTimeout());
        _logs.WithEventId(1104).ShouldHaveSingleItem().Message.ShouldStartWith($"Checkpoint 1 of job 'held' ({client.Id}) is abandoned:");
    }

    [Fact]
    public async Task Cancel_LogsCancellingAndCancelled()
    {
        var env = StreamEnvironment.Create(new JobOptions { JobName = "endless", LoggerFactory = _logs });
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 10 };
        env.FromSource(source, name: "Endless").Collect();
        var client = env.Start();
        source.Paused.WaitOrFail("the source to reach 10");

        client.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());
        _logs.WithEventId(1008).ShouldHaveSingleItem().Message.ShouldBe($"Job 'endless' ({client.Id}) is being cancelled.");
        _logs.WithEventId(1006).ShouldHaveSingleItem().Message.ShouldBe($"Job 'endless' ({client.Id}) was cancelled.");
    }

    [Fact]
    public async Task CheckpointStoreFails_LogsAWarningNamingTheCheckpointAndTheStore()
    {
        var store = new FailingManifestStore(new LocalCheckpointStore(_dir));
        var env = StreamEnvironment.Create(new JobOptions { JobName = "store", LoggerFactory = _logs, Checkpoints = new CheckpointOptions(store, TimeSpan.FromHours(1)) });
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 10 };
        env.FromSource(source, name: "Endless").Collect();
        var client = env.Start();
        source.Paused.WaitOrFail("the source to reach 10");

        client.TriggerCheckpoint().ShouldBe(1);

        await Should.ThrowAsync<JobExecutionException>(() => client.Completion.OrTimeout());
        var failed = _logs.WithEventId(1103).ShouldHaveSingleItem();
        (failed.Category, failed.Level).ShouldBe((CheckpointCategory, LogLevel.Warning));
        failed.Message.ShouldBe($"Checkpoint 1 of job 'store' ({client.Id}) could not be completed in {store.Location}: the disk is on fire");
        failed.Exception.ShouldBeOfType<IOException>();
    }

    /// <summary>
    /// Source A (paused at 10) feeds one sink; source B's task is held inside a map until <c>release</c> is set, so it
    /// cannot acknowledge a barrier: a triggered checkpoint stays pending. Released, the map throws, failing the attempt,
    /// so B never acknowledges — not even with a final snapshot.
    /// </summary>
    private (JobClient Client, PausableRangeSource Source, ManualResetEventSlim Release) StartWithAHeldTask(CheckpointOptions checkpoints)
    {
        var source = new PausableRangeSource(1_000) { PauseAt = 10 };
        var release = new ManualResetEventSlim();
        var held = new ManualResetEventSlim();
        var env = StreamEnvironment.Create(new JobOptions { JobName = "held", LoggerFactory = _logs, Checkpoints = checkpoints });
        env.FromSource(source).Uid("a").ForEach(_ => { }).Uid("a-sink");
        env.FromCollection([1L]).Uid("b").Map<long>(v =>
        {
            held.Set();
            release.Wait();
            throw new InvalidOperationException("released: the held task fails");
        }).Uid("held").ForEach(_ => { }).Uid("b-sink");
        var client = env.Start();
        source.Paused.WaitOrFail("source A to reach 10");
        held.WaitOrFail("source B's task to be held");
        return (client, source, release);
    }

    private sealed class FailingManifestStore(ICheckpointStore inner) : ForwardingCheckpointStore(inner)
    {
        public override Task CommitManifestAsync(long checkpointId, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken = default) =>
            throw new IOException("the disk is on fire");
    }
}
