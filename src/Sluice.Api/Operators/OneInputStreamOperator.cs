namespace Sluice.Operators;

/// <summary>
/// An operator with one input, added to a job with <see cref="DataStream{T}.Transform{TOut}"/> — the extension point
/// for operators defined outside Sluice (a SQL compiler, a library). It follows the lifecycle of
/// <see cref="StreamOperator{TOut}"/>, with records arriving through <see cref="ProcessElement"/> or
/// <see cref="ProcessBatch"/>.
/// </summary>
/// <typeparam name="TIn">Input record type.</typeparam>
/// <typeparam name="TOut">Output record type.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0022", Justification = "StreamOperator is closed on purpose (private protected constructor); this subclass is the extension point, and its subclasses are meant to use the protected Context and Output.")]
public abstract class OneInputStreamOperator<TIn, TOut> : StreamOperator<TOut>
{
    /// <summary>
    /// Processes one record with its event time (ms since the epoch, or <see cref="EventTime.NoTimestamp"/>). This is
    /// the hot path: allocate nothing per record.
    /// </summary>
    public abstract void ProcessElement(TIn value, long timestamp);

    /// <summary>
    /// Processes a batch in order; must be equivalent to <see cref="ProcessElement"/> per record, which is what the
    /// default does. The spans are valid only during the call. Override for a tighter loop. Keyed operators never
    /// receive batches (each record needs its key set).
    /// </summary>
    public virtual void ProcessBatch(ReadOnlySpan<TIn> values, ReadOnlySpan<long> timestamps)
    {
        for (var i = 0; i < values.Length; i++)
        {
            ProcessElement(values[i], timestamps[i]);
        }
    }
}
