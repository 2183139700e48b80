using Sluice.State;

namespace Sluice.Functions;

/// <summary>
/// First record per key within a horizon, built on keyed state and timers: the first record of a key passes and
/// arms a timer at <c>timestamp + horizon</c> that forgets the key; repeats before it fires are duplicates.
/// </summary>
internal sealed class DeduplicateFunction<TKey, T>(long horizonMs, OutputTag<T>? duplicates) : KeyedProcessFunction<TKey, T, T>
{
    private IValueState<long> _firstSeen = null!;
    private KeyValuePair<string, object?>[] _droppedTags = [];

    public override void Open(IRuntimeContext context)
    {
        _firstSeen = context.State.GetState(new ValueStateDescriptor<long>("first-seen"));
        _droppedTags = [new("job", context.JobName), new("job.id", context.JobId.ToString()), new("operator", context.OperatorName), new("reason", "duplicate")];
    }

    public override void ProcessElement(T value, KeyedProcessContext<TKey> context, ICollector<T> output)
    {
        if (_firstSeen.TryGet(out _))
        {
            if (duplicates is not null)
            {
                context.Output(duplicates, value);
            }
            else
            {
                SluiceMetrics.DroppedRecords.Add(1, _droppedTags);
            }
            return;
        }
        var timers = context.TimerService;
        if (context.Timestamp == EventTime.NoTimestamp)
        {
            var now = timers.CurrentProcessingTime;
            _firstSeen.Update(now);
            timers.RegisterProcessingTimeTimer(now + horizonMs);
        }
        else
        {
            _firstSeen.Update(context.Timestamp);
            timers.RegisterEventTimeTimer(context.Timestamp + horizonMs);
        }
        output.Collect(value);
    }

    public override void OnTimer(long timestamp, KeyedProcessContext<TKey> context, ICollector<T> output) => _firstSeen.Clear();
}
