using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

/// <summary>
/// A scheduler with nothing to do does nothing: intervals covered by backfill or manual runs are passed over without a
/// store write, and the run history is read once (the in-memory index), not on every pass.
/// </summary>
public sealed class SchedulerIdleTests
{
    private static readonly DateTimeOffset s_jan1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task CreateDueRuns_CatchUpOffAndSeveralActiveRunsAllowed_OnlyTheLatestDueIntervalEachTime()
    {
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var f = new SchedulerFixture(start.AddHours(5).AddMinutes(30));
        var dag = new DagBuilder("latest").Schedule("0 * * * *").StartDate(start).CatchUp(false).MaxActiveRuns(3)
            .Task("t", new ShellAction("true")).Build();
        await using var scheduler = f.SchedulingScheduler(dag);

        await scheduler.RunUntilIdleAsync();
        f.Store.ListRuns("latest").Select(r => r.LogicalDate).ShouldBe([start.AddHours(4)]);

        // 05:00 and 06:00 became due meanwhile: catch-up off creates only the latest, even with room for three runs.
        f.Time.Advance(TimeSpan.FromHours(2));
        await scheduler.RunUntilIdleAsync();

        var runs = f.Store.ListRuns("latest");
        runs.Select(r => r.LogicalDate).ShouldBe([start.AddHours(4), start.AddHours(6)]);
        runs.ShouldAllBe(r => r.State == DagRunState.Success && r.Kind == DagRunKind.Scheduled);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Step_DueIntervalsCoveredByBackfillRuns_LaterPassesNeitherWriteNorRead(bool catchUp)
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 1, 6, 12, 0, 0, TimeSpan.Zero));
        var dag = new DagBuilder("covered").Schedule("@daily").StartDate(s_jan1).CatchUp(catchUp).MaxActiveRuns(3)
            .Task("t", new ShellAction($"echo '{{{{ ds }}}}' >> {f.File("trace")}")).Build();
        await using (var backfill = f.Scheduler(dag))
        {
            (await backfill.BackfillAsync("covered", s_jan1, s_jan1.AddDays(4))).Runs.Count.ShouldBe(5);
        }
        var store = new ObservedRunStore(f.Store.Directory);
        await using var scheduler = f.Scheduler(store, true, dag);
        // A guard, not a wait: before the fix this pass never became idle (each pass "wrote" the covered runs again).
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await scheduler.RunUntilIdleAsync(guard.Token);

        store.ListRuns("covered").Select(r => r.Kind).ShouldBe(Enumerable.Repeat(DagRunKind.Backfill, 5));
        var (reads, writes) = (store.Reads, store.Writes);
        for (var pass = 0; pass < 3; pass++)
        {
            f.Time.Advance(TimeSpan.FromHours(1));
            await scheduler.StepAsync();
            (store.Reads, store.Writes).ShouldBe((reads, writes), $"pass {pass} of an idle scheduler");
        }

        // The next interval still gets its scheduled run once it is due, and runs.
        f.Time.Advance(TimeSpan.FromHours(9));
        await scheduler.RunUntilIdleAsync(guard.Token);
        var runs = store.ListRuns("covered");
        runs.Select(r => (r.LogicalDate, r.Kind, r.State)).Last().ShouldBe((s_jan1.AddDays(5), DagRunKind.Scheduled, DagRunState.Success));
        runs.Count.ShouldBe(6);
        f.Lines("trace").Length.ShouldBe(6);
    }

    [Fact]
    public async Task Step_ManualRunOnTheNextDueDate_SkippedWithoutAWriteAndTheScheduleGoesOn()
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 1, 2, 12, 0, 0, TimeSpan.Zero));
        var dag = new DagBuilder("m").Schedule("@daily").StartDate(s_jan1).CatchUp(true)
            .Task("t", new ShellAction("true")).Build();
        var store = new ObservedRunStore(f.Store.Directory);
        await using var scheduler = f.Scheduler(store, true, dag);
        await scheduler.TriggerAsync("m", s_jan1);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await scheduler.RunUntilIdleAsync(guard.Token);
        var writes = store.Writes;

        await scheduler.StepAsync();
        await scheduler.StepAsync();

        store.Writes.ShouldBe(writes);
        store.ListRuns("m").Select(r => (r.LogicalDate, r.Kind)).ShouldBe([(s_jan1, DagRunKind.Manual)]);
        f.Time.Advance(TimeSpan.FromHours(12));
        await scheduler.RunUntilIdleAsync(guard.Token);
        store.ListRuns("m").Select(r => (r.LogicalDate, r.Kind, r.State)).ShouldBe([(s_jan1, DagRunKind.Manual, DagRunState.Success), (s_jan1.AddDays(1), DagRunKind.Scheduled, DagRunState.Success)]);
    }
}
