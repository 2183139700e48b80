using Sluice.Orchestration.Definitions;

namespace Sluice.Orchestration.Runs;

/// <summary>How a run came to be.</summary>
public enum DagRunKind
{
    /// <summary>Created by the scheduler for a due interval.</summary>
    Scheduled,

    /// <summary>Triggered by a user (<c>sluice dags run</c>, <c>POST /api/dags/{id}/runs</c>).</summary>
    Manual,

    /// <summary>Created by a backfill over a date range.</summary>
    Backfill,
}

/// <summary>A run's state: queued → running → success or failed.</summary>
public enum DagRunState
{
    /// <summary>Created, waiting for a free slot under the DAG's max active runs.</summary>
    Queued,

    /// <summary>Its tasks are being scheduled.</summary>
    Running,

    /// <summary>Every task succeeded.</summary>
    Success,

    /// <summary>Every task finished and at least one failed (or was upstream-failed).</summary>
    Failed,
}

/// <summary>
/// One run of a DAG for one logical date. The run store holds at most one run per (DAG, logical date). Immutable:
/// state changes write a new value.
/// </summary>
public sealed record DagRun
{
    /// <summary>The DAG.</summary>
    public required string DagId { get; init; }

    /// <summary><c>{kind}__{logical date ISO 8601}</c>, e.g. <c>scheduled__2024-01-01T00:00:00+00:00</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>The data interval; its start is the logical date.</summary>
    public required DataInterval Interval { get; init; }

    /// <summary>The logical date (the interval's start).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateTimeOffset LogicalDate => Interval.Start;

    /// <summary>How the run was created.</summary>
    public required DagRunKind Kind { get; init; }

    /// <summary>The state.</summary>
    public required DagRunState State { get; init; }

    /// <summary>When the run was created.</summary>
    public required DateTimeOffset QueuedAt { get; init; }

    /// <summary>When it left the queue, or null.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it finished, or null.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>True once an SLA miss was raised for this run (it is raised once).</summary>
    public bool SlaMissed { get; init; }

    /// <summary>True when the run finished.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsFinished => State is DagRunState.Success or DagRunState.Failed;

    /// <summary>The run id for <paramref name="kind"/> and <paramref name="logicalDate"/>.</summary>
    public static string MakeRunId(DagRunKind kind, DateTimeOffset logicalDate) =>
        $"{kind.ToString().ToLowerInvariant()}__{TaskTemplates.Iso(logicalDate)}";
}
