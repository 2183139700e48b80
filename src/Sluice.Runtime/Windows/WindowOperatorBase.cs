using Sluice.Graph;
using Sluice.Runtime.Operators;
using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Windows;

/// <summary>
/// What every window operator shares: key extraction, the window function, emitting results with the window's
/// max timestamp, and the late-record policy (side output when configured, otherwise counted as dropped — never
/// silently lost).
/// </summary>
internal abstract class WindowOperatorBase<TKey, TIn, TAcc, TOut> : StreamOperator, IInput<TIn> where TKey : notnull
{
    private readonly OutputTag<TIn>? _lateTag;
    private KeyValuePair<string, object?> _operatorTag;

    protected WindowOperatorBase(Func<TIn, TKey> keySelector, WindowFunction<TKey, TIn, TAcc, TOut> function, OutputTag<TIn>? lateTag, Output<TOut> output)
    {
        KeySelector = keySelector;
        Function = function;
        _lateTag = lateTag;
        Output = output;
        Collector = new TimestampedCollector<TOut>(output);
        Downstream = output;
    }

    protected Func<TIn, TKey> KeySelector { get; }

    protected WindowFunction<TKey, TIn, TAcc, TOut> Function { get; }

    protected Output<TOut> Output { get; }

    protected TimestampedCollector<TOut> Collector { get; }

    /// <summary>Records routed to the late side output or dropped as late.</summary>
    public override long LateRecordCount => _late;

    private long _late;

    public override void Open() => _operatorTag = new("operator", Context.OperatorName);

    public abstract void ProcessElement(TIn value, long timestamp);

    protected TKey KeyOf(TIn value)
    {
        TKey key;
        try
        {
            key = KeySelector(value);
        }
        catch (Exception e)
        {
            throw UserFailure("extracting the key", value, e);
        }
        return key ?? throw UserFailure("extracting the key", value, new InvalidOperationException("The key selector returned null; keys must not be null."));
    }

    protected long RequireTimestamp(TIn value, long timestamp) => timestamp != EventTime.NoTimestamp
        ? timestamp
        : throw UserFailure("assigning windows", value, new InvalidOperationException(
            "The record has no event timestamp. Give the source a WatermarkStrategy with a timestamp assigner, or use processing-time windows."));

    protected TAcc Add(TAcc accumulator, TIn value)
    {
        try
        {
            return Function.Add(accumulator, value);
        }
        catch (Exception e)
        {
            throw UserFailure("adding to a window", value, e);
        }
    }

    protected void Emit(TKey key, TimeWindow window, TAcc accumulator, long timestamp)
    {
        Collector.Timestamp = timestamp;
        try
        {
            Function.Emit(key, window, accumulator, Collector);
        }
        catch (JobExecutionException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw UserFailure($"evaluating window {window} of key {key}", null, e);
        }
    }

    protected void Late(TIn value, long timestamp)
    {
        _late++;
        if (_lateTag is not null)
        {
            Output.EmitSide(_lateTag, value, timestamp);
        }
        else
        {
            SluiceMetrics.DroppedRecords.Add(1, _operatorTag, new("reason", "late"));
        }
    }
}
