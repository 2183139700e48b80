using Sluice.Runtime.Transport;
using Sluice.Sinks;

namespace Sluice.Runtime.Operators;

internal sealed class MapOperator<TIn, TOut> : OneInputOperator<TIn>
{
    private readonly Func<TIn, TOut> _map;
    private readonly Output<TOut> _output;
    private readonly BatchBuffer<TOut> _results = new(1024);

    public MapOperator(Func<TIn, TOut> map, Output<TOut> output)
    {
        _map = map;
        _output = output;
        Downstream = output;
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        TOut result;
        try
        {
            result = _map(value);
        }
        catch (Exception e)
        {
            throw UserFailure("in Map", value, e);
        }
        _output.Collect(result, timestamp);
    }

    public override void ProcessBatch(ReadOnlySpan<TIn> values, ReadOnlySpan<long> timestamps)
    {
        var results = _results.Reserve(values.Length);
        var i = 0;
        try
        {
            for (; i < values.Length; i++)
            {
                results[i] = _map(values[i]);
            }
        }
        catch (Exception e)
        {
            throw UserFailure("in Map", values[i], e);
        }
        _output.CollectBatch(results[..values.Length], timestamps);
        if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TOut>())
        {
            results[..values.Length].Clear();
        }
    }
}

internal sealed class FilterOperator<T> : OneInputOperator<T>
{
    private readonly Func<T, bool> _predicate;
    private readonly Output<T> _output;

    public FilterOperator(Func<T, bool> predicate, Output<T> output)
    {
        _predicate = predicate;
        _output = output;
        Downstream = output;
    }

    public override void ProcessElement(T value, long timestamp)
    {
        bool keep;
        try
        {
            keep = _predicate(value);
        }
        catch (Exception e)
        {
            throw UserFailure("in Filter", value, e);
        }
        if (keep)
        {
            _output.Collect(value, timestamp);
        }
    }

    /// <summary>Forwards maximal runs of kept records as slices of the input: no copy, one downstream call per run.</summary>
    public override void ProcessBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        var runStart = -1;
        for (var i = 0; i < values.Length; i++)
        {
            bool keep;
            try
            {
                keep = _predicate(values[i]);
            }
            catch (Exception e)
            {
                throw UserFailure("in Filter", values[i], e);
            }
            if (keep)
            {
                if (runStart < 0)
                {
                    runStart = i;
                }
            }
            else if (runStart >= 0)
            {
                _output.CollectBatch(values[runStart..i], timestamps[runStart..i]);
                runStart = -1;
            }
        }
        if (runStart >= 0)
        {
            _output.CollectBatch(values[runStart..], timestamps[runStart..]);
        }
    }
}

/// <summary>A collector handed to user functions: emits through an output with the current (or an explicit) timestamp.</summary>
internal sealed class TimestampedCollector<T>(Output<T> output) : ITimestampCollector<T>
{
    public long Timestamp;

    public void Collect(T value) => output.Collect(value, Timestamp);

    public void Collect(T value, long timestamp) => output.Collect(value, timestamp);
}

/// <summary>
/// The collector a flat map hands its function. It either buffers what the function emits and hands it downstream as
/// one batch per input batch (flushing early at <see cref="FlushThreshold"/> records, keeping memory bounded for
/// functions that emit a lot), or, when the next operator is chained and takes records one at a time as cheaply
/// (<see cref="IRecordAtATimeInput"/>), hands each record straight to it through its sealed
/// <see cref="ChainingOutput{T}"/> (so the call inlines).
/// </summary>
/// <remarks>
/// One sealed type for both modes, fixed at construction: the function's calls to <see cref="Collect(T)"/> see a single
/// collector type whichever mode a job's flat map runs in, so a function shared by several jobs of a process (the
/// same lambda, hence the same compiled code) stays optimised for all of them.
/// </remarks>
internal sealed class FlatMapCollector<T> : ITimestampCollector<T>
{
    private const int FlushThreshold = 4096;
    private readonly Output<T> _output;
    private readonly ChainingOutput<T>? _direct;
    private readonly BatchBuffer<T>? _buffer;

    public FlatMapCollector(Output<T> output)
    {
        _output = output;
        if (output is ChainingOutput<T> { NextTakesRecords: true } chaining)
        {
            _direct = chaining;
        }
        else
        {
            _buffer = new BatchBuffer<T>(1024);
        }
    }

    /// <summary>The timestamp <see cref="Collect(T)"/> gives a record: the input record's.</summary>
    public long Timestamp;

    public void Collect(T value) => Collect(value, Timestamp);

    public void Collect(T value, long timestamp)
    {
        if (_direct is { } direct)
        {
            direct.Collect(value, timestamp);
            return;
        }
        var buffer = _buffer!;
        buffer.Add(value, timestamp);
        if (buffer.Count >= FlushThreshold)
        {
            buffer.FlushTo(_output);
        }
    }

    /// <summary>Hands what is buffered downstream (nothing to do when direct).</summary>
    public void Flush() => _buffer?.FlushTo(_output);

    /// <summary>Forgets buffered records (after a failure).</summary>
    public void Discard()
    {
        if (_buffer is { } buffer)
        {
            buffer.Count = 0;
        }
    }
}

/// <summary>
/// Runs a flat map. What the function emits for a batch is buffered and handed downstream as one batch, unless the
/// next operator is chained and takes records one at a time as cheaply (<see cref="IRecordAtATimeInput"/>): then each
/// record goes straight to it, in the same order, before the flat map's next input record (<see cref="FlatMapCollector{T}"/>).
/// </summary>
internal sealed class FlatMapOperator<TIn, TOut> : OneInputOperator<TIn>
{
    private readonly Action<TIn, ICollector<TOut>> _flatMap;
    private readonly FlatMapCollector<TOut> _collector;

    public FlatMapOperator(Action<TIn, ICollector<TOut>> flatMap, Output<TOut> output)
    {
        _flatMap = flatMap;
        _collector = new FlatMapCollector<TOut>(output);
        Downstream = output;
    }

    public override void ProcessElement(TIn value, long timestamp) => ProcessBatch(new ReadOnlySpan<TIn>(in value), new ReadOnlySpan<long>(in timestamp));

    public override void ProcessBatch(ReadOnlySpan<TIn> values, ReadOnlySpan<long> timestamps)
    {
        var collector = _collector;
        var i = 0;
        try
        {
            for (; i < values.Length; i++)
            {
                collector.Timestamp = timestamps[i];
                _flatMap(values[i], collector);
            }
        }
        catch (JobExecutionException)
        {
            collector.Discard();
            throw;
        }
        catch (Exception e)
        {
            collector.Discard();
            throw UserFailure("in FlatMap", values[i], e);
        }
        collector.Flush();
    }
}

/// <summary>Runs a non-keyed process function; only processing time and the watermark are available on its timer service.</summary>
internal sealed class ProcessOperator<TIn, TOut> : OneInputOperator<TIn>, ITimerService
{
    private readonly ProcessFunction<TIn, TOut> _function;
    private readonly Output<TOut> _output;
    private readonly TimestampedCollector<TOut> _collector;
    private readonly ProcessFunctionContext _context;

    public ProcessOperator(ProcessFunction<TIn, TOut> function, Output<TOut> output)
    {
        _function = function;
        _output = output;
        _collector = new TimestampedCollector<TOut>(output);
        _context = new ProcessFunctionContext(this);
        Downstream = output;
    }

    public override void Open() => _function.Open(Context);

    public override void ProcessElement(TIn value, long timestamp)
    {
        _collector.Timestamp = timestamp;
        _context.CurrentTimestamp = timestamp;
        try
        {
            _function.ProcessElement(value, _context, _collector);
        }
        catch (JobExecutionException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw UserFailure("in ProcessElement", value, e);
        }
    }

    public override void Close() => _function.Close();

    long ITimerService.CurrentProcessingTime => Context.StepNow;

    long ITimerService.CurrentWatermark => CurrentWatermark;

    void ITimerService.RegisterEventTimeTimer(long time) => throw NotKeyed();

    void ITimerService.DeleteEventTimeTimer(long time) => throw NotKeyed();

    void ITimerService.RegisterProcessingTimeTimer(long time) => throw NotKeyed();

    void ITimerService.DeleteProcessingTimeTimer(long time) => throw NotKeyed();

    private InvalidOperationException NotKeyed() =>
        new($"Timers are keyed: operator {Context.Describe} runs on a non-keyed stream. Use KeyBy(...).Process(...).");

    private sealed class ProcessFunctionContext(ProcessOperator<TIn, TOut> owner) : ProcessContext
    {
        public long CurrentTimestamp;

        public override long Timestamp => CurrentTimestamp;

        public override ITimerService TimerService => owner;

        public override void Output<TSide>(OutputTag<TSide> tag, TSide value) => owner._output.EmitSide(tag, value, CurrentTimestamp);
    }
}

/// <summary>
/// Writes to a sink. For a two-phase sink it stages output at every checkpoint (the committable travels in the
/// snapshot and is committed by the coordinator once the checkpoint completes); without checkpoints it commits its
/// output itself at the end of input.
/// </summary>
/// <remarks>
/// With checkpoints on (without there is no commit, and it measures nothing) it measures event-time latency at commit: it keeps the smallest record timestamp written since
/// the last barrier (one comparison per record), moves it aside at the barrier, and when that checkpoint completes —
/// after the coordinator committed the staged output — records commit time − that timestamp on
/// <c>sluice.latency.event_to_commit</c>: one sample per commit and subtask, the latency of its oldest record.
/// </remarks>
internal sealed class SinkOperator<T>(ISink<T> sink) : OneInputOperator<T>
{
    private ISinkWriter<T>? _writer;
    private long _pendingMinTimestamp = long.MaxValue; // smallest timestamp written since the last barrier
    private long _stagedMinTimestamp = long.MaxValue; // the same for the output a pending checkpoint will commit
    private KeyValuePair<string, object?>[] _latencyTags = [];
    private bool _measureLatency; // checkpoints on: there are commits to measure at

    public override void Open()
    {
        _measureLatency = Context.Options.Checkpoints is not null;
        _latencyTags = [new("job", Context.JobName), new("job.id", Context.JobId.ToString()), new("operator", Context.OperatorName), new("subtask", Context.SubtaskIndex)];
        _writer = sink.CreateWriter(new SinkContext(Context.OperatorName, Context.SubtaskIndex, Context.Parallelism, Context.TimeProvider)
        {
            JobName = Context.JobName,
            JobId = Context.JobId,
            LoggerFactory = Context.Options.LoggerFactory,
            WakeUp = Context.WakeUp,
        });
        if (sink is ITwoPhaseSink<T> && _writer is not ITwoPhaseSinkWriter<T>)
        {
            throw new InvalidOperationException($"Sink {Context.Describe} is two-phase but its writer ({_writer.GetType().Name}) does not implement ITwoPhaseSinkWriter.");
        }
    }

    public override void SnapshotState(Checkpointing.SnapshotContext context)
    {
        // Checkpoints run one at a time, so everything written before this barrier is committed by the next completion.
        _stagedMinTimestamp = Math.Min(_stagedMinTimestamp, _pendingMinTimestamp);
        _pendingMinTimestamp = long.MaxValue;
        if (_writer is ITwoPhaseSinkWriter<T> twoPhase)
        {
            try
            {
                context.SetCommittable(twoPhase.PrepareCommit(context.CheckpointId));
            }
            catch (Exception e)
            {
                throw UserFailure($"preparing the commit of checkpoint #{context.CheckpointId}", null, e);
            }
        }
    }

    public override void NotifyCheckpointComplete(long checkpointId)
    {
        if (_stagedMinTimestamp != long.MaxValue)
        {
            var latencyMs = Math.Max(0, Context.Now - _stagedMinTimestamp);
            SinkInstruments.EventToCommit.Record(latencyMs / 1000.0, _latencyTags);
            _stagedMinTimestamp = long.MaxValue;
        }
    }

    public override void ProcessElement(T value, long timestamp)
    {
        if (_measureLatency && timestamp < _pendingMinTimestamp && timestamp != EventTime.NoTimestamp)
        {
            _pendingMinTimestamp = timestamp;
        }
        try
        {
            _writer!.Write(value, timestamp);
        }
        catch (Exception e)
        {
            throw UserFailure("writing", value, e);
        }
    }

    public override void ProcessBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        if (_measureLatency)
        {
            var min = _pendingMinTimestamp;
            foreach (var timestamp in timestamps)
            {
                if (timestamp < min && timestamp != EventTime.NoTimestamp)
                {
                    min = timestamp;
                }
            }
            _pendingMinTimestamp = min;
        }
        try
        {
            _writer!.WriteBatch(values, timestamps);
        }
        catch (Exception e)
        {
            throw UserFailure("writing a batch", values.Length > 0 ? (object?)values[0] : null, e);
        }
    }

    /// <summary>The writer asked to be woken (<see cref="SinkContext.WakeUp"/>): the sink has no timers of its own.</summary>
    public override void OnProcessingTime(long now)
    {
        try
        {
            _writer?.OnWakeUp();
        }
        catch (Exception e)
        {
            throw UserFailure("acting on a wake-up", null, e);
        }
    }

    public override void EndInput()
    {
        try
        {
            _writer?.Flush();
            if (Context.Options.Checkpoints is null && sink is ITwoPhaseSink<T> twoPhase && _writer is ITwoPhaseSinkWriter<T> writer)
            {
                // No checkpoints, so no coordinator commits: publish the output now that all input was written. Like the
                // coordinator, never commit an empty committable (a subtask that received no records staged nothing).
                var committable = writer.PrepareCommit(0);
                if (committable.Length > 0)
                {
                    twoPhase.Commit(0, Context.SubtaskIndex, committable);
                }
            }
        }
        catch (Exception e)
        {
            throw UserFailure("flushing", null, e);
        }
    }

    public override void Close() => _writer?.Dispose();
}

/// <summary>The sinks' instruments on the <see cref="SluiceMetrics.Meter"/> (one per process, whatever the record type).</summary>
internal static class SinkInstruments
{
    /// <summary>
    /// Seconds from a record's event time to the commit that published it, one sample per commit and sink subtask (its
    /// oldest record), tagged <c>job</c>, <c>job.id</c>, <c>operator</c>, <c>subtask</c>.
    /// </summary>
    public static readonly System.Diagnostics.Metrics.Histogram<double> EventToCommit = SluiceMetrics.CreateSecondsHistogram("sluice.latency.event_to_commit",
        "Seconds from event time to the sink commit that published the record: per commit and sink subtask, its oldest record's.");
}
