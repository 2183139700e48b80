namespace Sluice.Checkpoints;

/// <summary>
/// How a failed job restarts: every restart restores the last completed checkpoint (or starts over without
/// checkpoints) after a delay on the job's clock. The failure's cause is reported on each restart.
/// </summary>
public sealed record RestartStrategy
{
    private RestartStrategy(int maxAttempts, TimeSpan initialDelay, TimeSpan maxDelay, double multiplier)
    {
        MaxAttempts = maxAttempts;
        InitialDelay = initialDelay;
        MaxDelay = maxDelay;
        Multiplier = multiplier;
    }

    /// <summary>Never restart: the first failure fails the job.</summary>
    public static RestartStrategy None { get; } = new(0, TimeSpan.Zero, TimeSpan.Zero, 1);

    /// <summary>Restarts up to <paramref name="maxAttempts"/> times, waiting <paramref name="delay"/> before each.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative attempts or delay.</exception>
    public static RestartStrategy FixedDelay(int maxAttempts, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxAttempts);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new(maxAttempts, delay, delay, 1);
    }

    /// <summary>Restarts up to <paramref name="maxAttempts"/> times; the delay starts at <paramref name="initial"/> and doubles up to <paramref name="max"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative attempts, non-positive initial delay, or max below initial.</exception>
    public static RestartStrategy ExponentialBackoff(int maxAttempts, TimeSpan initial, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxAttempts);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        return new(maxAttempts, initial, max, 2);
    }

    /// <summary>Restarts allowed before the job fails.</summary>
    public int MaxAttempts { get; }

    /// <summary>Delay before the first restart.</summary>
    public TimeSpan InitialDelay { get; }

    /// <summary>Largest delay.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Factor applied to the delay after each restart.</summary>
    public double Multiplier { get; }

    /// <summary>The delay before restart number <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        var delay = InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, Math.Max(0, attempt - 1));
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaxDelay.TotalMilliseconds));
    }
}
