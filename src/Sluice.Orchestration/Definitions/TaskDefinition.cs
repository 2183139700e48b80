namespace Sluice.Orchestration.Definitions;

/// <summary>
/// One task of a DAG: what it does (<see cref="Action"/>), what it waits for (<see cref="DependsOn"/>) and its
/// controls (retries with exponential backoff, timeout). Immutable.
/// </summary>
public sealed record TaskDefinition
{
    /// <summary>The task's id, unique in its DAG (letters, digits, <c>_</c>, <c>-</c>, <c>.</c>).</summary>
    public required string Id { get; init; }

    /// <summary>What the task does.</summary>
    public required TaskAction Action { get; init; }

    /// <summary>Tasks of the same DAG that must succeed first; if one fails, this task is <c>upstream_failed</c>.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Retries and timeout.</summary>
    public TaskControls Controls { get; init; } = TaskControls.Default;

    /// <summary>The 1-based line of the task in its YAML file, or 0 for a task built in code.</summary>
    public int Line { get; init; }
}

/// <summary>
/// Retries with exponential backoff and a timeout. The delay before retry <c>n</c> (1-based) is
/// <c>min(RetryDelay × BackoffFactor^(n−1), MaxRetryDelay)</c>.
/// </summary>
public sealed record TaskControls
{
    /// <summary>No retries, 10 s base delay, factor 2, at most 1 h, no timeout.</summary>
    public static TaskControls Default { get; } = new();

    /// <summary>Retries after the first attempt fails (≥ 0); a task runs at most <c>Retries + 1</c> attempts.</summary>
    public int Retries { get; init; }

    /// <summary>The delay before the first retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Each further retry waits this many times longer (≥ 1).</summary>
    public double BackoffFactor { get; init; } = 2;

    /// <summary>The longest delay between attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// An attempt running longer is cancelled (a process is killed) and fails; for a sensor, the time from its first
    /// poke after which it fails. Null: no limit (a sensor then pokes for 7 days).
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The delay before retry <paramref name="retry"/> (1-based).</summary>
    public TimeSpan DelayBeforeRetry(int retry)
    {
        // No delay stays none, also for an infinite factor (0 × ∞ would be NaN).
        if (RetryDelay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }
        var seconds = RetryDelay.TotalSeconds * Math.Pow(BackoffFactor, Math.Max(0, retry - 1));
        return seconds >= MaxRetryDelay.TotalSeconds ? MaxRetryDelay : TimeSpan.FromSeconds(seconds);
    }
}
