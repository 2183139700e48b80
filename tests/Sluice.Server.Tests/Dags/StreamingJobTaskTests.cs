using Microsoft.Extensions.Time.Testing;
using Sluice.Orchestration;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;
using Sluice.Server.Dags;
using Sluice.Server.Tests.Jobs;
using Sluice.Sql.Session;

namespace Sluice.Server.Tests.Dags;

/// <summary>
/// <c>sql_job</c> tasks running real bounded SQL jobs (datagen → JSON files), and <c>job_savepoint</c> tasks saving a
/// real server job, in the server and over its REST API.
/// </summary>
public sealed class StreamingJobTaskTests : IDisposable
{
    private static readonly DateTimeOffset s_jan1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-streaming-tasks-").FullName;
    private readonly FakeTimeProvider _time = new(s_jan1.AddDays(2));
    private readonly RunStore _store;

    public StreamingJobTaskTests() => _store = new RunStore(Path.Combine(_directory, "state"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task SqlJob_BoundedInsertPerInterval_WritesTheIntervalsRowsAndSucceeds()
    {
        var output = Path.Combine(_directory, "out");
        var sql = $$$"""
            CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3');
            CREATE TABLE daily (id BIGINT, ds STRING) WITH ('connector' = 'filesystem', 'path' = '{{{output}}}/{{ ds_nodash }}', 'format' = 'json');
            INSERT INTO daily SELECT id, '{{ ds }}' FROM gen;
            """;
        await using var scheduler = Scheduler(new SqlJobAction(sql));

        await scheduler.TriggerAsync("d", s_jan1);
        await scheduler.RunUntilIdleAsync();

        Instance().State.ShouldBe(TaskState.Success, Instance().Attempts.LastOrDefault()?.Error);
        var lines = Directory.GetFiles(Path.Combine(output, "20240101"), "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).StartsWith('_'))
            .SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal).ToList();
        lines.ShouldBe(["{\"id\":1,\"ds\":\"2024-01-01\"}", "{\"id\":2,\"ds\":\"2024-01-01\"}", "{\"id\":3,\"ds\":\"2024-01-01\"}"]);
        File.ReadAllText(_store.FullPath(Instance().Attempts.Single().LogFile)).ShouldContain("finished: 3 source record(s)");
    }

    [Fact]
    public async Task SqlJob_BadStatement_FailsWithItsLineAndColumn()
    {
        await using var scheduler = Scheduler(new SqlJobAction("CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\nINSERT INTO nowhere SELECT id FROM gen;"));

        await scheduler.TriggerAsync("d", s_jan1);
        await scheduler.RunUntilIdleAsync();

        Instance().State.ShouldBe(TaskState.Failed);
        var error = Instance().Attempts.Single().Error!;
        error.ShouldStartWith("InvalidOperationException: statement error at 2:");
        error.ShouldContain("nowhere");
    }

    [Fact]
    public async Task SqlJob_Timeout_CancelsTheJobAndTimesOut()
    {
        var sql = """
            CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '10');
            CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');
            INSERT INTO sink SELECT id FROM gen;
            """;
        await using var scheduler = Scheduler(new SqlJobAction(sql), TimeSpan.FromMinutes(5));
        await scheduler.TriggerAsync("d", s_jan1);
        var idle = scheduler.RunUntilIdleAsync();
        await JobApi.EventuallyAsync(() => Task.FromResult(LogText()), t => t.Contains("started", StringComparison.Ordinal), "the job started");

        _time.Advance(TimeSpan.FromMinutes(5));
        await idle;

        Instance().State.ShouldBe(TaskState.Failed);
        Instance().Attempts.Single().State.ShouldBe(AttemptState.TimedOut);
    }

    [Fact]
    public void SqlJobSession_InTheServer_JobsGetTheServersConnectorsAndLoggerFactory()
    {
        using var loggers = Microsoft.Extensions.Logging.LoggerFactory.Create(_ => { });
        using var context = ServerContext.Open(new SluiceServerOptions { DataDirectory = Path.Combine(_directory, "server"), LoggerFactory = loggers }, SluiceServer.DefaultConnectors());

        var options = DagEndpoints.SqlJobSessionOptions(context);

        options.Connectors.ShouldBeSameAs(context.Connectors);
        options.ConfigureJob.ShouldNotBeNull()(new JobOptions()).LoggerFactory.ShouldBeSameAs(loggers);
    }

    [Fact]
    public async Task JobSavepoint_InTheServer_SavesTheRunningJobAndLogsThePath()
    {
        var dags = SavepointDag();
        await using var fixture = await ServerFixture.StartAsync(configure: o => o with { DagsDirectory = dags });
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "endless", checkpointIntervalMs = 60_000 });
        await JobApi.WaitForStatusAsync(fixture.Anonymous, id, "Running");

        using var trigger = await fixture.Authorized.PostAsync("/api/dags/save/runs", System.Net.Http.Json.JsonContent.Create(new { logical_date = "2024-01-05T00:00:00Z" }));
        trigger.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        var store = new RunStore(Path.Combine(fixture.Server.DataDirectory, "orchestration"));
        var date = new DateTimeOffset(2024, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var run = await JobApi.EventuallyAsync(() => Task.FromResult(store.GetRun("save", date)), r => r is { IsFinished: true }, "the DAG run finished");

        run!.State.ShouldBe(DagRunState.Success);
        var attempt = store.ListTasks("save", date).Single().Attempts.Single();
        var savepoints = Path.Combine(fixture.Server.DataDirectory, "checkpoints", "savepoints");
        var saved = Directory.GetDirectories(savepoints).ShouldHaveSingleItem();
        File.ReadAllText(store.FullPath(attempt.LogFile)).ShouldContain($"savepoint of job 'endless': {saved}");
    }

    [Fact]
    public async Task JobSavepoint_InTheServerNewestOfTheNameStopped_SavesTheRunningOne()
    {
        await using var fixture = await ServerFixture.StartAsync(configure: o => o with { DagsDirectory = SavepointDag() });
        var running = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "endless", checkpointIntervalMs = 60_000 });
        await JobApi.WaitForStatusAsync(fixture.Anonymous, running, "Running");
        var stopped = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "endless", checkpointIntervalMs = 60_000 });
        await JobApi.WaitForStatusAsync(fixture.Anonymous, stopped, "Running");
        using (var stop = await fixture.Authorized.PostAsync($"/api/jobs/{stopped}/stop", null))
        {
            stop.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        }

        var (state, attempt, log) = await RunSavepointDagAsync(fixture);

        state.ShouldBe(DagRunState.Success, attempt.Error);
        log.ShouldContain("savepoint of job 'endless': ");
        (await JobApi.GetJobAsync(fixture.Anonymous, running)).GetProperty("status").GetString().ShouldBe("Running");
    }

    [Fact]
    public async Task JobSavepoint_InTheServerNoJobOfTheNameRunning_FailsNamingTheJobAndItsState()
    {
        await using var fixture = await ServerFixture.StartAsync(configure: o => o with { DagsDirectory = SavepointDag() });
        var stopped = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "endless", checkpointIntervalMs = 60_000 });
        await JobApi.WaitForStatusAsync(fixture.Anonymous, stopped, "Running");
        using (var stop = await fixture.Authorized.PostAsync($"/api/jobs/{stopped}/stop", null))
        {
            stop.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        }
        var status = (await JobApi.GetJobAsync(fixture.Anonymous, stopped)).GetProperty("status").GetString();

        var (state, attempt, _) = await RunSavepointDagAsync(fixture);

        state.ShouldBe(DagRunState.Failed);
        attempt.Error.ShouldBe($"InvalidOperationException: job 'endless' is not running (its newest, {stopped}, is {status}): only a running job takes a savepoint; start it again or name a running job.");
    }

    [Fact]
    public async Task JobSavepoint_OverRest_SavesTheRunningJobWithTheTokenFromTheEnvironment()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "endless", checkpointIntervalMs = 60_000 });
        await JobApi.WaitForStatusAsync(fixture.Anonymous, id, "Running");
        var variable = "SLUICE_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, fixture.Server.Token);
        try
        {
            await using var scheduler = Scheduler(new JobSavepointAction("endless") { ServerUrl = fixture.Server.Address.ToString(), TokenVariable = variable });

            await scheduler.TriggerAsync("d", s_jan1);
            await scheduler.RunUntilIdleAsync();

            Instance().State.ShouldBe(TaskState.Success, Instance().Attempts.LastOrDefault()?.Error);
            var saved = Directory.GetDirectories(Path.Combine(fixture.Server.DataDirectory, "checkpoints", "savepoints")).ShouldHaveSingleItem();
            var log = LogText();
            log.ShouldContain($"savepoint of job 'endless': {saved}");
            log.ShouldNotContain(fixture.Server.Token);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task JobSavepoint_OverRestUnknownJob_FailsNamingTheRunningJobs()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "endless" });
        await JobApi.WaitForStatusAsync(fixture.Anonymous, id, "Running");
        var variable = "SLUICE_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, fixture.Server.Token);
        try
        {
            await using var scheduler = Scheduler(new JobSavepointAction("other") { ServerUrl = fixture.Server.Address.ToString(), TokenVariable = variable });

            await scheduler.TriggerAsync("d", s_jan1);
            await scheduler.RunUntilIdleAsync();

            Instance().State.ShouldBe(TaskState.Failed);
            Instance().Attempts.Single().Error.ShouldBe("InvalidOperationException: the server has no running job named 'other' (running: endless).");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    /// <summary>A DAGs folder with one DAG 'save' whose one task takes a savepoint of the server's job 'endless'.</summary>
    private string SavepointDag()
    {
        var dags = Path.Combine(_directory, "dags");
        Directory.CreateDirectory(dags);
        File.WriteAllText(Path.Combine(dags, "save.yml"), """
            dag_id: save
            start_date: 2024-01-01
            tasks:
              - id: savepoint
                kind: job_savepoint
                job: endless
            """);
        return dags;
    }

    /// <summary>Triggers the DAG of <see cref="SavepointDag"/> over the API and waits for its run to finish.</summary>
    private static async Task<(DagRunState State, TaskAttempt Attempt, string Log)> RunSavepointDagAsync(ServerFixture fixture)
    {
        using var trigger = await fixture.Authorized.PostAsync("/api/dags/save/runs", System.Net.Http.Json.JsonContent.Create(new { logical_date = "2024-01-05T00:00:00Z" }));
        trigger.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        var store = new RunStore(Path.Combine(fixture.Server.DataDirectory, "orchestration"));
        var date = new DateTimeOffset(2024, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var run = await JobApi.EventuallyAsync(() => Task.FromResult(store.GetRun("save", date)), r => r is { IsFinished: true }, "the DAG run finished");
        var attempt = store.ListTasks("save", date).Single().Attempts[^1];
        return (run!.State, attempt, File.ReadAllText(store.FullPath(attempt.LogFile)));
    }

    private DagScheduler Scheduler(TaskAction action, TimeSpan? timeout = null)
    {
        var dag = new DagBuilder("d").Schedule("@daily").StartDate(s_jan1).Task("task", action, t => t.Timeout(timeout ?? TimeSpan.FromHours(1))).Build();
        return new DagScheduler([dag], _store, new DagSchedulerOptions
        {
            TimeProvider = _time,
            CreateScheduledRuns = false,
            SqlJobRunner = new SessionSqlJobRunner(() => SqlSession.Create(new SqlSessionOptions())),
        });
    }

    private TaskInstance Instance() => _store.ListTasks("d", s_jan1).Single(t => t.TaskId == "task");

    private string LogText()
    {
        var path = _store.FullPath(RunStore.LogFile("d", s_jan1, "task", 1));
        if (!File.Exists(path))
        {
            return "";
        }
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd();
    }
}
