namespace Sluice.Log;

/// <summary>How appends reach stable storage. Every policy writes each batch to the operating system before the
/// append returns, so a crash of the process alone (kill -9) never loses an acknowledged append; the policies differ
/// in what an operating-system crash or power loss can lose.</summary>
public enum FlushKind
{
    /// <summary>fsync before an append returns; concurrent appenders to a partition share one fsync (group commit).
    /// Loses nothing acknowledged, even on power loss.</summary>
    EveryBatch,

    /// <summary>fsync at most every <see cref="FlushPolicy.Interval"/> (checked on append and by a timer).
    /// A power loss can lose the appends acknowledged during the last interval.</summary>
    Interval,

    /// <summary>Never fsync explicitly except on segment roll and close; the OS writes back when it likes
    /// (typically within ~30 s on Linux). A power loss can lose everything not yet written back.</summary>
    OperatingSystem,
}

/// <summary>An immutable flush policy; see <see cref="FlushKind"/> for what each can lose.</summary>
public sealed record FlushPolicy
{
    private FlushPolicy(FlushKind kind, TimeSpan interval)
    {
        Kind = kind;
        Interval = interval;
    }

    /// <summary>fsync per append with group commit across concurrent writers.</summary>
    public static FlushPolicy EveryBatch { get; } = new(FlushKind.EveryBatch, TimeSpan.Zero);

    /// <summary>Leave write-back to the operating system.</summary>
    public static FlushPolicy OperatingSystem { get; } = new(FlushKind.OperatingSystem, TimeSpan.Zero);

    /// <summary>The kind of policy.</summary>
    public FlushKind Kind { get; }

    /// <summary>The fsync interval for <see cref="FlushKind.Interval"/>; zero otherwise.</summary>
    public TimeSpan Interval { get; }

    /// <summary>fsync at most every <paramref name="interval"/> (must be positive).</summary>
    /// <param name="interval">Maximum time between fsyncs while data is pending.</param>
    public static FlushPolicy Every(TimeSpan interval) =>
        interval > TimeSpan.Zero
            ? new FlushPolicy(FlushKind.Interval, interval)
            : throw new ArgumentOutOfRangeException(nameof(interval), interval, "A flush interval must be positive.");

    /// <inheritdoc />
    public override string ToString() => Kind == FlushKind.Interval ? $"Interval({Interval.TotalMilliseconds} ms)" : Kind.ToString();
}
