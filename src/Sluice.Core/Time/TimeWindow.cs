namespace Sluice;

/// <summary>A half-open time interval <c>[Start, End)</c> in event-time or processing-time milliseconds.</summary>
/// <param name="Start">First millisecond inside the window.</param>
/// <param name="End">First millisecond after the window.</param>
public readonly record struct TimeWindow(long Start, long End)
{
    /// <summary>The largest timestamp that belongs to the window (<c>End − 1</c>); results carry it as their timestamp.</summary>
    public long MaxTimestamp => End - 1;

    /// <summary>True when the two windows overlap or touch (session windows merge then).</summary>
    public bool Intersects(TimeWindow other) => Start <= other.End && End >= other.Start;

    /// <summary>The smallest window that covers both.</summary>
    public TimeWindow Cover(TimeWindow other) => new(Math.Min(Start, other.Start), Math.Max(End, other.End));

    /// <summary>The start of the aligned window of size <paramref name="slide"/> that contains <paramref name="timestamp"/>.</summary>
    public static long AlignedStart(long timestamp, long offset, long slide)
    {
        var remainder = (timestamp - offset) % slide;
        return remainder < 0 ? timestamp - (remainder + slide) : timestamp - remainder;
    }

    /// <inheritdoc />
    public override string ToString() => $"[{EventTime.Format(Start)}, {EventTime.Format(End)})";
}
