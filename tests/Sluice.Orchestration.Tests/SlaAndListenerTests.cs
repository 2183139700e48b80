using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

public sealed class SlaAndListenerTests
{
    [Fact]
    public async Task Sla_RunNotDoneByIntervalEndPlusSla_CountsLogsWithoutTheSecretAndPostsTheWebhookOnce()
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 1, 1, 1, 0, 30, TimeSpan.Zero));
        var dagId = "sla_" + Guid.NewGuid().ToString("N")[..8];
        var (listener, port) = LoopbackHttpListener.Start();
        using var http = listener;
        var received = http.GetContextAsync();
        var dag = new DagBuilder(dagId).Schedule("0 * * * *").StartDate(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero))
            .Sla(TimeSpan.FromMinutes(10), new Uri($"http://127.0.0.1:{port}/hook?token=s3cret"))
            .Task("wait", new FileSensorAction(f.File("never")) { PokeInterval = TimeSpan.FromMinutes(1) }, t => t.Timeout(TimeSpan.FromHours(2)))
            .Build();
        var misses = new ConcurrentBag<long>();
        using var meter = DagMeters.Listen("sluice.dag.sla_misses", dagId, misses);
        var logs = new CapturingLoggerFactory();
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, LoggerFactory = logs });

        await scheduler.RunUntilIdleAsync();
        f.Store.ListRuns(dagId).ShouldHaveSingleItem().LogicalDate.ShouldBe(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        misses.ShouldBeEmpty();

        f.Time.Advance(TimeSpan.FromMinutes(10));
        await scheduler.RunUntilIdleAsync();

        misses.Sum().ShouldBe(1);
        f.Store.ListRuns(dagId).Single().SlaMissed.ShouldBeTrue();
        logs.Messages.ShouldContain(m => m.StartsWith($"SLA miss: DAG {dagId} run scheduled__2024-01-01T00:00:00+00:00 was not done by 2024-01-01T01:10:00+00:00", StringComparison.Ordinal));
        var context = await received.WaitAsync(TimeSpan.FromSeconds(20));
        context.Request.HttpMethod.ShouldBe("POST");
        using (var body = JsonDocument.Parse(context.Request.InputStream))
        {
            body.RootElement.GetProperty("event").GetString().ShouldBe("sla_miss");
            body.RootElement.GetProperty("dag_id").GetString().ShouldBe(dagId);
            body.RootElement.GetProperty("deadline").GetString().ShouldBe("2024-01-01T01:10:00+00:00");
        }
        context.Response.StatusCode = 204;
        context.Response.Close();

        f.Time.Advance(TimeSpan.FromMinutes(5));
        await scheduler.RunUntilIdleAsync();
        misses.Sum().ShouldBe(1);
        logs.Messages.ShouldAllBe(m => !m.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sla_LateFinishWriteFails_TheMissIsWrittenWithTheFinishOnALaterPassAndCountedOnce()
    {
        var jan1 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var f = new SchedulerFixture(jan1.AddHours(1));
        var dagId = "slaw_" + Guid.NewGuid().ToString("N")[..8];
        // A manual run's interval is empty: with sla 0 it is late once it finishes after its logical date.
        var dag = new DagBuilder(dagId).Sla(TimeSpan.Zero).Task("t", new ShellAction("true")).Build();
        var misses = new ConcurrentBag<long>();
        using var meter = DagMeters.Listen("sluice.dag.sla_misses", dagId, misses);
        var store = new ObservedRunStore(f.Store.Directory)
        {
            // Every write marking the miss fails until cleared (as a full disk would).
            FailWrite = (path, json) => path.EndsWith("run.json", StringComparison.Ordinal) && json.Contains("\"sla_missed\": true", StringComparison.Ordinal),
        };
        await using var scheduler = new DagScheduler([dag], store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false });
        await scheduler.TriggerAsync(dagId, jan1);

        await scheduler.RunUntilIdleAsync();
        store.GetRun(dagId, jan1)!.State.ShouldBe(DagRunState.Running);
        misses.ShouldBeEmpty("nothing is raised before it is written");

        store.FailWrite = null;
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await scheduler.RunUntilIdleAsync();

        var run = store.GetRun(dagId, jan1)!;
        run.State.ShouldBe(DagRunState.Success);
        run.SlaMissed.ShouldBeTrue();
        misses.Sum().ShouldBe(1);
    }

    [Fact]
    public async Task Sla_LateFinish_MarkedInTheSameWriteAsTheFinish()
    {
        var jan1 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var f = new SchedulerFixture(jan1.AddHours(1));
        var dagId = "sla1_" + Guid.NewGuid().ToString("N")[..8];
        var dag = new DagBuilder(dagId).Sla(TimeSpan.Zero).Task("t", new ShellAction("true")).Build();
        var finishes = new ConcurrentBag<string>();
        var store = new ObservedRunStore(f.Store.Directory)
        {
            // Records (never fails) every write of a finished run: there must be one, carrying the miss.
            FailWrite = (path, json) =>
            {
                if (path.EndsWith("run.json", StringComparison.Ordinal) && json.Contains("\"state\": \"success\"", StringComparison.Ordinal))
                {
                    finishes.Add(json);
                }
                return false;
            },
        };
        await using var scheduler = new DagScheduler([dag], store, new DagSchedulerOptions { TimeProvider = f.Time, CreateScheduledRuns = false });
        await scheduler.TriggerAsync(dagId, jan1);

        await scheduler.RunUntilIdleAsync();

        finishes.ShouldHaveSingleItem().ShouldContain("\"sla_missed\": true");
    }

    [Fact]
    public async Task Scheduler_SlaWebhookWithoutSla_WarnsNamingFileAndDagNotTheUrl()
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        const string yaml = "dag_id: nosla\nstart_date: 2024-01-01\nsla_webhook: https://hooks.example/T0K3N\ntasks:\n  - id: a\n    kind: shell\n    command: \"true\"\n";
        var dag = DagFileLoader.Parse(yaml, "dags/nosla.yml", "/");
        var logs = new CapturingLoggerFactory();

        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, LoggerFactory = logs });

        logs.Messages.ShouldContain("dags/nosla.yml: DAG nosla has an sla_webhook but no sla; the webhook is never called.");
        logs.Messages.ShouldAllBe(m => !m.Contains("T0K3N", StringComparison.Ordinal));
    }


    [Fact]
    public async Task Listener_SeesTheRunLifecycleInOrder()
    {
        using var f = new SchedulerFixture(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var dag = new DagBuilder("life")
            .Task("a", new ShellAction("true"))
            .Task("b", new ShellAction("exit 2"), t => t.DependsOn("a"))
            .Build();
        var events = new RecordingListener();
        await using var scheduler = new DagScheduler([dag], f.Store, new DagSchedulerOptions { TimeProvider = f.Time, Listeners = [events], CreateScheduledRuns = false });

        await scheduler.TriggerAsync("life", f.Time.GetUtcNow());
        await scheduler.RunUntilIdleAsync();

        events.Events.ShouldBe(["run started running", "a 1 started", "a 1 success", "b 1 started", "b 1 failed", "run finished failed"]);
    }

    private sealed class RecordingListener : IDagRunListener
    {
        public List<string> Events { get; } = [];

        public void OnRunStarted(DagRun run) => Events.Add($"run started {run.State.ToString().ToLowerInvariant()}");

        public void OnRunFinished(DagRun run) => Events.Add($"run finished {run.State.ToString().ToLowerInvariant()}");

        public void OnTaskAttemptStarted(DagRun run, TaskInstance task, TaskAttempt attempt) => Events.Add($"{task.TaskId} {attempt.Number} started");

        public void OnTaskAttemptFinished(DagRun run, TaskInstance task, TaskAttempt attempt) => Events.Add($"{task.TaskId} {attempt.Number} {attempt.State.ToString().ToLowerInvariant()}");
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception));
    }
}
