namespace Sluice.Operators;

/// <summary>
/// The lifecycle every operator added with <c>Transform</c> follows, whatever its inputs:
/// <see cref="Open"/> · records (<see cref="OneInputStreamOperator{TIn, TOut}.ProcessElement"/>, or
/// <see cref="KeyedTwoInputStreamOperator{TKey, TIn1, TIn2, TOut}.ProcessElement1"/> and <c>ProcessElement2</c>) ·
/// <see cref="ProcessWatermark"/> · <see cref="OnProcessingTime"/> · <see cref="PrepareSnapshotPreBarrier"/> · <see cref="SnapshotState"/> ·
/// <see cref="NotifyCheckpointComplete"/> · <see cref="EndInput"/> · <see cref="Close"/>. Derive from
/// <see cref="OneInputStreamOperator{TIn, TOut}"/>, <see cref="KeyedOneInputStreamOperator{TKey, TIn, TOut}"/> or
/// <see cref="KeyedTwoInputStreamOperator{TKey, TIn1, TIn2, TOut}"/>, not from this class.
/// </summary>
/// <remarks>
/// <para>Threading: one instance per parallel subtask (the factory given to <c>Transform</c> is called once per
/// subtask and per job attempt); every call comes from that subtask's task thread, so no locks are needed.</para>
/// <para>State: anything the operator must keep across a failure goes into operator state
/// (<see cref="IStreamOperatorContext.OperatorState"/>: list, union list or broadcast state, redistributed when the
/// parallelism changes) or, for a keyed operator, into keyed state (<see cref="IRuntimeContext.State"/>); fields are
/// lost on restart.</para>
/// <para>Failure: an exception thrown from a hook fails the job attempt with a <see cref="JobExecutionException"/>
/// naming the operator, subtask and (for a record) the record; the job restarts from the last checkpoint per its
/// restart strategy.</para>
/// </remarks>
/// <typeparam name="TOut">Output record type.</typeparam>
public abstract class StreamOperator<TOut>
{
    private IStreamOperatorContext? _context;
    private IOperatorOutput<TOut>? _output;
    private IBatchOperatorOutput<TOut>? _batchOutput;

    // Only the operator kinds of this assembly derive from this class: the runtime adapts exactly those.
    private protected StreamOperator()
    {
    }

    /// <summary>Where this subtask runs; set before <see cref="Open"/>.</summary>
    /// <exception cref="InvalidOperationException">Read before the runtime set the operator up.</exception>
    protected IStreamOperatorContext Context => _context ?? throw NotSetUp();

    /// <summary>The main output (and side outputs); set before <see cref="Open"/>.</summary>
    /// <exception cref="InvalidOperationException">Read before the runtime set the operator up.</exception>
    protected IOperatorOutput<TOut> Output => _output ?? throw NotSetUp();

    /// <summary>Called by the runtime once, before <see cref="Open"/>.</summary>
    internal void Setup(IStreamOperatorContext context, IOperatorOutput<TOut> output)
    {
        _context = context;
        _output = output;
        _batchOutput = output as IBatchOperatorOutput<TOut>;
    }

    /// <summary>
    /// Emits <paramref name="values"/> with their event times (ms since the epoch, or <see cref="EventTime.NoTimestamp"/>)
    /// to the main output, in order: the same as <see cref="IOperatorOutput{T}.Collect"/> per record, in one call, so
    /// the runtime hands the run on as a batch (to a chained operator's <c>ProcessBatch</c>, or copied whole into a
    /// forward exchange's buffer; keyed and rebalancing exchanges route it record by record). The spans are read only during the call. Task thread only; allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="InvalidOperationException">Called before the runtime set the operator up.</exception>
    protected void CollectBatch(ReadOnlySpan<TOut> values, ReadOnlySpan<long> timestamps)
    {
        if (values.Length != timestamps.Length)
        {
            throw new ArgumentException($"CollectBatch got {values.Length} values but {timestamps.Length} timestamps; give one timestamp per value.", nameof(timestamps));
        }
        if (_batchOutput is { } batches)
        {
            batches.CollectBatch(values, timestamps);
            return;
        }
        var output = Output;
        for (var i = 0; i < values.Length; i++)
        {
            output.Collect(values[i], timestamps[i]);
        }
    }

    /// <summary>
    /// Called once before the first record: create state handles (on restore they come back filled: operator state
    /// with this subtask's share, keyed state and timers by key group).
    /// </summary>
    public virtual void Open() { }

    /// <summary>
    /// The operator's input watermark advanced to <paramref name="watermark"/> (ms; the minimum over its input
    /// channels, of both inputs for a two-input operator). Fire what became due, then forward a watermark; the default
    /// forwards it unchanged. For a keyed operator, the event-time timers due at <paramref name="watermark"/> have
    /// already fired.
    /// </summary>
    public virtual void ProcessWatermark(long watermark) => Output.EmitWatermark(watermark);

    /// <summary>
    /// Processing time reached <paramref name="now"/> (ms since the epoch) after a
    /// <see cref="IStreamOperatorContext.RequestProcessingTime"/>; keyed processing-time timers have already fired.
    /// Keyed operators are also called when only a keyed timer was due, so check what is due rather than assume.
    /// </summary>
    public virtual void OnProcessingTime(long now) { }

    /// <summary>
    /// Checkpoint <paramref name="checkpointId"/>'s barrier reached this operator's task: emit what the operator holds
    /// in memory only (a batch being filled), so it reaches downstream operators before their snapshot and the
    /// barrier and is never lost on a restore from this checkpoint. Called on the task thread before
    /// <see cref="SnapshotState"/>, for every operator of the chain, upstream before downstream. Emitting here is
    /// allowed; emitting in <see cref="SnapshotState"/> is not (downstream operators of the chain may already have
    /// been snapshotted).
    /// </summary>
    public virtual void PrepareSnapshotPreBarrier(long checkpointId) { }

    /// <summary>
    /// Checkpoint <paramref name="checkpointId"/> is being taken: bring operator state up to date (e.g. move what fields
    /// hold into a list state). Called on the task thread between two records, when the checkpoint barrier reaches the
    /// operator, and once more when its input ends; right after it, the runtime writes operator state, keyed state and
    /// timers.
    /// </summary>
    public virtual void SnapshotState(long checkpointId) { }

    /// <summary>
    /// Checkpoint <paramref name="checkpointId"/>, which holds this operator's state, is complete (its manifest is
    /// durable). Called on the task thread; may come late or not at all for a checkpoint (a later one subsumes it),
    /// so side effects here must be idempotent.
    /// </summary>
    public virtual void NotifyCheckpointComplete(long checkpointId) { }

    /// <summary>All input has ended, after the final watermark: emit what is buffered.</summary>
    public virtual void EndInput() { }

    /// <summary>Releases resources; called once per subtask, also after a failure (then without <see cref="EndInput"/>).</summary>
    public virtual void Close() { }

    private static InvalidOperationException NotSetUp() =>
        new("The operator is not set up yet: Context and Output are available from Open on.");
}
