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

    public override void PrepareSnapshotPreBarrier(long checkpointId) =>
        Call(static (op, id) => op.PrepareSnapshotPreBarrier(id), checkpointId, "in PrepareSnapshotPreBarrier");

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
/// Runs a keyed operator added with <c>Transform</c> (one or two inputs): keyed state and timers come from
/// <see cref="KeyedOperatorBase{TKey, TOut}"/> (the same backend and timer service as every keyed operator,
/// snapshotted per key group), the current key is set before each record and timer, and the watermark is handed to
/// the operator after the due event-time timers fired. Every hook wraps exceptions so the job error names the
/// operator, subtask and record.
/// </summary>
internal abstract class KeyedTransformOperatorBase<TKey, TOut, TOperator> : KeyedOperatorBase<TKey, TOut>
    where TKey : notnull
    where TOperator : StreamOperator<TOut>
{
    private readonly OperatorOutput<TOut> _output;

    protected KeyedTransformOperatorBase(IKeyHasher<TKey> hasher, TOperator op, Output<TOut> output) : base(hasher, output)
    {
        Operator = op;
        _output = new OperatorOutput<TOut>(output);
    }

    protected TOperator Operator { get; }

    /// <summary>Hands the operator how to read the current key (before its <c>Open</c>).</summary>
    protected abstract void SetupKey(Func<TKey> currentKey);

    public override void Open()
    {
        base.Open();
        Operator.Setup(Context, _output);
        SetupKey(() => Backend.CurrentKey);
        Invoke("in Open", static (op, _) => op.Open(), 0);
    }

    protected override void ForwardWatermark(long watermark) => Invoke("in ProcessWatermark", static (op, w) => op.ProcessWatermark(w), watermark);

    public override void OnProcessingTime(long now)
    {
        base.OnProcessingTime(now);
        Invoke("in OnProcessingTime", static (op, t) => op.OnProcessingTime(t), now);
    }

    public override void PrepareSnapshotPreBarrier(long checkpointId) =>
        Invoke("in PrepareSnapshotPreBarrier", static (op, id) => op.PrepareSnapshotPreBarrier(id), checkpointId);

    public override void SnapshotState(Checkpointing.SnapshotContext context)
    {
        try
        {
            Operator.SnapshotState(context.CheckpointId);
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

    private void Invoke(string what, Action<TOperator, long> hook, long argument)
    {
        try
        {
            hook(Operator, argument);
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure(what, null, e);
        }
    }
}

/// <summary>Runs an operator added with <c>KeyedStream.Transform</c>.</summary>
internal sealed class KeyedTransformOperator<TKey, TIn, TOut>(Func<TIn, TKey> keySelector, IKeyHasher<TKey> hasher, KeyedOneInputStreamOperator<TKey, TIn, TOut> op, Output<TOut> output)
    : KeyedTransformOperatorBase<TKey, TOut, KeyedOneInputStreamOperator<TKey, TIn, TOut>>(hasher, op, output), IInput<TIn> where TKey : notnull
{
    protected override void SetupKey(Func<TKey> currentKey) => Operator.SetupKey(currentKey);

    public void ProcessElement(TIn value, long timestamp)
    {
        try
        {
            Enter(keySelector(value), timestamp);
            Operator.ProcessElement(value, timestamp);
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure("in ProcessElement", value, e);
        }
    }

    protected override void InvokeOnTimer(long time) => Operator.OnTimer(time, FunctionContext.TimeDomain);
}

/// <summary>Runs an operator added with <c>ConnectedKeyedStreams.Transform</c>.</summary>
internal sealed class KeyedTwoInputTransformOperator<TKey, TIn1, TIn2, TOut>(
    Func<TIn1, TKey> keySelector1, Func<TIn2, TKey> keySelector2, IKeyHasher<TKey> hasher, KeyedTwoInputStreamOperator<TKey, TIn1, TIn2, TOut> op, Output<TOut> output)
    : KeyedTransformOperatorBase<TKey, TOut, KeyedTwoInputStreamOperator<TKey, TIn1, TIn2, TOut>>(hasher, op, output), ITwoInput<TIn1, TIn2> where TKey : notnull
{
    protected override void SetupKey(Func<TKey> currentKey) => Operator.SetupKey(currentKey);

    public void ProcessElement1(TIn1 value, long timestamp)
    {
        try
        {
            Enter(keySelector1(value), timestamp);
            Operator.ProcessElement1(value, timestamp);
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure("in ProcessElement1", value, e);
        }
    }

    public void ProcessElement2(TIn2 value, long timestamp)
    {
        try
        {
            Enter(keySelector2(value), timestamp);
            Operator.ProcessElement2(value, timestamp);
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure("in ProcessElement2", value, e);
        }
    }

    protected override void InvokeOnTimer(long time) => Operator.OnTimer(time, FunctionContext.TimeDomain);
}

/// <summary>The public face of an <see cref="Output{T}"/>: forwards every call, allocates nothing.</summary>
internal sealed class OperatorOutput<T>(Output<T> output) : IOperatorOutput<T>, IBatchOperatorOutput<T>
{
    public void Collect(T value, long timestamp) => output.Collect(value, timestamp);

    public void CollectBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps) => output.CollectBatch(values, timestamps);

    public void CollectSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp) => output.EmitSide(tag, value, timestamp);

    public void EmitWatermark(long watermark) => output.EmitWatermark(watermark);
}
