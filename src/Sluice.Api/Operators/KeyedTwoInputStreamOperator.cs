namespace Sluice.Operators;

/// <summary>
/// A keyed operator with two inputs of one key type, added with
/// <see cref="ConnectedKeyedStreams{TKey, T1, T2}.Transform{TOut}"/> (Flink's <c>transform</c> on connected keyed
/// streams): the runtime routes both inputs' records by key group, sets the current key before each
/// <see cref="ProcessElement1"/>, <see cref="ProcessElement2"/> and <see cref="OnTimer"/>, and keeps keyed state
/// (<see cref="IRuntimeContext.State"/>, shared by both inputs) and timers
/// (<see cref="IStreamOperatorContext.TimerService"/>) in the job's state backend, checkpointed per key group. Its
/// watermark is the minimum of both inputs'. Lifecycle, threading and failures as for every
/// <see cref="StreamOperator{TOut}"/>.
/// </summary>
/// <typeparam name="TKey">The key type of both inputs.</typeparam>
/// <typeparam name="TIn1">Records of the first input.</typeparam>
/// <typeparam name="TIn2">Records of the second input.</typeparam>
/// <typeparam name="TOut">Output record type.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0022", Justification = "StreamOperator is closed on purpose (private protected constructor); this subclass is the extension point, and its subclasses are meant to use the protected Context and Output.")]
public abstract class KeyedTwoInputStreamOperator<TKey, TIn1, TIn2, TOut> : StreamOperator<TOut>
{
    private Func<TKey>? _currentKey;

    /// <summary>The key of the record or timer being processed (valid inside the record hooks and <see cref="OnTimer"/>).</summary>
    /// <exception cref="InvalidOperationException">Read before the runtime set the operator up.</exception>
    protected TKey CurrentKey => (_currentKey ?? throw new InvalidOperationException("The operator is not set up yet.")).Invoke();

    /// <summary>Called by the runtime once, before <c>Open</c>: how to read the current key.</summary>
    internal void SetupKey(Func<TKey> currentKey) => _currentKey = currentKey;

    /// <summary>Processes one record of the first input (event time in ms, or <see cref="EventTime.NoTimestamp"/>). Allocate nothing per record.</summary>
    public abstract void ProcessElement1(TIn1 value, long timestamp);

    /// <summary>Processes one record of the second input (event time in ms, or <see cref="EventTime.NoTimestamp"/>). Allocate nothing per record.</summary>
    public abstract void ProcessElement2(TIn2 value, long timestamp);

    /// <summary>
    /// A timer of <see cref="CurrentKey"/> fired: event-time timers when the watermark reaches
    /// <paramref name="time"/> (before <see cref="StreamOperator{TOut}.ProcessWatermark"/>), processing-time timers
    /// when the clock does.
    /// </summary>
    public virtual void OnTimer(long time, TimeDomain domain) { }
}
