using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Execution;
using Sluice.Runtime.Tasks;

namespace Sluice;

/// <summary>Attempts: building one (restoring the latest checkpoint), ending one, and restarting after a failure.</summary>
public sealed partial class JobClient
{
    /// <summary>Builds the tasks of a new attempt, restoring the latest checkpoint when there is one.</summary>
    private async Task<Attempt> CreateAttemptAsync(bool bounded)
    {
        Action? wake = bounded ? null : () => _scheduler?.Signal();
        var checkpoints = Options.Checkpoints;
        RestoredCheckpoint? restore = null;
        long lastId = 0;
        if (checkpoints is not null)
        {
            var store = checkpoints.Store;
            // No checkpoint is being taken now: shared files no complete checkpoint uses are orphans of a failure.
            var orphans = await CheckpointCoordinator.DeleteOrphanedSharedFilesAsync(store, _cancellation.Token).ConfigureAwait(false);
            if (orphans > 0)
            {
                CheckpointLog.OrphansDeleted(_checkpointLogger, JobName, Id, orphans, store.Location);
            }
            var completed = await store.ListCompletedAsync(_cancellation.Token).ConfigureAwait(false);
            var incomplete = await store.ListIncompleteAsync(_cancellation.Token).ConfigureAwait(false);
            lastId = Math.Max(completed.Count > 0 ? completed[^1] : 0, incomplete.Count > 0 ? incomplete[^1] : 0);
            if (completed.Count > 0 && (checkpoints.RestoreOnStart || _restarts > 0))
            {
                restore = await RestoredCheckpoint.LoadAsync(store, completed[^1], _cancellation.Token).ConfigureAwait(false);
                CheckpointFaultPoints.Reach(CheckpointPhase.Restore, restore.CheckpointId);
                restore.Validate(_plan.Nodes.Select(n => n.Uid).ToList(), Options.KeyGroupCount, store.Location);
                JobLog.Restoring(_logger, JobName, Id, restore.CheckpointId, store.Location);
            }
        }
        if (_restoredCheckpointId < 0)
        {
            _restoredCheckpointId = restore?.CheckpointId ?? 0;
        }
        var committers = new Dictionary<string, Sinks.ITwoPhaseCommitter>();
        foreach (var node in _plan.Nodes)
        {
            if (node.Factory.Committer is { } committer)
            {
                committer.Open(new Sinks.CommitterContext(node.Name, JobName, Id, Options.LoggerFactory) { OperatorUid = node.Uid });
                committer.AbortPending(restore?.CheckpointId ?? 0);
                committers[node.Uid] = committer;
            }
        }
        var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(_cancellation.Token);
        var tasks = TaskGraphBuilder.Build(_plan, bounded, attemptCancellation.Token, wake, restore, Id);
        var attempt = new Attempt(tasks, attemptCancellation);
        if (checkpoints is not null)
        {
            var coordinator = new CheckpointCoordinator(checkpoints, JobName, Id, Options.KeyGroupCount, tasks, lastId,
                uid => committers.TryGetValue(uid, out var c) ? c.Commit : null, e => attempt.Fail(e), Options.TimeProvider,
                _checkpointLogger, attemptCancellation.Token);
            coordinator.StatisticsCompleted += statistics => CheckpointStatisticsCompleted?.Invoke(statistics);
            coordinator.CheckpointCompleted += id =>
            {
                Interlocked.Increment(ref _checkpointsCompleted);
                CheckpointCompleted?.Invoke(id);
            };
            if (restore is not null)
            {
                // Output staged for the restored checkpoint may not have been committed before the crash: commit it again.
                coordinator.Commit(restore.CheckpointId, restore.Snapshots);
            }
            attempt.Coordinator = coordinator;
        }
        foreach (var task in tasks)
        {
            task.Gate.ProducerBlocked += channel => ProducerBlocked?.Invoke(channel.Upstream);
        }
        attemptCancellation.Token.Register(() =>
        {
            foreach (var task in tasks)
            {
                task.Gate.WakeUp();
            }
        });
        int stop;
        lock (_lock)
        {
            _attempt = attempt;
            stop = _stopRequest;
        }
        if (stop != 0)
        {
            RequestStop(attempt, drain: stop == 2);
        }
        return attempt;
    }

    /// <summary>
    /// Ends an attempt: on success takes the final checkpoint and completes the job; on failure restarts per the
    /// strategy (inline for the deterministic scheduler, on a timer otherwise) or fails the job. Returns true when the
    /// caller should run another attempt inline.
    /// </summary>
    private async Task<bool> EndAttemptAsync(Attempt attempt, bool restartInline = false)
    {
        var failure = attempt.Failure;
        StopAttemptActivity(attempt, failure);
        if (failure is null && !_cancellation.IsCancellationRequested && attempt.Coordinator is { } coordinator)
        {
            try
            {
                await coordinator.CompleteFinalCheckpointAsync(_cancellation.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failure = AsJobError(null, e);
            }
        }
        if (attempt.Coordinator is { } ended)
        {
            ended.Dispose();
            // Its store I/O observes the cancellation; wait for it, so the next attempt's orphan cleanup never races a
            // manifest still being written.
            await ended.IdleAsync().ConfigureAwait(false);
        }
        if (failure is null)
        {
            _clock.Stop();
            if (_cancellation.IsCancellationRequested)
            {
                EndCancelled();
            }
            else
            {
                EndSucceeded(Result(attempt), attempt.Coordinator?.LastCompletedId ?? 0);
            }
            return false;
        }
        var strategy = Options.Restart;
        if (_cancellation.IsCancellationRequested || _restarts >= strategy.MaxAttempts)
        {
            _clock.Stop();
            EndFailed(failure);
            return false;
        }
        _restarts++;
        s_restarts.Add(1, new KeyValuePair<string, object?>("job", JobName), new KeyValuePair<string, object?>("job.id", Id.ToString()));
        var delay = strategy.DelayBefore(_restarts);
        JobLog.Restarting(_logger, JobName, Id, _restarts, strategy.MaxAttempts, (long)delay.TotalMilliseconds, failure.Message, failure);
        AttemptFailed(failure);
        if (restartInline)
        {
            await WaitOnJobClockAsync(delay).ConfigureAwait(false);
            return !_cancellation.IsCancellationRequested || Cancelled();
        }
        // A stop waits out the delay too (the next attempt may fail again at once: no tight restart loop); a cancellation does not.
        new PendingRestart(this).Arm(Options.TimeProvider, delay, _cancellation.Token);
        return false;
    }

    private bool Cancelled()
    {
        _clock.Stop();
        EndCancelled();
        return false;
    }

    /// <summary>Waits <paramref name="delay"/> on the job's clock (virtual in tests); returns early when the job is cancelled.</summary>
    private async Task WaitOnJobClockAsync(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }
        using var elapsed = new SemaphoreSlim(0);
        using var timer = Options.TimeProvider.CreateTimer(static s => ((SemaphoreSlim)s!).Release(), elapsed, delay, Timeout.InfiniteTimeSpan);
        try
        {
            await elapsed.WaitAsync(_cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One run of the job's tasks, from a restore (or the start) to its end.</summary>
    private sealed class Attempt(List<StreamTask> tasks, CancellationTokenSource cancellation)
    {
        private readonly Lock _lock = new();

        public List<StreamTask> Tasks { get; } = tasks;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public CheckpointCoordinator? Coordinator { get; set; }

        /// <summary>The attempt's <see cref="SluiceTracing.AttemptActivity"/>; null when nobody listens.</summary>
        public System.Diagnostics.Activity? Activity { get; set; }

        public int Running = tasks.Count;

        public JobExecutionException? Failure { get; private set; }

        /// <summary>Records the first failure and cancels the attempt's tasks.</summary>
        public void Fail(Exception error)
        {
            lock (_lock)
            {
                Failure ??= error as JobExecutionException ?? new JobExecutionException(error.Message, error);
            }
            Cancellation.Cancel();
        }
    }

    /// <summary>
    /// The next parallel attempt, started once its restart delay elapsed on the job's clock — or at once when the job is
    /// cancelled meanwhile (the attempt then ends cancelled right away), so a cancellation never waits out a long
    /// backoff. Starts the attempt once, whichever comes first; any thread.
    /// </summary>
    private sealed class PendingRestart(JobClient client)
    {
        private int _started;
        private ITimer? _timer;
        private CancellationTokenRegistration _cancelled;

        public void Arm(TimeProvider time, TimeSpan delay, CancellationToken cancellation)
        {
            _timer = time.CreateTimer(static s => ((PendingRestart)s!).Start(), this, delay, Timeout.InfiniteTimeSpan);
            _cancelled = cancellation.Register(static s => ((PendingRestart)s!).Start(), this);
        }

        public void Start()
        {
            if (Interlocked.Exchange(ref _started, 1) != 0)
            {
                return;
            }
            // Either may still be unset when the other fired during Arm; a later firing of it finds _started set.
            _timer?.Dispose();
            _cancelled.Dispose();
            _ = client.StartParallelAttemptAsync();
        }
    }
}
