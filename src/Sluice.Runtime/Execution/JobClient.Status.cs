using Sluice.Runtime.Execution;

namespace Sluice;

/// <summary>The job's status state machine (<see cref="JobStatus"/>): transitions, their events, and how the job ends.</summary>
public sealed partial class JobClient
{
    // Guarded by _lock. Transitions are queued under the lock and raised outside it, in order, by one thread at a time.
    private JobStatus _status = JobStatus.Created;
    private readonly Queue<(JobStatusChange Change, Action? Then)> _statusEvents = new();
    private bool _raisingStatusEvents;
    private int _connectorsReleased; // 1 once ReleaseConnectors ran

    /// <summary>Where the job is in its life (see <see cref="JobStatus"/> for the transitions). Any thread.</summary>
    public JobStatus Status
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }
    }

    /// <summary>
    /// Raised on every status transition, in the order they happen and one at a time (never concurrently), on the
    /// thread that made the transition (a job thread, a thread-pool thread, or the caller of <see cref="Cancel"/>) or
    /// on one that made a transition just before it. The terminal transition is raised before <see cref="Completion"/>
    /// ends. Subscribe in <c>Start(beforeRun)</c> to see every transition, <see cref="JobStatus.Created"/> → … included.
    /// Handlers must return quickly and must not wait for the job; an exception from a handler is logged (event 1010)
    /// and affects neither the job nor the other handlers.
    /// </summary>
    public event Action<JobStatusChange>? StatusChanged;

    /// <summary>An attempt's tasks are built and about to run: Created or Restarting → Running (a cancelled job stays Cancelling).</summary>
    private void AttemptStarted(Attempt attempt)
    {
        StartAttemptActivity(attempt);
        var first = false;
        lock (_lock)
        {
            if (_status is JobStatus.Created or JobStatus.Restarting)
            {
                first = _status == JobStatus.Created;
                Transition(JobStatus.Running, null, null);
            }
        }
        if (first)
        {
            JobLog.Started(_logger, JobName, Id, attempt.Tasks.Count, Options.Mode);
        }
        RaiseStatusEvents();
    }

    /// <summary>An attempt failed and another one will run: Running → Restarting (a cancelled job stays Cancelling).</summary>
    private void AttemptFailed(JobExecutionException failure)
    {
        lock (_lock)
        {
            if (_status == JobStatus.Running)
            {
                Transition(JobStatus.Restarting, failure, null);
            }
        }
        RaiseStatusEvents();
    }

    /// <summary>The job's cancellation token was cancelled (<see cref="Cancel"/> or the token given to Start): → Cancelling unless it already ended.</summary>
    private void OnCancellationRequested()
    {
        lock (_lock)
        {
            if (_status is JobStatus.Created or JobStatus.Running or JobStatus.Restarting)
            {
                Transition(JobStatus.Cancelling, null, null);
                // Logged under the lock: once the job ends (another thread, which takes this lock to move to
                // Cancelled and complete), "being cancelled" must already be in the log, before "was cancelled".
                JobLog.Cancelling(_logger, JobName, Id);
            }
        }
        RaiseStatusEvents();
    }

    /// <summary>
    /// The last attempt ended without a failure: Suspended when a stop was requested with checkpointing on (the final
    /// checkpoint is the resume point), Finished otherwise — or Cancelled when a cancellation came first.
    /// </summary>
    private void EndSucceeded(JobResult result, long finalCheckpointId)
    {
        ReleaseConnectors();
        lock (_lock)
        {
            // Every terminal line is logged under the lock: Completion is set by whichever thread raises the queued
            // status events, which may be another one, so the log must be complete before this lock is released.
            if (_status == JobStatus.Cancelling)
            {
                Transition(JobStatus.Cancelled, null, () => _completion.TrySetCanceled(_cancellation.Token));
                JobLog.Cancelled(_logger, JobName, Id);
            }
            else if (_stopRequest != 0 && Options.Checkpoints is not null)
            {
                Transition(JobStatus.Suspended, null, () => _completion.TrySetResult(result));
                JobLog.Suspended(_logger, JobName, Id, finalCheckpointId);
            }
            else
            {
                Transition(JobStatus.Finished, null, () => _completion.TrySetResult(result));
                JobLog.Finished(_logger, JobName, Id, (long)result.Duration.TotalMilliseconds, result.SourceRecords, result.CheckpointsCompleted, result.Restarts);
            }
        }
        RaiseStatusEvents();
    }

    /// <summary>The job failed for good (no restart left, cancelled while failing, or an attempt could not be built): → Failed.</summary>
    private void EndFailed(JobExecutionException failure)
    {
        ReleaseConnectors();
        lock (_lock)
        {
            Transition(JobStatus.Failed, failure, () => _completion.TrySetException(failure));
            JobLog.Failed(_logger, JobName, Id, _restarts, failure.Message, failure);
        }
        RaiseStatusEvents();
    }

    /// <summary>The job ended because it was cancelled: (→ Cancelling, if the cancellation callback has not run yet) → Cancelled.</summary>
    private void EndCancelled()
    {
        ReleaseConnectors();
        lock (_lock)
        {
            // The tasks may notice the cancellation (and end) before the token's callback to this client ran.
            if (_status != JobStatus.Cancelling)
            {
                Transition(JobStatus.Cancelling, null, null);
                JobLog.Cancelling(_logger, JobName, Id);
            }
            Transition(JobStatus.Cancelled, null, () => _completion.TrySetCanceled(_cancellation.Token));
            JobLog.Cancelled(_logger, JobName, Id);
        }
        RaiseStatusEvents();
    }

    /// <summary>
    /// Disposes every source and sink of the job that is <see cref="IDisposable"/> or <see cref="IAsyncDisposable"/>
    /// (e.g. a connector's lease on a shared log), once, when the job ends for good — before <see cref="Completion"/>
    /// ends, after the last attempt's tasks closed their readers and writers. Attempts of a restart reuse them, so they
    /// are not disposed per attempt. A failing dispose is logged (event 1012) and does not change the job's result.
    /// </summary>
    private void ReleaseConnectors()
    {
        if (Interlocked.Exchange(ref _connectorsReleased, 1) != 0)
        {
            return;
        }
        var released = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var node in _plan.Nodes)
        {
            if (node.Transformation.Connector is not { } connector || !released.Add(connector))
            {
                continue;
            }
            try
            {
                if (connector is IAsyncDisposable asyncDisposable)
                {
                    asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
                else if (connector is IDisposable disposable)
                {
                    disposable.Dispose();
                }
            }
            catch (Exception e)
            {
                JobLog.ConnectorDisposeFailed(_logger, JobName, Id, node.Name, e);
            }
        }
    }

    /// <summary>Moves to <paramref name="to"/> and queues its event; <paramref name="then"/> runs after the event was raised. Caller holds the lock.</summary>
    /// <exception cref="InvalidOperationException">The transition is illegal (a bug).</exception>
    private void Transition(JobStatus to, Exception? cause, Action? then)
    {
        JobStatusTransitions.ThrowIfIllegal(_status, to, JobName, Id);
        _statusEvents.Enqueue((new JobStatusChange(this, _status, to, cause), then));
        _status = to;
        TraceTransition(to, cause);
    }

    /// <summary>Raises the queued status events in order, unless another thread is raising them (it then raises these too).</summary>
    private void RaiseStatusEvents()
    {
        lock (_lock)
        {
            if (_raisingStatusEvents)
            {
                return;
            }
            _raisingStatusEvents = true;
        }
        while (true)
        {
            (JobStatusChange Change, Action? Then) next;
            lock (_lock)
            {
                if (!_statusEvents.TryDequeue(out next))
                {
                    _raisingStatusEvents = false;
                    return;
                }
            }
            var change = next.Change;
            JobLog.StatusChanged(_logger, JobName, Id, change.OldStatus, change.NewStatus);
            if (StatusChanged is { } handlers)
            {
                foreach (var handler in handlers.GetInvocationList())
                {
                    try
                    {
                        ((Action<JobStatusChange>)handler)(change);
                    }
                    catch (Exception e)
                    {
                        JobLog.StatusHandlerFailed(_logger, JobName, Id, change.OldStatus, change.NewStatus, e);
                    }
                }
            }
            next.Then?.Invoke();
        }
    }
}
