using Sluice.Runtime.Operators;

namespace Sluice.Runtime.Tasks;

/// <summary>
/// Processing-time wake-ups of one task. Operators ask to be called at a time; the service keeps one
/// <see cref="ITimer"/> from the job's <see cref="TimeProvider"/> armed for the earliest request, whose callback
/// only wakes the task — the operator callbacks run on the task thread in <see cref="FireDue"/>. With a virtual clock,
/// advancing the clock fires the wake-up, so tests never sleep.
/// </summary>
/// <remarks>
/// Within a task step (<see cref="BeginStep"/> … <see cref="EndStep"/>) the processing time is one reading of the clock,
/// <see cref="StepNow"/>, taken at its first use: the wake-ups the step fires and the records it processes see the same
/// time, so no processing-time timer fires ahead of a record handled after it in the same step.
/// </remarks>
internal sealed class ProcessingTimeService(TimeProvider time, Action wake) : IDisposable
{
    private long[] _due = [];
    private ITimer? _timer;
    private long _armedFor = long.MaxValue;
    private int _wokenUp; // 1 once the armed timer went off, until FireDue arms again (set on the timer's thread)
    private const long MaxDelayMs = uint.MaxValue - 1; // the longest due time an ITimer takes
    private readonly System.Collections.Concurrent.ConcurrentQueue<int> _wakeUps = new(); // chain indexes, any thread

    private const long Unread = long.MinValue;
    private long _stepTime = Unread;
    private bool _inStep;

    /// <summary>The clock, read now.</summary>
    public long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The processing time of the task's current step: the clock read at the first use in the step, the same for the
    /// rest of it. Outside a step (an operator driven directly), the clock read now. Task thread only.
    /// </summary>
    public long StepNow
    {
        get
        {
            if (_stepTime != Unread)
            {
                return _stepTime;
            }
            var now = Now;
            if (_inStep)
            {
                _stepTime = now;
            }
            return now;
        }
    }

    /// <summary>A task step starts: <see cref="StepNow"/> reads the clock at its next use and keeps that reading until <see cref="EndStep"/>.</summary>
    public void BeginStep()
    {
        _inStep = true;
        _stepTime = Unread;
    }

    /// <summary>The step ended (also by an exception): <see cref="StepNow"/> reads the clock again.</summary>
    public void EndStep()
    {
        _inStep = false;
        _stepTime = Unread;
    }

    /// <summary>The earliest pending request, or <see cref="long.MaxValue"/>.</summary>
    public long NextDue
    {
        get
        {
            var min = long.MaxValue;
            foreach (var due in _due)
            {
                min = Math.Min(min, due);
            }
            return min;
        }
    }

    /// <summary>Asks for a call to operator <paramref name="chainIndex"/> at <paramref name="at"/> (keeps the earliest request). Task thread only.</summary>
    public void Request(int chainIndex, long at)
    {
        if (chainIndex >= _due.Length)
        {
            var grown = new long[chainIndex + 1];
            Array.Fill(grown, long.MaxValue);
            _due.CopyTo(grown, 0);
            _due = grown;
        }
        if (at < _due[chainIndex])
        {
            _due[chainIndex] = at;
        }
        Arm();
    }

    /// <summary>
    /// Any thread: asks for a call to operator <paramref name="chainIndex"/> at the task's next step, and wakes the
    /// task (an async operator's completed requests). Each request is one call; the caller avoids flooding.
    /// </summary>
    public void RequestFromAnyThread(int chainIndex)
    {
        _wakeUps.Enqueue(chainIndex);
        wake();
    }

    /// <summary>Calls every operator whose requested time has come; they re-request as needed. Task thread only.</summary>
    /// <returns>True when any operator was called.</returns>
    public bool FireDue(IReadOnlyList<StreamOperator> chain)
    {
        var fired = false;
        while (_wakeUps.TryDequeue(out var woken))
        {
            fired = true;
            chain[woken].OnProcessingTime(StepNow);
        }
        if (_due.Length == 0)
        {
            return fired;
        }
        var now = StepNow;
        for (var i = 0; i < _due.Length; i++)
        {
            if (_due[i] <= now)
            {
                _due[i] = long.MaxValue;
                fired = true;
                chain[i].OnProcessingTime(now);
            }
        }
        // Once the armed wake-up went off it is spent, even when this step found nothing due (the step read the clock
        // just before the wake-up's time): arm again for what is pending, or nothing would call the task back for it.
        var spent = Interlocked.Exchange(ref _wokenUp, 0) == 1;
        if (fired || spent)
        {
            _armedFor = long.MaxValue;
            Arm();
        }
        return fired;
    }

    /// <summary>The armed timer's callback (any thread): marks the wake-up spent and wakes the task.</summary>
    private void OnWakeUp()
    {
        Volatile.Write(ref _wokenUp, 1);
        wake();
    }

    private void Arm()
    {
        var next = NextDue;
        if (next == long.MaxValue || next >= _armedFor)
        {
            return;
        }
        _armedFor = next;
        // A timer cannot be set further ahead than MaxDelayMs: one for later goes off then, spent, and is armed again.
        var delay = TimeSpan.FromMilliseconds(Math.Clamp(next - Now, 0, MaxDelayMs));
        if (_timer is null)
        {
            _timer = time.CreateTimer(static s => ((ProcessingTimeService)s!).OnWakeUp(), this, delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose() => _timer?.Dispose();
}
