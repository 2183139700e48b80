using Sluice.Runtime.Transport;
using Sluice.Sinks;

namespace Sluice.Runtime.Operators;

internal sealed class MapOperator<TIn, TOut> : OneInputOperator<TIn>
{
    private readonly Func<TIn, TOut> _map;
    private readonly Output<TOut> _output;

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
}

/// <summary>A collector handed to user functions: emits through an output with the current (or an explicit) timestamp.</summary>
internal sealed class TimestampedCollector<T>(Output<T> output) : ITimestampCollector<T>
{
    public long Timestamp;

    public void Collect(T value) => output.Collect(value, Timestamp);

    public void Collect(T value, long timestamp) => output.Collect(value, timestamp);
}

internal sealed class FlatMapOperator<TIn, TOut> : OneInputOperator<TIn>
{
    private readonly Action<TIn, ICollector<TOut>> _flatMap;
    private readonly TimestampedCollector<TOut> _collector;

    public FlatMapOperator(Action<TIn, ICollector<TOut>> flatMap, Output<TOut> output)
    {
        _flatMap = flatMap;
        _collector = new TimestampedCollector<TOut>(output);
        Downstream = output;
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        _collector.Timestamp = timestamp;
        try
        {
            _flatMap(value, _collector);
        }
        catch (JobExecutionException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw UserFailure("in FlatMap", value, e);
        }
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

    long ITimerService.CurrentProcessingTime => Context.Now;

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

internal sealed class SinkOperator<T>(ISink<T> sink) : OneInputOperator<T>
{
    private ISinkWriter<T>? _writer;

    public override void Open() =>
        _writer = sink.CreateWriter(new SinkContext(Context.OperatorName, Context.SubtaskIndex, Context.Parallelism, Context.TimeProvider));

    public override void ProcessElement(T value, long timestamp)
    {
        try
        {
            _writer!.Write(value, timestamp);
        }
        catch (Exception e)
        {
            throw UserFailure("writing", value, e);
        }
    }

    public override void EndInput()
    {
        try
        {
            _writer?.Flush();
        }
        catch (Exception e)
        {
            throw UserFailure("flushing", null, e);
        }
    }

    public override void Close() => _writer?.Dispose();
}
