namespace Sluice.Operators;

/// <summary>
/// Where an operator added with <c>Transform</c> emits: records of its main output, side outputs and watermarks.
/// Calls go straight to the next operator of the chain or into the exchange's batch, so they cost no allocation.
/// Task thread only; valid from <c>Open</c> to <c>Close</c>.
/// </summary>
/// <typeparam name="T">The operator's output record type.</typeparam>
public interface IOperatorOutput<in T>
{
    /// <summary>Emits <paramref name="value"/> with event time <paramref name="timestamp"/> (ms since the epoch, or <see cref="EventTime.NoTimestamp"/>).</summary>
    void Collect(T value, long timestamp);

    /// <summary>Emits <paramref name="value"/> to side output <paramref name="tag"/>; with no consumer for the tag it is counted as dropped.</summary>
    void CollectSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp);

    /// <summary>
    /// Forwards a watermark (ms): a promise that no later record on this output has a timestamp ≤ it. Must not go
    /// backwards; emit it after the records it covers.
    /// </summary>
    void EmitWatermark(long watermark);
}

/// <summary>
/// An <see cref="IOperatorOutput{T}"/> that also takes a run of records in one call (the runtime's); what
/// <see cref="StreamOperator{TOut}"/>'s <c>CollectBatch</c> uses when the output has it. Invariant in
/// <typeparamref name="T"/> because it takes spans. Task thread only.
/// </summary>
internal interface IBatchOperatorOutput<T>
{
    /// <summary>Emits the records in order, as <see cref="IOperatorOutput{T}.Collect"/> would one by one; spans of equal length, read only during the call.</summary>
    void CollectBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps);
}
