using Sluice.Runtime.Tests.Support;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Execution;

public class WatermarkTests
{
    private static Sluice.Sinks.CollectSink<Win> CountWindows(DataStream<Ev> stream, long sizeMs) =>
        stream.KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(sizeMs)))
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c))
            .Collect();

    [Fact]
    public void Union_WatermarkIsMinimumOverInputs()
    {
        using var driver = new JobTestDriver();
        var first = driver.CreateInput<Ev>(name: "First");
        var second = driver.CreateInput<Ev>(name: "Second");
        var sink = CountWindows(first.Stream.Union(second.Stream), 10);
        first.Push(new Ev("a", 1), 1).PushWatermark(100);
        second.Push(new Ev("a", 2), 2).PushWatermark(8);
        driver.RunUntilIdle();
        sink.Count.ShouldBe(0);
        second.PushWatermark(9);
        driver.RunUntilIdle();
        sink.Items.ShouldBe([new Win("a", 0, 10, 2)]);
    }

    [Fact]
    public void IdleInput_AfterIdleTimeout_NoLongerHoldsBackWindows()
    {
        using var driver = new JobTestDriver();
        var idle = driver.CreateInput(WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero).WithIdleness(TimeSpan.FromMilliseconds(100)), "Quiet");
        var busy = driver.CreateInput(WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero), "Busy");
        var sink = CountWindows(idle.Stream.Union(busy.Stream), 10);
        busy.Push(new Ev("a", 5), 5).Push(new Ev("a", 15), 15); // busy watermark 14
        driver.RunUntilIdle();
        sink.Count.ShouldBe(0);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(99));
        sink.Count.ShouldBe(0);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1));
        sink.Items.ShouldBe([new Win("a", 0, 10, 1)]);
    }

    [Fact]
    public void IdleInput_BecomesActiveAgain_HoldsBackWatermarkOnceCaughtUp()
    {
        using var driver = new JobTestDriver();
        var idle = driver.CreateInput(WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero).WithIdleness(TimeSpan.FromMilliseconds(100)), "Quiet");
        var busy = driver.CreateInput(WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero), "Busy");
        var sink = CountWindows(idle.Stream.Union(busy.Stream), 10);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(100));
        busy.Push(new Ev("a", 5), 5).Push(new Ev("a", 15), 15);
        driver.RunUntilIdle();
        sink.Items.ShouldBe([new Win("a", 0, 10, 1)]);
        // The quiet input wakes up at 20 (watermark 19) while busy runs ahead to 45 (watermark 44): min is 19.
        idle.Push(new Ev("b", 20), 20);
        driver.RunUntilIdle();
        busy.Push(new Ev("a", 45), 45);
        driver.RunUntilIdle();
        sink.Items.ShouldBe([new Win("a", 0, 10, 1), new Win("a", 10, 20, 1)]);
    }

    [Fact]
    public void MonotonousTimestamps_WatermarkIsMaxMinusOne()
    {
        using var driver = new JobTestDriver();
        var input = driver.CreateInput(WatermarkStrategy<Ev>.ForMonotonousTimestamps());
        var sink = CountWindows(input.Stream, 10);
        input.Push(new Ev("a", 3), 3).Push(new Ev("a", 9), 9);
        driver.RunUntilIdle();
        sink.Count.ShouldBe(0); // watermark 8
        input.Push(new Ev("a", 10), 10);
        driver.RunUntilIdle();
        sink.Items.ShouldBe([new Win("a", 0, 10, 2)]); // watermark 9
    }

    [Fact]
    public void BoundedOutOfOrderness_WatermarkIsMaxMinusBoundMinusOne()
    {
        using var driver = new JobTestDriver();
        var input = driver.CreateInput(WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(5)));
        var sink = CountWindows(input.Stream, 10);
        input.Push(new Ev("a", 14), 14).Push(new Ev("a", 2), 2);
        driver.RunUntilIdle();
        sink.Count.ShouldBe(0); // watermark 8
        input.Push(new Ev("a", 15), 15);
        driver.RunUntilIdle();
        sink.Items.ShouldBe([new Win("a", 0, 10, 1)]); // watermark 9
    }

    [Fact]
    public void TimestampAssigner_OverridesPushedTimestamp()
    {
        using var driver = new JobTestDriver();
        var input = driver.CreateInput(WatermarkStrategy<Ev>.ForMonotonousTimestamps().WithTimestampAssigner(e => e.Ts));
        var sink = CountWindows(input.Stream, 10);
        input.Push(new Ev("a", 3), 1_000).Push(new Ev("a", 12), 5);
        driver.RunUntilIdle();
        sink.Items.ShouldBe([new Win("a", 0, 10, 1)]);
    }

    [Fact]
    public async Task NoWatermarks_EventTimeWindowsFireOnlyAtEndOfBoundedInput()
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, BatchSize = 1 });
        var events = new[] { new Ev("a", 1), new Ev("a", 50), new Ev("a", 2) };
        var sink = env.FromCollection(events, WatermarkStrategy<Ev>.NoWatermarks().WithTimestampAssigner(e => e.Ts))
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c))
            .Collect();
        var result = await env.ExecuteAsync().OrTimeout();
        result.LateRecords.ShouldBe(0);
        sink.Items.ShouldBe([new Win("a", 0, 10, 2), new Win("a", 50, 60, 1)]);
    }
}
