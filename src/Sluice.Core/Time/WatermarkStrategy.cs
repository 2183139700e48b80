namespace Sluice;

/// <summary>
/// How a source assigns event timestamps to records and derives watermarks from them. Immutable: the
/// <c>With…</c> methods return a new strategy. Each source partition (split) gets its own generator, and a
/// source's watermark is the minimum over its non-idle partitions.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class WatermarkStrategy<T>
{
    private WatermarkStrategy(long maxOutOfOrdernessMs, bool emitsWatermarks, Func<T, long>? timestampAssigner, long idleTimeoutMs)
    {
        MaxOutOfOrdernessMs = maxOutOfOrdernessMs;
        EmitsWatermarks = emitsWatermarks;
        TimestampAssigner = timestampAssigner;
        IdleTimeoutMs = idleTimeoutMs;
    }

    /// <summary>How far (ms) a record's timestamp may lag the maximum seen so far and still be on time.</summary>
    public long MaxOutOfOrdernessMs { get; }

    /// <summary>False for <see cref="NoWatermarks"/>: the watermark only moves at the end of bounded input (or by explicit source watermarks).</summary>
    public bool EmitsWatermarks { get; }

    /// <summary>Extracts the event time (ms since epoch) from a record; null keeps the timestamp the source supplied.</summary>
    public Func<T, long>? TimestampAssigner { get; }

    /// <summary>Processing time (ms) after which a partition with no records is marked idle; 0 = never.</summary>
    public long IdleTimeoutMs { get; }

    /// <summary>
    /// Watermarks trail the largest timestamp seen by <paramref name="maxOutOfOrderness"/>:
    /// <c>W = maxTimestamp − maxOutOfOrderness − 1</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The bound is negative.</exception>
    public static WatermarkStrategy<T> ForBoundedOutOfOrderness(TimeSpan maxOutOfOrderness) =>
        new(EventTime.NonNegativeMillis(maxOutOfOrderness, nameof(maxOutOfOrderness)), true, null, 0);

    /// <summary>For timestamps that never decrease within a partition: <c>W = maxTimestamp − 1</c>.</summary>
    public static WatermarkStrategy<T> ForMonotonousTimestamps() => new(0, true, null, 0);

    /// <summary>No watermarks from timestamps: event-time windows fire only when bounded input ends.</summary>
    public static WatermarkStrategy<T> NoWatermarks() => new(0, false, null, 0);

    /// <summary>Returns a copy that takes each record's event time from <paramref name="assigner"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="assigner"/> is null.</exception>
    public WatermarkStrategy<T> WithTimestampAssigner(Func<T, long> assigner)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        return new(MaxOutOfOrdernessMs, EmitsWatermarks, assigner, IdleTimeoutMs);
    }

    /// <summary>
    /// Returns a copy that marks a partition idle after <paramref name="timeout"/> of processing time without
    /// records, so it no longer holds back the watermark; it becomes active again with its next record.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive.</exception>
    public WatermarkStrategy<T> WithIdleness(TimeSpan timeout) =>
        new(MaxOutOfOrdernessMs, EmitsWatermarks, TimestampAssigner, EventTime.PositiveMillis(timeout, nameof(timeout)));
}
