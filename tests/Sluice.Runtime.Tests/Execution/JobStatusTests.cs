using Sluice.Checkpoints;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>
/// The job status state machine: every path a job takes through <see cref="JobStatus"/> as
/// <see cref="JobClient.StatusChanged"/> reports it, and the table of legal transitions.
/// </summary>
public sealed class JobStatusTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-status-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<ExecutionMode> Modes => [ExecutionMode.Parallel, ExecutionMode.Deterministic];

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task StatusChanged_BoundedJobRunsToItsEnd_CreatedRunningFinished(ExecutionMode mode)
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = mode, Parallelism = 2 });
        var sink = env.FromCollection(Enumerable.Range(0, 100)).Map(x => x + 1).Collect();
        var (client, changes) = StartRecording(env);

        await client.Completion.OrTimeout();

        changes.Transitions().ShouldBe([(JobStatus.Created, JobStatus.Running), (JobStatus.Running, JobStatus.Finished)],
            "Completion ends after the terminal transition was raised");
        changes.ShouldAllBe(c => c.Cause == null && c.Job == client);
        client.Status.ShouldBe(JobStatus.Finished);
        sink.Items.Count.ShouldBe(100);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task StatusChanged_UserFunctionThrowsWithoutRestarts_RunningFailedWithTheCause(ExecutionMode mode)
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = mode });
        env.FromCollection(new[] { 1, 2, 0, 4 }).Map(i => 10 / i, "Divide").Collect();
        var (client, changes) = StartRecording(env);

        var error = await Should.ThrowAsync<JobExecutionException>(() => client.Completion.OrTimeout());

        changes.Transitions().ShouldBe([(JobStatus.Created, JobStatus.Running), (JobStatus.Running, JobStatus.Failed)]);
        changes[^1].Cause.ShouldBeSameAs(error);
        client.Status.ShouldBe(JobStatus.Failed);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task StatusChanged_FailsOnceWithARestartLeft_RestartingThenRunningAgainThenFinished(ExecutionMode mode)
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = mode, Restart = RestartStrategy.FixedDelay(1, TimeSpan.Zero) });
        var failed = 0;
        var sink = env.FromCollection(Enumerable.Range(0, 10))
            .Map(i => i == 5 && Interlocked.Exchange(ref failed, 1) == 0 ? throw new InvalidOperationException("poisoned once") : i, "FailOnce")
            .Collect();
        var (client, changes) = StartRecording(env);

        var result = await client.Completion.OrTimeout();

        changes.Transitions().ShouldBe([
            (JobStatus.Created, JobStatus.Running),
            (JobStatus.Running, JobStatus.Restarting),
            (JobStatus.Restarting, JobStatus.Running),
            (JobStatus.Running, JobStatus.Finished),
        ]);
        changes[1].Cause.ShouldBeOfType<JobExecutionException>().Message.ShouldContain("poisoned once");
        result.Restarts.ShouldBe(1);
        sink.Items.Order().ShouldBe(Enumerable.Range(0, 10), "without checkpoints the restart starts over; the sink keeps only the last attempt's output");
    }

    [Fact]
    public async Task StatusChanged_CancelWhileARestartWaitsOutItsDelay_CancelledAtOnce()
    {
        var env = StreamEnvironment.Create(new JobOptions { Restart = RestartStrategy.FixedDelay(1, TimeSpan.FromHours(1)) });
        env.FromCollection(new[] { 0 }).Map(i => 10 / i, "Divide").Collect();
        var restarting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var changes = new List<JobStatusChange>();
        var client = env.Start(c => c.StatusChanged += change =>
        {
            changes.Add(change);
            if (change.NewStatus == JobStatus.Restarting)
            {
                restarting.TrySetResult();
            }
        });
        await restarting.Task.OrTimeout();

        client.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());
        changes.Transitions().ShouldBe([
            (JobStatus.Created, JobStatus.Running),
            (JobStatus.Running, JobStatus.Restarting),
            (JobStatus.Restarting, JobStatus.Cancelling),
            (JobStatus.Cancelling, JobStatus.Cancelled),
        ], "the hour-long restart delay is not waited out");
    }

    [Fact]
    public async Task StatusChanged_Cancel_RunningCancellingCancelled()
    {
        var env = StreamEnvironment.Create(new JobOptions());
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 100 };
        env.FromSource(source, name: "Endless").Collect();
        var (client, changes) = StartRecording(env);
        source.Paused.WaitOrFail("the source to reach 100");

        client.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());
        changes.Transitions().ShouldBe([(JobStatus.Created, JobStatus.Running), (JobStatus.Running, JobStatus.Cancelling), (JobStatus.Cancelling, JobStatus.Cancelled)]);
        client.Status.ShouldBe(JobStatus.Cancelled);
    }

    [Fact]
    public async Task StatusChanged_CancelledBeforeItStarts_CreatedCancellingCancelled()
    {
        var env = StreamEnvironment.Create(new JobOptions());
        env.FromCollection(Enumerable.Range(0, 10)).Collect();
        var changes = new List<JobStatusChange>();

        var client = env.Start(c => c.StatusChanged += changes.Add, new CancellationToken(canceled: true));

        await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.OrTimeout());
        changes.Transitions().ShouldBe([(JobStatus.Created, JobStatus.Cancelling), (JobStatus.Cancelling, JobStatus.Cancelled)]);
    }

    [Fact]
    public async Task StatusChanged_StopWithCheckpoints_EndsSuspendedAndANewRunResumesFromTheFinalCheckpoint()
    {
        var checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1));
        var env = StreamEnvironment.Create(new JobOptions { Checkpoints = checkpoints });
        var source = new PausableRangeSource(1_000) { PauseAt = 100 };
        env.FromSource(source, name: "Range").Uid("range").Collect();
        var (client, changes) = StartRecording(env);
        source.Paused.WaitOrFail("the source to reach 100");

        client.Stop(drain: false);

        var result = await client.Completion.OrTimeout();
        changes.Transitions().ShouldBe([(JobStatus.Created, JobStatus.Running), (JobStatus.Running, JobStatus.Suspended)]);
        result.CheckpointsCompleted.ShouldBe(1, "the final checkpoint, written at the stop");
        var resumedEnv = StreamEnvironment.Create(new JobOptions { Checkpoints = checkpoints });
        var resumed = resumedEnv.FromSource(new PausableRangeSource(1_000), name: "Range").Uid("range").Collect();
        var second = await resumedEnv.ExecuteAsync().OrTimeout();
        second.RestoredCheckpointId.ShouldBe(client.LastCheckpointId);
        resumed.Items.ShouldBe(Enumerable.Range(100, 900).Select(i => (long)i), "the new run resumes where the stop left off");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task StatusChanged_StopWithoutCheckpoints_EndsFinished(ExecutionMode mode)
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = mode });
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 50 };
        env.FromSource(source, name: "Endless").Collect();
        var (client, changes) = StartRecording(env);
        source.Paused.WaitOrFail("the source to reach 50");

        var result = await client.StopAsync().OrTimeout();

        changes.Transitions().ShouldBe([(JobStatus.Created, JobStatus.Running), (JobStatus.Running, JobStatus.Finished)], "nothing was kept to resume from");
        result.SourceRecords.ShouldBe(50);
    }

    [Fact]
    public async Task StatusChanged_HandlerThrows_TheJobAndTheOtherHandlersAreNotAffected()
    {
        var logs = new CollectingLoggerFactory();
        var env = StreamEnvironment.Create(new JobOptions { LoggerFactory = logs });
        env.FromCollection(Enumerable.Range(0, 10)).Collect();
        var seen = new List<JobStatus>();

        var client = env.Start(c =>
        {
            c.StatusChanged += _ => throw new InvalidOperationException("handler bug");
            c.StatusChanged += change => seen.Add(change.NewStatus);
        });

        await client.Completion.OrTimeout();
        seen.ShouldBe([JobStatus.Running, JobStatus.Finished]);
        logs.WithEventId(1010).Count.ShouldBe(2);
        logs.WithEventId(1010)[0].Exception.ShouldBeOfType<InvalidOperationException>().Message.ShouldBe("handler bug");
    }

    [Fact]
    public void IsLegal_TheTable_AllowsExactlyTheDocumentedTransitions()
    {
        (JobStatus, JobStatus)[] legal =
        [
            (JobStatus.Created, JobStatus.Running), (JobStatus.Created, JobStatus.Cancelling), (JobStatus.Created, JobStatus.Failed),
            (JobStatus.Running, JobStatus.Restarting), (JobStatus.Running, JobStatus.Cancelling), (JobStatus.Running, JobStatus.Finished),
            (JobStatus.Running, JobStatus.Suspended), (JobStatus.Running, JobStatus.Failed),
            (JobStatus.Restarting, JobStatus.Running), (JobStatus.Restarting, JobStatus.Cancelling), (JobStatus.Restarting, JobStatus.Failed),
            (JobStatus.Cancelling, JobStatus.Cancelled), (JobStatus.Cancelling, JobStatus.Failed),
        ];
        foreach (var from in Enum.GetValues<JobStatus>())
        {
            foreach (var to in Enum.GetValues<JobStatus>())
            {
                JobStatusTransitions.IsLegal(from, to).ShouldBe(legal.Contains((from, to)), $"{from} -> {to}");
            }
        }
    }

    [Fact]
    public void ThrowIfIllegal_IllegalTransitions_ThrowNamingBothStates()
    {
        foreach (var from in Enum.GetValues<JobStatus>())
        {
            foreach (var to in Enum.GetValues<JobStatus>())
            {
                if (JobStatusTransitions.IsLegal(from, to))
                {
                    Should.NotThrow(() => JobStatusTransitions.ThrowIfIllegal(from, to, "job", default));
                    continue;
                }
                var error = Should.Throw<InvalidOperationException>(() => JobStatusTransitions.ThrowIfIllegal(from, to, "orders", default));
                error.Message.ShouldContain($"from status {from} to {to}");
                error.Message.ShouldContain("'orders'");
            }
        }
    }

    [Fact]
    public void IsTerminal_TheFourEndStates()
    {
        Enum.GetValues<JobStatus>().Where(s => s.IsTerminal())
            .ShouldBe([JobStatus.Finished, JobStatus.Suspended, JobStatus.Failed, JobStatus.Cancelled]);
    }

    /// <summary>Starts the job with a handler recording every transition from the very first.</summary>
    private static (JobClient Client, List<JobStatusChange> Changes) StartRecording(StreamEnvironment env)
    {
        var changes = new List<JobStatusChange>();
        // Transitions are raised one at a time and in order: the list needs no lock.
        var client = env.Start(c => c.StatusChanged += changes.Add);
        return (client, changes);
    }
}

/// <summary>Status-change assertions.</summary>
internal static class StatusChangeExtensions
{
    public static List<(JobStatus, JobStatus)> Transitions(this List<JobStatusChange> changes) => [.. changes.Select(c => (c.OldStatus, c.NewStatus))];
}
