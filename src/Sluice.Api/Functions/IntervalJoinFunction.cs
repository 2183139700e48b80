using Sluice.State;

namespace Sluice.Functions;

/// <summary>
/// Interval join on keyed state and timers. Each side buffers its records per key; a new record joins the other
/// side's buffered records in its interval. A left record at <c>t</c> is kept until the watermark passes
/// <c>t + upper</c>, a right record at <c>t'</c> until it passes <c>t' − lower</c>: after that no on-time record
/// of the other side can match it.
/// </summary>
internal sealed class IntervalJoinFunction<TKey, T1, T2, TOut>(long lower, long upper, Func<T1, T2, TOut> join)
    : KeyedCoProcessFunction<TKey, T1, T2, TOut>
{
    private IListState<(long Timestamp, T1 Value)> _left = null!;
    private IListState<(long Timestamp, T2 Value)> _right = null!;

    public override void Open(IRuntimeContext context)
    {
        _left = context.State.GetListState(new ListStateDescriptor<(long, T1)>("left"));
        _right = context.State.GetListState(new ListStateDescriptor<(long, T2)>("right"));
    }

    public override void ProcessElement1(T1 value, KeyedProcessContext<TKey> context, ICollector<TOut> output)
    {
        var t = RequireTimestamp(context, "left");
        var collector = (ITimestampCollector<TOut>)output;
        foreach (var (t2, v2) in _right.Get())
        {
            if (t2 >= t + lower && t2 <= t + upper)
            {
                collector.Collect(join(value, v2), Math.Max(t, t2));
            }
        }
        _left.Add((t, value));
        context.TimerService.RegisterEventTimeTimer(upper > 0 ? t + upper : t);
    }

    public override void ProcessElement2(T2 value, KeyedProcessContext<TKey> context, ICollector<TOut> output)
    {
        var t2 = RequireTimestamp(context, "right");
        var collector = (ITimestampCollector<TOut>)output;
        foreach (var (t, v1) in _left.Get())
        {
            if (t2 >= t + lower && t2 <= t + upper)
            {
                collector.Collect(join(v1, value), Math.Max(t, t2));
            }
        }
        _right.Add((t2, value));
        context.TimerService.RegisterEventTimeTimer(lower < 0 ? t2 - lower : t2);
    }

    public override void OnTimer(long timestamp, KeyedProcessContext<TKey> context, ICollector<TOut> output)
    {
        var left = _left.Get();
        if (left.Count > 0)
        {
            var keep = new List<(long, T1)>(left.Count);
            foreach (var entry in left)
            {
                if ((upper > 0 ? entry.Timestamp + upper : entry.Timestamp) > timestamp)
                {
                    keep.Add(entry);
                }
            }
            Replace(_left, keep);
        }
        var right = _right.Get();
        if (right.Count > 0)
        {
            var keep = new List<(long, T2)>(right.Count);
            foreach (var entry in right)
            {
                if ((lower < 0 ? entry.Timestamp - lower : entry.Timestamp) > timestamp)
                {
                    keep.Add(entry);
                }
            }
            Replace(_right, keep);
        }
    }

    private static void Replace<TEntry>(IListState<TEntry> state, List<TEntry> keep)
    {
        if (keep.Count == 0)
        {
            state.Clear();
        }
        else
        {
            state.Update(keep);
        }
    }

    private static long RequireTimestamp(KeyedProcessContext<TKey> context, string side) =>
        context.Timestamp != EventTime.NoTimestamp
            ? context.Timestamp
            : throw new InvalidOperationException($"An interval join needs event timestamps, but a {side} record has none: give its source a WatermarkStrategy with a timestamp assigner.");
}
