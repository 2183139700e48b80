using System.Runtime.CompilerServices;
using Sluice.Runtime.Operators;
using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Tasks;

/// <summary>
/// Feeds records of a received batch into the head operator's input, restoring the batch's record type, and counts
/// them into the head's <see cref="StreamOperator.RecordsIn"/>. The caller resets the batch afterwards.
/// </summary>
internal interface IRecordDispatcher
{
    /// <summary>Feeds records <paramref name="start"/> to <paramref name="end"/> (exclusive) of <paramref name="batch"/>.</summary>
    void Dispatch(RecordBatch batch, int start, int end);
}

internal sealed class OneInputDispatcher<T>(IInput<T> input) : IRecordDispatcher
{
    private readonly StreamOperator _counted = (StreamOperator)input;

    public void Dispatch(RecordBatch batch, int start, int end)
    {
        var records = Unsafe.As<RecordBatch<T>>(batch);
        _counted.RecordsIn += end - start;
        input.ProcessBatch(records.Values.AsSpan(start, end - start), records.Timestamps.AsSpan(start, end - start));
    }
}

internal sealed class FirstInputDispatcher<T1, T2>(ITwoInput<T1, T2> input) : IRecordDispatcher
{
    private readonly StreamOperator _counted = (StreamOperator)input;

    public void Dispatch(RecordBatch batch, int start, int end)
    {
        var records = Unsafe.As<RecordBatch<T1>>(batch);
        _counted.RecordsIn += end - start;
        for (var i = start; i < end; i++)
        {
            input.ProcessElement1(records.Values[i], records.Timestamps[i]);
        }
    }
}

internal sealed class SecondInputDispatcher<T1, T2>(ITwoInput<T1, T2> input) : IRecordDispatcher
{
    private readonly StreamOperator _counted = (StreamOperator)input;

    public void Dispatch(RecordBatch batch, int start, int end)
    {
        var records = Unsafe.As<RecordBatch<T2>>(batch);
        _counted.RecordsIn += end - start;
        for (var i = start; i < end; i++)
        {
            input.ProcessElement2(records.Values[i], records.Timestamps[i]);
        }
    }
}
