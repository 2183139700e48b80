using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

public sealed class DagSchedulerTests
{
    private static readonly DateTimeOffset s_jan1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Trigger_TaskFailsTwiceThenSucceeds_RetriesWithBackoffAndKeepsEveryAttempt()
    {
        using var f = new SchedulerFixture(s_jan1);
        var counter = f.File("count");
        var dag = new DagBuilder("flaky")
            .Task("flaky", new ShellAction($"n=$(cat {counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {counter}; echo attempt $n; [ $n -ge 3 ]"),
                t => t.Retries(3, TimeSpan.FromSeconds(10), backoffFactor: 2))
            .Build();
        await using var scheduler = f.Scheduler(dag);

        await scheduler.TriggerAsync("flaky", s_jan1);
        await scheduler.RunUntilIdleAsync();
        var first = f.Store.ListTasks("flaky", s_jan1).Single();
        first.State.ShouldBe(TaskState.UpForRetry);
        first.NextAttemptAt.ShouldBe(s_jan1.AddSeconds(10));

        f.Time.Advance(TimeSpan.FromSeconds(9));
        await scheduler.RunUntilIdleAsync();
        f.Store.ListTasks("flaky", s_jan1).Single().Attempts.Count.ShouldBe(1);

        f.Time.Advance(TimeSpan.FromSeconds(1));
        await scheduler.RunUntilIdleAsync();
        var second = f.Store.ListTasks("flaky", s_jan1).Single();
        second.State.ShouldBe(TaskState.UpForRetry);
        second.NextAttemptAt.ShouldBe(s_jan1.AddSeconds(10 + 20));

        f.Time.Advance(TimeSpan.FromSeconds(20));
        await scheduler.RunUntilIdleAsync();

        var task = f.Store.ListTasks("flaky", s_jan1).Single();
        task.State.ShouldBe(TaskState.Success);
        task.Attempts.Select(a => (a.Number, a.State, a.ExitCode)).ShouldBe([(1, AttemptState.Failed, (int?)1), (2, AttemptState.Failed, 1), (3, AttemptState.Success, 0)]);
        task.Attempts.Select(a => a.StartedAt).ShouldBe([s_jan1, s_jan1.AddSeconds(10), s_jan1.AddSeconds(30)]);
        task.Attempts[0].Error.ShouldBe("the command exited with code 1");
        for (var n = 1; n <= 3; n++)
        {
            File.ReadAllText(f.Store.FullPath(task.Attempts[n - 1].LogFile)).ShouldContain($"attempt {n}");
        }
        f.Store.GetRun("flaky", s_jan1)!.State.ShouldBe(DagRunState.Success);
    }

    [Fact]
    public async Task Backfill_ThirtyDays_ThirtyRunsInOrderEachWithItsInterval()
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var trace = f.File("trace");
        var dag = new DagBuilder("daily").Schedule("0 0 * * *").StartDate(s_jan1)
            .Task("record", new ShellAction($"echo '{{{{ ds }}}} {{{{ data_interval_start }}}} {{{{ data_interval_end }}}} {{{{ run_id }}}}' >> {trace}"))
            .Build();
        await using var scheduler = f.Scheduler(dag);

        var report = await scheduler.BackfillAsync("daily", s_jan1, new DateTimeOffset(2024, 1, 30, 0, 0, 0, TimeSpan.Zero));

        var expected = Enumerable.Range(0, 30).Select(i =>
        {
            var day = new DateTime(2024, 1, 1).AddDays(i);
            var next = day.AddDays(1);
            return $"{day:yyyy-MM-dd} {day:yyyy-MM-dd}T00:00:00+00:00 {next:yyyy-MM-dd}T00:00:00+00:00 backfill__{day:yyyy-MM-dd}T00:00:00+00:00";
        }).ToArray();
        f.Lines("trace").ShouldBe(expected);
        report.Runs.Count.ShouldBe(30);
        report.Runs.ShouldAllBe(r => r.State == DagRunState.Success && r.Kind == DagRunKind.Backfill);
        report.Runs.Select(r => r.Interval.End - r.Interval.Start).Distinct().ShouldBe([TimeSpan.FromDays(1)]);
        report.Skipped.ShouldBeEmpty();
    }

    [Fact]
    public async Task Backfill_Again_SkipsSucceededRunsAndSaysSo()
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var dag = new DagBuilder("daily").Schedule("@daily").StartDate(s_jan1).Task("a", new ShellAction($"echo x >> {f.File("trace")}")).Build();
        await using var scheduler = f.Scheduler(dag);
        await scheduler.BackfillAsync("daily", s_jan1, s_jan1.AddDays(2));

        var again = await scheduler.BackfillAsync("daily", s_jan1, s_jan1.AddDays(3));

        again.Runs.Select(r => r.LogicalDate).ShouldBe([s_jan1.AddDays(3)]);
        again.Skipped.Select(s => s.Reason).ShouldBe(Enumerable.Range(1, 3).Select(d => $"already succeeded (backfill__2024-01-0{d}T00:00:00+00:00)"));
        f.Lines("trace").Length.ShouldBe(4);
    }

    [Fact]
    public async Task Backfill_RerunFailed_RunsOnlyTheFailedTasksAgain()
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var gate = f.File("gate");
        var dag = new DagBuilder("d").Schedule("@daily").StartDate(s_jan1)
            .Task("ok", new ShellAction($"echo ok >> {f.File("trace")}"))
            .Task("gated", new ShellAction($"test -f {gate}"), t => t.DependsOn("ok"))
            .Build();
        await using var scheduler = f.Scheduler(dag);
        (await scheduler.BackfillAsync("d", s_jan1, s_jan1)).Runs.Single().State.ShouldBe(DagRunState.Failed);
        (await scheduler.BackfillAsync("d", s_jan1, s_jan1)).Skipped.Single().Reason.ShouldContain("--rerun-failed");
        File.WriteAllText(gate, "");

        var rerun = await scheduler.BackfillAsync("d", s_jan1, s_jan1, rerunFailed: true);

        rerun.Runs.Single().State.ShouldBe(DagRunState.Success);
        string.Join("\n", f.Store.ListTasks("d", s_jan1).Select(t => $"{t.TaskId} {t.State} {string.Join(",", t.Attempts.Select(a => a.State))}")).ShouldBe("gated Success Failed,Success\nok Success Success");
        f.Lines("trace").ShouldBe(["ok"]);
        f.Store.ListTasks("d", s_jan1).Single(t => t.TaskId == "gated").Attempts.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Step_CatchUpOn_CreatesEveryMissedIntervalUpToMaxActiveRuns()
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 1, 6, 12, 0, 0, TimeSpan.Zero));
        var dag = new DagBuilder("c").Schedule("@daily").StartDate(s_jan1).CatchUp(true).MaxActiveRuns(2)
            .Task("wait", new FileSensorAction(f.File("go")) { PokeInterval = TimeSpan.FromMinutes(1) }).Build();
        await using var scheduler = f.SchedulingScheduler(dag);

        await scheduler.RunUntilIdleAsync();
        f.Store.ListRuns("c").Select(r => (r.LogicalDate, r.State)).ShouldBe([(s_jan1, DagRunState.Running), (s_jan1.AddDays(1), DagRunState.Running)]);

        File.WriteAllText(f.File("go"), "");
        for (var i = 0; i < 5; i++)
        {
            f.Time.Advance(TimeSpan.FromMinutes(1));
            await scheduler.RunUntilIdleAsync();
        }

        // Five complete intervals (Jan 1 to Jan 5); Jan 6 ends at Jan 7 00:00, after now.
        f.Store.ListRuns("c").Select(r => r.LogicalDate).ShouldBe(Enumerable.Range(0, 5).Select(d => s_jan1.AddDays(d)));
        f.Store.ListRuns("c").ShouldAllBe(r => r.State == DagRunState.Success && r.Kind == DagRunKind.Scheduled);
    }

    [Fact]
    public async Task Step_CatchUpOff_CreatesOnlyTheLatestInterval()
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 1, 6, 12, 0, 0, TimeSpan.Zero));
        var dag = new DagBuilder("c").Schedule("@daily").StartDate(s_jan1).CatchUp(false)
            .Task("a", new ShellAction("true")).Build();
        await using var scheduler = f.SchedulingScheduler(dag);

        await scheduler.RunUntilIdleAsync();

        var run = f.Store.ListRuns("c").ShouldHaveSingleItem();
        run.Interval.ShouldBe(new DataInterval(s_jan1.AddDays(4), s_jan1.AddDays(5)));
        run.State.ShouldBe(DagRunState.Success);

        f.Time.Advance(TimeSpan.FromHours(12));
        await scheduler.RunUntilIdleAsync();
        f.Store.ListRuns("c").Select(r => r.LogicalDate).ShouldBe([s_jan1.AddDays(4), s_jan1.AddDays(5)]);
    }

    [Fact]
    public async Task Attempt_LongerThanTimeout_IsKilledAndFails()
    {
        using var f = new SchedulerFixture(s_jan1);
        var dag = new DagBuilder("slow").Task("sleep", new ShellAction("echo started; sleep 60"), t => t.Timeout(TimeSpan.FromSeconds(5))).Build();
        await using var scheduler = f.Scheduler(dag);
        await scheduler.TriggerAsync("slow", s_jan1);
        await scheduler.StepAsync();
        var log = f.Store.FullPath(RunStore.LogFile("slow", s_jan1, "sleep", 1));
        await SchedulerFixture.WaitUntilAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("started", StringComparison.Ordinal), "the shell started");

        f.Time.Advance(TimeSpan.FromSeconds(5));
        await scheduler.RunUntilIdleAsync();

        var attempt = f.Store.ListTasks("slow", s_jan1).Single().Attempts.Single();
        attempt.State.ShouldBe(AttemptState.TimedOut);
        attempt.Error.ShouldBe("timed out after 00:00:05");
        f.Store.GetRun("slow", s_jan1)!.State.ShouldBe(DagRunState.Failed);
    }

    [Fact]
    public async Task Attempt_LogFileCannotBeOpened_FailsInsteadOfStayingRunning()
    {
        using var f = new SchedulerFixture(s_jan1);
        var dag = new DagBuilder("broken").Task("t", new ShellAction("true")).Build();
        await using var scheduler = f.Scheduler(dag);
        // A folder where the attempt's log file goes: opening the log throws before the task runs.
        Directory.CreateDirectory(f.Store.FullPath(RunStore.LogFile("broken", s_jan1, "t", 1)));

        await scheduler.TriggerAsync("broken", s_jan1);
        await scheduler.RunUntilIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var task = f.Store.ListTasks("broken", s_jan1).Single();
        task.State.ShouldBe(TaskState.Failed);
        task.Attempts.Single().State.ShouldBe(AttemptState.Failed);
        task.Attempts.Single().Error.ShouldNotBeNull().ShouldContain("UnauthorizedAccessException");
        f.Store.GetRun("broken", s_jan1)!.State.ShouldBe(DagRunState.Failed);
    }

    [Fact]
    public async Task Trigger_TwiceWithinOneSecond_IsOneRunWithOneRunId()
    {
        using var f = new SchedulerFixture(s_jan1);
        var dag = new DagBuilder("m").Task("t", new ShellAction("true")).Build();
        await using var scheduler = f.Scheduler(dag);

        var (first, created) = await scheduler.TriggerAsync("m", s_jan1.AddMilliseconds(100));
        var (second, createdAgain) = await scheduler.TriggerAsync("m", s_jan1.AddMilliseconds(900));

        created.ShouldBeTrue();
        createdAgain.ShouldBeFalse();
        second.RunId.ShouldBe(first.RunId);
        first.LogicalDate.ShouldBe(s_jan1);
        f.Store.ListRuns("m").Count.ShouldBe(1);
    }

    [Fact]
    public async Task FileSensor_FileArrives_SucceedsInOneAttempt()
    {
        using var f = new SchedulerFixture(s_jan1);
        var dag = new DagBuilder("s").Schedule("@daily").StartDate(s_jan1)
            .Task("wait", new FileSensorAction(f.File("in/{{ ds_nodash }}-*.csv")) { PokeInterval = TimeSpan.FromSeconds(30) }, t => t.Timeout(TimeSpan.FromMinutes(5)))
            .Task("after", new ShellAction($"echo done >> {f.File("trace")}"), t => t.DependsOn("wait"))
            .Build();
        await using var scheduler = f.Scheduler(dag);
        await scheduler.TriggerAsync("s", s_jan1);
        await scheduler.RunUntilIdleAsync();
        f.Store.ListTasks("s", s_jan1).Single().State.ShouldBe(TaskState.UpForReschedule);

        Directory.CreateDirectory(f.File("in"));
        File.WriteAllText(f.File("in/20240101-part1.csv"), "x");
        f.Time.Advance(TimeSpan.FromSeconds(30));
        await scheduler.RunUntilIdleAsync();

        var sensor = f.Store.ListTasks("s", s_jan1).Single(t => t.TaskId == "wait");
        sensor.State.ShouldBe(TaskState.Success);
        sensor.Attempts.Single().State.ShouldBe(AttemptState.Success);
        f.Lines("trace").ShouldBe(["done"]);
    }

    [Fact]
    public async Task FileSensor_NoFile_FailsAtTheTimeoutAndDownstreamIsUpstreamFailed()
    {
        using var f = new SchedulerFixture(s_jan1);
        var dag = new DagBuilder("s")
            .Task("wait", new FileSensorAction(f.File("never")) { PokeInterval = TimeSpan.FromSeconds(30) }, t => t.Timeout(TimeSpan.FromMinutes(2)))
            .Task("after", new ShellAction("true"), t => t.DependsOn("wait"))
            .Task("after_after", new ShellAction("true"), t => t.DependsOn("after"))
            .Build();
        await using var scheduler = f.Scheduler(dag);
        await scheduler.TriggerAsync("s", s_jan1);
        await scheduler.RunUntilIdleAsync();

        for (var i = 0; i < 3; i++)
        {
            f.Time.Advance(TimeSpan.FromSeconds(30));
            await scheduler.RunUntilIdleAsync();
            f.Store.ListTasks("s", s_jan1).Single(t => t.TaskId == "wait").State.ShouldBe(TaskState.UpForReschedule);
        }
        f.Time.Advance(TimeSpan.FromSeconds(30));
        await scheduler.RunUntilIdleAsync();

        var tasks = f.Store.ListTasks("s", s_jan1).ToDictionary(t => t.TaskId);
        tasks["wait"].State.ShouldBe(TaskState.Failed);
        tasks["wait"].Attempts.Single().Error.ShouldStartWith("the sensor timed out after 00:02:00: no file matches");
        tasks["after"].State.ShouldBe(TaskState.UpstreamFailed);
        tasks["after_after"].State.ShouldBe(TaskState.UpstreamFailed);
        f.Store.GetRun("s", s_jan1)!.State.ShouldBe(DagRunState.Failed);
    }

    [Fact]
    public async Task UpstreamDagSensor_WaitsForTheOtherDagsRunOfTheSameDate()
    {
        using var f = new SchedulerFixture(s_jan1);
        var upstream = new DagBuilder("up").Schedule("@daily").Task("gate", new ShellAction($"test -f {f.File("go")}"), t => t.Retries(1, TimeSpan.FromMinutes(1))).Build();
        var downstream = new DagBuilder("down").Schedule("@daily")
            .Task("wait", new UpstreamDagSensorAction("up") { PokeInterval = TimeSpan.FromMinutes(1) }, t => t.Timeout(TimeSpan.FromHours(1))).Build();
        await using var scheduler = f.Scheduler(upstream, downstream);
        await scheduler.TriggerAsync("up", s_jan1);
        await scheduler.TriggerAsync("down", s_jan1);
        await scheduler.RunUntilIdleAsync();
        f.Store.ListTasks("down", s_jan1).Single().State.ShouldBe(TaskState.UpForReschedule);

        File.WriteAllText(f.File("go"), "");
        f.Time.Advance(TimeSpan.FromMinutes(1));
        await scheduler.RunUntilIdleAsync();
        f.Time.Advance(TimeSpan.FromMinutes(1));
        await scheduler.RunUntilIdleAsync();

        f.Store.GetRun("up", s_jan1)!.State.ShouldBe(DagRunState.Success);
        f.Store.GetRun("down", s_jan1)!.State.ShouldBe(DagRunState.Success);
    }

    [Fact]
    public async Task SqlTask_DuckDb_RendersTheIntervalIntoTheStatement()
    {
        using var f = new SchedulerFixture(s_jan1);
        var db = f.File("w.duckdb");
        var dag = new DagBuilder("sql").Schedule("@daily").StartDate(s_jan1)
            .Task("create", new SqlAction(new SqlConnectionTarget(db, null), "create table if not exists loads (ds varchar, start_at timestamp)"))
            .Task("load", new SqlAction(new SqlConnectionTarget(db, null), "insert into loads values ('{{ ds }}', '{{ data_interval_start }}'::timestamptz)"), t => t.DependsOn("create"))
            .Task("fresh", new TableFreshSensorAction(new SqlConnectionTarget(db, null), "loads", "start_at") { Threshold = "{{ data_interval_start }}" }, t => t.DependsOn("load").Timeout(TimeSpan.FromMinutes(1)))
            .Build();
        await using var scheduler = f.Scheduler(dag);

        await scheduler.BackfillAsync("sql", s_jan1, s_jan1.AddDays(1));

        f.Store.ListRuns("sql").ShouldAllBe(r => r.State == DagRunState.Success);
        using var connection = new DuckDB.NET.Data.DuckDBConnection($"Data Source={db}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "select string_agg(ds, ',' order by ds) from loads";
        command.ExecuteScalar().ShouldBe("2024-01-01,2024-01-02");
    }
}
