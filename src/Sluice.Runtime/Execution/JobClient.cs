using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Execution;
using Sluice.Runtime.Planning;
using Sluice.Runtime.Tasks;

namespace Sluice;

/// <summary>
/// A running job. <see cref="Completion"/> ends when every task finished: with the <see cref="JobResult"/>, with a
/// <see cref="JobExecutionException"/> naming the failing operator, subtask and record, or cancelled. With checkpoints,
/// each attempt restores the latest completed checkpoint, and a failure restarts the job per
/// <see cref="JobOptions.Restart"/>. <see cref="Status"/> follows the job's life (<see cref="JobStatus"/>) and
/// <see cref="StatusChanged"/> reports each transition. Logs through <see cref="JobOptions.LoggerFactory"/>.
/// Thread-safe.
/// </summary>
public sealed partial class JobClient
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
    private readonly ILogger _logger;
    private readonly ILogger _checkpointLogger;
    private Activity? _activity; // SluiceTracing.JobActivity, from Run to the terminal status; null when nobody listens

    private static readonly System.Diagnostics.Metrics.Counter<long> s_restarts = SluiceMetrics.Meter.CreateCounter<long>("sluice.job.restarts", "{restart}",
        "Restarts of a job after a failed attempt (per its restart strategy).");

    /// <summary>How long a busy task keeps partial output batches before it sends them anyway: 10 ms, in Stopwatch ticks.</summary>
    private static readonly long s_busyFlushTicks = Stopwatch.Frequency / 100;

    internal JobClient(JobPlan plan, CancellationTokenSource cancellation, JobId id)
    {
        _plan = plan;
        _cancellation = cancellation;
        Id = id;
        _logger = plan.Options.LoggerFactory.CreateLogger(JobLog.Category);
        _checkpointLogger = plan.Options.LoggerFactory.CreateLogger(CheckpointLog.Category);
    }

    private JobOptions Options => _plan.Options;

    /// <summary>The job's name.</summary>
    public string JobName => Options.JobName;

    /// <summary>The id of this run of the job, assigned when it was submitted; named by its logs and metrics (<c>job.id</c>).</summary>
    public JobId Id { get; }

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

    /// <summary>
    /// Raised after each checkpoint completes, just before <see cref="CheckpointCompleted"/>, with its trigger time,
    /// duration and size (for a server's checkpoint history). On the thread completing the checkpoint; handlers must
    /// return quickly.
    /// </summary>
    public event Action<CheckpointStatistics>? CheckpointStatisticsCompleted;

    /// <summary>The most records queued in one channel so far (current attempt).</summary>
    public int MaxQueuedRecordsPerChannel => Volatile.Read(ref _attempt)?.Tasks.Max(t => t.Gate.MaxQueuedRecordsPerChannel) ?? 0;

    /// <summary>The tasks of the current attempt (empty before the first); any thread, for the runtime's instruments.</summary>
    internal IReadOnlyList<StreamTask> CurrentTasks => Volatile.Read(ref _attempt)?.Tasks ?? [];

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
    /// Where each task's time went (busy, backpressured, idle) in the current attempt, one entry per task subtask in
    /// plan order; empty before the first attempt starts and in deterministic mode, where time is not measured. Any thread.
    /// </summary>
    public IReadOnlyList<TaskTimes> GetTaskTimes()
    {
        var times = new List<TaskTimes>();
        foreach (var task in CurrentTasks)
        {
            var (busy, backpressured, idle) = task.TimeTicks();
            if (busy + backpressured + idle != 0)
            {
                var operators = new string[task.Operators.Count];
                for (var i = 0; i < operators.Length; i++)
                {
                    operators[i] = task.Operators[operators.Length - 1 - i].Uid; // Operators are listed downstream first.
                }
                times.Add(new TaskTimes(task.Name, task.Subtask, operators, Stopwatch.GetElapsedTime(0, busy), Stopwatch.GetElapsedTime(0, backpressured), Stopwatch.GetElapsedTime(0, idle)));
            }
        }
        return times;
    }

    /// <summary>
    /// Ends every source's input now (also in attempts started later by a restart); in-flight records still reach the
    /// sinks. With <paramref name="drain"/> the final watermark fires every pending window and timer (like the end of
    /// bounded input); without, they stay pending. Returns at once; <see cref="Completion"/> ends when the job has
    /// finished (see <see cref="StopAsync"/>). Any thread.
    /// </summary>
    /// <remarks>With checkpointing on, the job then ends <see cref="JobStatus.Suspended"/> (its final checkpoint is the resume point), else <see cref="JobStatus.Finished"/>.</remarks>
    public void Stop(bool drain = true)
    {
        Attempt? attempt;
        lock (_lock)
        {
            _stopRequest = drain ? 2 : 1;
            attempt = _attempt;
        }
        JobLog.Stopping(_logger, JobName, Id, drain);
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

    /// <summary>
    /// Cancels the job at once: <see cref="Status"/> goes to <see cref="JobStatus.Cancelling"/> (unless the job already
    /// ended) and then <see cref="JobStatus.Cancelled"/>; <see cref="Completion"/> ends cancelled. Any thread.
    /// </summary>
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
            var copied = await Checkpoints.Savepoints.CopyAsync(store, new Checkpoints.LocalCheckpointStore(directory), id, cancellationToken).ConfigureAwait(false);
            JobLog.SavepointTaken(_logger, JobName, Id, copied, directory);
            return copied;
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
    internal void Run()
    {
        // Registered only now, so that a cancellation before the start is reported to handlers added in beforeRun.
        _cancellation.Token.Register(static s => ((JobClient)s!).OnCancellationRequested(), this);
        OperatorInstruments.Track(this);
        StartJobActivity();
        _ = RunAsync();
    }

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
            EndBeforeAttempt(e);
            return;
        }
        AttemptStarted(first);
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
        if (_cancellation.IsCancellationRequested)
        {
            // Cancelled while the restart waited out its delay: no attempt to build.
            _clock.Stop();
            EndCancelled();
            return;
        }
        Attempt attempt;
        try
        {
            attempt = await CreateAttemptAsync(bounded: true).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            EndBeforeAttempt(e);
            return;
        }
        AttemptStarted(attempt);
        StartParallel(attempt);
    }

    /// <summary>An attempt could not be built (restore, store or planning error): the job fails — or ends cancelled when that is why.</summary>
    private void EndBeforeAttempt(Exception error)
    {
        _clock.Stop();
        if (_cancellation.IsCancellationRequested)
        {
            EndCancelled();
        }
        else
        {
            EndFailed(AsJobError(null, error));
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
            task.MarkStarted();
            task.Open();
            var flushAt = Stopwatch.GetTimestamp() + s_busyFlushTicks;
            while (!task.Finished)
            {
                if (!task.Step())
                {
                    task.FlushOutputs();
                    task.WaitForWork();
                    flushAt = Stopwatch.GetTimestamp() + s_busyFlushTicks;
                }
                else if (Stopwatch.GetTimestamp() >= flushAt)
                {
                    // A task that always has work never reaches the flush above: its thin outputs (and the watermarks
                    // in their batches) would wait for a full batch. Like Flink's buffer timeout.
                    task.FlushOutputs();
                    flushAt = Stopwatch.GetTimestamp() + s_busyFlushTicks;
                }
            }
        }
        catch (Exception e) when (attempt.Cancellation.IsCancellationRequested && CausedByCancellation(e))
        {
            // Also when an operator wrapped it: cancelled while blocked on a full channel inside a source's poll or a
            // user function's collect, the cancellation surfaces as that operator's failure.
        }
        catch (Exception e)
        {
            attempt.Fail(AsJobError(task, e));
        }
        finally
        {
            task.MarkEnded();
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
                EndBeforeAttempt(e);
                return;
            }
            AttemptStarted(attempt);
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
            catch (Exception e) when (attempt.Cancellation.IsCancellationRequested && CausedByCancellation(e))
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

    private static bool CausedByCancellation(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException)
            {
                return true;
            }
        }
        return false;
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
}
