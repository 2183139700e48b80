namespace Sluice.Windowing;

/// <summary>
/// Decides which windows a record belongs to. The engine plans a specialised operator per assigner family:
/// aligned windows (<see cref="AlignedWindowAssigner"/>: tumbling and sliding), merging session windows
/// (<see cref="SessionWindowAssigner"/>) and the global window with a count trigger (<see cref="GlobalWindows"/>).
/// </summary>
public abstract class WindowAssigner
{
    private protected WindowAssigner(bool isEventTime) => IsEventTime = isEventTime;

    /// <summary>True when windows are on event time (fired by watermarks), false for processing time (fired by the clock).</summary>
    public bool IsEventTime { get; }
}

/// <summary>
/// Windows of a fixed <see cref="Size"/> that start every <see cref="Slide"/> ms, aligned to the epoch plus
/// <see cref="Offset"/>. Tumbling windows have <c>Slide == Size</c>. The engine adds each record to one pane of
/// <c>gcd(Size, Slide)</c> ms and combines panes when a window fires, so a record costs the same whatever the overlap.
/// </summary>
public abstract class AlignedWindowAssigner : WindowAssigner
{
    private protected AlignedWindowAssigner(long size, long slide, long offset, bool isEventTime) : base(isEventTime)
    {
        if (slide > size)
        {
            throw new ArgumentOutOfRangeException(nameof(slide), slide, $"A window's slide ({slide} ms) must not exceed its size ({size} ms): records between windows would belong to none.");
        }
        if (offset < 0 || offset >= slide)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"A window's offset must be in [0, slide) = [0, {slide}) ms; got {offset} ms.");
        }
        Size = size;
        Slide = slide;
        Offset = offset;
    }

    /// <summary>Window length in ms.</summary>
    public long Size { get; }

    /// <summary>Distance between window starts in ms.</summary>
    public long Slide { get; }

    /// <summary>Shift of window boundaries from the epoch in ms, in <c>[0, Slide)</c>.</summary>
    public long Offset { get; }
}

/// <summary>Non-overlapping event-time windows of a fixed size.</summary>
public sealed class TumblingEventTimeWindows : AlignedWindowAssigner
{
    private TumblingEventTimeWindows(long size, long offset) : base(size, size, offset, true) { }

    /// <summary>Tumbling event-time windows of <paramref name="size"/>, shifted by <paramref name="offset"/> (e.g. a time zone).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive or the offset is outside [0, size).</exception>
    public static TumblingEventTimeWindows Of(TimeSpan size, TimeSpan offset = default) =>
        new(EventTime.PositiveMillis(size, nameof(size)), EventTime.NonNegativeMillis(offset, nameof(offset)));
}

/// <summary>Non-overlapping processing-time windows of a fixed size.</summary>
public sealed class TumblingProcessingTimeWindows : AlignedWindowAssigner
{
    private TumblingProcessingTimeWindows(long size, long offset) : base(size, size, offset, false) { }

    /// <summary>Tumbling processing-time windows of <paramref name="size"/>, shifted by <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive or the offset is outside [0, size).</exception>
    public static TumblingProcessingTimeWindows Of(TimeSpan size, TimeSpan offset = default) =>
        new(EventTime.PositiveMillis(size, nameof(size)), EventTime.NonNegativeMillis(offset, nameof(offset)));
}

/// <summary>Overlapping event-time windows: each of length size, one starting every slide.</summary>
public sealed class SlidingEventTimeWindows : AlignedWindowAssigner
{
    private SlidingEventTimeWindows(long size, long slide, long offset) : base(size, slide, offset, true) { }

    /// <summary>Sliding event-time windows of <paramref name="size"/> starting every <paramref name="slide"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Size or slide is not positive, slide exceeds size, or the offset is outside [0, slide).</exception>
    public static SlidingEventTimeWindows Of(TimeSpan size, TimeSpan slide, TimeSpan offset = default) =>
        new(EventTime.PositiveMillis(size, nameof(size)), EventTime.PositiveMillis(slide, nameof(slide)), EventTime.NonNegativeMillis(offset, nameof(offset)));
}

/// <summary>Overlapping processing-time windows: each of length size, one starting every slide.</summary>
public sealed class SlidingProcessingTimeWindows : AlignedWindowAssigner
{
    private SlidingProcessingTimeWindows(long size, long slide, long offset) : base(size, slide, offset, false) { }

    /// <summary>Sliding processing-time windows of <paramref name="size"/> starting every <paramref name="slide"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Size or slide is not positive, slide exceeds size, or the offset is outside [0, slide).</exception>
    public static SlidingProcessingTimeWindows Of(TimeSpan size, TimeSpan slide, TimeSpan offset = default) =>
        new(EventTime.PositiveMillis(size, nameof(size)), EventTime.PositiveMillis(slide, nameof(slide)), EventTime.NonNegativeMillis(offset, nameof(offset)));
}

/// <summary>
/// Per-key windows that grow while records keep arriving within <see cref="Gap"/> of each other: each record
/// opens <c>[t, t + Gap)</c> and windows that overlap or touch merge.
/// </summary>
public abstract class SessionWindowAssigner : WindowAssigner
{
    private protected SessionWindowAssigner(long gap, bool isEventTime) : base(isEventTime) => Gap = gap;

    /// <summary>Inactivity gap in ms that closes a session.</summary>
    public long Gap { get; }
}

/// <summary>Event-time session windows.</summary>
public sealed class EventTimeSessionWindows : SessionWindowAssigner
{
    private EventTimeSessionWindows(long gap) : base(gap, true) { }

    /// <summary>Sessions closed by <paramref name="gap"/> of event time without records for the key.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The gap is not positive.</exception>
    public static EventTimeSessionWindows WithGap(TimeSpan gap) => new(EventTime.PositiveMillis(gap, nameof(gap)));
}

/// <summary>Processing-time session windows.</summary>
public sealed class ProcessingTimeSessionWindows : SessionWindowAssigner
{
    private ProcessingTimeSessionWindows(long gap) : base(gap, false) { }

    /// <summary>Sessions closed by <paramref name="gap"/> of processing time without records for the key.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The gap is not positive.</exception>
    public static ProcessingTimeSessionWindows WithGap(TimeSpan gap) => new(EventTime.PositiveMillis(gap, nameof(gap)));
}

/// <summary>
/// One window per key spanning all time, fired and purged every <see cref="Count"/> records (a count window).
/// A partial window at the end of input does not fire. Results carry the timestamp of the last record added.
/// </summary>
public sealed class GlobalWindows : WindowAssigner
{
    private GlobalWindows(long count) : base(false) => Count = count;

    /// <summary>Records per firing.</summary>
    public long Count { get; }

    /// <summary>A global window that fires and purges every <paramref name="count"/> records per key.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is not positive.</exception>
    public static GlobalWindows OfCount(long count) => count > 0
        ? new GlobalWindows(count)
        : throw new ArgumentOutOfRangeException(nameof(count), count, "A count window needs a count of at least 1.");
}
