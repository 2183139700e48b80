using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Windows;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class SessionWindowTests : BackendSuite
{
    private static readonly OutputTag<Ev> s_late = new("late");

    private OperatorTestDriver<Ev, Win> CountDriver(long gapMs, long latenessMs = 0) =>
        new(s => s.KeyBy(e => e.Key)
            .Window(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(gapMs)))
            .AllowedLateness(TimeSpan.FromMilliseconds(latenessMs))
            .SideOutputLateData(s_late)
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c)), Options());

    /// <summary>Independent model: sort a key's timestamps and cut where the next one is more than the gap after the previous one.</summary>
    private static List<(Win, long)> Model(IEnumerable<Ev> events, long gap)
    {
        var result = new List<(Win, long)>();
        foreach (var key in events.GroupBy(e => e.Key))
        {
            var times = key.Select(e => e.Ts).Order().ToList();
            var start = times[0];
            var last = times[0];
            var count = 1;
            foreach (var t in times.Skip(1))
            {
                if (t <= last + gap)
                {
                    count++;
                }
                else
                {
                    result.Add((new Win(key.Key, start, last + gap, count), last + gap - 1));
                    start = t;
                    count = 1;
                }
                last = t;
            }
            result.Add((new Win(key.Key, start, last + gap, count), last + gap - 1));
        }
        return [.. result.OrderBy(x => x.Item2).ThenBy(x => x.Item1.Key)];
    }

    private static List<(Win Value, long Timestamp)> Sorted(IEnumerable<(Win Value, long Timestamp)> items) =>
        [.. items.OrderBy(x => x.Timestamp).ThenBy(x => x.Value.Key)];

    [Fact]
    public void Aggregate_OutOfOrderRecords_FormSessionsFiredAtEndMinusOne()
    {
        using var driver = CountDriver(10);
        driver.ProcessElement(new Ev("a", 5), 5)
            .ProcessElement(new Ev("a", 0), 0)
            .ProcessElement(new Ev("a", 30), 30)
            .ProcessElement(new Ev("b", 3), 3)
            .ProcessWatermark(13);
        driver.Output.ShouldBe([(new Win("b", 3, 13, 1), 12L)]);
        driver.ProcessWatermark(14);
        driver.Output.ShouldBe([(new Win("b", 3, 13, 1), 12L), (new Win("a", 0, 15, 2), 14L)]);
        driver.Finish();
        driver.Output.Count.ShouldBe(3);
        driver.Output[2].ShouldBe((new Win("a", 30, 40, 1), 39L));
    }

    [Fact]
    public void Aggregate_TouchingWindows_Merge()
    {
        // [0,10) and [10,20) touch: Flink's TimeWindow.intersects merges them into [0,20).
        using var driver = CountDriver(10);
        driver.ProcessElement(new Ev("a", 0), 0).ProcessElement(new Ev("a", 10), 10).ProcessElement(new Ev("a", 21), 21).Finish();
        driver.Output.ShouldBe([(new Win("a", 0, 20, 2), 19L), (new Win("a", 21, 31, 1), 30L)]);
    }

    [Fact]
    public void Aggregate_BridgingRecord_MergesTwoSessionsIntoOne()
    {
        using var driver = CountDriver(10);
        driver.ProcessElement(new Ev("a", 0), 0)
            .ProcessElement(new Ev("a", 2), 2)
            .ProcessElement(new Ev("a", 25), 25)
            .ProcessElement(new Ev("a", 14), 14)
            .ProcessWatermark(10);
        driver.Output.ShouldBeEmpty();
        // Sessions now: [0,12) count 2, [14,24) count 1, [25,35) count 1. A record at 12 bridges [0,12) and [14,24) -> [0,24);
        // a record at 22 then bridges [0,24) and [25,35) -> [0,35).
        driver.ProcessElement(new Ev("a", 12), 12).ProcessElement(new Ev("a", 22), 22).ProcessWatermark(33);
        driver.Output.ShouldBeEmpty();
        driver.ProcessWatermark(34);
        driver.Output.ShouldBe([(new Win("a", 0, 35, 6), 34L)]);
        driver.KeyedStateSize().StateEntries.ShouldBe(0);
    }

    [Fact]
    public void Aggregate_ManyKeysRandomOrder_MatchesModel()
    {
        var random = new Random(7);
        var events = Enumerable.Range(0, 400).Select(_ => new Ev($"k{random.Next(4)}", random.Next(0, 3_000))).ToList();
        using var driver = CountDriver(25);
        foreach (var e in events)
        {
            driver.ProcessElement(e, e.Ts);
        }
        driver.Finish();
        Sorted(driver.Output).ShouldBe(Model(events, 25));
    }

    [Fact]
    public void Aggregate_LateRecordNotMergingAnySession_GoesToSideOutput()
    {
        using var driver = CountDriver(10);
        var late = driver.SideOutput(s_late);
        driver.ProcessElement(new Ev("a", 0), 0).ProcessWatermark(30);
        driver.Output.ShouldBe([(new Win("a", 0, 10, 1), 9L)]);
        // [15,25): 24 <= 30 and no lateness: late.
        driver.ProcessElement(new Ev("a", 15), 15).ProcessElement(new Ev("b", 20), 20);
        late.TimestampedItems.ShouldBe([(new Ev("a", 15), 15L), (new Ev("b", 20), 20L)]);
        driver.Finish();
        driver.Output.Count.ShouldBe(1);
    }

    [Fact]
    public void Aggregate_LateRecordWithinLateness_ExtendsFiredSessionAndRefires()
    {
        using var driver = CountDriver(10, latenessMs: 20);
        var late = driver.SideOutput(s_late);
        driver.ProcessElement(new Ev("a", 0), 0).ProcessWatermark(15);
        driver.Output.ShouldBe([(new Win("a", 0, 10, 1), 9L)]);

        // Merges into [0,13): its end has passed (12 <= 15) so it fires again at once, accumulating.
        driver.ProcessElement(new Ev("a", 3), 3);
        driver.Output.Count.ShouldBe(2);
        driver.Output[1].ShouldBe((new Win("a", 0, 13, 2), 12L));

        // Extends the session beyond the watermark: [0,19) fires when the watermark reaches 18.
        driver.ProcessElement(new Ev("a", 9), 9);
        driver.Output.Count.ShouldBe(2);
        driver.ProcessWatermark(18);
        driver.Output.Count.ShouldBe(3);
        driver.Output[2].ShouldBe((new Win("a", 0, 19, 3), 18L));
        late.Count.ShouldBe(0);
    }

    [Fact]
    public void Aggregate_BridgingLateRecordWithinLateness_MergesTwoFiredSessionsAndRefires()
    {
        using var driver = CountDriver(10, latenessMs: 50);
        driver.ProcessElement(new Ev("a", 0), 0).ProcessElement(new Ev("a", 20), 20).ProcessWatermark(40);
        driver.Output.ShouldBe([(new Win("a", 0, 10, 1), 9L), (new Win("a", 20, 30, 1), 29L)]);
        driver.ProcessElement(new Ev("a", 10), 10);
        driver.Output.Count.ShouldBe(3);
        driver.Output[2].ShouldBe((new Win("a", 0, 30, 3), 29L));
        driver.KeyedStateSize().StateEntries.ShouldBe(1);
    }

    [Fact]
    public void Aggregate_AfterLateness_SessionStateDroppedAndRecordIsLate()
    {
        using var driver = CountDriver(10, latenessMs: 5);
        var late = driver.SideOutput(s_late);
        driver.ProcessElement(new Ev("a", 0), 0).ProcessWatermark(13);
        driver.KeyedStateSize().StateEntries.ShouldBe(1);
        driver.ProcessWatermark(14); // 9 + 5
        driver.KeyedStateSize().ShouldBe((0, 0));
        // [-1,9): 8 + 5 <= 14, late. [2,12): 11 + 5 > 14, not late: a new session (the old one is gone) that fires at once.
        driver.ProcessElement(new Ev("a", -1), -1).ProcessElement(new Ev("a", 2), 2);
        late.Values().ShouldBe([new Ev("a", -1)]);
        driver.Output.ShouldBe([(new Win("a", 0, 10, 1), 9L), (new Win("a", 2, 12, 1), 11L)]);
    }

    [Fact]
    public void Aggregate_MergedSessions_LeaveNoTimersOrStateBehind()
    {
        using var driver = CountDriver(10);
        driver.ProcessElement(new Ev("a", 0), 0).ProcessElement(new Ev("a", 5), 5).ProcessElement(new Ev("a", 12), 12)
            .ProcessElement(new Ev("b", 100), 100).ProcessWatermark(1_000);
        Sorted(driver.Output).ShouldBe([(new Win("a", 0, 22, 3), 21L), (new Win("b", 100, 110, 1), 109L)]);
        driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void Aggregate_SessionGrowingPastItsFirstTimer_FiresOnceAtItsFinalEnd_WithWatermarksInBetween()
    {
        // [0, 10) arms a timer at 9; records at 8 and 16 extend the session to [0, 26). The watermarks pass 9 and 17
        // (earlier ends) without firing it; it fires once, at 25, with all three records.
        using var driver = CountDriver(10);
        driver.ProcessElement(new Ev("a", 0), 0).ProcessElement(new Ev("a", 8), 8).ProcessWatermark(12);
        driver.Output.ShouldBeEmpty();
        driver.ProcessElement(new Ev("a", 16), 16).ProcessWatermark(24);
        driver.Output.ShouldBeEmpty();
        driver.KeyedStateSize().Timers.ShouldBe(1, "one timer, re-armed at the session's current end");

        driver.ProcessWatermark(25);

        driver.Output.ShouldBe([(new Win("a", 0, 26, 3), 25L)]);
        driver.ProcessWatermark(1_000);
        driver.Output.Count.ShouldBe(1);
        driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public async Task Execute_SessionsAtParallelism4_MatchModel()
    {
        var random = new Random(3);
        var events = Enumerable.Range(0, 3_000).Select(_ => new Ev($"k{random.Next(20)}", random.Next(0, 100_000))).ToList();
        var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = 4, BatchSize = 50 }));
        var sink = env.FromCollection(events, WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(200)).WithTimestampAssigner(e => e.Ts))
            .KeyBy(e => e.Key)
            .Window(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(300)))
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c))
            .Collect();
        await env.ExecuteAsync().OrTimeout();
        Sorted(sink.TimestampedItems).ShouldBe(Model(events, 300));
    }

    public sealed class Heap : SessionWindowTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : SessionWindowTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}

internal static class CollectSinkExtensions
{
    public static IReadOnlyList<T> Values<T>(this Sluice.Sinks.CollectSink<T> sink) => sink.Items;
}
