using Microsoft.Extensions.Time.Testing;
using Sluice.Orchestration;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Server.BrowserTests;

/// <summary>
/// A <see cref="BrowserServer"/> whose DAGs folder holds <see cref="DagId"/>, a manual DAG (extract → load → report,
/// extract → notify) with a history of one run in which <c>load</c> failed once and then succeeded on its retry. The
/// history is made before the server starts, by a scheduler on the server's state directory under a virtual clock (the
/// retry delay passes without waiting); the server's own scheduler then takes the directory over, as after a restart.
/// </summary>
public sealed class DagServer : IAsyncLifetime
{
    /// <summary>The DAG.</summary>
    public const string DagId = "etl";

    /// <summary>What the failed attempt of <c>load</c> logs: markup, which the page must show as text.</summary>
    public const string FailedLogLine = "load: <b>the warehouse is locked</b>";

    /// <summary>The logical date of the run in the history.</summary>
    public static readonly DateTimeOffset LogicalDate = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _root = Directory.CreateTempSubdirectory("sluice-dags-ui-").FullName;
    private BrowserServer? _browser;

    /// <summary>The browser and the server.</summary>
    public BrowserServer Browser => _browser ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The id of the run in the history.</summary>
    public static string RunId => DagRun.MakeRunId(DagRunKind.Manual, LogicalDate);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var dags = Directory.CreateDirectory(Path.Combine(_root, "dags")).FullName;
        var data = Directory.CreateDirectory(Path.Combine(_root, "data")).FullName;
        var marker = Path.Combine(_root, "load-failed-once");
        await File.WriteAllTextAsync(Path.Combine(dags, "etl.yml"), $"""
            dag_id: {DagId}
            start_date: 2024-01-01
            tasks:
              - id: extract
                kind: shell
                command: echo extracted
              - id: load
                kind: shell
                command: "if [ -e {marker} ]; then echo loaded; else touch {marker}; echo '{FailedLogLine}'; exit 1; fi"
                depends_on: [extract]
                retries: 1
                retry_delay: 10s
              - id: report
                kind: shell
                command: echo reported
                depends_on: [load]
              - id: notify
                kind: shell
                command: echo notified
                depends_on: [extract]
            """);

        var time = new FakeTimeProvider(LogicalDate);
        var store = new RunStore(Path.Combine(data, "orchestration"));
        await using (var scheduler = new DagScheduler(DagFileLoader.LoadDirectory(dags), store, new DagSchedulerOptions { TimeProvider = time, CreateScheduledRuns = false }))
        {
            await scheduler.TriggerAsync(DagId, LogicalDate);
            await scheduler.RunUntilIdleAsync();
            store.ListTasks(DagId, LogicalDate).Single(t => t.TaskId == "load").State.ShouldBe(TaskState.UpForRetry);
            time.Advance(TimeSpan.FromSeconds(10));
            await scheduler.RunUntilIdleAsync();
            store.GetRun(DagId, LogicalDate)!.State.ShouldBe(DagRunState.Success);
        }

        _browser = new BrowserServer { DataDirectory = data, Configure = o => o with { DagsDirectory = dags } };
        await _browser.InitializeAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        Directory.Delete(_root, recursive: true);
    }
}
