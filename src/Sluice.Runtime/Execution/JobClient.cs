using System.Diagnostics;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Execution;
using Sluice.Runtime.Planning;
using Sluice.Runtime.Tasks;

namespace Sluice;

/// <summary>
/// A running job. <see cref="Completion"/> ends when every task finished: with the <see cref="JobResult"/>, with a
/// <see cref="JobExecutionException"/> naming the failing operator, subtask and record, or cancelled. With checkpoints,
/// each attempt restores the latest completed checkpoint, and a failure restarts the job per
/// <see cref="JobOptions.Restart"/>. Thread-safe.
/// </summary>
public sealed class JobClient
{
    private readonly JobPlan _plan;
    private readonly CancellationTokenSource _cancellation;
    private readonly TaskCompletionSource<JobResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private Attempt? _attempt;
    private int _stopRequest; // 0 none, 1 stop, 2 stop and drain: applied to every attempt, also ones not created yet
    private int _restarts;
    private int _checkpointsCompleted;
    private long _restoredCheckpointId = -1;
    private volatile DeterministicScheduler? _scheduler;

    internal JobClient(JobPlan plan, CancellationTokenSource cancellation)
    {
        _plan = plan;
        _cancellation = cancellation;
        OperatorInstruments.Track(this);
    }

    private JobOptions Options => _plan.Options;

    /// <summary>The job's name.</summary>
    public string JobName => Options.JobName;

    /// <summary>Completes when the job ends (see the type's remarks).</summary>
    public Task<JobResult> Completion => _completion.Task;

    /// <summary>The physical plan as text: tasks (chains) with their parallelism and the exchanges between them.</summary>
    public string Plan => _plan.Description.ToText();

    /// <summary>The physical plan as data (<see cref="Plans.PlanDescription.ToJson"/> for JSON).</summary>
    public Plans.PlanDescription PlanDescription => _plan.Description;

    /// <summary>
    /// Raised on a producer's thread each time it finds a full channel and starts waiting (backpressure); the argument
    /// names the producer. To see the earliest blocks, subscribe in <c>Start(beforeRun)</c>.
    /// </summary>
    public event Action<string>? ProducerBlocked;

    /// <summary>Raised after each checkpoint completes (manifest durable, sinks committed), with its id.</summary>
    public event Action<long>? CheckpointCompleted;

    /// <summary>The most records queued in one channel so far (current attempt).</summary>
    public int MaxQueuedRecordsPerChannel => Volatile.Read(ref _attempt)?.Tasks.Max(t => t.Gate.MaxQueuedRecordsPerChannel) ?? 0;

    /// <summary>The id of the last completed checkpoint, or 0.</summary>
    public long LastCheckpointId => Volatile.Read(ref _attempt)?.Coordinator?.LastCompletedId ?? 0;

    /// <summary>
    /// Records in and out, watermark and late records of every operator subtask since the current
    /// attempt started (a restart starts them over), in plan order. Any thread: the figures are read while the tasks
    /// run, so each is current but they are not one consistent cut. Also reported on the <see cref="SluiceMetrics.Meter"/>
    /// (<c>sluice.operator.records_in</c>, <c>sluice.operator.records_out</c>, <c>sluice.operator.watermark</c>).
    /// </summary>
    public IReadOnlyList<OperatorMetrics> GetOperatorMetrics()
    {
        var attempt = Volatile.Read(ref _attempt);
        var metrics = new List<OperatorMetrics>();
        if (attempt is null)
        {
            return metrics;
        }
        foreach (var task in attempt.Tasks)
        {
            for (var i = task.Operators.Count - 1; i >= 0; i--) // Operators are listed downstream first.
            {
                var op = task.Operators[i];
                metrics.Add(new OperatorMetrics(op.Context.OperatorName, op.Uid, op.Context.SubtaskIndex, op is ISourceHead,
                    Volatile.Read(ref op.RecordsIn), op.RecordsOut, op.CurrentWatermark, op.LateRecordCount));
            }
        }
        return metrics;
    }

    /// <summary>
    /// Ends every source's input now (also in attempts started later by a restart); in-flight records still reach the
    /// sinks. With <paramref name="drain"/> the final watermark fires every pending window and timer (like the end of
    /// bounded input); without, they stay pending. Returns at once; <see cref="Completion"/> ends when the job has
    /// finished (see <see cref="StopAsync"/>). Any thread.
    /// </summary>
    public void Stop(bool drain = true)
    {
        Attempt? attempt;
        lock (_lock)
        {
            _stopRequest = drain ? 2 : 1;
            attempt = _attempt;
        }
        if (attempt is not null)
        {
            RequestStop(attempt, drain);
        }
    }

    /// <summary>
    /// Stops the job gracefully and waits until it has finished: every source stops reading (a never-ending source
    /// too), the records already read drain through the graph, the final watermark fires pending windows and timers,
    /// and — with checkpoints on — the final checkpoint is written and two-phase sinks commit everything up to it,
    /// exactly once. Returns the job's result. Any thread.
    /// </summary>
    /// <param name="cancellationToken">
    /// Abandons the <em>wait</em>, not the stop: the job keeps draining; call <see cref="Cancel"/> to abort it (output
    /// staged since the last completed checkpoint is then not committed).
    /// </param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled, or the job was cancelled.</exception>
    /// <exception cref="JobExecutionException">The job failed (after its restarts) while stopping.</exception>
    public Task<JobResult> StopAsync(CancellationToken cancellationToken = default)
    {
        Stop(drain: true);
        // WaitAsync returns a task that already completed even when the token is cancelled; a cancelled token always abandons the wait.
        return cancellationToken.IsCancellationRequested ? Task.FromCanceled<JobResult>(cancellationToken) : Completion.WaitAsync(cancellationToken);
    }

    private static void RequestStop(Attempt attempt, bool drain)
    {
        foreach (var task in attempt.Tasks)
        {
            if (task.IsSource)
            {
                task.RequestStop(drain);
            }
        }
    }

    /// <summary>Cancels the job at once; <see cref="Completion"/> ends cancelled.</summary>
    public void Cancel() => _cancellation.Cancel();

    /// <summary>
    /// Triggers a checkpoint now (unless one is running) and returns its id, or 0 when none started (checkpointing off,
    /// one in progress, or every source already ended).
    /// </summary>
    public long TriggerCheckpoint() => Volatile.Read(ref _attempt)?.Coordinator?.Trigger() ?? 0;

    /// <summary>
    /// Takes a savepoint: triggers a checkpoint (or joins the one running), waits for it to complete, and copies it into
    /// <paramref name="directory"/> (see <see cref="Checkpoints.Savepoints"/>). Returns the checkpoint id.
    /// </summary>
    /// <exception cref="InvalidOperationException">Checkpointing is off, or every source has ended.</exception>
    public async Task<long> TakeSavepointAsync(string directory, CancellationToken cancellationToken = default)
    {
        var store = Options.Checkpoints?.Store ?? throw new InvalidOperationException("Savepoints need checkpointing: set JobOptions.Checkpoints.");
        var completed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnCompleted(long id) => completed.TrySetResult(id);
        CheckpointCompleted += OnCompleted;
        try
        {
            if (TriggerCheckpoint() == 0 && Volatile.Read(ref _attempt) is { } attempt && attempt.Tasks.TrueForAll(static t => !t.IsSource || t.Finished))
            {
                throw new InvalidOperationException($"Job '{JobName}' cannot take a savepoint: every source has ended.");
            }
            var id = await completed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return await Checkpoints.Savepoints.CopyAsync(store, new Checkpoints.LocalCheckpointStore(directory), id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CheckpointCompleted -= OnCompleted;
        }
    }

    /// <summary>
    /// Starts the job: creates the first attempt (reading the checkpoint store asynchronously when restoring) and runs
    /// it. <see cref="Stop"/> called meanwhile applies to it.
    /// </summary>
    internal void Run() => _ = RunAsync();

    private async Task RunAsync()
    {
        var deterministic = Options.Mode == ExecutionMode.Deterministic;
        Attempt first;
        try
        {
            first = await CreateAttemptAsync(bounded: !deterministic).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _completion.TrySetException(AsJobError(null, e));
            return;
        }
        if (deterministic)
        {
            await RunDeterministicAttemptsAsync(first).ConfigureAwait(false);
        }
        else
        {
            StartParallel(first);
        }
    }

    private async Task StartParallelAttemptAsync()
    {
        try
        {
            StartParallel(await CreateAttemptAsync(bounded: true).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            _completion.TrySetException(AsJobError(null, e));
        }
    }

    private void StartParallel(Attempt attempt)
    {
        foreach (var task in attempt.Tasks)
        {
            var thread = new Thread(() => RunTask(attempt, task)) { IsBackground = true, Name = $"{task.Name} ({task.Subtask + 1})" };
            thread.Start();
        }
        attempt.Coordinator?.Start();
    }

    private void RunTask(Attempt attempt, StreamTask task)
    {
        try
        {
            task.Open();
            while (!task.Finished)
            {
                if (!task.Step())
                {
                    task.FlushOutputs();
                    task.Gate.WaitForWork();
                }
            }
        }
        catch (OperationCanceledException) when (attempt.Cancellation.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            attempt.Fail(AsJobError(task, e));
        }
        finally
        {
            if (task.Close() is { } closeError)
            {
                attempt.Fail(AsJobError(task, closeError));
            }
            if (Interlocked.Decrement(ref attempt.Running) == 0)
            {
                // The last task's thread only starts the end: the final checkpoint's store I/O runs on the pool.
                _ = EndAttemptAsync(attempt);
            }
        }
    }

    /// <summary>Runs deterministic attempts one after the other, each on a thread of its own, until one ends the job.</summary>
    private async Task RunDeterministicAttemptsAsync(Attempt first)
    {
        var attempt = first;
        while (true)
        {
            await RunDeterministicAsync(attempt).ConfigureAwait(false);
            if (!await EndAttemptAsync(attempt, restartInline: true).ConfigureAwait(false))
            {
                return;
            }
            try
            {
                attempt = await CreateAttemptAsync(bounded: false).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _completion.TrySetException(AsJobError(null, e));
                return;
            }
        }
    }

    /// <summary>Runs one deterministic attempt's scheduler on a dedicated thread; completes when it stopped.</summary>
    private Task RunDeterministicAsync(Attempt attempt)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var scheduler = new DeterministicScheduler(attempt.Tasks);
            _scheduler = scheduler;
            try
            {
                scheduler.Open();
                attempt.Coordinator?.Start();
                scheduler.RunToCompletion(attempt.Cancellation.Token);
            }
            catch (OperationCanceledException) when (attempt.Cancellation.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                attempt.Fail(AsJobError(null, e));
            }
            finally
            {
                if (scheduler.Close() is { } closeError)
                {
                    attempt.Fail(AsJobError(null, closeError));
                }
                done.SetResult();
            }
        })
        { IsBackground = true, Name = $"{JobName} (deterministic)" };
        thread.Start();
        return done.Task;
    }

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
            await CheckpointCoordinator.DeleteOrphanedSharedFilesAsync(store, _cancellation.Token).ConfigureAwait(false);
            var completed = await store.ListCompletedAsync(_cancellation.Token).ConfigureAwait(false);
            var incomplete = await store.ListIncompleteAsync(_cancellation.Token).ConfigureAwait(false);
            lastId = Math.Max(completed.Count > 0 ? completed[^1] : 0, incomplete.Count > 0 ? incomplete[^1] : 0);
            if (completed.Count > 0 && (checkpoints.RestoreOnStart || _restarts > 0))
            {
                restore = await RestoredCheckpoint.LoadAsync(store, completed[^1], _cancellation.Token).ConfigureAwait(false);
                CheckpointFaultPoints.Reach(CheckpointPhase.Restore, restore.CheckpointId);
                restore.Validate(_plan.Nodes.Select(n => n.Uid).ToList(), Options.KeyGroupCount, store.Location);
            }
        }
        if (_restoredCheckpointId < 0)
        {
            _restoredCheckpointId = restore?.CheckpointId ?? 0;
        }
        var committers = _plan.Nodes.Where(n => n.Factory.Committer is not null).ToDictionary(n => n.Uid, n => n.Factory.Committer!);
        foreach (var committer in committers.Values)
        {
            committer.AbortPending(restore?.CheckpointId ?? 0);
        }
        var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(_cancellation.Token);
        var tasks = TaskGraphBuilder.Build(_plan, bounded, attemptCancellation.Token, wake, restore);
        var attempt = new Attempt(tasks, attemptCancellation);
        if (checkpoints is not null)
        {
            var coordinator = new CheckpointCoordinator(checkpoints, JobName, Options.KeyGroupCount, tasks, lastId,
                uid => committers.TryGetValue(uid, out var c) ? c.Commit : null, e => attempt.Fail(e), Options.TimeProvider,
                attemptCancellation.Token);
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
                _completion.TrySetCanceled(_cancellation.Token);
            }
            else
            {
                _completion.TrySetResult(Result(attempt));
            }
            return false;
        }
        var strategy = Options.Restart;
        if (_cancellation.IsCancellationRequested || _restarts >= strategy.MaxAttempts)
        {
            _clock.Stop();
            _completion.TrySetException(failure);
            return false;
        }
        _restarts++;
        var delay = strategy.DelayBefore(_restarts);
        Options.Log?.Invoke($"Job '{JobName}' failed; restart {_restarts}/{strategy.MaxAttempts} in {delay.TotalMilliseconds:F0} ms from the last checkpoint. Cause: {failure.Message}");
        if (restartInline)
        {
            await WaitOnJobClockAsync(delay).ConfigureAwait(false);
            return !_cancellation.IsCancellationRequested || Cancelled();
        }
        Options.TimeProvider.CreateTimer(static s => _ = ((JobClient)s!).StartParallelAttemptAsync(), this, delay, Timeout.InfiniteTimeSpan);
        return false;
    }

    private bool Cancelled()
    {
        _completion.TrySetCanceled(_cancellation.Token);
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

    private JobExecutionException AsJobError(StreamTask? task, Exception error) => error as JobExecutionException
        ?? new JobExecutionException($"Job '{JobName}' failed in task {task?.ToString() ?? "(scheduler)"}: {error.Message}", task?.Name ?? "", task?.Subtask ?? -1, null, error);

    private JobResult Result(Attempt attempt)
    {
        long sources = 0, late = 0, waits = 0;
        foreach (var task in attempt.Tasks)
        {
            waits += task.Gate.BackpressureWaits;
            foreach (var op in task.Operators)
            {
                sources += op.SourceRecordCount;
                late += op.LateRecordCount;
            }
        }
        return new JobResult(JobName, _clock.Elapsed, sources, late, attempt.Tasks.Max(t => t.Gate.MaxQueuedRecordsPerChannel), waits,
            _checkpointsCompleted, _restarts, Math.Max(0, _restoredCheckpointId));
    }

    /// <summary>One run of the job's tasks, from a restore (or the start) to its end.</summary>
    private sealed class Attempt(List<StreamTask> tasks, CancellationTokenSource cancellation)
    {
        private readonly Lock _lock = new();

        public List<StreamTask> Tasks { get; } = tasks;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public CheckpointCoordinator? Coordinator { get; set; }

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
}
