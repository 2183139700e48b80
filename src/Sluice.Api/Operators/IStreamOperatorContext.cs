using Sluice.State;

namespace Sluice.Operators;

/// <summary>
/// What the runtime tells an operator added with <c>Transform</c> about where it runs: its subtask, clocks, timers
/// (keyed operators) and its operator state. Valid from <see cref="StreamOperator{TOut}.Open"/>
/// until <see cref="StreamOperator{TOut}.Close"/>. Not thread-safe: use it from the operator's callbacks
/// only (they all run on the operator's task thread).
/// </summary>
public interface IStreamOperatorContext : IRuntimeContext
{
    /// <summary>
    /// The current processing time, ms since the Unix epoch, from the job's <see cref="TimeProvider"/>: the clock, read
    /// at each call. <c>TimerService.CurrentProcessingTime</c> (a keyed operator's, a process function's) is instead the
    /// task step's one reading, the time its processing-time timers fire at: use that one to assign records to
    /// processing-time windows.
    /// </summary>
    long CurrentProcessingTime { get; }

    /// <summary>
    /// Asks the task to call <see cref="StreamOperator{TOut}.OnProcessingTime"/> once processing time
    /// (ms since the epoch) reaches <paramref name="time"/>. One call per request; re-request to fire again. A time
    /// already passed fires on the task's next step.
    /// </summary>
    void RequestProcessingTime(long time);

    /// <summary>
    /// Asks the task to call <see cref="StreamOperator{TOut}.OnProcessingTime"/> on its own thread at its next step, and
    /// wakes it if it waits for input. The one member callable from <em>any</em> thread: it is how an operator hands the
    /// results of asynchronous work (a lookup's completion on the thread pool) back to the task thread, as Flink's mailbox
    /// does. Each call causes one callback; coalesce calls (a flag set with <see cref="Interlocked"/>) to avoid a flood.
    /// </summary>
    void WakeUp();

    /// <summary>
    /// Sends what the task holds in partial output batches downstream now; task thread only. The task does this itself
    /// before it waits for input and every 10 ms while it is busy, both between steps; an operator that blocks the task
    /// thread inside a step (waiting for asynchronous work to complete) calls it, so the records and watermarks emitted
    /// before reach the next tasks while it waits rather than when the step ends. Each call sends the batches however
    /// small they are: call it at most every few milliseconds of blocking (the async lookup join does after 10 ms), not
    /// per record. Sending may itself block while a downstream channel is full (backpressure). Does nothing in
    /// <see cref="ExecutionMode.Deterministic"/>, where no other task runs while this one blocks.
    /// </summary>
    void FlushOutputs();

    /// <summary>
    /// Timers scoped to the current key (keyed operators only): they call the operator's <c>OnTimer</c>
    /// (<see cref="KeyedOneInputStreamOperator{TKey, TIn, TOut}.OnTimer"/>,
    /// <see cref="KeyedTwoInputStreamOperator{TKey, TIn1, TIn2, TOut}.OnTimer"/>) and are checkpointed with the keyed state.
    /// </summary>
    /// <exception cref="InvalidOperationException">The operator is not keyed (it was not added on a <see cref="KeyedStream{TKey, T}"/>).</exception>
    ITimerService TimerService { get; }

    /// <summary>The id of the checkpoint this subtask restores from, or 0 on a fresh start.</summary>
    long RestoredCheckpointId { get; }

    /// <summary>
    /// The operator's own (non-keyed) state: list, union list and broadcast state, checkpointed with the operator and
    /// restored — redistributed when the parallelism changed — before <see cref="StreamOperator{TOut}.Open"/>.
    /// Obtain handles in <c>Open</c>.
    /// </summary>
    IOperatorStateStore OperatorState { get; }
}
