using System.Diagnostics;
using Sluice.Runtime.Execution;
using Sluice.Runtime.Planning;
using Sluice.Runtime.Tasks;

namespace Sluice;

/// <summary>
/// A running job. <see cref="Completion"/> ends when every task finished: with the <see cref="JobResult"/>, with a
/// <see cref="JobExecutionException"/> naming the failing operator, subtask and record, or cancelled. Thread-safe.
/// </summary>
public sealed class JobClient
{
    private readonly JobPlan _plan;
    private readonly List<StreamTask> _tasks;
    private readonly CancellationTokenSource _cancellation;
    private readonly TaskCompletionSource<JobResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private Exception? _failure;
    private int _running;

    internal JobClient(JobPlan plan, List<StreamTask> tasks, CancellationTokenSource cancellation)
    {
        _plan = plan;
        _tasks = tasks;
        _cancellation = cancellation;
        foreach (var task in tasks)
        {
            task.Gate.ProducerBlocked += channel => ProducerBlocked?.Invoke(channel.Upstream);
        }
        cancellation.Token.Register(() =>
        {
            foreach (var task in _tasks)
            {
                task.Gate.WakeUp();
            }
        });
    }

    /// <summary>The job's name.</summary>
    public string JobName => _plan.Options.JobName;

    /// <summary>Completes when the job ends (see the type's remarks).</summary>
    public Task<JobResult> Completion => _completion.Task;

    /// <summary>The physical plan: tasks (chains) with their parallelism and the exchanges between them.</summary>
    public string Plan => _plan.Describe();

    /// <summary>Raised on a producer's thread each time it finds a full channel and starts waiting (backpressure); the argument names the producer.</summary>
    public event Action<string>? ProducerBlocked;

    /// <summary>The most records queued in one channel so far.</summary>
    public int MaxQueuedRecordsPerChannel => _tasks.Max(t => t.Gate.MaxQueuedRecordsPerChannel);

    /// <summary>
    /// Ends every source's input now; in-flight records still reach the sinks. With <paramref name="drain"/> the final
    /// watermark fires every pending window and timer (like the end of bounded input); without, they stay pending.
    /// </summary>
    public void Stop(bool drain = true)
    {
        foreach (var task in _tasks)
        {
            if (task.IsSource)
            {
                task.RequestStop(drain);
            }
        }
    }

    /// <summary>Cancels the job at once; <see cref="Completion"/> ends cancelled.</summary>
    public void Cancel() => _cancellation.Cancel();

    internal void RunParallel()
    {
        _running = _tasks.Count;
        foreach (var task in _tasks)
        {
            var thread = new Thread(() => RunTask(task)) { IsBackground = true, Name = $"{task.Name} ({task.Subtask + 1})" };
            thread.Start();
        }
    }

    private void RunTask(StreamTask task)
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
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail(task, e);
        }
        finally
        {
            if (task.Close() is { } closeError)
            {
                Fail(task, closeError);
            }
            if (Interlocked.Decrement(ref _running) == 0)
            {
                Complete();
            }
        }
    }

    internal void RunDeterministic(DeterministicScheduler scheduler)
    {
        var thread = new Thread(() =>
        {
            try
            {
                scheduler.Open();
                scheduler.RunToCompletion(_cancellation.Token);
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Fail(null, e);
            }
            finally
            {
                if (scheduler.Close() is { } closeError)
                {
                    Fail(null, closeError);
                }
                Complete();
            }
        })
        { IsBackground = true, Name = $"{JobName} (deterministic)" };
        thread.Start();
    }

    internal void Fail(StreamTask? task, Exception error)
    {
        lock (_lock)
        {
            _failure ??= error is JobExecutionException
                ? error
                : new JobExecutionException($"Job '{JobName}' failed in task {task?.ToString() ?? "(scheduler)"}: {error.Message}", task?.Name ?? "", task?.Subtask ?? -1, null, error);
        }
        _cancellation.Cancel();
    }

    internal void Complete()
    {
        _clock.Stop();
        if (_failure is not null)
        {
            _completion.TrySetException(_failure);
        }
        else if (_cancellation.IsCancellationRequested)
        {
            _completion.TrySetCanceled(_cancellation.Token);
        }
        else
        {
            _completion.TrySetResult(Result());
        }
    }

    internal JobResult Result()
    {
        long sources = 0, late = 0, waits = 0;
        foreach (var task in _tasks)
        {
            waits += task.Gate.BackpressureWaits;
            foreach (var op in task.Operators)
            {
                sources += op.SourceRecordCount;
                late += op.LateRecordCount;
            }
        }
        return new JobResult(JobName, _clock.Elapsed, sources, late, MaxQueuedRecordsPerChannel, waits);
    }
}
