using System.Diagnostics;
using Sluice.Runtime.Execution;

namespace Sluice;

/// <summary>
/// Traces of the job's life on <see cref="SluiceTracing.Source"/>: the job's activity, one per attempt, and (through
/// the coordinator) one per checkpoint. Nothing is allocated when nobody listens.
/// </summary>
public sealed partial class JobClient
{
    /// <summary>Starts the job's activity as a child of the caller's current activity (a REST request, say), leaving the caller's current activity as it was.</summary>
    private void StartJobActivity()
    {
        var previous = Activity.Current;
        _activity = SluiceTracing.Source.StartActivity(SluiceTracing.JobActivity, ActivityKind.Internal);
        if (_activity is { } activity)
        {
            activity.SetTag("job", JobName);
            activity.SetTag("job.id", Id.ToString());
            activity.DisplayName = $"job {JobName}";
            Activity.Current = previous;
        }
    }

    /// <summary>Starts the attempt's activity (attempt 0 is the first start, n the n-th restart) and hands it to the coordinator as the parent of its checkpoints.</summary>
    private void StartAttemptActivity(Attempt attempt)
    {
        var previous = Activity.Current;
        var parent = _activity?.Context ?? default;
        var activity = SluiceTracing.Source.StartActivity(SluiceTracing.AttemptActivity, ActivityKind.Internal, parent);
        if (activity is null)
        {
            return;
        }
        Activity.Current = previous;
        activity.SetTag("job", JobName);
        activity.SetTag("job.id", Id.ToString());
        activity.SetTag("attempt", _restarts);
        activity.SetTag("checkpoint.restored_id", _restoredCheckpointId > 0 ? _restoredCheckpointId : null);
        attempt.Activity = activity;
        if (attempt.Coordinator is { } coordinator)
        {
            coordinator.TraceParent = activity.Context;
        }
    }

    private static void StopAttemptActivity(Attempt attempt, JobExecutionException? failure)
    {
        if (attempt.Activity is not { } activity)
        {
            return;
        }
        if (failure is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        }
        activity.StopKeepingCurrent();
        attempt.Activity = null;
    }

    /// <summary>Adds the transition to the job's activity; a terminal status ends it (Error when the job failed). Caller holds the lock.</summary>
    private void TraceTransition(JobStatus to, Exception? cause)
    {
        if (_activity is not { } activity)
        {
            return;
        }
        activity.AddEvent(new ActivityEvent(to.ToString()));
        if (!to.IsTerminal())
        {
            return;
        }
        activity.SetTag("job.status", to.ToString());
        activity.SetTag("job.restarts", _restarts);
        if (to == JobStatus.Failed)
        {
            activity.SetStatus(ActivityStatusCode.Error, cause?.Message);
        }
        activity.StopKeepingCurrent();
        _activity = null;
    }
}
