using Microsoft.Extensions.Time.Testing;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

/// <summary>A state folder, a virtual clock and helpers to build DAGs whose shell tasks leave traces in files.</summary>
internal sealed class SchedulerFixture : IDisposable
{
    private readonly TestDirectory _dir = new();

    public SchedulerFixture(DateTimeOffset now)
    {
        Time = new FakeTimeProvider(now);
        Store = new RunStore(Path.Combine(_dir.Path, "state"));
    }

    public FakeTimeProvider Time { get; }

    public RunStore Store { get; }

    public string Folder => _dir.Path;

    public string File(string name) => _dir.File(name);

    /// <summary>A scheduler that runs only triggered and backfilled runs (as <c>sluice dags run|backfill</c>).</summary>
    public DagScheduler Scheduler(params DagDefinition[] dags) => Scheduler(Store, false, dags);

    /// <summary>A scheduler that also creates runs for due intervals (as the server).</summary>
    public DagScheduler SchedulingScheduler(params DagDefinition[] dags) => Scheduler(Store, true, dags);

    public DagScheduler Scheduler(RunStore store, bool createScheduledRuns, params DagDefinition[] dags) =>
        new(dags, store, new DagSchedulerOptions { TimeProvider = Time, MaxParallelTasks = 4, CreateScheduledRuns = createScheduledRuns });

    /// <summary>Lines of a trace file (empty when missing).</summary>
    public string[] Lines(string name) => System.IO.File.Exists(File(name)) ? System.IO.File.ReadAllLines(File(name)) : [];

    /// <summary>Polls (without sleeping on the virtual clock) until <paramref name="condition"/> holds; fails after 20 s.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }
            await Task.Yield();
            Thread.SpinWait(1000);
        }
    }

    public void Dispose() => _dir.Dispose();
}
