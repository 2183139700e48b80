namespace Sluice.Hosting;

/// <summary>How hosted jobs are stopped when the host shuts down (<see cref="SluiceHostingOptions.ShutdownMode"/>).</summary>
public enum JobShutdownMode
{
    /// <summary>
    /// <c>JobClient.Stop(drain: true)</c>: sources stop, what was read drains through the job, the final watermark
    /// fires every pending window and timer, and with checkpointing on the final checkpoint commits all output.
    /// </summary>
    Drain,

    /// <summary>
    /// <c>JobClient.Stop(drain: false)</c>: sources stop and what was read drains, but windows and timers stay pending.
    /// With checkpointing on, the final checkpoint holds them (and the source positions), the job ends
    /// <see cref="JobStatus.Suspended"/>, and the next start of the host — <c>CheckpointOptions.RestoreOnStart</c>, the
    /// default — resumes from it, as from a savepoint. Without checkpointing, the pending windows are lost.
    /// </summary>
    Suspend,
}

/// <summary>Settings of the hosted service that runs Sluice jobs (<c>services.AddSluice(options => …)</c>).</summary>
public sealed class SluiceHostingOptions
{
    /// <summary>How each running job is stopped when the host shuts down. Default <see cref="JobShutdownMode.Drain"/>.</summary>
    /// <remarks>
    /// Jobs are stopped when the host begins stopping (<c>IHostedLifecycleService.StoppingAsync</c>, before the hosted
    /// services' <c>StopAsync</c>), all at once, and waited for within the host's shutdown timeout
    /// (<c>HostOptions.ShutdownTimeout</c>); a job still running then is cancelled (output staged since its last
    /// completed checkpoint is not committed) and the host does not wait for it further.
    /// </remarks>
    public JobShutdownMode ShutdownMode { get; set; } = JobShutdownMode.Drain;

    /// <summary>
    /// When a hosted job fails (status <see cref="JobStatus.Failed"/>: no restart left), stop the whole application
    /// (<c>IHostApplicationLifetime.StopApplication</c>). Default false: the failure is logged, the job stays listed
    /// as failed in the <see cref="JobRegistry"/>, and the host and its other jobs keep running.
    /// </summary>
    public bool StopApplicationOnJobFailure { get; set; }
}
