using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Windows;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class SlidingWindowTests : BackendSuite
{
    private static readonly OutputTag<Ev> s_late = new("late");

    private OperatorTestDriver<Ev, Win> CountDriver(long sizeMs, long slideMs, long latenessMs = 0, long offsetMs = 0) =>
        new(s => s.KeyBy(e => e.Key)
            .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(sizeMs), TimeSpan.FromMilliseconds(slideMs), TimeSpan.FromMilliseconds(offsetMs)))
            .AllowedLateness(TimeSpan.FromMilliseconds(latenessMs))
            .SideOutputLateData(s_late)
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c)), Options());

    /// <summary>Independent model: every window [s, s + size) with s ≡ offset (mod slide) that contains t, by brute force.</summary>
    private static IEnumerable<(long Start, long End)> WindowsOf(long t, long size, long slide, long offset = 0)
    {
        for (var s = offset - (1000 * slide); s <= t + slide; s += slide)
        {
            if (s <= t && t < s + size)
            {
                yield return (s, s + size);
            }
        }
    }

    private static List<(Win, long)> Model(IEnumerable<Ev> events, long size, long slide, long offset = 0) =>
        events.SelectMany(e => WindowsOf(e.Ts, size, slide, offset).Select(w => (e.Key, w.Start, w.End)))
            .GroupBy(x => x)
            .Select(g => (new Win(g.Key.Key, g.Key.Start, g.Key.End, g.Count()), g.Key.End - 1))
            .OrderBy(x => x.Item2).ThenBy(x => x.Item1.Key)
            .ToList();

    [Fact]
    public void Aggregate_SizeNotMultipleOfSlide_EveryWindowCountsItsRecords()
    {
        // size 10 s, slide 4 s: panes of gcd = 2 s; a record belongs to 2 or 3 windows.
        var events = new[] { 0L, 1_000, 3_999, 4_000, 9_999, 10_000, 13_500, 21_000, 7_000, 2_500 }
            .Select((t, i) => new Ev(i % 3 == 0 ? "a" : "b", t)).ToList();
        using var driver = new OperatorTestDriver<Ev, Win>(s => s.KeyBy(e => e.Key)
            .Window(SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(4)))
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c)), Options());
        foreach (var e in events)
        {
            driver.ProcessElement(e, e.Ts);
        }
        driver.Finish();
        driver.Output.OrderBy(x => x.Timestamp).ThenBy(x => x.Value.Key).ToList().ShouldBe(Model(events, 10_000, 4_000));
    }

    [Fact]
    public void Aggregate_SizeNotMultipleOfSlide_FiresEachWindowExactlyAtEndMinusOne()
    {
        using var driver = CountDriver(10, 4);
        driver.ProcessElement(new Ev("a", 9), 9).ProcessWatermark(8);
        driver.Output.ShouldBeEmpty();
        // t = 9 is in [0,10), [4,14), [8,18).
        driver.ProcessWatermark(9);
        driver.Output.ShouldBe([(new Win("a", 0, 10, 1), 9L)]);
        driver.ProcessWatermark(16);
        driver.Output.ShouldBe([(new Win("a", 0, 10, 1), 9L), (new Win("a", 4, 14, 1), 13L)]);
        driver.ProcessWatermark(17);
        driver.Output.Count.ShouldBe(3);
        driver.Output[2].ShouldBe((new Win("a", 8, 18, 1), 17L));
    }

    [Fact]
    public void Aggregate_SparseOutOfOrderDataWithWatermarks_MatchesModelAndNeverFiresEarly()
    {
        var random = new Random(42);
        var events = new List<Ev>();
        var watermark = long.MinValue;
        using var driver = CountDriver(10, 4);
        var late = driver.SideOutput(s_late);
        var time = 0L;
        for (var i = 0; i < 300; i++)
        {
            // Bursts separated by long gaps, out of order within 6 ms of the max seen.
            time += random.Next(10) == 0 ? random.Next(50, 500) : random.Next(0, 3);
            var ts = time - random.Next(0, 6);
            var e = new Ev(random.Next(3) switch { 0 => "a", 1 => "b", _ => "c" }, ts);
            events.Add(e);
            driver.ProcessElement(e, ts);
            if (i % 7 == 0 && time - 7 > watermark)
            {
                watermark = time - 7;
                driver.ProcessWatermark(watermark);
                driver.Output.ShouldAllBe(o => o.Timestamp <= watermark);
                var expectedSoFar = Model(events, 10, 4).Where(x => x.Item2 <= watermark).ToList();
                driver.Output.OrderBy(x => x.Timestamp).ThenBy(x => x.Value.Key).ToList().ShouldBe(expectedSoFar);
            }
        }
        driver.Finish();
        late.Count.ShouldBe(0);
        driver.Output.OrderBy(x => x.Timestamp).ThenBy(x => x.Value.Key).ToList().ShouldBe(Model(events, 10, 4));
    }

    [Fact]
    public void Aggregate_WithOffset_WindowsStartAtOffsetModSlide()
    {
        var events = new[] { new Ev("a", 0), new Ev("a", 1), new Ev("a", 5), new Ev("a", 11) };
        using var driver = CountDriver(6, 3, offsetMs: 1);
        foreach (var e in events)
        {
            driver.ProcessElement(e, e.Ts);
        }
        driver.Finish();
        driver.Output.OrderBy(x => x.Timestamp).ToList().ShouldBe(Model(events, 6, 3, 1));
    }

    [Fact]
    public void Aggregate_LateRecordWithinLateness_RefiresOnlyWindowsStillWithinLateness()
    {
        using var driver = CountDriver(10, 4, latenessMs: 3);
        var late = driver.SideOutput(s_late);
        driver.ProcessElement(new Ev("a", 9), 9).ProcessElement(new Ev("b", 9), 9).ProcessWatermark(13);
        driver.Output.Count.ShouldBe(4); // [0,10) and [4,14) for a and b

        // t = 8 belongs to [0,10) (9 + 3 = 12 <= 13: gone), [4,14) (13 + 3 = 16 > 13: re-fire) and [8,18) (not fired yet).
        driver.ProcessElement(new Ev("a", 8), 8);
        driver.Output.Skip(4).ToList().ShouldBe([(new Win("a", 4, 14, 2), 13L)]);
        late.Count.ShouldBe(0);

        driver.ProcessWatermark(17);
        driver.Output.Skip(5).OrderBy(o => o.Value.Key).ToList().ShouldBe([(new Win("a", 8, 18, 2), 17L), (new Win("b", 8, 18, 1), 17L)]);
    }

    [Fact]
    public void Aggregate_RecordPastEveryWindowsLateness_IsLate()
    {
        using var driver = CountDriver(10, 4, latenessMs: 3);
        var late = driver.SideOutput(s_late);
        driver.ProcessElement(new Ev("a", 9), 9).ProcessWatermark(20);
        var before = driver.Output.Count;
        // t = 7: last window [4,14) is past 13 + 3 = 16 <= 20.
        driver.ProcessElement(new Ev("a", 7), 7);
        driver.Output.Count.ShouldBe(before);
        late.TimestampedItems.ShouldBe([(new Ev("a", 7), 7L)]);
    }

    [Fact]
    public void Aggregate_AfterLatenessOfLastWindow_StateIsDropped()
    {
        using var driver = CountDriver(10, 4, latenessMs: 3);
        driver.ProcessElement(new Ev("a", 9), 9).ProcessWatermark(19);
        driver.KeyedStateSize().StateEntries.ShouldBe(1);
        driver.ProcessWatermark(20); // last window [8,18): 17 + 3 = 20
        driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public async Task Execute_SlidingAcrossParallelism_MatchesModel()
    {
        var events = Enumerable.Range(0, 2_000).Select(i => new Ev($"k{i % 5}", (i * 37L) % 20_000)).ToList();
        foreach (var parallelism in new[] { 1, 4 })
        {
            var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = parallelism, BatchSize = 32 }));
            // Out-of-orderness bound larger than the data's spread: nothing is late.
            var sink = env.FromCollection(events, WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(30)).WithTimestampAssigner(e => e.Ts))
                .KeyBy(e => e.Key)
                .Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(400)))
                .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c))
                .Collect();
            await env.ExecuteAsync().OrTimeout();
            sink.TimestampedItems.OrderBy(x => x.Timestamp).ThenBy(x => x.Value.Key).ToList().ShouldBe(Model(events, 1000, 400));
        }
    }

    public sealed class Heap : SlidingWindowTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : SlidingWindowTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
