using Sluice.Runtime.Execution;
using Sluice.Runtime.Planning;
using Sluice.Runtime.Tasks;

namespace Sluice.Testing;

/// <summary>
/// Runs a whole job step by step on the calling thread, in the deterministic mode, with a virtual clock. Build the
/// job on <see cref="Environment"/> (inputs from <see cref="CreateInput{T}"/> or any bounded source), then push input,
/// move processing time with <see cref="AdvanceProcessingTime"/>, and read the sinks. Errors thrown by the job
/// surface from the driver's methods. Not thread-safe.
/// </summary>
public sealed class JobTestDriver : IDisposable
{
    private DeterministicScheduler? _scheduler;
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

    /// <summary>Plans and opens the job. Called implicitly by the first run.</summary>
    /// <exception cref="InvalidOperationException">Already started, or the job has no sinks.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_scheduler is not null)
        {
            throw new InvalidOperationException("The job was already started.");
        }
        var plan = JobPlanner.Plan(Environment);
        Plan = plan.Describe();
        var tasks = TaskGraphBuilder.Build(plan, bounded: false, CancellationToken.None, static () => { });
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
        _scheduler = scheduler;
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
