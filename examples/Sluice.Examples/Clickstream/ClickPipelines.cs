using Sluice.State;
using Sluice.Windowing;

namespace Sluice.Examples.Clickstream;

/// <summary>The seeds' click-stream scenarios as reusable pipeline fragments.</summary>
public static class ClickPipelines
{
    /// <summary>Timestamps from <see cref="ClickEvent.Ts"/>, 5 s out-of-order bound.</summary>
    public static WatermarkStrategy<ClickEvent> Watermarks { get; } =
        WatermarkStrategy<ClickEvent>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(5)).WithTimestampAssigner(static c => c.Ts);

    /// <summary>Views per page per 1-minute tumbling event-time window.</summary>
    public static DataStream<PageCount> PageViewsPerMinute(DataStream<ClickEvent> clicks) =>
        clicks.Filter(static c => c.Action == "view", "Views")
            .KeyBy(static c => c.Page)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .Aggregate(new CountAggregate<ClickEvent>(), static (page, window, views) => new PageCount(page, window.Start, window.End, views), "PageViewsPerMinute");

    /// <summary>Sessions per user with a 15-minute inactivity gap, using session windows.</summary>
    public static DataStream<UserSession> SessionsWithWindows(DataStream<ClickEvent> clicks, TimeSpan gap) =>
        clicks.KeyBy(static c => c.UserId)
            .Window(EventTimeSessionWindows.WithGap(gap))
            .Aggregate(new CountAggregate<ClickEvent>(), static (user, window, events) => new UserSession(user, window.Start, window.End, events), "Sessions(window)");

    /// <summary>The same sessions with a keyed process function, state and event-time timers.</summary>
    public static DataStream<UserSession> SessionsWithProcessFunction(DataStream<ClickEvent> clicks, TimeSpan gap) =>
        clicks.KeyBy(static c => c.UserId).Process(new SessionizeFunction((long)gap.TotalMilliseconds), "Sessions(process)");

    /// <summary>Clicks per user in 1-hour windows sliding every 10 minutes.</summary>
    public static DataStream<UserActivity> HourlyActivity(DataStream<ClickEvent> clicks) =>
        clicks.KeyBy(static c => c.UserId)
            .Window(SlidingEventTimeWindows.Of(TimeSpan.FromHours(1), TimeSpan.FromMinutes(10)))
            .Aggregate(new CountAggregate<ClickEvent>(), static (user, window, n) => new UserActivity(user, window.Start, window.End, n), "HourlyActivity");

    /// <summary>The first event of every event id within 10 minutes; repeats go to <paramref name="duplicates"/>.</summary>
    public static DataStream<ClickEvent> Deduplicate(DataStream<ClickEvent> clicks, OutputTag<ClickEvent>? duplicates = null) =>
        clicks.KeyBy(static c => c.EventId).Deduplicate(TimeSpan.FromMinutes(10), duplicates, "DedupByEventId");

    /// <summary>Counts records.</summary>
    public sealed class CountAggregate<T> : IAggregateFunction<T, long, long>
    {
        /// <inheritdoc />
        public long CreateAccumulator() => 0;

        /// <inheritdoc />
        public long Add(long accumulator, T value) => accumulator + 1;

        /// <inheritdoc />
        public long GetResult(long accumulator) => accumulator;

        /// <inheritdoc />
        public long Merge(long a, long b) => a + b;
    }

    /// <summary>
    /// Sessionization by hand: open sessions per user in list state; a click opens <c>[ts, ts + gap)</c> and merges
    /// the sessions it overlaps or touches; a session is emitted when the watermark passes its end.
    /// </summary>
    private sealed class SessionizeFunction(long gapMs) : KeyedProcessFunction<string, ClickEvent, UserSession>
    {
        private IListState<(long Start, long End, long Events)> _open = null!;

        public override void Open(IRuntimeContext context) =>
            _open = context.State.GetListState(new ListStateDescriptor<(long, long, long)>("open-sessions"));

        public override void ProcessElement(ClickEvent value, KeyedProcessContext<string> context, ICollector<UserSession> output)
        {
            var merged = (Start: value.Ts, End: value.Ts + gapMs, Events: 1L);
            var keep = new List<(long, long, long)>();
            foreach (var s in _open.Get())
            {
                if (s.Start <= merged.End && s.End >= merged.Start)
                {
                    merged = (Math.Min(s.Start, merged.Start), Math.Max(s.End, merged.End), merged.Events + s.Events);
                }
                else
                {
                    keep.Add(s);
                }
            }
            keep.Add(merged);
            _open.Update(keep);
            context.TimerService.RegisterEventTimeTimer(merged.End - 1);
        }

        public override void OnTimer(long timestamp, KeyedProcessContext<string> context, ICollector<UserSession> output)
        {
            var keep = new List<(long, long, long)>();
            foreach (var s in _open.Get())
            {
                if (s.End - 1 <= timestamp)
                {
                    output.Collect(new UserSession(context.CurrentKey, s.Start, s.End, s.Events));
                }
                else
                {
                    keep.Add(s);
                }
            }
            if (keep.Count == 0)
            {
                _open.Clear();
            }
            else
            {
                _open.Update(keep);
            }
        }
    }
}
