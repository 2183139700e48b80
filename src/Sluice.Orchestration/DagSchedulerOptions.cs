using Microsoft.Extensions.Logging;

namespace Sluice.Orchestration;

/// <summary>Settings of a <see cref="DagScheduler"/>.</summary>
public sealed record DagSchedulerOptions
{
    /// <summary>The clock every schedule, retry delay, timeout, poke interval and SLA is measured on.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Task attempts running at once across all DAGs (≥ 1; default 4).</summary>
    public int MaxParallelTasks { get; init; } = 4;

    /// <summary>
    /// True (the server): create runs for due schedule intervals. False (<c>sluice dags run|backfill</c>): run only
    /// runs that are triggered or backfilled.
    /// </summary>
    public bool CreateScheduledRuns { get; init; } = true;

    /// <summary>Where the scheduler logs (SLA misses as warnings); null: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The client for <c>http</c> tasks and SLA webhooks; null: a shared one.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>
    /// How long an <c>http</c> task's request may take when its task has no <c>timeout</c> (&gt; 0; default 5 minutes,
    /// on <see cref="TimeProvider"/>); it is then cancelled and the attempt fails as timed out.
    /// </summary>
    public TimeSpan DefaultHttpTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Observers of the run lifecycle (e.g. lineage).</summary>
    public IReadOnlyList<IDagRunListener> Listeners { get; init; } = [];
}
