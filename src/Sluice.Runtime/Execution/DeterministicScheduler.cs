using Sluice.Runtime.Tasks;

namespace Sluice.Runtime.Execution;

/// <summary>
/// Runs every task on one thread in a fixed order: each round, every source task polls once and every other task,
/// in topological order, drains its inputs and flushes. The same input and clock give the same output in the same
/// order. Channels are unbounded here; one round moves at most one source batch per source, so memory stays small.
/// </summary>
internal sealed class DeterministicScheduler(IReadOnlyList<StreamTask> tasks)
{
    // Never disposed: wake-ups may still arrive from timer and cancellation callbacks after the run ended, and a
    // SemaphoreSlim that never exposes its wait handle holds no unmanaged resource.
    private readonly SemaphoreSlim _signal = new(0);

    public IReadOnlyList<StreamTask> Tasks { get; } = tasks;

    public bool AllFinished
    {
        get
        {
            foreach (var task in Tasks)
            {
                if (!task.Finished)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>Wakes <see cref="RunToCompletion"/> (source data available, timer due). Any thread.</summary>
    public void Signal() => _signal.Release();

    public void Open()
    {
        foreach (var task in Tasks)
        {
            task.Open();
        }
    }

    /// <summary>One round over all tasks; true when any task did work.</summary>
    public bool RunRound()
    {
        var progress = false;
        foreach (var task in Tasks)
        {
            if (task.Finished)
            {
                continue;
            }
            if (task.IsSource)
            {
                progress |= task.Step();
            }
            else
            {
                while (!task.Finished && task.Step())
                {
                    progress = true;
                }
            }
            task.FlushOutputs();
        }
        return progress;
    }

    /// <summary>Runs rounds until nothing moves (every source waits and every channel is empty).</summary>
    public bool RunUntilIdle()
    {
        var any = false;
        while (RunRound())
        {
            any = true;
        }
        return any;
    }

    /// <summary>Runs until every task finished, sleeping on <see cref="Signal"/> when nothing can move.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public void RunToCompletion(CancellationToken cancellation)
    {
        while (!AllFinished)
        {
            cancellation.ThrowIfCancellationRequested();
            if (!RunRound() && !AllFinished)
            {
                _signal.Wait(cancellation);
            }
        }
    }

    /// <summary>Closes every task; returns the first close error.</summary>
    public Exception? Close()
    {
        Exception? first = null;
        foreach (var task in Tasks)
        {
            first ??= task.Close();
        }
        return first;
    }
}
