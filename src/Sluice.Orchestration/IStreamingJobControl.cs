namespace Sluice.Orchestration;

/// <summary>
/// Takes savepoints of the host's running streaming jobs for <see cref="Definitions.JobSavepointAction"/> tasks that
/// give no server URL (<see cref="DagSchedulerOptions.StreamingJobs"/>; the server implements it). Thread-safe.
/// </summary>
public interface IStreamingJobControl
{
    /// <summary>Takes a savepoint of the running job named <paramref name="job"/> and returns its path once it is complete.</summary>
    /// <exception cref="Exception">No such running job, or the savepoint failed: the message is the attempt's error.</exception>
    Task<string> TakeSavepointAsync(string job, CancellationToken cancellationToken);
}
