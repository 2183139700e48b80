using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration;

/// <summary>
/// Observes the run lifecycle of a <see cref="DagScheduler"/> — the seam for lineage (OpenLineage START / COMPLETE /
/// FAIL events) and other observers. Called on the scheduler's thread after the change is persisted, one call at a
/// time (never concurrently for one scheduler); keep it quick and do not call back into the scheduler. An exception
/// thrown here is logged and does not affect the run. Every method has an empty default body.
/// </summary>
public interface IDagRunListener
{
    /// <summary>A run left the queue and its tasks start being scheduled.</summary>
    void OnRunStarted(DagRun run)
    {
    }

    /// <summary>A run finished (<see cref="DagRun.State"/> is success or failed).</summary>
    void OnRunFinished(DagRun run)
    {
    }

    /// <summary>An attempt of a task started (a sensor's attempt spans all its pokes).</summary>
    void OnTaskAttemptStarted(DagRun run, TaskInstance task, TaskAttempt attempt)
    {
    }

    /// <summary>An attempt ended (success, failed, timed out); <paramref name="task"/> holds the instance's new state.</summary>
    void OnTaskAttemptFinished(DagRun run, TaskInstance task, TaskAttempt attempt)
    {
    }
}
