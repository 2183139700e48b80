using System.Diagnostics;
using System.Runtime.CompilerServices;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Operators;
using Sluice.Runtime.Transport;
using Sluice.Sources;

namespace Sluice.Runtime.Tasks;

/// <summary>
/// One subtask of one operator chain: the unit of scheduling. Its lifecycle is
/// <see cref="Open"/> → <see cref="Step"/> until <see cref="Finished"/> → <see cref="Close"/>. A step polls the source
/// once (source chains) or handles one input message (others), after firing due processing-time callbacks. Input
/// ends when every channel delivered end-of-input; the task then ends its operators (head to tail) and its exchanges.
/// All members except <see cref="RequestStop"/> are called from the task's own thread.
/// </summary>
internal sealed class StreamTask
{
    private static readonly System.Diagnostics.Metrics.Histogram<double> s_alignment = SluiceMetrics.CreateSecondsHistogram(
        "sluice.checkpoint.alignment", "Time a task spent aligning checkpoint barriers (its blocked inputs wait meanwhile).");

    private readonly List<StreamOperator> _operators;
    private readonly List<IExchange> _exchanges;
    private readonly IRecordDispatcher[] _dispatchers;
    private readonly WatermarkValve _valve;
    private int _endedChannels;
    private volatile int _stopRequest; // 0 none, 1 stop, 2 stop and drain
    private long _triggeredCheckpoint; // source tasks: barrier to inject at the next step (set by the coordinator)
    private long _aligningCheckpoint = -1;
    private int _barriersReceived;
    private long _alignmentStartTicks;
    private readonly System.Collections.Concurrent.ConcurrentQueue<long> _completedCheckpoints = new();
    private Task _asyncSnapshot = Task.CompletedTask; // the asynchronous phase of the last checkpoint (never faults)

    public StreamTask(string name, int subtask, InputGate gate, ProcessingTimeService time, List<StreamOperator> operators,
        List<IExchange> exchanges, StreamOperator head, IRecordDispatcher[] dispatchers)
    {
        Name = name;
        Subtask = subtask;
        Gate = gate;
        Time = time;
        _operators = operators;
        _exchanges = exchanges;
        Head = head;
        _dispatchers = dispatchers;
        _valve = new WatermarkValve(gate.Channels.Count);
    }

    public string Name { get; }

    /// <summary>The job's name (a tag of the task's instruments).</summary>
    public string JobName { get; init; } = "";

    /// <summary>The run's id (a tag of the task's instruments).</summary>
    public JobId JobId { get; init; }

    private string JobIdText => _jobIdText ??= JobId.ToString();

    private string? _jobIdText;

    public int Subtask { get; }

    public InputGate Gate { get; }

    public ProcessingTimeService Time { get; }

    /// <summary>The first operator of the chain (a source, or the operator the input channels feed).</summary>
    public StreamOperator Head { get; }

    /// <summary>Operators of the chain, downstream before upstream (the order they are opened in).</summary>
    public IReadOnlyList<StreamOperator> Operators => _operators;

    public bool IsSource => Head is ISourceHead;

    public bool Finished { get; private set; }

    /// <summary>Receives this task's snapshots; null when checkpointing is off.</summary>
    public ICheckpointAcknowledger? Checkpoints { get; set; }

    /// <summary>Time spent aligning barriers so far, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long AlignmentTicks { get; private set; }

    // Time accounting (Stopwatch ticks), written by the task's thread, read by metrics from any thread: set by
    // MarkStarted/MarkEnded (parallel mode only; 0 = not measured) and the idle waits of WaitForWork.
    private long _startedTicks;
    private long _endedTicks;
    private long _idleTicks;
    private long _idleSinceTicks; // start of the idle wait in progress, 0 when working

    /// <summary>Starts the task's time accounting (parallel mode: the task has a thread of its own). Task thread.</summary>
    public void MarkStarted() => Volatile.Write(ref _startedTicks, Stopwatch.GetTimestamp());

    /// <summary>Stops the task's time accounting: the task's thread is done. Task thread.</summary>
    public void MarkEnded() => Volatile.Write(ref _endedTicks, Stopwatch.GetTimestamp());

    /// <summary>
    /// Blocks until there is work (<see cref="InputGate.WaitForWork"/>), counting the wait as idle time. Task thread.
    /// </summary>
    /// <exception cref="OperationCanceledException">The job was cancelled.</exception>
    public void WaitForWork()
    {
        var since = Stopwatch.GetTimestamp();
        Volatile.Write(ref _idleSinceTicks, since);
        try
        {
            Gate.WaitForWork();
        }
        finally
        {
            // Added before the wait is cleared: a reader in between counts it twice at worst, never loses it.
            Volatile.Write(ref _idleTicks, _idleTicks + Stopwatch.GetTimestamp() - since);
            Volatile.Write(ref _idleSinceTicks, 0);
        }
    }

    /// <summary>
    /// The task's wall-clock time since <see cref="MarkStarted"/> split three ways, in Stopwatch ticks: idle (waiting
    /// for input, timers or a trigger), backpressured (blocked on a full output channel) and busy (the rest). All zero
    /// when the time is not measured (deterministic mode). Any thread: the parts are read while the task runs, so they
    /// are current but not one consistent cut (busy never goes below zero).
    /// </summary>
    public (long Busy, long Backpressured, long Idle) TimeTicks()
    {
        var started = Volatile.Read(ref _startedTicks);
        if (started == 0)
        {
            return default;
        }
        var ended = Volatile.Read(ref _endedTicks);
        var now = ended != 0 ? ended : Stopwatch.GetTimestamp();
        var total = now - started;
        long backpressured = 0;
        foreach (var exchange in _exchanges)
        {
            backpressured += exchange.BackpressuredTicks;
        }
        var idleSince = Volatile.Read(ref _idleSinceTicks);
        var idle = Volatile.Read(ref _idleTicks) + (idleSince != 0 && ended == 0 ? Math.Max(0, now - idleSince) : 0);
        return (Math.Max(0, total - idle - backpressured), backpressured, idle);
    }

    /// <summary>Opens the chain's operators, downstream first, so each is ready before anything is sent to it.</summary>
    public void Open()
    {
        foreach (var op in _operators)
        {
            op.Open();
        }
    }

    /// <summary>Does one unit of work; false when there was nothing to do (the caller may flush and wait).</summary>
    public bool Step()
    {
        Debug.Assert(!Finished);
        Time.BeginStep();
        try
        {
            return StepOnce();
        }
        finally
        {
            Time.EndStep();
        }
    }

    private bool StepOnce()
    {
        var progress = Time.FireDue(_operators);
        while (_completedCheckpoints.TryDequeue(out var completed))
        {
            NotifyCheckpointComplete(completed);
        }
        if (Head is ISourceHead source)
        {
            var trigger = Interlocked.Exchange(ref _triggeredCheckpoint, 0);
            if (trigger > 0)
            {
                PerformCheckpoint(trigger);
                progress = true;
            }
            var stop = _stopRequest;
            if (stop != 0)
            {
                source.Finish(drain: stop == 2);
                EndChain();
                return true;
            }
            var status = source.Poll();
            if (status == SourceStatus.Finished)
            {
                source.Finish(drain: true);
                EndChain();
                return true;
            }
            return progress | status == SourceStatus.MoreAvailable;
        }
        if (!Gate.TryTake(out var channel, out var message))
        {
            return progress;
        }
        Handle(channel, message);
        return true;
    }

    /// <summary>Sends partial output batches downstream; call before waiting for input.</summary>
    public void FlushOutputs()
    {
        foreach (var exchange in _exchanges)
        {
            exchange.Flush();
        }
    }

    /// <summary>Asks a source task to inject the barrier of <paramref name="checkpointId"/> at its next step. Any thread.</summary>
    public void TriggerCheckpoint(long checkpointId)
    {
        Debug.Assert(IsSource);
        Interlocked.Exchange(ref _triggeredCheckpoint, checkpointId);
        Gate.WakeUp();
    }

    /// <summary>Asks a source task to end its input (with the final watermark when <paramref name="drain"/>). Any thread.</summary>
    public void RequestStop(bool drain)
    {
        _stopRequest = drain ? 2 : 1;
        Gate.WakeUp();
    }

    /// <summary>Closes every operator, also after a failure; returns the first error, if any.</summary>
    public Exception? Close()
    {
        // A snapshot still being written reads the operators' frozen state: let it finish before they release it.
        _asyncSnapshot.Wait();
        Exception? first = null;
        foreach (var op in _operators)
        {
            try
            {
                op.Close();
            }
            catch (Exception e)
            {
                first ??= e;
            }
        }
        Time.Dispose();
        return first;
    }

    private void Handle(InputChannel channel, in ChannelMessage message)
    {
        switch (message.Kind)
        {
            case MessageKind.Records:
                Dispatch(channel, Unsafe.As<RecordBatch>(message.Batch!));
                Gate.Recycle(channel, message.Batch!);
                break;
            case MessageKind.Idle:
            case MessageKind.Active:
                var wasIdle = _valve.AllIdle;
                var advanced = _valve.OnIdle(channel.Index, message.Kind == MessageKind.Idle, out var merged);
                if (wasIdle != _valve.AllIdle)
                {
                    Head.ProcessIdle(_valve.AllIdle);
                }
                if (advanced)
                {
                    Head.ProcessWatermark(merged);
                }
                break;
            case MessageKind.EndOfInput:
                ++_endedChannels;
                if (_aligningCheckpoint >= 0)
                {
                    CompleteAlignmentIfReady();
                }
                if (_endedChannels == Gate.Channels.Count)
                {
                    EndChain();
                }
                break;
            case MessageKind.Barrier:
                OnBarrier(channel, message.Value);
                break;
        }
    }

    /// <summary>Feeds a batch's records to the head, with each watermark it carries between the records it was emitted between.</summary>
    private void Dispatch(InputChannel channel, RecordBatch batch)
    {
        var dispatcher = _dispatchers[channel.InputIndex];
        var start = 0;
        for (var m = 0; m < batch.MarkCount; m++)
        {
            var at = batch.MarkAt(m);
            if (at > start)
            {
                dispatcher.Dispatch(batch, start, at);
                start = at;
            }
            OnWatermark(channel, batch.MarkValue(m));
        }
        if (start < batch.Count)
        {
            dispatcher.Dispatch(batch, start, batch.Count);
        }
        batch.Reset();
    }

    private void OnWatermark(InputChannel channel, long value)
    {
        if (_valve.OnWatermark(channel.Index, value, out var watermark))
        {
            Head.ProcessWatermark(watermark);
        }
    }

    /// <summary>
    /// Aligns barriers: a channel that delivered barrier <c>n</c> is blocked until every channel delivered it (or
    /// ended); then the chain is snapshotted and the barrier forwarded. A newer barrier abandons an older alignment
    /// (its checkpoint was given up); barriers of abandoned checkpoints are ignored.
    /// </summary>
    private void OnBarrier(InputChannel channel, long checkpointId)
    {
        if (checkpointId < _aligningCheckpoint)
        {
            return;
        }
        if (checkpointId > _aligningCheckpoint)
        {
            UnblockAll();
            _aligningCheckpoint = checkpointId;
            _barriersReceived = 0;
            _alignmentStartTicks = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        Gate.SetBlocked(channel, true);
        _barriersReceived++;
        CompleteAlignmentIfReady();
    }

    private void CompleteAlignmentIfReady()
    {
        if (_barriersReceived + _endedChannels < Gate.Channels.Count)
        {
            return;
        }
        var id = _aligningCheckpoint;
        var ticks = System.Diagnostics.Stopwatch.GetTimestamp() - _alignmentStartTicks;
        AlignmentTicks += ticks;
        s_alignment.Record((double)ticks / System.Diagnostics.Stopwatch.Frequency,
            new KeyValuePair<string, object?>("job", JobName), new KeyValuePair<string, object?>("job.id", JobIdText), new KeyValuePair<string, object?>("task", Name));
        UnblockAll();
        _aligningCheckpoint = -1;
        PerformCheckpoint(id);
    }

    private void UnblockAll()
    {
        foreach (var channel in Gate.Channels)
        {
            if (channel.Blocked)
            {
                Gate.SetBlocked(channel, false);
            }
        }
    }

    /// <summary>
    /// Snapshots every operator of the chain (the synchronous phase), forwards the barrier, and acknowledges the
    /// checkpoint once the deferred writes ran: on the thread pool, so processing goes on meanwhile, or inline in
    /// deterministic mode. A failed write declines the checkpoint, which then never completes.
    /// </summary>
    private void PerformCheckpoint(long checkpointId)
    {
        // A completion posted before this barrier was sent is delivered first: an incremental snapshot then builds on
        // the newest completed checkpoint, which retention keeps until this one completes.
        while (_completedCheckpoints.TryDequeue(out var completed))
        {
            NotifyCheckpointComplete(completed);
        }
        // Buffering operators emit first, upstream before downstream (the list runs downstream first), so what they
        // held reaches every later operator before its snapshot and the barrier.
        for (var i = _operators.Count - 1; i >= 0; i--)
        {
            _operators[i].PrepareSnapshotPreBarrier(checkpointId);
        }
        var contexts = SnapshotSynchronously(checkpointId);
        CheckpointFaultPoints.Reach(CheckpointPhase.Snapshot, checkpointId);
        foreach (var exchange in _exchanges)
        {
            exchange.EmitBarrier(checkpointId);
        }
        if (Checkpoints is not { } checkpoints)
        {
            return;
        }
        if (Head.Context.Options.Mode == ExecutionMode.Deterministic || !contexts.Exists(static c => c.Context.HasDeferred))
        {
            checkpoints.Acknowledge(this, checkpointId, Build(contexts));
            return;
        }
        // Acknowledgements go out in checkpoint order: a task is rarely a whole interval behind, and then it waits.
        _asyncSnapshot.Wait();
        _asyncSnapshot = Task.Run(() =>
        {
            try
            {
                checkpoints.Acknowledge(this, checkpointId, Build(contexts));
            }
            catch (Exception e)
            {
                checkpoints.Decline(this, checkpointId, e);
            }
        });
    }

    private List<(SnapshotContext Context, string Uid)> SnapshotSynchronously(long checkpointId)
    {
        var contexts = new List<(SnapshotContext, string)>(_operators.Count);
        foreach (var op in _operators)
        {
            var context = new SnapshotContext(checkpointId, op.Context);
            op.SnapshotState(context);
            op.Context.SnapshotOperatorState(context);
            contexts.Add((context, op.Uid));
        }
        return contexts;
    }

    private static List<OperatorSnapshot> Build(List<(SnapshotContext Context, string Uid)> contexts)
    {
        var snapshots = new List<OperatorSnapshot>(contexts.Count);
        foreach (var (context, uid) in contexts)
        {
            context.RunDeferred();
            snapshots.Add(context.Build(uid));
        }
        return snapshots;
    }

    /// <summary>Queues the notification that checkpoint <paramref name="checkpointId"/> completed; the task delivers it on its own thread. Any thread.</summary>
    public void PostCheckpointComplete(long checkpointId)
    {
        _completedCheckpoints.Enqueue(checkpointId);
        Gate.WakeUp();
    }

    private void NotifyCheckpointComplete(long checkpointId)
    {
        foreach (var op in _operators)
        {
            op.NotifyCheckpointComplete(checkpointId);
        }
    }

    private void EndChain()
    {
        for (var i = _operators.Count - 1; i >= 0; i--)
        {
            _operators[i].EndInput();
        }
        // The final snapshot stands in for this task in every checkpoint still to come: all its input was processed.
        // An earlier checkpoint's acknowledgement must reach the coordinator before the final snapshot may stand in.
        _asyncSnapshot.Wait();
        var final = Checkpoints is null ? null : Build(SnapshotSynchronously(ICheckpointAcknowledger.FinalCheckpoint));
        foreach (var exchange in _exchanges)
        {
            exchange.EndOfInput();
        }
        Finished = true;
        if (final is not null)
        {
            Checkpoints!.Finished(this, final);
        }
    }

    public override string ToString() => $"{Name} ({Subtask + 1})";
}

/// <summary>What a task needs of its source operator, independent of the record type.</summary>
internal interface ISourceHead
{
    SourceStatus Poll();

    void Finish(bool drain);

    /// <summary>The reader's splits (0 before the source opened); any thread.</summary>
    int SplitCount { get; }

    /// <summary>A split's id; any thread.</summary>
    string SplitName(int split);

    /// <summary>A split's watermark, Unix ms, or <see cref="EventTime.MinWatermark"/> when it has none, is idle or ended; any thread.</summary>
    long SplitWatermark(int split);
}
