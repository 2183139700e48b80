namespace Sluice;

/// <summary>
/// Where a job is in its life (<see cref="JobClient.Status"/>). The legal transitions are listed in
/// <see cref="JobStatusTransitions.IsLegal"/>; <see cref="JobClient.StatusChanged"/> reports each one.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Created"/> → <see cref="Running"/>, <see cref="Cancelling"/>, <see cref="Failed"/> (the first attempt could not be built or restored).</item>
/// <item><see cref="Running"/> → <see cref="Restarting"/>, <see cref="Cancelling"/>, <see cref="Finished"/>, <see cref="Suspended"/>, <see cref="Failed"/>.</item>
/// <item><see cref="Restarting"/> → <see cref="Running"/>, <see cref="Cancelling"/>, <see cref="Failed"/> (the next attempt could not be built or restored).</item>
/// <item><see cref="Cancelling"/> → <see cref="Cancelled"/>, <see cref="Failed"/> (a task failed while being cancelled).</item>
/// </list>
/// <see cref="Finished"/>, <see cref="Suspended"/>, <see cref="Failed"/> and <see cref="Cancelled"/> are terminal: the
/// status is final and <see cref="JobClient.Completion"/> has ended (or ends right after the transition is reported).
/// </remarks>
public enum JobStatus
{
    /// <summary>Submitted; its first attempt is being built (the restore read from the checkpoint store).</summary>
    Created,

    /// <summary>An attempt's tasks are running (also while a requested stop drains the job).</summary>
    Running,

    /// <summary>An attempt failed and the restart strategy allows another: the next one starts after its delay, from the last completed checkpoint.</summary>
    Restarting,

    /// <summary><see cref="JobClient.Cancel"/> was called (or the job's cancellation token cancelled): tasks are being aborted.</summary>
    Cancelling,

    /// <summary>
    /// Ended successfully: every source's input ended (bounded sources), or the job was stopped
    /// (<see cref="JobClient.Stop"/>, <see cref="JobClient.StopAsync"/>) without checkpointing, so nothing was kept to
    /// resume from. <see cref="JobClient.Completion"/> holds the <see cref="JobResult"/>.
    /// </summary>
    Finished,

    /// <summary>
    /// Ended successfully after <see cref="JobClient.Stop"/> or <see cref="JobClient.StopAsync"/> was called (drain or
    /// not) with checkpointing on: the final checkpoint, written at the stop, holds the sources' positions and the
    /// state — with <c>drain: false</c> also the pending windows and timers — and a new run of the job with
    /// <c>CheckpointOptions.RestoreOnStart</c> resumes from it (copy it elsewhere with <c>Savepoints.CopyAsync</c>).
    /// <see cref="JobClient.Completion"/> holds the <see cref="JobResult"/>.
    /// </summary>
    Suspended,

    /// <summary>Ended with a failure (no restart left, or the job could not start); <see cref="JobClient.Completion"/> faults with it.</summary>
    Failed,

    /// <summary>Ended by cancellation; <see cref="JobClient.Completion"/> is cancelled. Output staged since the last completed checkpoint was not committed.</summary>
    Cancelled,
}

/// <summary>The job status state machine: which transitions are legal.</summary>
public static class JobStatusTransitions
{
    /// <summary>True for the terminal statuses (<see cref="JobStatus.Finished"/>, <see cref="JobStatus.Suspended"/>, <see cref="JobStatus.Failed"/>, <see cref="JobStatus.Cancelled"/>).</summary>
    public static bool IsTerminal(this JobStatus status) => status is JobStatus.Finished or JobStatus.Suspended or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>True when a job may go from <paramref name="from"/> to <paramref name="to"/>; the whole table is here.</summary>
    public static bool IsLegal(JobStatus from, JobStatus to) => (from, to) switch
    {
        (JobStatus.Created, JobStatus.Running or JobStatus.Cancelling or JobStatus.Failed) => true,
        (JobStatus.Running, JobStatus.Restarting or JobStatus.Cancelling or JobStatus.Finished or JobStatus.Suspended or JobStatus.Failed) => true,
        (JobStatus.Restarting, JobStatus.Running or JobStatus.Cancelling or JobStatus.Failed) => true,
        (JobStatus.Cancelling, JobStatus.Cancelled or JobStatus.Failed) => true,
        _ => false,
    };

    /// <summary>Checks a transition the runtime is about to make.</summary>
    /// <exception cref="InvalidOperationException">The transition is illegal: a bug in the runtime, not a user error.</exception>
    internal static void ThrowIfIllegal(JobStatus from, JobStatus to, string jobName, JobId jobId)
    {
        if (!IsLegal(from, to))
        {
            throw new InvalidOperationException($"Job '{jobName}' ({jobId}) cannot go from status {from} to {to}: this is a bug in Sluice's job state machine, please report it.");
        }
    }
}
