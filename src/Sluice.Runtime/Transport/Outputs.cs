using System.Runtime.CompilerServices;

namespace Sluice.Runtime.Transport;

/// <summary>
/// Where an operator sends what it emits: records, watermarks, idleness and side outputs. Implementations are
/// the next operator in the chain, an exchange to other tasks, or a fan-out of several. Used from the task's thread only.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
internal abstract class Output<T> : Output
{
    /// <summary>Emits one record.</summary>
    public abstract void Collect(T value, long timestamp);

    /// <summary>Emits records in order; the spans are valid only during the call.</summary>
    public virtual void CollectBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        for (var i = 0; i < values.Length; i++)
        {
            Collect(values[i], timestamps[i]);
        }
    }

    /// <summary>Emits to a side output; with no consumer for the tag, the record is counted as dropped.</summary>
    public virtual void EmitSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp) => SideRoutes.Unrouted(tag.Id, Producer);
}

/// <summary>The control part of an output, independent of the record type.</summary>
internal abstract class Output
{
    /// <summary>
    /// Records the producing operator handed to this output (its main output) so far; any thread, approximately
    /// current. 0 for an output that keeps no count (a side-output route, the shared discarding output).
    /// </summary>
    public virtual long RecordsTaken => 0;

    /// <summary>
    /// The operator whose main output this is, named in <c>sluice.records.dropped</c> when it emits to a side output
    /// nobody consumes; set when the output is built.
    /// </summary>
    public OperatorIdentity? Producer { get; set; }

    /// <summary>Emits a watermark (after every record that precedes it).</summary>
    public abstract void EmitWatermark(long watermark);

    /// <summary>Marks the stream idle (no watermark progress expected) or active again.</summary>
    public abstract void EmitIdle(bool idle);
}

/// <summary>Side-output bookkeeping shared by outputs.</summary>
internal static class SideRoutes
{
    public static void Unrouted(string tagId, OperatorIdentity? producer)
    {
        var tags = new System.Diagnostics.TagList
        {
            { "job", producer?.JobName },
            { "job.id", producer?.JobId },
            { "operator", producer?.OperatorName },
            { "reason", $"side output '{tagId}' has no consumer" },
        };
        SluiceMetrics.DroppedRecords.Add(1, in tags);
    }
}

/// <summary>An operator as its instruments' tags name it: job name, job id (32 hex digits) and operator name.</summary>
internal sealed record OperatorIdentity(string JobName, string JobId, string OperatorName);

/// <summary>
/// Hands records straight to the next operator of the chain: a method call, no copy, no queue; counts them into the
/// next operator's <see cref="Operators.StreamOperator.RecordsIn"/>.
/// </summary>
internal sealed class ChainingOutput<T>(Operators.IInput<T> next) : Output<T>
{
    private readonly Operators.StreamOperator _counted = (Operators.StreamOperator)next;

    /// <summary>True when the next operator takes records one at a time as cheaply as in batches (<see cref="Operators.IRecordAtATimeInput"/>).</summary>
    public bool NextTakesRecords { get; } = next is Operators.IRecordAtATimeInput;

    /// <summary>The next operator's records in: a chained operator has no other input.</summary>
    public override long RecordsTaken => Volatile.Read(ref _counted.RecordsIn);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override void Collect(T value, long timestamp)
    {
        _counted.RecordsIn++;
        next.ProcessElement(value, timestamp);
    }

    public override void CollectBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        _counted.RecordsIn += values.Length;
        next.ProcessBatch(values, timestamps);
    }

    public override void EmitWatermark(long watermark) => next.ProcessWatermark(watermark);

    public override void EmitIdle(bool idle) => next.ProcessIdle(idle);
}

/// <summary>
/// An operator's output: its main consumers (one or many) and its side outputs by tag. Watermarks and idleness go
/// to every consumer, side outputs included, so downstream event time advances everywhere.
/// </summary>
internal sealed class RoutingOutput<T> : Output<T>
{
    private readonly Output<T>[] _main;
    private readonly Dictionary<string, Output> _sides;
    private long _taken;

    public RoutingOutput(Output<T>[] main, Dictionary<string, Output> sides)
    {
        _main = main;
        _sides = sides;
    }

    public override long RecordsTaken => Volatile.Read(ref _taken);

    public override void Collect(T value, long timestamp)
    {
        _taken++;
        var main = _main;
        for (var i = 0; i < main.Length; i++)
        {
            main[i].Collect(value, timestamp);
        }
    }

    public override void CollectBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        _taken += values.Length;
        foreach (var output in _main)
        {
            output.CollectBatch(values, timestamps);
        }
    }

    public override void EmitWatermark(long watermark)
    {
        foreach (var output in _main)
        {
            output.EmitWatermark(watermark);
        }
        foreach (var side in _sides.Values)
        {
            side.EmitWatermark(watermark);
        }
    }

    public override void EmitIdle(bool idle)
    {
        foreach (var output in _main)
        {
            output.EmitIdle(idle);
        }
        foreach (var side in _sides.Values)
        {
            side.EmitIdle(idle);
        }
    }

    public override void EmitSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp)
    {
        if (_sides.TryGetValue(tag.Id, out var route))
        {
            ((Output<TSide>)route).Collect(value, timestamp);
        }
        else
        {
            SideRoutes.Unrouted(tag.Id, Producer);
        }
    }
}

/// <summary>An output that discards records (an operator whose main output nobody consumes).</summary>
internal sealed class DiscardingOutput<T> : Output<T>
{
    public override void Collect(T value, long timestamp) { }

    public override void EmitWatermark(long watermark) { }

    public override void EmitIdle(bool idle) { }
}
