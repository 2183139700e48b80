using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Windows;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class TumblingWindowTests : BackendSuite
{
    private static readonly OutputTag<Ev> s_late = new("late");

    private OperatorTestDriver<Ev, Win> CountDriver(long sizeMs, long latenessMs = 0, bool sideOutput = false, long offsetMs = 0) =>
        new(s =>
        {
            var windowed = s.KeyBy(e => e.Key)
                .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(sizeMs), TimeSpan.FromMilliseconds(offsetMs)))
                .AllowedLateness(TimeSpan.FromMilliseconds(latenessMs));
            if (sideOutput)
            {
                windowed = windowed.SideOutputLateData(s_late);
            }
            return windowed.Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c));
        }, Options());

    [Fact]
    public void Aggregate_OutOfOrderInput_FiresEachWindowWithAllItsRecordsAtEndMinusOne()
    {
        using var driver = CountDriver(10);
        driver.ProcessElement(new Ev("a", 3), 3)
            .ProcessElement(new Ev("a", 12), 12)
            .ProcessElement(new Ev("a", 1), 1)
            .ProcessElement(new Ev("b", 7), 7)
            .ProcessElement(new Ev("a", 9), 9)
            .ProcessWatermark(8);
        driver.Output.ShouldBeEmpty();

        driver.ProcessWatermark(9);
        driver.Output.OrderBy(o => o.Value.Key).ToList().ShouldBe([(new Win("a", 0, 10, 3), 9L), (new Win("b", 0, 10, 1), 9L)]);

        driver.ProcessWatermark(19);
        driver.Output.Count.ShouldBe(3);
        driver.Output[2].ShouldBe((new Win("a", 10, 20, 1), 19L));
    }

    [Fact]
    public void Aggregate_WatermarkJumpsOverSeveralWindows_FiresThemInEndOrder()
    {
        using var driver = CountDriver(10);
        driver.ProcessElement(new Ev("a", 25), 25)
            .ProcessElement(new Ev("a", 5), 5)
            .ProcessElement(new Ev("a", 15), 15)
            .ProcessElement(new Ev("a", 16), 16)
            .ProcessWatermark(1_000);
        driver.Output.ShouldBe([
            (new Win("a", 0, 10, 1), 9L),
            (new Win("a", 10, 20, 2), 19L),
            (new Win("a", 20, 30, 1), 29L),
        ]);
    }

    [Fact]
    public void Aggregate_WithOffset_AlignsWindowsToEpochPlusOffset()
    {
        using var driver = CountDriver(10, offsetMs: 3);
        driver.ProcessElement(new Ev("a", 2), 2)
            .ProcessElement(new Ev("a", 3), 3)
            .ProcessElement(new Ev("a", 12), 12)
            .ProcessElement(new Ev("a", 13), 13)
            .Finish();
        driver.Output.ShouldBe([
            (new Win("a", -7, 3, 1), 2L),
            (new Win("a", 3, 13, 2), 12L),
            (new Win("a", 13, 23, 1), 22L),
        ]);
    }

    [Fact]
    public void Aggregate_NegativeTimestamps_UseFlooredWindows()
    {
        using var driver = CountDriver(10);
        driver.ProcessElement(new Ev("a", -1), -1)
            .ProcessElement(new Ev("a", -10), -10)
            .ProcessElement(new Ev("a", -11), -11)
            .ProcessElement(new Ev("a", 0), 0)
            .Finish();
        driver.Output.ShouldBe([
            (new Win("a", -20, -10, 1), -11L),
            (new Win("a", -10, 0, 2), -1L),
            (new Win("a", 0, 10, 1), 9L),
        ]);
    }

    [Fact]
    public void Aggregate_LateRecordWithoutLateness_GoesToSideOutputWithItsTimestamp()
    {
        using var driver = CountDriver(10, sideOutput: true);
        var late = driver.SideOutput(s_late);
        driver.ProcessElement(new Ev("a", 1), 1)
            .ProcessWatermark(9)
            .ProcessElement(new Ev("a", 5), 5)
            .ProcessElement(new Ev("b", 9), 9)
            .ProcessElement(new Ev("a", 10), 10)
            .Finish();
        late.TimestampedItems.ShouldBe([(new Ev("a", 5), 5L), (new Ev("b", 9), 9L)]);
        driver.Output.ShouldBe([(new Win("a", 0, 10, 1), 9L), (new Win("a", 10, 20, 1), 19L)]);
    }

    [Fact]
    public void Aggregate_AllowedLateness_RefiresOnlyTheLateKeyWithAccumulatedResult()
    {
        using var driver = CountDriver(10, latenessMs: 5, sideOutput: true);
        var late = driver.SideOutput(s_late);
        driver.ProcessElement(new Ev("a", 1), 1)
            .ProcessElement(new Ev("a", 2), 2)
            .ProcessElement(new Ev("b", 3), 3)
            .ProcessWatermark(9);
        driver.Output.Count.ShouldBe(2);

        // Within lateness (9 + 5 = 14 > 13): added, and only key a fires again with the full count.
        driver.ProcessElement(new Ev("a", 4), 4);
        driver.Output.Count.ShouldBe(3);
        driver.Output[2].ShouldBe((new Win("a", 0, 10, 3), 9L));

        driver.ProcessWatermark(13).ProcessElement(new Ev("a", 0), 0);
        driver.Output.Count.ShouldBe(4);
        driver.Output[3].ShouldBe((new Win("a", 0, 10, 4), 9L));

        // At watermark 14 = End - 1 + lateness the window is gone: the record is late.
        driver.ProcessWatermark(14).ProcessElement(new Ev("a", 5), 5);
        driver.Output.Count.ShouldBe(4);
        late.Items.ShouldBe([new Ev("a", 5)]);
    }

    [Fact]
    public void Aggregate_FirstRecordOfPassedWindowWithinLateness_FiresAtOnce()
    {
        using var driver = CountDriver(10, latenessMs: 5, sideOutput: true);
        var late = driver.SideOutput(s_late);
        driver.ProcessElement(new Ev("a", 15), 15).ProcessWatermark(12);
        // [0,10) never had a record; 9 <= 12 < 9 + 5: the record is kept and its window fires immediately.
        driver.ProcessElement(new Ev("b", 5), 5);
        driver.Output.ShouldBe([(new Win("b", 0, 10, 1), 9L)]);
        driver.ProcessWatermark(19);
        driver.Output.Count.ShouldBe(2);
        driver.Output[1].ShouldBe((new Win("a", 10, 20, 1), 19L));
        late.Count.ShouldBe(0);
    }

    [Fact]
    public void Aggregate_AllowedLateness_StateDroppedAfterLateness()
    {
        using var driver = CountDriver(10, latenessMs: 5);
        driver.ProcessElement(new Ev("a", 1), 1).ProcessElement(new Ev("b", 1), 1).ProcessWatermark(9);
        driver.KeyedStateSize().StateEntries.ShouldBe(2);
        driver.ProcessWatermark(13);
        driver.KeyedStateSize().StateEntries.ShouldBe(2);
        driver.ProcessWatermark(14);
        driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void Aggregate_NoLateness_StateDroppedWhenWindowFires()
    {
        using var driver = CountDriver(10);
        driver.ProcessElement(new Ev("a", 1), 1).ProcessElement(new Ev("a", 11), 11).ProcessWatermark(9);
        driver.KeyedStateSize().StateEntries.ShouldBe(1);
        driver.ProcessWatermark(19);
        driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public async Task Execute_LateRecordsWithoutSideOutput_AreCountedAsLate()
    {
        // BatchSize 1: the source emits its watermark (maxTs - 0 - 1) after every record, so lateness is deterministic.
        var events = new[] { new Ev("a", 1), new Ev("a", 5), new Ev("a", 12), new Ev("a", 3), new Ev("b", 4), new Ev("a", 15) };
        var env = StreamEnvironment.Create(Options(new JobOptions { Mode = ExecutionMode.Deterministic, BatchSize = 1 }));
        var sink = env.FromCollection(events, WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero).WithTimestampAssigner(e => e.Ts))
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c))
            .Collect();
        var result = await env.ExecuteAsync().OrTimeout();
        result.LateRecords.ShouldBe(2);
        sink.Items.OrderBy(w => w.Start).ShouldBe([new Win("a", 0, 10, 2), new Win("a", 10, 20, 2)]);
    }

    [Fact]
    public async Task Execute_LateRecordsWithSideOutput_AreRoutedAndCounted()
    {
        var events = new[] { new Ev("a", 1), new Ev("a", 12), new Ev("a", 3), new Ev("b", 4), new Ev("a", 15) };
        var env = StreamEnvironment.Create(Options(new JobOptions { Mode = ExecutionMode.Deterministic, BatchSize = 1 }));
        var windows = env.FromCollection(events, WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero).WithTimestampAssigner(e => e.Ts))
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .SideOutputLateData(s_late)
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c));
        var main = windows.Collect();
        var late = windows.GetSideOutput(s_late).Collect();
        var result = await env.ExecuteAsync().OrTimeout();
        late.Items.ShouldBe([new Ev("a", 3), new Ev("b", 4)]);
        result.LateRecords.ShouldBe(2);
        main.Items.OrderBy(w => w.Start).ShouldBe([new Win("a", 0, 10, 1), new Win("a", 10, 20, 2)]);
    }

    [Fact]
    public void Reduce_FoldsRecordsOfEachWindow()
    {
        using var driver = new OperatorTestDriver<Ev, Ev>(s => s.KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Reduce((x, y) => x with { Value = x.Value + y.Value, Ts = Math.Max(x.Ts, y.Ts) }), Options());
        driver.ProcessElement(new Ev("a", 1, 5), 1).ProcessElement(new Ev("a", 8, 7), 8).ProcessElement(new Ev("b", 2, 1), 2).Finish();
        driver.Output.OrderBy(o => o.Value.Key).ToList().ShouldBe([(new Ev("a", 8, 12), 9L), (new Ev("b", 2, 1), 9L)]);
    }

    [Fact]
    public void Process_SeesElementsInArrivalOrderAndWindow()
    {
        using var driver = new OperatorTestDriver<Ev, string>(s => s.KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Process(new ListWindow()), Options());
        driver.ProcessElement(new Ev("a", 7), 7).ProcessElement(new Ev("a", 2), 2).ProcessElement(new Ev("a", 5), 5).Finish();
        driver.Values.ShouldBe(["a[0,10):7,2,5"]);
    }

    [Theory]
    [InlineData(1, ExecutionMode.Parallel)]
    [InlineData(4, ExecutionMode.Parallel)]
    [InlineData(1, ExecutionMode.Deterministic)]
    [InlineData(3, ExecutionMode.Deterministic)]
    public async Task Aggregate_AnyParallelism_CountsPerPageAndMinute(int parallelism, ExecutionMode mode)
    {
        var clicks = Enumerable.Range(0, 10_000).Select(i => new Ev($"p{i % 7}", i * 100L)).ToList();
        var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = parallelism, Mode = mode, BatchSize = 64 }));
        var sink = env.FromCollection(clicks, WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(5)).WithTimestampAssigner(c => c.Ts))
            .Filter(c => c.Key != "p6")
            .KeyBy(c => c.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .Aggregate(new CountAggregate<Ev>(), (page, window, count) => (page, window.Start, count))
            .Collect();
        var result = await env.ExecuteAsync().OrTimeout();
        var expected = clicks.Where(c => c.Key != "p6").GroupBy(c => (c.Key, c.Ts / 60_000 * 60_000))
            .Select(g => (g.Key.Key, g.Key.Item2, (long)g.Count())).OrderBy(x => x).ToList();
        sink.Items.OrderBy(x => x).ToList().ShouldBe(expected);
        result.SourceRecords.ShouldBe(10_000);
        result.LateRecords.ShouldBe(0);
    }

    private sealed class ListWindow : ProcessWindowFunction<string, Ev, string>
    {
        public override void Process(string key, TimeWindow window, IReadOnlyList<Ev> elements, ICollector<string> output) =>
            output.Collect($"{key}[{window.Start},{window.End}):{string.Join(",", elements.Select(e => e.Ts))}");
    }

    public sealed class Heap : TumblingWindowTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : TumblingWindowTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
