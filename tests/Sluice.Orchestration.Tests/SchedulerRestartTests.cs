using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

/// <summary>
/// The scheduler abandoned after its n-th store write (for every n until a run needs no crash), then a new scheduler
/// on the same state: exactly one run per logical date, every task succeeds once, and a task instance whose success
/// was persisted before the crash never runs again.
/// </summary>
public sealed class SchedulerRestartTests
{
    private static readonly DateTimeOffset s_jan1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Restart_AfterAbandoningAtEveryStoreWrite_OneRunPerLogicalDateAndNoCompletedTaskRepeated()
    {
        var completedWithoutCrash = false;
        for (var crashAfter = 1; crashAfter < 200 && !completedWithoutCrash; crashAfter++)
        {
            using var f = new SchedulerFixture(new DateTimeOffset(2024, 1, 4, 6, 0, 0, TimeSpan.Zero));
            var trace = f.File("trace");
            ShellAction Record(string name) => new($"echo '{{{{ ds }}}} {name}' >> {trace}");
            var dag = new DagBuilder("etl").Schedule("@daily").StartDate(s_jan1).CatchUp(true).MaxActiveRuns(2)
                .Task("extract", Record("extract"))
                .Task("load", Record("load"), t => t.DependsOn("extract"))
                .Task("audit", Record("audit"))
                .Build();

            var crashing = new CrashingRunStore(f.Store.Directory, crashAfter);
            var first = f.Scheduler(crashing, true, dag);
            try
            {
                await first.RunUntilIdleAsync();
                completedWithoutCrash = true;
            }
            catch (Exception e) when (e is SimulatedCrashException || e.InnerException is SimulatedCrashException)
            {
                // The scheduler "died" here.
            }
            // Like a killed process: what still runs is killed, nothing more is written.
            await first.DisposeAsync();
            var doneBeforeCrash = new RunStore(f.Store.Directory).ListRuns("etl")
                .SelectMany(r => new RunStore(f.Store.Directory).ListTasks("etl", r.LogicalDate))
                .Where(t => t.State == TaskState.Success)
                .Select(t => $"{t.RunId[^25..^15]} {t.TaskId}")
                .ToHashSet();
            var countsBefore = Count(f.Lines("trace"));

            await using (var second = f.Scheduler(new RunStore(f.Store.Directory), true, dag))
            {
                await second.RunUntilIdleAsync();
            }

            var store = new RunStore(f.Store.Directory);
            var runs = store.ListRuns("etl");
            runs.Select(r => r.LogicalDate).ShouldBe([s_jan1, s_jan1.AddDays(1), s_jan1.AddDays(2)], $"crash after write {crashAfter}");
            Directory.GetDirectories(Path.Combine(store.Directory, "dags", "etl", "runs")).Length.ShouldBe(3);
            runs.ShouldAllBe(r => r.State == DagRunState.Success, $"crash after write {crashAfter}");
            var counts = Count(f.Lines("trace"));
            foreach (var run in runs)
            {
                foreach (var task in store.ListTasks("etl", run.LogicalDate))
                {
                    var key = $"{run.LogicalDate:yyyy-MM-dd} {task.TaskId}";
                    task.Attempts.Count(a => a.State == AttemptState.Success).ShouldBe(1, key);
                    counts.GetValueOrDefault(key).ShouldBeInRange(1, task.Attempts.Count, $"{key}: executions must not exceed recorded attempts (crash after write {crashAfter})");
                    if (doneBeforeCrash.Contains(key))
                    {
                        counts[key].ShouldBe(countsBefore[key], $"{key} succeeded before the crash after write {crashAfter} and ran again");
                    }
                }
            }

            // A third scheduler finds nothing to do: completed runs never run again.
            await using (var third = f.Scheduler(new RunStore(f.Store.Directory), true, dag))
            {
                await third.RunUntilIdleAsync();
            }
            Count(f.Lines("trace")).ShouldBe(counts);
        }
        completedWithoutCrash.ShouldBeTrue("some crash point lies beyond the last write of a whole run");
    }

    private static Dictionary<string, int> Count(string[] lines) =>
        lines.GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private sealed class SimulatedCrashException() : Exception("simulated crash");

    /// <summary>A run store whose writes fail from the n-th on, as if the process died before that write.</summary>
    private sealed class CrashingRunStore(string directory, int crashAfter) : RunStore(directory)
    {
        private int _writes;

        internal override bool WriteFile(string path, byte[] content, bool createNew)
        {
            if (Interlocked.Increment(ref _writes) >= crashAfter)
            {
                throw new SimulatedCrashException();
            }
            return base.WriteFile(path, content, createNew);
        }
    }

    [Fact]
    public async Task Constructor_StateDirectoryHeldByAnotherScheduler_RefusesNamingThePidUntilItIsDisposed()
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var dag = new DagBuilder("d").Task("t", new ShellAction("true")).Build();
        var first = f.Scheduler(dag);

        var error = Should.Throw<InvalidOperationException>(() => f.Scheduler(new RunStore(f.Store.Directory), false, dag));
        error.Message.ShouldStartWith($"The state directory {f.Store.Directory} is in use by another scheduler (pid {Environment.ProcessId} on host {Environment.MachineName} since ");
        error.Message.ShouldEndWith("): stop it, or use the server's API (POST /api/dags/{id}/runs) to trigger runs while it runs.");

        await first.DisposeAsync();
        await using var second = f.Scheduler(new RunStore(f.Store.Directory), false, dag);
        second.Store.Directory.ShouldBe(f.Store.Directory);
    }

    [Fact]
    public async Task Step_OneDagsRunFileUnreadable_OtherDagsRunAndTheBrokenOneRecoversOnceFixed()
    {
        var jan1 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var f = new SchedulerFixture(jan1);
        var a = new DagBuilder("a").Task("t", new ShellAction("true")).Build();
        var b = new DagBuilder("b").Task("t", new ShellAction("true")).Build();
        var broken = Path.Combine(f.Store.Directory, "dags", "a", "runs", "20231231T000000.000Z");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "run.json"), "{ not json");
        await using var scheduler = f.Scheduler(a, b);

        await scheduler.TriggerAsync("b", jan1);
        // A trigger of the broken DAG is taken all the same; its pass waits for the file to be fixed.
        (await scheduler.TriggerAsync("a", jan1)).Created.ShouldBeTrue();
        await scheduler.RunUntilIdleAsync();
        f.Store.GetRun("b", jan1)!.State.ShouldBe(DagRunState.Success);
        f.Store.GetRun("a", jan1)!.State.ShouldBe(DagRunState.Queued);

        Directory.Delete(broken, recursive: true);
        await scheduler.RunUntilIdleAsync();
        f.Store.GetRun("a", jan1)!.State.ShouldBe(DagRunState.Success);
    }
}
