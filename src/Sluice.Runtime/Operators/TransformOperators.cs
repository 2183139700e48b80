using Sluice.Operators;
using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Operators;

/// <summary>
/// Runs an operator added with <c>DataStream.Transform</c> on the runtime's lifecycle: every hook of
/// <see cref="StreamOperator"/> calls the matching public hook, wrapping exceptions so the job error names the
/// operator, subtask and record. Adds no work per record beyond one virtual call.
/// </summary>
internal sealed class TransformOperator<TIn, TOut> : OneInputOperator<TIn>
{
    private readonly OneInputStreamOperator<TIn, TOut> _operator;
    private readonly bool _batches;

    public TransformOperator(OneInputStreamOperator<TIn, TOut> op, Output<TOut> output)
    {
        _operator = op;
        // Without an override, batches go record by record here, so a failure names its record.
        var declaring = op.GetType().GetMethod(nameof(ProcessBatch))!.DeclaringType!;
        _batches = !(declaring.IsGenericType && declaring.GetGenericTypeDefinition() == typeof(OneInputStreamOperator<,>));
        OutputBridge = new OperatorOutput<TOut>(output);
        Downstream = output;
    }

    private OperatorOutput<TOut> OutputBridge { get; }

    public override void Open()
    {
        _operator.Setup(Context, OutputBridge);
        Call(static (op, _) => op.Open(), 0, "in Open");
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        try
        {
            _operator.ProcessElement(value, timestamp);
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

    public override void ProcessBatch(ReadOnlySpan<TIn> values, ReadOnlySpan<long> timestamps)
    {
        if (!_batches)
        {
            base.ProcessBatch(values, timestamps);
            return;
        }
        try
        {
            _operator.ProcessBatch(values, timestamps);
        }
        catch (JobExecutionException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw UserFailure("in ProcessBatch", null, e);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        Call(static (op, w) => op.ProcessWatermark(w), watermark, "in ProcessWatermark");
    }

    public override void OnProcessingTime(long now) => Call(static (op, t) => op.OnProcessingTime(t), now, "in OnProcessingTime");

    public override void SnapshotState(Checkpointing.SnapshotContext context)
    {
        try
        {
            _operator.SnapshotState(context.CheckpointId);
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure($"in SnapshotState (checkpoint {context.CheckpointId})", null, e);
        }
    }

    public override void NotifyCheckpointComplete(long checkpointId) =>
        Call(static (op, id) => op.NotifyCheckpointComplete(id), checkpointId, "in NotifyCheckpointComplete");

    public override void EndInput() => Call(static (op, _) => op.EndInput(), 0, "in EndInput");

    public override void Close() => Call(static (op, _) => op.Close(), 0, "in Close");

    private void Call(Action<OneInputStreamOperator<TIn, TOut>, long> hook, long argument, string what)
    {
        try
        {
            hook(_operator, argument);
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure(what, null, e);
        }
    }
}

/// <summary>
/// Runs an operator added with <c>KeyedStream.Transform</c>: keyed state and timers come from
/// <see cref="KeyedOperatorBase{TKey, TOut}"/> (the same backend and timer queues as every keyed operator, snapshotted
/// per key group), the current key is set before each record and timer, and the watermark is handed to the operator
/// after the due event-time timers fired.
/// </summary>
internal sealed class KeyedTransformOperator<TKey, TIn, TOut> : KeyedOperatorBase<TKey, TOut>, IInput<TIn> where TKey : notnull
{
    private readonly Func<TIn, TKey> _keySelector;
    private readonly KeyedOneInputStreamOperator<TKey, TIn, TOut> _operator;
    private readonly OperatorOutput<TOut> _output;

    public KeyedTransformOperator(Func<TIn, TKey> keySelector, IKeyHasher<TKey> hasher, KeyedOneInputStreamOperator<TKey, TIn, TOut> op, Output<TOut> output)
        : base(hasher, output)
    {
        _keySelector = keySelector;
        _operator = op;
        _output = new OperatorOutput<TOut>(output);
    }

    public override void Open()
    {
        base.Open();
        _operator.Setup(Context, _output);
        _operator.SetupKey(() => Backend.CurrentKey);
        Invoke("in Open", static (op, _) => op.Open(), 0);
    }

    public void ProcessElement(TIn value, long timestamp)
    {
        try
        {
            Enter(_keySelector(value), timestamp);
            _operator.ProcessElement(value, timestamp);
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

    protected override void InvokeOnTimer(long time) => _operator.OnTimer(time, FunctionContext.TimeDomain);

    protected override void ForwardWatermark(long watermark) => Invoke("in ProcessWatermark", static (op, w) => op.ProcessWatermark(w), watermark);

    public override void OnProcessingTime(long now)
    {
        base.OnProcessingTime(now);
        Invoke("in OnProcessingTime", static (op, t) => op.OnProcessingTime(t), now);
    }

    public override void SnapshotState(Checkpointing.SnapshotContext context)
    {
        try
        {
            _operator.SnapshotState(context.CheckpointId);
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure($"in SnapshotState (checkpoint {context.CheckpointId})", null, e);
        }
        base.SnapshotState(context);
    }

    public override void NotifyCheckpointComplete(long checkpointId)
    {
        base.NotifyCheckpointComplete(checkpointId);
        Invoke("in NotifyCheckpointComplete", static (op, id) => op.NotifyCheckpointComplete(id), checkpointId);
    }

    public override void EndInput() => Invoke("in EndInput", static (op, _) => op.EndInput(), 0);

    public override void Close()
    {
        Invoke("in Close", static (op, _) => op.Close(), 0);
        base.Close();
    }

    private void Invoke(string what, Action<KeyedOneInputStreamOperator<TKey, TIn, TOut>, long> hook, long argument)
    {
        try
        {
            hook(_operator, argument);
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure(what, null, e);
        }
    }
}

/// <summary>The public face of an <see cref="Output{T}"/>: forwards every call, allocates nothing.</summary>
internal sealed class OperatorOutput<T>(Output<T> output) : IOperatorOutput<T>
{
    public void Collect(T value, long timestamp) => output.Collect(value, timestamp);

    public void CollectSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp) => output.EmitSide(tag, value, timestamp);

    public void EmitWatermark(long watermark) => output.EmitWatermark(watermark);
}
