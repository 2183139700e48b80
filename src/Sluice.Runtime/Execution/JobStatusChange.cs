namespace Sluice;

/// <summary>One transition of a job's status, as <see cref="JobClient.StatusChanged"/> and <see cref="JobRegistry.JobStatusChanged"/> report it.</summary>
/// <param name="Job">The job.</param>
/// <param name="OldStatus">The status it left.</param>
/// <param name="NewStatus">The status it entered (now <see cref="JobClient.Status"/>, unless it moved on since).</param>
/// <param name="Cause">
/// The failure behind the transition: set for <see cref="JobStatus.Restarting"/> (the attempt's failure) and
/// <see cref="JobStatus.Failed"/> (the job's); null otherwise.
/// </param>
public sealed record JobStatusChange(JobClient Job, JobStatus OldStatus, JobStatus NewStatus, Exception? Cause);
