namespace Sluice.Operators;

/// <summary>
/// A <see cref="OneInputStreamOperator{TIn, TOut}"/> on a keyed stream, added with
/// <see cref="KeyedStream{TKey, T}.Transform{TOut}"/>: the runtime routes records by key group, sets the current
/// key before each <see cref="OneInputStreamOperator{TIn, TOut}.ProcessElement"/> and <see cref="OnTimer"/>, and
/// keeps keyed state (<see cref="IRuntimeContext.State"/>) and timers (<see cref="IStreamOperatorContext.TimerService"/>)
/// in the job's state backend — checkpointed per key group, so a job restored with another parallelism hands every
/// key's state and timers to its new owner.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TIn">Input record type.</typeparam>
/// <typeparam name="TOut">Output record type.</typeparam>
public abstract class KeyedOneInputStreamOperator<TKey, TIn, TOut> : OneInputStreamOperator<TIn, TOut>
{
    private Func<TKey>? _currentKey;

    /// <summary>The key of the record or timer being processed (valid inside <c>ProcessElement</c> and <see cref="OnTimer"/>).</summary>
    /// <exception cref="InvalidOperationException">Read before the runtime set the operator up.</exception>
    protected TKey CurrentKey => (_currentKey ?? throw new InvalidOperationException("The operator is not set up yet.")).Invoke();

    /// <summary>Called by the runtime once, before <c>Open</c>: how to read the current key.</summary>
    internal void SetupKey(Func<TKey> currentKey) => _currentKey = currentKey;

    /// <summary>
    /// A timer of <see cref="CurrentKey"/> fired: event-time timers when the watermark reaches
    /// <paramref name="time"/> (before <see cref="StreamOperator{TOut}.ProcessWatermark"/>), processing-time
    /// timers when the clock does. <paramref name="time"/> is the timer's time in ms.
    /// </summary>
    public virtual void OnTimer(long time, TimeDomain domain) { }

    /// <summary>Keyed operators get records one by one (each with its key set): this calls <c>ProcessElement</c> per record.</summary>
    public sealed override void ProcessBatch(ReadOnlySpan<TIn> values, ReadOnlySpan<long> timestamps) => base.ProcessBatch(values, timestamps);
}
