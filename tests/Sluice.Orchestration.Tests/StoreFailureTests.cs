using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

/// <summary>
/// A run-store write that fails at the end of an attempt (a full disk, a permission) is counted and retried on a later
/// pass of that DAG; the scheduler and the other DAGs go on, and the attempt's outcome is written exactly once.
/// </summary>
public sealed class StoreFailureTests
{
    private static readonly DateTimeOffset s_jan1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Complete_OutcomeWriteFails_CountedRetriedLaterOtherDagsGoOnAndTheOutcomeIsWrittenOnce()
    {
        using var f = new SchedulerFixture(s_jan1);
        var failing = "disk_" + Guid.NewGuid().ToString("N")[..8];
        var healthy = "ok_" + Guid.NewGuid().ToString("N")[..8];
        var dagA = new DagBuilder(failing).Task("t", new ShellAction($"echo ran >> {f.File("trace")}")).Build();
        var dagB = new DagBuilder(healthy).Task("t", new ShellAction("true")).Build();
        var errors = new ConcurrentBag<long>();
        using var meter = DagMeters.Listen("sluice.dag.scheduling_errors", failing, errors);
        var store = new ObservedRunStore(f.Store.Directory)
        {
            // Only the write of dag A's task outcome fails (the attempt's start is written fine).
            FailWrite = (path, json) => path.Contains(Path.Combine("dags", failing), StringComparison.Ordinal) && path.EndsWith("t.json", StringComparison.Ordinal)
                && json.Contains("\"state\": \"success\"", StringComparison.Ordinal),
        };
        var events = new ConcurrentQueue<string>();
        await using var scheduler = new DagScheduler([dagA, dagB], store, new DagSchedulerOptions
        {
            TimeProvider = f.Time,
            CreateScheduledRuns = false,
            Listeners = [new QueueListener(events)],
        });
        await scheduler.TriggerAsync(failing, s_jan1);
        await scheduler.TriggerAsync(healthy, s_jan1);

        await scheduler.RunUntilIdleAsync();

        store.GetRun(healthy, s_jan1)!.State.ShouldBe(DagRunState.Success);
        var unwritten = store.ListTasks(failing, s_jan1).Single();
        unwritten.State.ShouldBe(TaskState.Running);
        unwritten.Attempts.Single().State.ShouldBe(AttemptState.Running);
        errors.Sum().ShouldBeGreaterThan(0);
        events.ShouldNotContain($"{failing} t 1 success");

        // Still failing on a later pass: counted again, nothing lost, the task not started again — and the healthy DAG
        // still progresses after the failure (a run triggered now runs).
        var before = errors.Sum();
        await scheduler.TriggerAsync(healthy, s_jan1.AddDays(1));
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await scheduler.RunUntilIdleAsync();
        errors.Sum().ShouldBeGreaterThan(before);
        store.ListTasks(failing, s_jan1).Single().Attempts.Count.ShouldBe(1);
        store.GetRun(healthy, s_jan1.AddDays(1))!.State.ShouldBe(DagRunState.Success);

        store.FailWrite = null;
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await scheduler.RunUntilIdleAsync();

        var task = store.ListTasks(failing, s_jan1).Single();
        task.State.ShouldBe(TaskState.Success);
        var attempt = task.Attempts.ShouldHaveSingleItem();
        attempt.State.ShouldBe(AttemptState.Success);
        attempt.EndedAt.ShouldBe(s_jan1, "the outcome keeps the time the attempt ended, not the time it was written");
        store.GetRun(failing, s_jan1)!.State.ShouldBe(DagRunState.Success);
        f.Lines("trace").ShouldBe(["ran"]);
        events.Count(e => e == $"{failing} t 1 success").ShouldBe(1);
    }

    [Fact]
    public async Task RecordEndedAttempts_AnOutcomeStillUnwritable_CountedAndTheRestOfTheDagsPassGoesOn()
    {
        using var f = new SchedulerFixture(s_jan1);
        var dagId = "two_" + Guid.NewGuid().ToString("N")[..8];
        var dag = new DagBuilder(dagId).MaxActiveRuns(2).Task("t", new ShellAction("true")).Build();
        var errors = new ConcurrentBag<long>();
        using var meter = DagMeters.Listen("sluice.dag.scheduling_errors", dagId, errors);
        var store = new ObservedRunStore(f.Store.Directory)
        {
            // Only the outcome of the Jan 1 run's task fails, on every try.
            FailWrite = (path, json) => path.Contains(Path.Combine(dagId, "runs", "20240101T000000.000Z", "tasks"), StringComparison.Ordinal)
                && json.Contains("\"state\": \"success\"", StringComparison.Ordinal),
        };
        await using var scheduler = new DagScheduler([dag], store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false });
        await scheduler.TriggerAsync(dagId, s_jan1);
        await scheduler.RunUntilIdleAsync();
        store.ListTasks(dagId, s_jan1).Single().State.ShouldBe(TaskState.Running);

        var before = errors.Sum();
        await scheduler.TriggerAsync(dagId, s_jan1.AddDays(1));
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await scheduler.RunUntilIdleAsync();

        errors.Sum().ShouldBeGreaterThan(before, "the outcome that still cannot be written is counted");
        store.GetRun(dagId, s_jan1.AddDays(1))!.State.ShouldBe(DagRunState.Success, "the rest of the DAG's pass went on");
        store.ListTasks(dagId, s_jan1).Single().State.ShouldBe(TaskState.Running);

        store.FailWrite = null;
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await scheduler.RunUntilIdleAsync();
        store.GetRun(dagId, s_jan1)!.State.ShouldBe(DagRunState.Success);
    }

    [Fact]
    public async Task Trigger_WriteFailsAfterTheRunFileIsInPlace_TheCallFailsButTheQueuedRunOnDiskRuns()
    {
        using var f = new SchedulerFixture(s_jan1);
        var dagId = "fsync_" + Guid.NewGuid().ToString("N")[..8];
        var dag = new DagBuilder(dagId).Task("t", new ShellAction($"echo ran >> {f.File("trace")}")).Build();
        var store = new ObservedRunStore(f.Store.Directory) { FailAfterWrite = (path, _) => path.EndsWith("run.json", StringComparison.Ordinal) };
        await using var scheduler = new DagScheduler([dag], store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false });
        await scheduler.RunUntilIdleAsync();

        await Should.ThrowAsync<IOException>(() => scheduler.TriggerAsync(dagId, s_jan1));
        store.GetRun(dagId, s_jan1).ShouldNotBeNull().State.ShouldBe(DagRunState.Queued);

        store.FailAfterWrite = null;
        var run = await scheduler.WaitForRunAsync(dagId, s_jan1);

        run.State.ShouldBe(DagRunState.Success);
        f.Lines("trace").ShouldBe(["ran"]);
    }

    [Fact]
    public async Task WaitForRun_AnotherRunFileOfTheDagUnreadable_WaitsForTheRunInsteadOfThrowing()
    {
        using var f = new SchedulerFixture(s_jan1);
        var dagId = "garbled_" + Guid.NewGuid().ToString("N")[..8];
        var dag = new DagBuilder(dagId).Task("t", new ShellAction("true")).Build();
        var errors = new ConcurrentBag<long>();
        using var meter = DagMeters.Listen("sluice.dag.scheduling_errors", dagId, errors);
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false });
        var garbled = Path.Combine(f.Store.Directory, "dags", dagId, "runs", "20231231T000000.000Z");
        Directory.CreateDirectory(garbled);
        await File.WriteAllTextAsync(Path.Combine(garbled, "run.json"), "{ not json");
        var (queued, _) = await scheduler.TriggerAsync(dagId, s_jan1);

        // The DAG's history cannot be loaded, so its pass fails (counted) and the run never starts: the wait must
        // neither throw nor claim it finished; it ends when cancelled.
        using var cancel = new CancellationTokenSource();
        var wait = scheduler.WaitForRunAsync(dagId, queued.LogicalDate, cancel.Token);
        await SchedulerFixture.WaitUntilAsync(() => !errors.IsEmpty, "the failed pass to be counted");
        wait.IsCompleted.ShouldBeFalse();
        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => wait);

        File.Delete(Path.Combine(garbled, "run.json"));
        f.Time.Advance(TimeSpan.FromSeconds(5));
        (await scheduler.WaitForRunAsync(dagId, queued.LogicalDate)).State.ShouldBe(DagRunState.Success);
    }


    private sealed class QueueListener(ConcurrentQueue<string> events) : IDagRunListener
    {
        public void OnRunStarted(DagRun run)
        {
        }

        public void OnRunFinished(DagRun run) => events.Enqueue($"{run.DagId} finished {run.State}");

        public void OnTaskAttemptStarted(DagRun run, TaskInstance task, TaskAttempt attempt)
        {
        }

        public void OnTaskAttemptFinished(DagRun run, TaskInstance task, TaskAttempt attempt) =>
            events.Enqueue($"{task.DagId} {task.TaskId} {attempt.Number} {attempt.State.ToString().ToLowerInvariant()}");
    }
}
