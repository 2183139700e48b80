using System.Runtime.CompilerServices;
using Sluice.Runtime.Operators;
using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Tasks;

/// <summary>
/// Feeds a received record batch into the head operator's input, restoring the batch's record type, and counts it into
/// the head's <see cref="StreamOperator.RecordsIn"/>.
/// </summary>
internal interface IRecordDispatcher
{
    void Dispatch(object batch);
}

internal sealed class OneInputDispatcher<T>(IInput<T> input) : IRecordDispatcher
{
    private readonly StreamOperator _counted = (StreamOperator)input;

    public void Dispatch(object batch)
    {
        var records = Unsafe.As<RecordBatch<T>>(batch);
        _counted.RecordsIn += records.Count;
        input.ProcessBatch(records.Values.AsSpan(0, records.Count), records.Timestamps.AsSpan(0, records.Count));
        records.Reset();
    }
}

internal sealed class FirstInputDispatcher<T1, T2>(ITwoInput<T1, T2> input) : IRecordDispatcher
{
    private readonly StreamOperator _counted = (StreamOperator)input;

    public void Dispatch(object batch)
    {
        var records = Unsafe.As<RecordBatch<T1>>(batch);
        _counted.RecordsIn += records.Count;
        for (var i = 0; i < records.Count; i++)
        {
            input.ProcessElement1(records.Values[i], records.Timestamps[i]);
        }
        records.Reset();
    }
}

internal sealed class SecondInputDispatcher<T1, T2>(ITwoInput<T1, T2> input) : IRecordDispatcher
{
    private readonly StreamOperator _counted = (StreamOperator)input;

    public void Dispatch(object batch)
    {
        var records = Unsafe.As<RecordBatch<T2>>(batch);
        _counted.RecordsIn += records.Count;
        for (var i = 0; i < records.Count; i++)
        {
            input.ProcessElement2(records.Values[i], records.Timestamps[i]);
        }
        records.Reset();
    }
}
