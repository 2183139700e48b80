using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Transport;
using Sluice.Sources;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Operators;

/// <summary>
/// Head of a source chain: polls the reader, assigns timestamps, tracks a watermark per split (bounded
/// out-of-orderness or explicit), marks idle splits, and emits the minimum over active splits when it advances.
/// Watermarks are emitted after each poll, so their position relative to records is deterministic. Records a poll
/// emits are buffered and sent downstream as one batch.
/// </summary>
internal sealed class SourceOperator<T> : StreamOperator, ISourceOutput<T>, Tasks.ISourceHead
{
    private readonly ISource<T> _source;
    private readonly WatermarkStrategy<T> _strategy;
    private readonly Output<T> _output;
    private readonly Action _signalAvailable;
    private readonly BatchBuffer<T> _buffer;
    private readonly BatchBuffer<long> _timestamps = new(1024);
    private ISourceReader<T>? _reader;
    private SplitState[] _splits = [];
    private bool _idle;

    public SourceOperator(ISource<T> source, WatermarkStrategy<T> strategy, Output<T> output, Action signalAvailable)
    {
        _source = source;
        _strategy = strategy;
        _output = output;
        _signalAvailable = signalAvailable;
        _buffer = new BatchBuffer<T>(1024);
        Downstream = output;
    }

    /// <summary>Records emitted so far.</summary>
    public override long SourceRecordCount => _recordsOut;

    private long _recordsOut;

    public override void Open()
    {
        var restored = RestoredSplits();
        _reader = _source.CreateReader(new SourceReaderContext(Context.SubtaskIndex, Context.Parallelism, Context.TimeProvider, _signalAvailable, Context.Options.BatchSize)
        {
            RestoredSplits = restored.ToDictionary(static r => r.Key, static r => r.Value.Position),
            OperatorName = Context.OperatorName,
            JobName = Context.JobName,
            JobId = Context.JobId,
            LoggerFactory = Context.Options.LoggerFactory,
        });
        if (Context.Options.Checkpoints is not null && _reader is not ICheckpointedSourceReader)
        {
            throw new InvalidOperationException(
                $"Source {Context.Describe} cannot be checkpointed: its reader ({_reader.GetType().Name}) does not implement ICheckpointedSourceReader. Exactly-once needs a replayable source (a log, Kafka, a file, a collection).");
        }
        var count = _reader.SplitCount;
        if (count < 1)
        {
            throw new InvalidOperationException($"Source {Context.Describe} reader reports {count} splits; a reader owns at least one.");
        }
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = _reader is ICheckpointedSourceReader named ? named.SplitId(i) : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        _splitNames = names;
        _splits = new SplitState[count];
        var now = _strategy.IdleTimeoutMs > 0 ? Context.Now : 0;
        for (var i = 0; i < count; i++)
        {
            _splits[i] = new SplitState { MaxTimestamp = EventTime.MinWatermark, Explicit = EventTime.MinWatermark, LastActivity = now };
            if (_reader is ICheckpointedSourceReader checkpointed && restored.TryGetValue(checkpointed.SplitId(i), out var split))
            {
                _splits[i].MaxTimestamp = split.MaxTimestamp;
                _splits[i].Explicit = split.Explicit;
                _restoredWatermarkPending = true;
            }
        }
    }

    private bool _restoredWatermarkPending;

    private string[] _splitNames = [];

    /// <summary>The reader's splits (0 before <see cref="Open"/>); any thread.</summary>
    public int SplitCount => Math.Min(Volatile.Read(ref _splitNames).Length, Volatile.Read(ref _splits).Length);

    /// <summary>Split <paramref name="split"/>'s id (the reader's checkpoint id, or its index); any thread.</summary>
    public string SplitName(int split) => Volatile.Read(ref _splitNames)[split];

    /// <summary>
    /// Split <paramref name="split"/>'s own watermark (what it would hold the source's watermark at), Unix ms, or
    /// <see cref="EventTime.MinWatermark"/> when it has none, is idle or finished. Any thread: a racy read of the task
    /// thread's figures, current within a poll.
    /// </summary>
    public long SplitWatermark(int split)
    {
        var s = Volatile.Read(ref _splits)[split];
        if (s.Finished || s.Idle || s.ExplicitIdle)
        {
            return EventTime.MinWatermark;
        }
        var generated = !_strategy.EmitsWatermarks || s.MaxTimestamp == EventTime.MinWatermark
            ? EventTime.MinWatermark
            : s.MaxTimestamp - _strategy.MaxOutOfOrdernessMs - 1;
        return Math.Max(generated, s.Explicit);
    }

    /// <summary>
    /// Split positions and watermark progress of every subtask of the restored checkpoint, by split id: the union list
    /// state <see cref="SplitsState"/> (one element per split), or the version-1 raw operator section.
    /// </summary>
    private Dictionary<string, (byte[] Position, long MaxTimestamp, long Explicit)> RestoredSplits()
    {
        var splits = new Dictionary<string, (byte[], long, long)>();
        _splitState = Context.OperatorState.GetUnionListState(new ListStateDescriptor<byte[]>(SplitsState));
        foreach (var element in _splitState.Get())
        {
            var r = new StateReader(element);
            ReadSplit(r, splits);
            r.EnsureAtEnd();
        }
        if (Context.Restore is not { } restore)
        {
            return splits;
        }
        foreach (var bytes in restore.OperatorStates)
        {
            var r = new StateReader(bytes);
            var version = r.ReadByte();
            if (version != V1FormatVersion)
            {
                throw new StateFormatException($"Source state of '{Context.OperatorName}' has format version {version}; this release reads version {V1FormatVersion}.");
            }
            var count = (int)r.ReadVarInt32();
            for (var i = 0; i < count; i++)
            {
                ReadSplit(r, splits);
            }
        }
        return splits;

        static void ReadSplit(StateReader r, Dictionary<string, (byte[], long, long)> splits)
        {
            var id = r.ReadString() ?? "";
            splits[id] = (r.ReadBytes().ToArray(), r.ReadInt64(), r.ReadInt64());
        }
    }

    /// <summary>The union list state of split positions: every subtask sees all and takes the splits it owns.</summary>
    private const string SplitsState = "source-splits";

    /// <summary>Version of the raw operator section sources wrote before they used <see cref="SplitsState"/>.</summary>
    private const byte V1FormatVersion = 1;

    private IListState<byte[]> _splitState = null!;

    /// <summary>
    /// Saves every split's position (from the reader) and watermark progress, one element per split (id, position,
    /// max timestamp, explicit watermark); the barrier follows in the same step, between two polls.
    /// </summary>
    public override void SnapshotState(SnapshotContext context)
    {
        if (_reader is not ICheckpointedSourceReader checkpointed)
        {
            return;
        }
        var elements = new List<byte[]>(_splits.Length);
        var w = new StateWriter();
        for (var i = 0; i < _splits.Length; i++)
        {
            w.Reset();
            w.WriteString(checkpointed.SplitId(i));
            w.WriteBytes(checkpointed.SnapshotSplit(i, context.CheckpointId));
            w.WriteInt64(_splits[i].MaxTimestamp);
            w.WriteInt64(_splits[i].Explicit);
            elements.Add(w.WrittenSpan.ToArray());
        }
        _splitState.Update(elements);
    }

    public override void NotifyCheckpointComplete(long checkpointId) => (_reader as ICheckpointedSourceReader)?.NotifyCheckpointComplete(checkpointId);

    /// <summary>Polls the reader once and emits the watermark if it advanced.</summary>
    public SourceStatus Poll()
    {
        if (_restoredWatermarkPending)
        {
            // Re-emit the restored watermark before any replayed record, exactly where it stood at the checkpoint.
            _restoredWatermarkPending = false;
            UpdateWatermark();
        }
        SourceStatus status;
        try
        {
            status = _reader!.PollNext(this);
        }
        catch (JobExecutionException)
        {
            _buffer.Count = 0;
            throw;
        }
        catch (Exception e)
        {
            _buffer.Count = 0;
            throw UserFailure("reading from the source", null, e);
        }
        _buffer.FlushTo(_output);
        if (status == SourceStatus.Finished)
        {
            for (var i = 0; i < _splits.Length; i++)
            {
                _splits[i].Finished = true;
            }
        }
        UpdateWatermark();
        return status;
    }

    /// <summary>Ends the source: with <paramref name="drain"/> the final watermark (+∞) fires every window and timer downstream.</summary>
    public void Finish(bool drain)
    {
        if (drain && CurrentWatermark != EventTime.MaxWatermark)
        {
            if (_idle)
            {
                _idle = false;
                _output.EmitIdle(false);
            }
            CurrentWatermark = EventTime.MaxWatermark;
            _output.EmitWatermark(EventTime.MaxWatermark);
        }
    }

    public override void OnProcessingTime(long now) => UpdateWatermark();

    public void Collect(int split, T value, long timestamp = EventTime.NoTimestamp)
    {
        if (_strategy.TimestampAssigner is { } assign)
        {
            try
            {
                timestamp = assign(value);
            }
            catch (Exception e)
            {
                throw UserFailure("assigning a timestamp", value, e);
            }
        }
        ref var state = ref _splits[split];
        state.SawRecord = true;
        if (timestamp > state.MaxTimestamp)
        {
            state.MaxTimestamp = timestamp;
        }
        _recordsOut++;
        _buffer.Add(value, timestamp);
        if (_buffer.Count == MaxBufferedRecords)
        {
            _buffer.FlushTo(_output);
        }
    }

    public void CollectBatch(int split, ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        if (timestamps.Length != 0 && timestamps.Length != values.Length)
        {
            throw new ArgumentException($"CollectBatch got {values.Length} records but {timestamps.Length} timestamps; pass one per record or none.", nameof(timestamps));
        }
        if (values.IsEmpty)
        {
            return;
        }
        _buffer.FlushTo(_output);
        var times = _timestamps.Reserve(values.Length)[..values.Length];
        if (_strategy.TimestampAssigner is { } assign)
        {
            var i = 0;
            try
            {
                for (; i < values.Length; i++)
                {
                    times[i] = assign(values[i]);
                }
            }
            catch (Exception e)
            {
                throw UserFailure("assigning a timestamp", values[i], e);
            }
        }
        else if (timestamps.IsEmpty)
        {
            times.Fill(EventTime.NoTimestamp);
        }
        else
        {
            timestamps.CopyTo(times);
        }
        ref var state = ref _splits[split];
        state.SawRecord = true;
        var max = state.MaxTimestamp;
        foreach (var t in times)
        {
            max = Math.Max(max, t);
        }
        state.MaxTimestamp = max;
        _recordsOut += values.Length;
        _output.CollectBatch(values, times);
    }

    public void EmitWatermark(int split, long watermark)
    {
        ref var state = ref _splits[split];
        state.SawRecord = true;
        if (watermark > state.Explicit)
        {
            state.Explicit = watermark;
        }
    }

    public void MarkSplitFinished(int split) => _splits[split].Finished = true;

    public void MarkSplitIdle(int split, bool idle) => _splits[split].ExplicitIdle = idle;

    public void ReportDeadLetter(DeadLetter letter) => _output.EmitSide(DeadLetters.Tag, letter, EventTime.NoTimestamp);

    /// <summary>Records buffered before they go downstream as one batch (a reader may emit more per poll).</summary>
    private const int MaxBufferedRecords = 4096;

    private void UpdateWatermark()
    {
        var idleTimeout = _strategy.IdleTimeoutMs;
        var now = idleTimeout > 0 ? Context.Now : 0;
        var combined = long.MaxValue;
        var anyActive = false;
        var nextIdleCheck = long.MaxValue;
        for (var i = 0; i < _splits.Length; i++)
        {
            ref var s = ref _splits[i];
            if (s.Finished)
            {
                continue;
            }
            if (idleTimeout > 0)
            {
                if (s.SawRecord)
                {
                    s.LastActivity = now;
                    s.Idle = false;
                }
                else if (!s.Idle && now - s.LastActivity >= idleTimeout)
                {
                    s.Idle = true;
                }
                if (!s.Idle)
                {
                    nextIdleCheck = Math.Min(nextIdleCheck, s.LastActivity + idleTimeout);
                }
            }
            if (s.SawRecord)
            {
                s.ExplicitIdle = false;
            }
            s.SawRecord = false;
            if (s.Idle || s.ExplicitIdle)
            {
                continue;
            }
            anyActive = true;
            var generated = !_strategy.EmitsWatermarks || s.MaxTimestamp == EventTime.MinWatermark
                ? EventTime.MinWatermark
                : s.MaxTimestamp - _strategy.MaxOutOfOrdernessMs - 1;
            combined = Math.Min(combined, Math.Max(generated, s.Explicit));
        }
        var allFinished = !anyActive && Array.TrueForAll(_splits, s => s.Finished);
        if (allFinished)
        {
            // Every split ended: the source holds nothing back any more, even if its reader keeps running.
            Finish(drain: true);
        }
        else if (!anyActive)
        {
            if (!_idle)
            {
                _idle = true;
                _output.EmitIdle(true);
            }
        }
        else if (anyActive)
        {
            if (_idle)
            {
                _idle = false;
                _output.EmitIdle(false);
            }
            if (combined > CurrentWatermark)
            {
                CurrentWatermark = combined;
                _output.EmitWatermark(combined);
            }
        }
        if (nextIdleCheck != long.MaxValue)
        {
            Context.RequestProcessingTime(nextIdleCheck);
        }
    }

    public override void Close() => _reader?.Dispose();

    private struct SplitState
    {
        public long MaxTimestamp;
        public long Explicit;
        public long LastActivity;
        public bool SawRecord;
        public bool Idle;
        public bool ExplicitIdle;
        public bool Finished;
    }
}
