namespace Sluice.Orchestration.Runs;

/// <summary>A task instance's state in one run.</summary>
public enum TaskState
{
    /// <summary>Waiting for its upstream tasks.</summary>
    Pending,

    /// <summary>An attempt is running (or, for a sensor, poking).</summary>
    Running,

    /// <summary>An attempt failed and a retry waits for <see cref="TaskInstance.NextAttemptAt"/>.</summary>
    UpForRetry,

    /// <summary>A sensor's condition did not hold yet; it pokes again at <see cref="TaskInstance.NextAttemptAt"/>.</summary>
    UpForReschedule,

    /// <summary>Done.</summary>
    Success,

    /// <summary>The last attempt failed and no retry is left (or a sensor timed out).</summary>
    Failed,

    /// <summary>Not run: an upstream task failed.</summary>
    UpstreamFailed,
}

/// <summary>How one attempt ended.</summary>
public enum AttemptState
{
    /// <summary>Still running (or the scheduler stopped while it ran; see <see cref="Abandoned"/>).</summary>
    Running,

    /// <summary>Succeeded.</summary>
    Success,

    /// <summary>Failed (exit code, error, status, or sensor timeout).</summary>
    Failed,

    /// <summary>Cancelled by the task's timeout.</summary>
    TimedOut,

    /// <summary>A sensor poke whose condition did not hold yet.</summary>
    Rescheduled,

    /// <summary>The scheduler stopped while the attempt ran; a restarted scheduler runs a new attempt (not counted as a retry).</summary>
    Abandoned,
}

/// <summary>One attempt of a task instance. Immutable.</summary>
/// <param name="Number">1-based attempt number.</param>
/// <param name="State">How it ended.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended, or null while running.</param>
/// <param name="ExitCode">A shell task's exit code, or null.</param>
/// <param name="Error">The failure, one sentence, or null.</param>
/// <param name="LogFile">The attempt's log file, relative to the state directory.</param>
public sealed record TaskAttempt(int Number, AttemptState State, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, int? ExitCode, string? Error, string LogFile);

/// <summary>One task of one run, with every attempt. Immutable: changes write a new value.</summary>
public sealed record TaskInstance
{
    /// <summary>The DAG.</summary>
    public required string DagId { get; init; }

    /// <summary>The run.</summary>
    public required string RunId { get; init; }

    /// <summary>The task.</summary>
    public required string TaskId { get; init; }

    /// <summary>The state.</summary>
    public required TaskState State { get; init; }

    /// <summary>When a retry or the next sensor poke may start, or null.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Failed attempts so far that count against the retries (abandoned and rescheduled ones do not).</summary>
    public int Failures { get; init; }

    /// <summary>Every attempt, oldest first.</summary>
    public IReadOnlyList<TaskAttempt> Attempts { get; init; } = [];

    /// <summary>True for success, failed and upstream-failed.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsFinished => State is TaskState.Success or TaskState.Failed or TaskState.UpstreamFailed;
}
