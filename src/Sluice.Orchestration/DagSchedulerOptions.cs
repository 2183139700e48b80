using Microsoft.Extensions.Logging;
using Sluice.Lineage;

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

    /// <summary>Reads topic positions for <c>topic_sensor</c> tasks; null: such a poke fails saying the host has none.</summary>
    public ITopicProbe? TopicProbe { get; init; }

    /// <summary>Runs <c>sql_job</c> tasks; null: such an attempt fails saying the host has no SQL engine.</summary>
    public ISqlJobRunner? SqlJobRunner { get; init; }

    /// <summary>Takes savepoints for <c>job_savepoint</c> tasks without a <c>server_url</c>; null: those fail asking for one.</summary>
    public IStreamingJobControl? StreamingJobs { get; init; }

    /// <summary>
    /// How long an <c>http</c> task's request may take when its task has no <c>timeout</c> (&gt; 0; default 5 minutes,
    /// on <see cref="TimeProvider"/>); it is then cancelled and the attempt fails as timed out.
    /// </summary>
    public TimeSpan DefaultHttpTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a <c>sql_job</c> task's job may run when its task has no <c>timeout</c> (&gt; 0; default 1 hour, on
    /// <see cref="TimeProvider"/>): the job is then cancelled and the attempt fails as timed out, so a bounded job that
    /// never finishes (a source that does not end) cannot hold its DAG run forever.
    /// </summary>
    public TimeSpan DefaultSqlJobTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Observers of the run lifecycle (e.g. lineage).</summary>
    public IReadOnlyList<IDagRunListener> Listeners { get; init; } = [];

    /// <summary>
    /// Where the OpenLineage events of DAG runs and task attempts go (docs/lineage.md); null: none. A <c>models</c>
    /// task sends its nodes' events here too, as children of its attempt's run. Owned by the caller: dispose it after
    /// the scheduler.
    /// </summary>
    public ILineageEmitter? Lineage { get; init; }

    /// <summary>
    /// Whether a <c>sql</c> task's START carries its rendered SQL as the sql facet (default false). Off by default
    /// because that SQL may hold secrets (a DuckDB <c>CREATE SECRET</c>, an <c>ATTACH</c> with a password, a PostgreSQL
    /// <c>PASSWORD '…'</c>), and lineage events leave the process (docs/lineage.md).
    /// </summary>
    public bool LineageIncludeSql { get; init; }

    /// <summary>The namespace of the DAG and task lineage jobs (default: <c>OPENLINEAGE_NAMESPACE</c>, else <c>default</c>).</summary>
    public string? LineageNamespace { get; init; }
}
