namespace Sluice;

/// <summary>Which clock a timer follows.</summary>
public enum TimeDomain
{
    /// <summary>Fired when the watermark reaches the timer's timestamp.</summary>
    EventTime,

    /// <summary>Fired when the processing-time clock (the job's <see cref="TimeProvider"/>) reaches it.</summary>
    ProcessingTime,
}

/// <summary>
/// Clocks and timers of a keyed operator. Timers are scoped to the current key; registering the same
/// (key, timestamp) twice keeps one timer; a timer fires once, and timers fire in timestamp order.
/// Not thread-safe: use from the operator's callbacks only.
/// </summary>
public interface ITimerService
{
    /// <summary>
    /// The processing time of the task's current step, ms since the epoch, from the job's <see cref="TimeProvider"/>:
    /// the clock is read once per step, so the records a step handles and the processing-time timers it fires see the
    /// same time (no timer fires ahead of a record handled after it), and a record costs no clock reading. Outside a
    /// step (<c>Open</c>, <c>Close</c>, an operator driven directly) each call reads the clock. A step that blocks (an
    /// asynchronous lookup waiting in the same task, backpressure) keeps its reading. A processing-time timer registered
    /// from a processing-time <c>OnTimer</c> at or before the firing timer's own time is held until the clock moves on,
    /// and every due processing-time timer of the operator waits with it: re-arming at this time fires again in the
    /// running pass only when the firing timer was overdue (its time before this one), then at a later reading.
    /// </summary>
    long CurrentProcessingTime { get; }

    /// <summary>The operator's current watermark (−∞ before the first).</summary>
    long CurrentWatermark { get; }

    /// <summary>Fires <c>OnTimer</c> for the current key once the watermark is ≥ <paramref name="time"/>.</summary>
    void RegisterEventTimeTimer(long time);

    /// <summary>Removes the current key's event-time timer at <paramref name="time"/>, if any.</summary>
    void DeleteEventTimeTimer(long time);

    /// <summary>Fires <c>OnTimer</c> for the current key once processing time is ≥ <paramref name="time"/>.</summary>
    void RegisterProcessingTimeTimer(long time);

    /// <summary>Removes the current key's processing-time timer at <paramref name="time"/>, if any.</summary>
    void DeleteProcessingTimeTimer(long time);
}
