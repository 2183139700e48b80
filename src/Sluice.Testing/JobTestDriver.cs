using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Execution;
using Sluice.Runtime.Planning;
using Sluice.Runtime.Tasks;

namespace Sluice.Testing;

/// <summary>
/// Runs a whole job step by step on the calling thread, in the deterministic mode, with a virtual clock. Build the
/// job on <see cref="Environment"/> (inputs from <see cref="CreateInput{T}"/> or any bounded source), then push input,
/// move processing time with <see cref="AdvanceProcessingTime"/>, and read the sinks. Errors thrown by the job
/// surface from the driver's methods. <see cref="Snapshot"/> checkpoints the running job and
/// <see cref="InitializeState"/> starts a new driver from such a snapshot, as a restore after a failure would.
/// Not thread-safe.
/// </summary>
public sealed class JobTestDriver : IDisposable
{
    private const string RestoreLocation = "the test snapshot";

    private readonly SnapshotCollector _snapshots = new();
    private DeterministicScheduler? _scheduler;
    private JobPlan? _plan;
    private RestoredCheckpoint? _restore;
    private long _lastCheckpointId;
    private bool _collecting;
    private bool _disposed;

    /// <summary>Creates a driver whose environment uses <paramref name="options"/> with the deterministic mode and a virtual clock.</summary>
    /// <param name="options">Job options; <see cref="JobOptions.Mode"/> and <see cref="JobOptions.TimeProvider"/> are replaced.</param>
    /// <param name="start">The clock's start (default: the Unix epoch).</param>
    public JobTestDriver(JobOptions? options = null, DateTimeOffset? start = null)
    {
        Clock = new ManualTimeProvider(start);
        Environment = StreamEnvironment.Create((options ?? new JobOptions()) with { Mode = ExecutionMode.Deterministic, TimeProvider = Clock });
    }

    /// <summary>The environment to build the job on.</summary>
    public StreamEnvironment Environment { get; }

    /// <summary>The job's processing-time clock.</summary>
    public ManualTimeProvider Clock { get; }

    /// <summary>True once every task has finished (all inputs completed and drained).</summary>
    public bool IsFinished => _scheduler?.AllFinished ?? false;

    /// <summary>The physical plan (after <see cref="Start"/>).</summary>
    public string Plan { get; private set; } = "";

    /// <summary>A push-based input: records, watermarks and the end of input come from the test.</summary>
    public TestInput<T> CreateInput<T>(WatermarkStrategy<T>? watermarks = null, string name = "TestInput")
    {
        var input = new TestInput<T>();
        input.Stream = Environment.FromSource(input, watermarks, name);
        return input;
    }

    /// <summary>Plans and opens the job (restoring the state given to <see cref="InitializeState"/>). Called implicitly by the first run.</summary>
    /// <exception cref="InvalidOperationException">Already started, the job has no sinks, or the snapshot given to
    /// <see cref="InitializeState"/> does not fit the job.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_scheduler is not null)
        {
            throw new InvalidOperationException("The job was already started.");
        }
        var plan = JobPlanner.Plan(Environment);
        _restore?.Validate(plan.Nodes.Select(static n => n.Uid).ToList(), plan.Options.KeyGroupCount, RestoreLocation);
        Plan = plan.Description.ToText();
        var tasks = TaskGraphBuilder.Build(plan, bounded: false, CancellationToken.None, static () => { }, _restore);
        var scheduler = new DeterministicScheduler(tasks);
        try
        {
            scheduler.Open();
        }
        catch
        {
            // Operators opened before the failing one hold resources (a RocksDB state backend's directory).
            scheduler.Close();
            throw;
        }
        _plan = plan;
        _scheduler = scheduler;
    }

    /// <summary>
    /// Restores the job from <paramref name="snapshot"/> when it starts, like Flink's <c>initializeState</c>: call it
    /// after building the job and before it runs (before the first <see cref="RunUntilIdle"/>,
    /// <see cref="AdvanceProcessingTime"/>, … or <see cref="Start"/>).
    /// <list type="bullet">
    /// <item>Operators are matched by uid, as in a real restore: <c>Uid(...)</c> where set, otherwise the generated
    /// one (the operator's position in the plan and its name), which is the same whenever the same job is built the
    /// same way. Operators without state in the snapshot start empty.</item>
    /// <item>The job may have a different <see cref="JobOptions.Parallelism"/> than the snapshotted one: keyed state
    /// moves with its key groups to whichever subtask owns them now. <see cref="JobOptions.KeyGroupCount"/> must be
    /// the same.</item>
    /// <item>Replayable sources resume at their position and watermark; a <see cref="TestInput{T}"/> resumes its
    /// watermark and delivers only what is pushed into the new driver. Sinks start empty, and output staged by
    /// two-phase sinks at the snapshot is not committed again (the snapshot's driver committed it).</item>
    /// <item>The clock is moved forward to the snapshot's <see cref="TestSnapshot.ProcessingTime"/> if it is behind
    /// it; restored processing-time timers fire once the clock passes their time.</item>
    /// </list>
    /// A snapshot that does not fit the job (state for an operator uid the job lacks, another key-group count) fails
    /// <see cref="Start"/> with an <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <returns>This driver.</returns>
    /// <exception cref="InvalidOperationException">The job already started, or state was already initialized.</exception>
    public JobTestDriver InitializeState(TestSnapshot snapshot) => RestoreFrom(snapshot, validateNow: false);

    /// <summary>As <see cref="InitializeState"/>; with <paramref name="validateNow"/>, also checks the snapshot against the job as built so far.</summary>
    internal JobTestDriver RestoreFrom(TestSnapshot snapshot, bool validateNow)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_scheduler is not null)
        {
            throw new InvalidOperationException("InitializeState must be called before the job starts: this job is already running. Create a new driver, build the job, then initialize its state.");
        }
        if (_restore is not null)
        {
            throw new InvalidOperationException("The job's state was already initialized from a snapshot; a job restores from one snapshot only.");
        }
        var restore = snapshot.ToRestoredCheckpoint();
        if (validateNow)
        {
            restore.Validate(JobPlanner.Plan(Environment).Nodes.Select(static n => n.Uid).ToList(), Environment.Options.KeyGroupCount, RestoreLocation);
        }
        _restore = restore;
        _lastCheckpointId = snapshot.CheckpointId;
        if (Clock.GetUtcNow() < snapshot.ProcessingTime)
        {
            Clock.SetUtcNow(snapshot.ProcessingTime);
        }
        return this;
    }

    /// <summary>
    /// Takes a checkpoint of the running job and returns it, like Flink's <c>snapshot()</c>; the job keeps running.
    /// <list type="bullet">
    /// <item>First everything pushed so far is processed (<see cref="RunUntilIdle"/>), so the snapshot lies after
    /// every record and watermark already pushed and before any pushed later. Processing time does not move.</item>
    /// <item>Then the checkpoint runs as in the runtime: each open source emits a barrier between two polls, every
    /// task aligns its inputs on it and snapshots each operator (<c>SnapshotState</c>); tasks already finished
    /// contribute their final snapshot (none if they finished before the driver's first snapshot). Each operator
    /// subtask's state is encoded as a checkpoint stores it.</item>
    /// <item>The checkpoint then counts as completed: output staged by two-phase sinks is committed and the
    /// operators are notified (<c>NotifyCheckpointComplete</c>) before this method returns.</item>
    /// </list>
    /// Starts the job if it has not started.
    /// </summary>
    /// <returns>An immutable snapshot to pass to <see cref="InitializeState"/> of a new driver.</returns>
    /// <exception cref="InvalidOperationException">The job has finished (every input was completed): snapshot before the end of input.</exception>
    /// <exception cref="JobExecutionException">An operator failed while processing or snapshotting.</exception>
    public TestSnapshot Snapshot()
    {
        EnsureStarted();
        var scheduler = _scheduler!;
        scheduler.RunUntilIdle();
        if (scheduler.AllFinished)
        {
            throw new InvalidOperationException("The job has finished, so there is no running job to snapshot: take snapshots before the end of input (Finish, RunToCompletion, Complete on every input).");
        }
        if (!_collecting)
        {
            // From the first snapshot on, tasks report to the collector as to a checkpoint coordinator: a task that
            // finishes leaves a final snapshot standing in for it. (Not before: a driver that never snapshots never
            // serializes state.) A task that finished before that contributes no state.
            _collecting = true;
            foreach (var task in scheduler.Tasks)
            {
                if (task.Finished)
                {
                    _snapshots.Finished(task, []);
                }
                else
                {
                    task.Checkpoints = _snapshots;
                }
            }
        }
        var id = ++_lastCheckpointId;
        _snapshots.Begin(id);
        foreach (var task in scheduler.Tasks)
        {
            if (task.IsSource && !task.Finished)
            {
                task.TriggerCheckpoint(id);
            }
        }
        scheduler.RunUntilIdle();
        var snapshots = _snapshots.Complete(scheduler.Tasks);
        var snapshot = new TestSnapshot(id, Environment.Options.KeyGroupCount, Clock.GetUtcNow(), snapshots);
        // Complete the checkpoint as the coordinator does once it is durable: commit staged output, then notify.
        foreach (var operatorSnapshot in snapshots)
        {
            if (operatorSnapshot.Committable is { Length: > 0 } committable
                && _plan!.Nodes.FirstOrDefault(n => n.Uid == operatorSnapshot.Uid)?.Factory.Committer is { } committer)
            {
                committer.Commit(id, operatorSnapshot.Subtask, committable);
            }
        }
        foreach (var task in scheduler.Tasks)
        {
            if (!task.Finished)
            {
                task.PostCheckpointComplete(id);
            }
        }
        scheduler.RunUntilIdle();
        return snapshot;
    }

    /// <summary>Processes everything that can be processed now (pushed input, due timers); returns when nothing moves.</summary>
    public void RunUntilIdle()
    {
        EnsureStarted();
        _scheduler!.RunUntilIdle();
    }

    /// <summary>
    /// Moves processing time forward, stopping at each timer's due time on the way so operators observe every timer
    /// at its own time, and runs until idle at each stop.
    /// </summary>
    public void AdvanceProcessingTime(TimeSpan delta)
    {
        EnsureStarted();
        var target = Clock.GetUtcNow() + delta;
        _scheduler!.RunUntilIdle();
        while (Clock.NextTimerDue is { } due && due <= target)
        {
            Clock.SetUtcNow(due);
            _scheduler.RunUntilIdle();
        }
        Clock.SetUtcNow(target);
        _scheduler.RunUntilIdle();
    }

    /// <summary>Runs until every task finished; all inputs must have been completed.</summary>
    /// <exception cref="InvalidOperationException">An input was not completed, so the job cannot finish.</exception>
    public void RunToCompletion()
    {
        EnsureStarted();
        _scheduler!.RunUntilIdle();
        if (!_scheduler.AllFinished)
        {
            var waiting = string.Join(", ", _scheduler.Tasks.Where(t => !t.Finished && t.IsSource).Select(t => t.Name));
            throw new InvalidOperationException($"The job cannot finish: sources still open ({waiting}). Call Complete() on every test input.");
        }
    }

    /// <summary>Records the job's windows classified as late so far (side output or counted as dropped).</summary>
    public long LateRecords => Tasks.Sum(t => t.Operators.Sum(o => o.LateRecordCount));

    /// <summary>Live keyed-state entries and timers of every keyed operator (for state-size assertions).</summary>
    public (int StateEntries, int Timers) KeyedStateSize()
    {
        EnsureStarted();
        var entries = 0;
        var timers = 0;
        foreach (var task in _scheduler!.Tasks)
        {
            foreach (var op in task.Operators)
            {
                if (op is Runtime.Operators.IKeyedStateInspection keyed)
                {
                    entries += keyed.StateEntryCount;
                    timers += keyed.TimerCount;
                }
            }
        }
        return (entries, timers);
    }

    private void EnsureStarted()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_scheduler is null)
        {
            Start();
        }
    }

    /// <summary>Closes every operator.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_scheduler?.Close() is { } error)
        {
            throw new JobExecutionException("Closing the job failed.", error);
        }
    }

    internal IReadOnlyList<StreamTask> Tasks => _scheduler?.Tasks ?? [];
}
