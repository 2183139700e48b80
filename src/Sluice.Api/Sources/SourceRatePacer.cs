namespace Sluice.Sources;

/// <summary>
/// Paces one source reader at a fixed rate on the job's <see cref="TimeProvider"/> (so a virtual clock drives it in
/// tests): record <c>k</c> of the reader (from 0) is due at <c>start + k / rate</c>, the first at once. A reader asks
/// <see cref="DueBy"/> how many records it may have emitted by now, emits up to that, and otherwise calls
/// <see cref="WakeWhenDue"/> and returns <see cref="SourceStatus.NothingAvailable"/>. Used on the reader's thread only;
/// the wake-up timer's callback only signals the reader.
/// </summary>
public sealed class SourceRatePacer : IDisposable
{
    private readonly SourceReaderContext _context;
    private readonly double _perMs;
    private readonly long _startMs;
    private ITimer? _wakeup;

    /// <summary>Creates a pacer starting now.</summary>
    /// <param name="recordsPerSecond">This reader's rate (a parallel source divides its total by the parallelism); positive.</param>
    /// <param name="context">The reader's context: its clock and wake-up signal.</param>
    /// <param name="emitted">
    /// Records the reader emitted before (restored from a checkpoint): the pacing continues as if the last of them had
    /// just been emitted, so the next ones come at the same intervals as in the run that checkpointed.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not a positive finite number, or <paramref name="emitted"/> is negative.</exception>
    public SourceRatePacer(double recordsPerSecond, SourceReaderContext context, long emitted = 0)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!(recordsPerSecond > 0) || double.IsInfinity(recordsPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(recordsPerSecond), recordsPerSecond, "The rate must be a positive number of records per second.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(emitted);
        _context = context;
        _perMs = recordsPerSecond / 1000.0;
        _startMs = NowMs - (long)(Math.Max(0, emitted - 1) / _perMs);
    }

    /// <summary>The clock's time, ms since the epoch.</summary>
    public long NowMs => _context.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>How many records (counting from the first ever, restored ones included) are due by <paramref name="nowMs"/>.</summary>
    public long DueBy(long nowMs) => (long)((nowMs - _startMs) * _perMs) + 1;

    /// <summary>When record number <paramref name="record"/> (from the first ever) is due, ms since the epoch, rounded down.</summary>
    public long DueAtMs(long record) => _startMs + (long)(record / _perMs);

    /// <summary>Arms a one-shot timer that signals the reader when record number <paramref name="emitted"/> falls due.</summary>
    public void WakeWhenDue(long emitted, long nowMs)
    {
        var dueMs = _startMs + (long)Math.Ceiling(emitted / _perMs); // rounded up: never wake before it is due
        var delay = TimeSpan.FromMilliseconds(Math.Max(1, dueMs - nowMs));
        _wakeup?.Dispose();
        _wakeup = _context.TimeProvider.CreateTimer(static s => ((Action)s!)(), _context.SignalAvailable, delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancels the pending wake-up.</summary>
    public void Dispose() => _wakeup?.Dispose();
}
