namespace Sluice.Runtime.Transport;

/// <summary>
/// The queue from one upstream subtask to one downstream subtask. Single producer, single consumer; all state is
/// guarded by the owning <see cref="InputGate"/>'s lock. Holds at most <see cref="Capacity"/> record batches when
/// the gate is bounded; control messages are never refused (they are few and must not deadlock).
/// </summary>
internal sealed class InputChannel
{
    private readonly Queue<ChannelMessage> _queue = new();
    private readonly Stack<object> _freeBatches = new();

    public InputChannel(InputGate gate, int index, int inputIndex, string upstream, int capacity)
    {
        Gate = gate;
        Index = index;
        InputIndex = inputIndex;
        Upstream = upstream;
        Capacity = capacity;
    }

    /// <summary>The gate this channel feeds.</summary>
    public InputGate Gate { get; }

    /// <summary>Position of the channel in its gate.</summary>
    public int Index { get; }

    /// <summary>Which input of the consuming operator (0, or 1 for the second input of a two-input operator).</summary>
    public int InputIndex { get; }

    /// <summary>The producing subtask, for diagnostics.</summary>
    public string Upstream { get; }

    /// <summary>Record batches the channel holds before the producer blocks.</summary>
    public int Capacity { get; }

    // The members below are accessed under Gate's lock only.

    /// <summary>True while the channel delivered the barrier of the checkpoint being aligned: it is not read until alignment ends.</summary>
    internal bool Blocked;

    /// <summary>
    /// Time the producer spent blocked on this full channel, in <see cref="System.Diagnostics.Stopwatch"/> ticks: written
    /// by the producer under the gate's lock, read by metrics from any thread (<c>Volatile.Read</c>).
    /// </summary>
    internal long BackpressuredTicks;

    /// <summary>When the producer started its current block on this full channel (Stopwatch timestamp), 0 when not blocked; same access as <see cref="BackpressuredTicks"/>.</summary>
    internal long BlockedSinceTicks;

    /// <summary>The producer's blocked time including a block in progress, in Stopwatch ticks; any thread.</summary>
    internal long CurrentBackpressuredTicks(long now)
    {
        var since = Volatile.Read(ref BlockedSinceTicks);
        var total = Volatile.Read(ref BackpressuredTicks);
        return since != 0 ? total + Math.Max(0, now - since) : total;
    }

    internal int QueuedBatches;
    internal int QueuedRecords;

    internal int Count => _queue.Count;

    internal void Enqueue(in ChannelMessage message)
    {
        _queue.Enqueue(message);
        if (message.Kind == MessageKind.Records)
        {
            QueuedBatches++;
            QueuedRecords += message.RecordCount;
        }
    }

    internal bool TryDequeue(out ChannelMessage message)
    {
        if (!_queue.TryDequeue(out message))
        {
            return false;
        }
        if (message.Kind == MessageKind.Records)
        {
            QueuedBatches--;
            QueuedRecords -= message.RecordCount;
        }
        return true;
    }

    internal object? TakeFreeBatch() => _freeBatches.Count > 0 ? _freeBatches.Pop() : null;

    internal void ReturnFreeBatch(object batch) => _freeBatches.Push(batch);
}
