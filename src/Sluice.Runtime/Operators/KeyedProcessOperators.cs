using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Operators;

internal sealed class KeyedProcessOperator<TKey, TIn, TOut>(
    Func<TIn, TKey> keySelector, IKeyHasher<TKey> hasher, KeyedProcessFunction<TKey, TIn, TOut> function, Output<TOut> output)
    : KeyedOperatorBase<TKey, TOut>(hasher, output), IInput<TIn>, IRecordAtATimeInput where TKey : notnull
{
    public override void Open()
    {
        base.Open();
        function.Open(Context);
    }

    public void ProcessElement(TIn value, long timestamp)
    {
        try
        {
            Enter(keySelector(value), timestamp);
            function.ProcessElement(value, FunctionContext, Collector);
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

    /// <summary>Record by record, calling <see cref="ProcessElement"/> directly (the interface's default loop dispatches per record).</summary>
    public void ProcessBatch(ReadOnlySpan<TIn> values, ReadOnlySpan<long> timestamps)
    {
        for (var i = 0; i < values.Length; i++)
        {
            ProcessElement(values[i], timestamps[i]);
        }
    }

    protected override void InvokeOnTimer(long time) => function.OnTimer(time, FunctionContext, Collector);

    public override void Close()
    {
        function.Close();
        base.Close();
    }
}

internal sealed class KeyedCoProcessOperator<TKey, TIn1, TIn2, TOut>(
    Func<TIn1, TKey> keySelector1, Func<TIn2, TKey> keySelector2, IKeyHasher<TKey> hasher, KeyedCoProcessFunction<TKey, TIn1, TIn2, TOut> function, Output<TOut> output)
    : KeyedOperatorBase<TKey, TOut>(hasher, output), ITwoInput<TIn1, TIn2> where TKey : notnull
{
    public override void Open()
    {
        base.Open();
        function.Open(Context);
    }

    public void ProcessElement1(TIn1 value, long timestamp)
    {
        try
        {
            Enter(keySelector1(value), timestamp);
            function.ProcessElement1(value, FunctionContext, Collector);
        }
        catch (JobExecutionException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw UserFailure("in ProcessElement1", value, e);
        }
    }

    public void ProcessElement2(TIn2 value, long timestamp)
    {
        try
        {
            Enter(keySelector2(value), timestamp);
            function.ProcessElement2(value, FunctionContext, Collector);
        }
        catch (JobExecutionException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw UserFailure("in ProcessElement2", value, e);
        }
    }

    protected override void InvokeOnTimer(long time) => function.OnTimer(time, FunctionContext, Collector);

    public override void Close()
    {
        function.Close();
        base.Close();
    }
}
