namespace Sluice.Examples;

/// <summary>
/// Paces records to a rate for demos and the kill harness: a timer adds permits every 100 ms (a bucket of at most one
/// tick's worth, so no burst builds up while nothing flows) and <see cref="Wait"/> takes one, blocking the calling task
/// until the clock grants it. Thread-safe; dispose to stop the timer.
/// </summary>
public sealed class RecordPacer : IDisposable
{
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(100);
    private readonly SemaphoreSlim _permits;
    private readonly int _perTick;
    private readonly Timer _timer;

    /// <summary>Creates a pacer for <paramref name="recordsPerSecond"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not positive.</exception>
    public RecordPacer(double recordsPerSecond)
    {
        if (!(recordsPerSecond > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(recordsPerSecond), recordsPerSecond, "The rate must be positive.");
        }
        _perTick = Math.Max(1, (int)Math.Round(recordsPerSecond * s_tick.TotalSeconds));
        _permits = new SemaphoreSlim(0, _perTick);
        _timer = new Timer(static s => ((RecordPacer)s!).Refill(), this, s_tick, s_tick);
    }

    /// <summary>Blocks until the rate allows one more record.</summary>
    public void Wait() => _permits.Wait();

    private void Refill()
    {
        var missing = _perTick - _permits.CurrentCount;
        if (missing > 0)
        {
            _permits.Release(missing);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();
}
