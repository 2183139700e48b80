using System.Collections.Concurrent;
using Sluice.Lineage;
using Sluice.Orchestration.Definitions;

namespace Sluice.Orchestration.Tests;

/// <summary>
/// <see cref="DagSchedulerOptions.Lineage"/>: a DAG run and each task attempt as OpenLineage runs (parent links, order,
/// FAIL with the attempt's error, ABORT on shutdown, datasets of sql tasks and sensors, a models task's nodes nested
/// under the attempt), on a virtual clock.
/// </summary>
public sealed class DagLineageTests
{
    private static readonly DateTimeOffset s_start = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Lineage_RetriedTaskThenSqlTask_EmitsTheDagRunAndEachAttemptInOrderWithParents()
    {
        using var f = new SchedulerFixture(s_start);
        var warehouse = f.File("w.duckdb");
        var marker = f.File("tried");
        var dag = new DagBuilder("etl")
            .Task("extract", new ShellAction($"test -f {marker} || {{ touch {marker}; exit 3; }}"), t => t.Retries(1, TimeSpan.FromMinutes(1)))
            .Task("load", new SqlAction(new SqlConnectionTarget(warehouse, null), "create table sales as select 1 as x;\ninsert into main.sales select 2;\n-- insert into not_a_table\ncreate table if not exists \"Audit\" (x int);\nINSERT INTO \"Audit\" select 3"),
                t => t.DependsOn("extract"))
            .Build();
        var emitter = new CollectingEmitter();
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false, Lineage = emitter, LineageNamespace = "orch", LineageIncludeSql = true });
        await scheduler.TriggerAsync("etl", s_start);

        await scheduler.RunUntilIdleAsync();
        f.Time.Advance(TimeSpan.FromMinutes(1));
        await scheduler.RunUntilIdleAsync();

        var events = emitter.Events.ToList();
        events.Select(e => $"{e.EventType} {e.Job.Name}").ShouldBe([
            "Start etl", "Start etl.extract", "Fail etl.extract", "Start etl.extract", "Complete etl.extract", "Start etl.load", "Complete etl.load", "Complete etl"]);
        var dagRun = events[0];
        dagRun.Job.Namespace.ShouldBe("orch");
        dagRun.Job.Facets.JobType.ShouldBe(new JobTypeJobFacet { ProcessingType = ProcessingType.Batch, JobType = "DAG" });
        dagRun.Job.Facets.JobType!.Integration.ShouldBe("SLUICE");
        dagRun.Run.Facets.Parent.ShouldBeNull();
        dagRun.Run.Facets.NominalTime!.NominalStartTime.ShouldBe(s_start);
        events[^1].Run.RunId.ShouldBe(dagRun.Run.RunId);
        events[^1].EventTime.ShouldBe(s_start + TimeSpan.FromMinutes(1));

        var attempts = events.Skip(1).SkipLast(1).ToList();
        attempts.ShouldAllBe(e => e.Run.Facets.Parent!.Run.RunId == dagRun.Run.RunId && e.Run.Facets.Parent.Job.Name == "etl" && e.Run.Facets.Parent.Job.Namespace == "orch");
        attempts.ShouldAllBe(e => e.Job.Facets.JobType!.JobType == "TASK" && e.Job.Facets.JobType.ProcessingType == ProcessingType.Batch);
        // One run per attempt: the retry is a new run.
        attempts[0].Run.RunId.ShouldBe(attempts[1].Run.RunId);
        attempts[2].Run.RunId.ShouldNotBe(attempts[0].Run.RunId);
        attempts[2].Run.RunId.ShouldBe(attempts[3].Run.RunId);
        attempts[1].Run.Facets.ErrorMessage!.Message.ShouldBe("the command exited with code 3");
        attempts[1].EventTime.ShouldBe(s_start);
        attempts[2].EventTime.ShouldBe(s_start + TimeSpan.FromMinutes(1));

        var load = attempts[4];
        load.Job.Facets.Sql!.Query.ShouldStartWith("create table sales");
        load.Inputs.ShouldBeEmpty();
        load.Outputs.Select(d => (d.Namespace, d.Name)).ShouldBe([("duckdb://" + warehouse, "main.sales"), ("duckdb://" + warehouse, "main.Audit")]);
    }

    [Fact]
    public async Task Lineage_TaskFailsForGood_FailsTheAttemptWithItsErrorAndTheRunNamingTheTask()
    {
        using var f = new SchedulerFixture(s_start);
        var dag = new DagBuilder("broken")
            .Task("a", new ShellAction("echo boom >&2; exit 7"))
            .Task("b", new ShellAction("true"), t => t.DependsOn("a"))
            .Build();
        var emitter = new CollectingEmitter();
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false, Lineage = emitter });
        await scheduler.TriggerAsync("broken", s_start);

        await scheduler.RunUntilIdleAsync();

        var events = emitter.Events.ToList();
        // b's upstream failed: it never ran, so it has no run.
        events.Select(e => $"{e.EventType} {e.Job.Name}").ShouldBe(["Start broken", "Start broken.a", "Fail broken.a", "Fail broken"]);
        events[0].Job.Namespace.ShouldBe(LineageJobNames.DefaultNamespace);
        events[2].Run.Facets.ErrorMessage!.Message.ShouldBe("the command exited with code 7");
        events[3].Run.Facets.ErrorMessage!.Message.ShouldBe($"DAG run {f.Store.ListRuns("broken").Single().RunId} failed: task(s) a failed.");
    }

    [Fact]
    public async Task Lineage_SensorsName_TheWatchedFileAndTableAsInputs_AndAbortWhenTheSchedulerStops()
    {
        using var f = new SchedulerFixture(s_start);
        File.WriteAllText(f.File("ready-2024-03-01.csv"), "x");
        var target = new SqlConnectionTarget(null, "Host=127.0.0.1;Port=1;Database=shop;Username=scott;Password=hunter2;Timeout=5");
        var dag = new DagBuilder("sensors")
            .Task("file", new FileSensorAction(f.File("ready-{{ ds }}.csv")))
            .Task("fresh", new TableFreshSensorAction(target, "sales.orders", "updated_at") { PokeInterval = TimeSpan.FromMinutes(5) }, t => t.DependsOn("file").Timeout(TimeSpan.FromHours(1)))
            .Build();
        var emitter = new CollectingEmitter();
        var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false, Lineage = emitter });
        await scheduler.TriggerAsync("sensors", s_start);

        // The table sensor cannot reach its database: it waits for its next poke when the scheduler stops.
        await scheduler.RunUntilIdleAsync();
        await scheduler.DisposeAsync();

        var events = emitter.Events.ToList();
        events.Select(e => $"{e.EventType} {e.Job.Name}").ShouldBe([
            "Start sensors", "Start sensors.file", "Complete sensors.file", "Start sensors.fresh", "Abort sensors.fresh", "Abort sensors"]);
        events[1].Inputs.Select(d => (d.Namespace, d.Name)).ShouldBe([("file", f.File("ready-2024-03-01.csv"))]);
        events[3].Inputs.Select(d => (d.Namespace, d.Name)).ShouldBe([("postgres://127.0.0.1:1", "shop.sales.orders")]);
        events[3].Outputs.ShouldBeEmpty();
        LineageJson.Serialize(events[3]).ShouldNotContain("hunter2");
        LineageJson.Serialize(events[3]).ShouldNotContain("scott");
    }

    [Fact]
    public async Task Lineage_ModelsTask_NestsTheNodesRunsUnderTheAttemptsRun()
    {
        using var f = new SchedulerFixture(s_start);
        var project = Path.Combine(f.Folder, "project");
        Directory.CreateDirectory(Path.Combine(project, "models"));
        Directory.CreateDirectory(Path.Combine(project, "seeds"));
        var warehouse = Path.Combine(f.Folder, "warehouse.duckdb");
        File.WriteAllText(Path.Combine(project, "sluice_project.yml"), "name: shop\nprofile: shop\n");
        File.WriteAllText(Path.Combine(project, "profiles.yml"), $"shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {warehouse}\n      threads: 1\n");
        File.WriteAllText(Path.Combine(project, "seeds", "raw.csv"), "id\n1\n2\n");
        File.WriteAllText(Path.Combine(project, "models", "totals.sql"), "select count(*) as n from {{ ref('raw') }}");
        var dag = new DagBuilder("nightly").Task("build", new ModelsAction(project)).Build();
        var emitter = new CollectingEmitter();
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false, Lineage = emitter });
        await scheduler.TriggerAsync("nightly", s_start);

        await scheduler.RunUntilIdleAsync();

        var events = emitter.Events.ToList();
        f.Store.ListRuns("nightly").Single().State.ShouldBe(Runs.DagRunState.Success);
        var task = events.Where(e => e.Job.Name == "nightly.build").ToList();
        task.Select(e => e.EventType).ShouldBe([RunEventType.Start, RunEventType.Complete]);
        // No COMMAND run of the project: the attempt is the nodes' parent.
        events.ShouldNotContain(e => e.Job.Name == "shop");
        var nodes = events.Where(e => e.Job.Facets.JobType!.JobType == "MODEL").ToList();
        nodes.Select(e => e.Job.Name).Distinct().ShouldBe(["seed.shop.raw", "model.shop.totals"], ignoreOrder: true);
        nodes.ShouldAllBe(e => e.Run.Facets.Parent!.Run.RunId == task[0].Run.RunId && e.Run.Facets.Parent.Job.Name == "nightly.build");
        nodes.Single(e => e.Job.Name == "model.shop.totals" && e.EventType == RunEventType.Complete).Outputs.Single().Name.ShouldBe("main.totals");
        // Order: the nodes run inside the attempt.
        events.IndexOf(task[0]).ShouldBeLessThan(events.IndexOf(nodes[0]));
        events.IndexOf(task[1]).ShouldBeGreaterThan(events.IndexOf(nodes[^1]));
    }

    [Fact]
    public async Task Lineage_SqlTaskByDefault_PublishesItsOutputsButNotItsSql_WhichMayHoldSecrets()
    {
        using var f = new SchedulerFixture(s_start);
        var warehouse = f.File("w.duckdb");
        var sql = "create secret s3 (type s3, key_id 'AKIA', secret 'topsecret-42');\n"
            + "create table pg_copy as select 1 as x;\n"
            + "insert into other.public.orders select 1;\n"
            + "insert into w.main.kept select 1;";
        var dag = new DagBuilder("s").Task("load", new SqlAction(new SqlConnectionTarget(warehouse, null), sql)).Build();
        var emitter = new CollectingEmitter();
        await using (var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false, Lineage = emitter }))
        {
            await scheduler.TriggerAsync("s", s_start);
            await scheduler.RunUntilIdleAsync();
        }

        var start = emitter.Events.Single(e => e.Job.Name == "s.load" && e.EventType == RunEventType.Start);
        start.Job.Facets.Sql.ShouldBeNull();
        emitter.Events.ShouldAllBe(e => !LineageJson.Serialize(e).Contains("topsecret-42"));
        // other.public.orders lives in another (attached) catalog, not in w.duckdb: it is not named as the file's table.
        start.Outputs.Select(d => (d.Namespace, d.Name)).ShouldBe([("duckdb://" + warehouse, "main.pg_copy"), ("duckdb://" + warehouse, "main.kept")]);
    }

    [Fact]
    public void SqlTaskDatasets_PostgresWithoutDatabase_NamesDatabasePostgres_NeverTheUser()
    {
        var target = new SqlConnectionTarget(null, "Host=db.internal;Port=5433;Username=scott;Password=hunter2");

        var dataset = Execution.SqlTaskDatasets.Table(target, "orders").ShouldNotBeNull();

        (dataset.Namespace, dataset.Name).ShouldBe(("postgres://db.internal:5433", "postgres.public.orders"));
    }

    [Fact]
    public async Task Lineage_SensorResumedByARestartedScheduler_EndsTheSensorsAttemptAndTheDagRun()
    {
        using var f = new SchedulerFixture(s_start);
        var ready = f.File("ready.csv");
        var dag = new DagBuilder("wait").Task("file", new FileSensorAction(ready) { PokeInterval = TimeSpan.FromMinutes(5) }, t => t.Timeout(TimeSpan.FromHours(1))).Build();
        var emitter = new CollectingEmitter();
        await using (var first = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false, Lineage = emitter }))
        {
            await first.TriggerAsync("wait", s_start);
            // The file is missing: the sensor waits for its next poke when the scheduler stops.
            await first.RunUntilIdleAsync();
        }
        emitter.Events.Select(e => $"{e.EventType} {e.Job.Name}").ShouldBe(["Start wait", "Start wait.file", "Abort wait.file", "Abort wait"]);
        f.Store.ListTasks("wait", s_start).Single().State.ShouldBe(Runs.TaskState.UpForReschedule);

        var resumed = new CollectingEmitter();
        File.WriteAllText(ready, "x");
        f.Time.Advance(TimeSpan.FromMinutes(5));
        await using (var second = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false, Lineage = resumed }))
        {
            await second.RunUntilIdleAsync();
        }

        f.Store.ListRuns("wait").Single().State.ShouldBe(Runs.DagRunState.Success);
        var events = resumed.Events.ToList();
        // The continued attempt has no START in this process: its run starts and completes at once, under a new DAG run.
        events.Select(e => $"{e.EventType} {e.Job.Name}").ShouldBe(["Start wait", "Start wait.file", "Complete wait.file", "Complete wait"]);
        events[1].Run.RunId.ShouldBe(events[2].Run.RunId);
        events[2].Run.Facets.Parent!.Run.RunId.ShouldBe(events[0].Run.RunId);
        events[3].Run.RunId.ShouldBe(events[0].Run.RunId);
        events[1].Inputs.Select(d => d.Name).ShouldBe([ready]);
    }

    [Fact]
    public async Task Lineage_AttemptAbandonedByACrash_IsAbortedWhenTheNextSchedulerRecovers()
    {
        using var f = new SchedulerFixture(s_start);
        var dag = new DagBuilder("crashy").Task("t", new ShellAction("true")).Build();
        await using (var first = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false }))
        {
            await first.TriggerAsync("crashy", s_start);
        }
        // What a process that died during attempt 1 leaves behind: a running run with a running attempt.
        var run = f.Store.ListRuns("crashy").Single();
        f.Store.UpdateRun(run with { State = Runs.DagRunState.Running });
        f.Store.SaveTask(s_start, new Runs.TaskInstance
        {
            DagId = "crashy",
            RunId = run.RunId,
            TaskId = "t",
            State = Runs.TaskState.Running,
            Attempts = [new Runs.TaskAttempt(1, Runs.AttemptState.Running, s_start, null, null, null, Runs.RunStore.LogFile("crashy", s_start, "t", 1))],
        });

        var emitter = new CollectingEmitter();
        await using (var second = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false, Lineage = emitter }))
        {
            await second.RunUntilIdleAsync();
        }

        f.Store.ListTasks("crashy", s_start).Single().Attempts.Select(a => a.State).ShouldBe([Runs.AttemptState.Abandoned, Runs.AttemptState.Success]);
        var events = emitter.Events.ToList();
        events.Select(e => $"{e.EventType} {e.Job.Name}").ShouldBe(["Start crashy", "Start crashy.t", "Abort crashy.t", "Start crashy.t", "Complete crashy.t", "Complete crashy"]);
        events[1].Run.RunId.ShouldBe(events[2].Run.RunId);
        events[3].Run.RunId.ShouldNotBe(events[1].Run.RunId);
        events[2].Run.Facets.Parent!.Run.RunId.ShouldBe(events[0].Run.RunId);
    }

    [Fact]
    public async Task Dispose_EmitterThrowsWhileAbortingOpenRuns_StillReleasesTheStateDirectory()
    {
        using var f = new SchedulerFixture(s_start);
        var dag = new DagBuilder("w").Task("file", new FileSensorAction(f.File("never.csv")) { PokeInterval = TimeSpan.FromMinutes(5) }).Build();
        var emitter = new ThrowingOnAbortEmitter();
        var first = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false, Lineage = emitter });
        await first.TriggerAsync("w", s_start);
        await first.RunUntilIdleAsync();

        await first.DisposeAsync();

        emitter.Aborts.ShouldBe(1);
        // The lock is released: a new scheduler opens the same state directory.
        await using var second = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false });
        second.ListRuns("w").ShouldHaveSingleItem();
    }

    private sealed class ThrowingOnAbortEmitter : ILineageEmitter
    {
        public int Aborts { get; private set; }

        public void Emit(RunEvent runEvent)
        {
            if (runEvent.EventType == RunEventType.Abort)
            {
                Aborts++;
                throw new InvalidOperationException("emitter broken");
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class CollectingEmitter : ILineageEmitter
    {
        public ConcurrentQueue<RunEvent> Events { get; } = new();

        public void Emit(RunEvent runEvent) => Events.Enqueue(runEvent);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
