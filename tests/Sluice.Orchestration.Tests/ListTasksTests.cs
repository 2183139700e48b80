using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

/// <summary><see cref="DagScheduler.ListTasks"/>: an active run's task instances from memory, a finished one's from the store.</summary>
public sealed class ListTasksTests
{
    private static readonly DateTimeOffset s_jan1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ListTasks_RunningRun_AnsweredWithoutReadingTheStore()
    {
        using var f = new SchedulerFixture(s_jan1);
        var store = new ObservedRunStore(f.Store.Directory);
        var runner = new EndlessRunner();
        var dag = new DagBuilder("load").Task("load", new SqlJobAction("INSERT INTO t SELECT * FROM s")).Build();
        await using var scheduler = new DagScheduler([dag], store, new DagSchedulerOptions
        {
            TimeProvider = f.Time,
            CreateScheduledRuns = false,
            SqlJobRunner = runner,
            DefaultSqlJobTimeout = TimeSpan.FromMinutes(1),
        });
        await scheduler.TriggerAsync("load", s_jan1);
        await scheduler.StepAsync();
        await runner.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var reads = store.Reads;

        var tasks = scheduler.ListTasks("load", s_jan1);

        store.Reads.ShouldBe(reads);
        tasks.ShouldHaveSingleItem().State.ShouldBe(TaskState.Running);
        tasks.Select(t => (t.TaskId, t.State, t.Attempts.Count)).ShouldBe(f.Store.ListTasks("load", s_jan1).Select(t => (t.TaskId, t.State, t.Attempts.Count)));

        f.Time.Advance(TimeSpan.FromMinutes(1));
        await scheduler.RunUntilIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));

        // Finished: the copy dropped its tasks, so they come from the store (and say what the store says).
        scheduler.ListTasks("load", s_jan1).ShouldHaveSingleItem().State.ShouldBe(TaskState.Failed);
        store.Reads.ShouldBeGreaterThan(reads);
    }

    [Fact]
    public async Task ListTasks_SeveralRunningTasks_OrderedByTaskIdAsTheStoreListsThem()
    {
        using var f = new SchedulerFixture(s_jan1);
        var dag = new DagBuilder("d")
            .Task("zeta", new SqlJobAction("INSERT INTO t SELECT * FROM s"))
            .Task("alpha", new SqlJobAction("INSERT INTO t SELECT * FROM s"))
            .Build();
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions
        {
            TimeProvider = f.Time,
            CreateScheduledRuns = false,
            SqlJobRunner = new EndlessRunner(),
        });
        await scheduler.TriggerAsync("d", s_jan1);
        await scheduler.StepAsync();

        var tasks = scheduler.ListTasks("d", s_jan1);

        tasks.Select(t => (t.TaskId, t.State)).ShouldBe([("alpha", TaskState.Running), ("zeta", TaskState.Running)]);
        tasks.Select(t => (t.TaskId, t.State)).ShouldBe(f.Store.ListTasks("d", s_jan1).Select(t => (t.TaskId, t.State)));
    }
}
