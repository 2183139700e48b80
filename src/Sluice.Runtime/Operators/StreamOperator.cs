using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.Runtime.Tasks;
using Sluice.Runtime.Transport;
using Sluice.State;

namespace Sluice.Runtime.Operators;

/// <summary>
/// The one lifecycle every physical operator follows: <see cref="Open"/> · process elements · <see cref="ProcessWatermark"/>
/// · <see cref="OnProcessingTime"/> · <see cref="EndInput"/> · <see cref="Close"/>. All calls come from the owning
/// task's thread. Operators wrap exceptions from user code with <see cref="UserFailure"/> so the job error names the
/// operator, subtask and record.
/// </summary>
internal abstract class StreamOperator
{
    /// <summary>Set by the task before <see cref="Open"/>.</summary>
    public OperatorContext Context { get; internal set; } = null!;

    /// <summary>The operator's stable checkpoint id (user-set uid, or plan position and name).</summary>
    public string Uid { get; internal set; } = "";

    /// <summary>The control part of the output (watermarks, idleness); null for sinks.</summary>
    public Output? Downstream { get; protected init; }

    /// <summary>The last watermark this operator received — for a source, the last it emitted (−∞ before the first).</summary>
    public long CurrentWatermark { get; protected set; } = EventTime.MinWatermark;

    /// <summary>Records this operator classified as late (windows); 0 for others.</summary>
    public virtual long LateRecordCount => 0;

    /// <summary>Records emitted by this operator if it is a source; 0 for others.</summary>
    public virtual long SourceRecordCount => 0;

    /// <summary>
    /// Records handed to this operator (every input), counted by what feeds it: the chaining output of the operator
    /// before it, or the task's record dispatcher. Written by the task's thread only; read it with
    /// <c>Volatile.Read</c> from other threads.
    /// </summary>
    public long RecordsIn;

    /// <summary>Records this operator emitted on its main output (0 for sinks); any thread, approximately current.</summary>
    public long RecordsOut => Downstream?.RecordsTaken ?? 0;

    public virtual void Open() { }

    /// <summary>Handles a watermark: fire what became due, then forward it.</summary>
    public virtual void ProcessWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        Downstream?.EmitWatermark(watermark);
    }

    /// <summary>Forwards an idleness change.</summary>
    public virtual void ProcessIdle(bool idle) => Downstream?.EmitIdle(idle);

    /// <summary>Processing time reached a time this operator asked for via <see cref="OperatorContext.RequestProcessingTime"/>.</summary>
    public virtual void OnProcessingTime(long now) { }

    /// <summary>All input has ended (after the final watermark): flush.</summary>
    public virtual void EndInput() { }

    /// <summary>Releases resources; called once, also after a failure.</summary>
    public virtual void Close() { }

    /// <summary>
    /// Checkpoint <paramref name="checkpointId"/>'s barrier reached the task and the chain is about to be snapshotted:
    /// emit what the operator buffers (a batch) now, so it reaches the downstream operators before their snapshot and
    /// before the barrier. Called on the task thread for every operator of the chain, upstream before downstream, ahead
    /// of any <see cref="SnapshotState"/>.
    /// </summary>
    public virtual void PrepareSnapshotPreBarrier(long checkpointId) { }

    /// <summary>
    /// Writes the operator's state for a checkpoint: keyed state by key group (so it can be redistributed when the
    /// parallelism changes), other state as operator state. Called on the task thread between two records. State
    /// saved here is handed back through <see cref="OperatorContext.Restore"/> before <see cref="Open"/> on restore.
    /// </summary>
    public virtual void SnapshotState(SnapshotContext context) { }

    /// <summary>A checkpoint containing this operator's state completed (task thread).</summary>
    public virtual void NotifyCheckpointComplete(long checkpointId) { }

    /// <summary>Makes the job error for an exception thrown by user code while handling <paramref name="record"/>.</summary>
    protected JobExecutionException UserFailure(string what, object? record, Exception error) =>
        Context.Failure(what, record, error);
}

/// <summary>The receiving side of a single-input operator (what a chained predecessor calls).</summary>
internal interface IInput<T>
{
    void ProcessElement(T value, long timestamp);

    /// <summary>
    /// Processes a batch in order; equivalent to <see cref="ProcessElement"/> per record. The spans are valid only
    /// during the call. Operators with a tight loop (map, filter, sinks) override the per-record default.
    /// </summary>
    void ProcessBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        for (var i = 0; i < values.Length; i++)
        {
            ProcessElement(values[i], timestamps[i]);
        }
    }

    void ProcessWatermark(long watermark);

    void ProcessIdle(bool idle);
}

/// <summary>
/// Marks an <see cref="IInput{T}"/> whose batch path is a plain per-record loop (a keyed process function, a window):
/// records handed to it one at a time cost no more than in a batch, so a chained producer that would otherwise buffer
/// what it emits (a flat map) hands each record straight on instead — no store into a buffer (with a GC write barrier
/// per reference field) and no clear per flush. An operator whose batch path does per-batch work (copies a slice) must
/// not carry it.
/// </summary>
internal interface IRecordAtATimeInput;

/// <summary>Base of operators with one input.</summary>
internal abstract class OneInputOperator<TIn> : StreamOperator, IInput<TIn>
{
    public abstract void ProcessElement(TIn value, long timestamp);

    /// <summary>Per-record by default (the interface's loop); tight-loop operators override it.</summary>
    public virtual void ProcessBatch(ReadOnlySpan<TIn> values, ReadOnlySpan<long> timestamps)
    {
        for (var i = 0; i < values.Length; i++)
        {
            ProcessElement(values[i], timestamps[i]);
        }
    }
}

/// <summary>The receiving side of a two-input operator; the task merges both inputs' watermarks before calling <see cref="StreamOperator.ProcessWatermark"/>.</summary>
internal interface ITwoInput<in TIn1, in TIn2>
{
    void ProcessElement1(TIn1 value, long timestamp);

    void ProcessElement2(TIn2 value, long timestamp);
}

/// <summary>
/// What an operator instance knows of where it runs. Also the <see cref="IRuntimeContext"/> given to user functions
/// and the <see cref="Sluice.Operators.IStreamOperatorContext"/> given to operators added with <c>Transform</c>.
/// </summary>
internal sealed class OperatorContext(string operatorName, int subtaskIndex, int parallelism, JobOptions options, ProcessingTimeService processingTime)
    : Sluice.Operators.IStreamOperatorContext
{
    public string OperatorName { get; } = operatorName;

    public int SubtaskIndex { get; } = subtaskIndex;

    public int Parallelism { get; } = parallelism;

    public JobOptions Options { get; } = options;

    public string JobName => Options.JobName;

    /// <summary>The run's id (the default one in test drivers and benchmarks that build operators directly).</summary>
    public JobId JobId { get; init; }

    public TimeProvider TimeProvider => Options.TimeProvider;

    /// <summary>Current processing time in ms since the epoch.</summary>
    public long Now => Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The processing time of the task's current step (<see cref="Tasks.ProcessingTimeService.StepNow"/>): one reading of
    /// the clock for everything the step does — the processing-time callbacks it fires and the records it handles.
    /// Outside a step, <see cref="Now"/>.
    /// </summary>
    public long StepNow => processingTime.StepNow;

    /// <summary>The key groups this subtask owns (keyed operators).</summary>
    public KeyGroupRange KeyGroups => Sluice.KeyGroups.RangeFor(SubtaskIndex, Options.KeyGroupCount, Parallelism);

    /// <summary>State to restore from, or null on a fresh start. Read in <see cref="StreamOperator.Open"/>.</summary>
    public Checkpointing.RestoreContext? Restore { get; init; }

    /// <summary>
    /// Cancelled when the job is cancelled or the attempt ends: checkpoint-store I/O an operator starts (a RocksDB
    /// backend's uploads and downloads) observes it. None outside a running job.
    /// </summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Set by keyed operators; null otherwise.</summary>
    public IKeyedStateStore? KeyedState { get; set; }

    public IKeyedStateStore State => KeyedState ?? throw new InvalidOperationException(
        $"Operator '{OperatorName}' is not keyed: keyed state is available only after KeyBy.");

    /// <summary>Set by keyed operators; null otherwise.</summary>
    public ITimerService? KeyedTimers { get; set; }

    public ITimerService TimerService => KeyedTimers ?? throw new InvalidOperationException(
        $"Operator '{OperatorName}' is not keyed: timers are available only after KeyBy.");

    public long CurrentProcessingTime => Now;

    public long RestoredCheckpointId => Restore?.CheckpointId ?? 0;

    /// <summary>The operator's named operator states (created on first use), restored from <see cref="Restore"/>.</summary>
    public IOperatorStateStore OperatorState => _operatorState ??= new OperatorStateBackend(OperatorName, Restore);

    private OperatorStateBackend? _operatorState;

    /// <summary>Writes the named operator states, if the operator created any (synchronous phase of a snapshot).</summary>
    public void SnapshotOperatorState(SnapshotContext context) => _operatorState?.Snapshot(context, SubtaskIndex);

    /// <summary>Index of the operator in its task's chain, for processing-time callbacks.</summary>
    public int ChainIndex { get; set; }

    /// <summary>Asks the task to call <see cref="StreamOperator.OnProcessingTime"/> once processing time reaches <paramref name="time"/>.</summary>
    public void RequestProcessingTime(long time) => processingTime.Request(ChainIndex, time);

    /// <summary>Any thread: asks the task to call <see cref="StreamOperator.OnProcessingTime"/> of this operator at its next step.</summary>
    public void WakeUp() => processingTime.RequestFromAnyThread(ChainIndex);

    /// <summary>The exchanges of this operator's task (the task's own list, complete once the task is built); empty outside a job.</summary>
    public IReadOnlyList<IExchange> TaskExchanges { get; init; } = [];

    /// <summary>
    /// Task thread: sends the task's partial output batches downstream (as <see cref="StreamTask.FlushOutputs"/>).
    /// Nothing in the deterministic mode: no other task runs while this one blocks, and batch boundaries there must not
    /// depend on how long an operator waited.
    /// </summary>
    public void FlushOutputs()
    {
        if (Options.Mode == ExecutionMode.Deterministic)
        {
            return;
        }
        foreach (var exchange in TaskExchanges)
        {
            exchange.Flush();
        }
    }

    public string Describe => $"'{OperatorName}' (subtask {SubtaskIndex + 1}/{Parallelism})";

    /// <summary>The tags of <c>sluice.records.dropped</c> for records this operator drops for <paramref name="reason"/>: job, job id, operator, reason.</summary>
    public KeyValuePair<string, object?>[] DroppedRecordTags(string reason) =>
        [new("job", JobName), new("job.id", JobId.ToString()), new("operator", OperatorName), new("reason", reason)];

    public JobExecutionException Failure(string what, object? record, Exception error)
    {
        var text = record is null ? null : Truncate(record.ToString() ?? "", 500);
        var message = record is null
            ? $"Operator {Describe} failed {what}: {error.Message}"
            : $"Operator {Describe} failed {what} on record {text}: {error.Message}";
        return new JobExecutionException(message, OperatorName, SubtaskIndex, text, error);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
