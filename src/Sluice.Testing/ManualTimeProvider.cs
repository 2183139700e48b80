namespace Sluice.Testing;

/// <summary>
/// A virtual clock: time moves only when <see cref="Advance"/> or <see cref="SetUtcNow"/> is called, and timers
/// created from it fire synchronously, in due-time order, on the thread that moves the clock. Thread-safe. Give it to
/// <see cref="JobOptions.TimeProvider"/> and processing-time windows, timers, TTL and idleness become deterministic.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;

    /// <summary>Creates a clock at <paramref name="start"/> (default: the Unix epoch).</summary>
    public ManualTimeProvider(DateTimeOffset? start = null) => _now = start ?? DateTimeOffset.UnixEpoch;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>The earliest due time of a pending timer, or null.</summary>
    public DateTimeOffset? NextTimerDue
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count == 0 ? null : _timers.Min(t => t.DueAt);
            }
        }
    }

    /// <summary>Current time in ms since the epoch.</summary>
    public long NowMs => GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way, in order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        SetUtcNow(GetUtcNow() + delta);
    }

    /// <summary>Moves the clock to <paramref name="time"/> (never backwards), firing due timers in order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="time"/> is before the current time.</exception>
    public void SetUtcNow(DateTimeOffset time)
    {
        while (true)
        {
            ManualTimer? due = null;
            lock (_lock)
            {
                if (time < _now)
                {
                    throw new ArgumentOutOfRangeException(nameof(time), time, $"The clock cannot go back from {_now:O}.");
                }
                foreach (var timer in _timers)
                {
                    if (timer.DueAt <= time && (due is null || timer.DueAt < due.DueAt))
                    {
                        due = timer;
                    }
                }
                if (due is null)
                {
                    _now = time;
                    return;
                }
                _now = due.DueAt;
                if (due.Period > TimeSpan.Zero)
                {
                    due.DueAt += due.Period;
                }
                else
                {
                    _timers.Remove(due);
                }
            }
            due.Fire();
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt;
        public TimeSpan Period;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }
                DueAt = owner._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                owner._timers.Add(this);
                return true;
            }
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
