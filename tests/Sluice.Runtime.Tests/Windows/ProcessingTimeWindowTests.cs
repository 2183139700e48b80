using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Windows;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class ProcessingTimeWindowTests : BackendSuite
{
    private static readonly OutputTag<Ev> s_late = new("late");

    private OperatorTestDriver<Ev, Win> Driver(WindowAssigner assigner) =>
        new(s => s.KeyBy(e => e.Key)
            .Window(assigner)
            .SideOutputLateData(s_late)
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, w.End, c)), Options());

    [Fact]
    public void Tumbling_FiresByClockAtEndMinusOne_IgnoringEventTimestamps()
    {
        using var driver = Driver(TumblingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(10)));
        var late = driver.SideOutput(s_late);
        // Event timestamps are out of order and far in the past: irrelevant to processing-time windows.
        driver.ProcessElement(new Ev("a", 500), 500).ProcessElement(new Ev("a", 5), 5).ProcessElement(new Ev("b", 1), 1);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(8));
        driver.Output.ShouldBeEmpty();
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1));
        driver.Output.OrderBy(o => o.Value.Key).ToList().ShouldBe([(new Win("a", 0, 10, 2), 9L), (new Win("b", 0, 10, 1), 9L)]);

        driver.Output.Count.ShouldBe(2);
        late.Count.ShouldBe(0);
    }

    [Fact]
    public void Tumbling_RecordArrivingAtWindowEndMinusOneAfterItFired_IsEmittedNotLost()
    {
        // Flink: processing-time windows are never late; a record arriving at now = 9 belongs to [0,10), whose
        // trigger time (9) has already come, so the window fires again for it at once.
        using var driver = Driver(TumblingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(10)));
        var late = driver.SideOutput(s_late);
        driver.ProcessElement(new Ev("a", 0), 0);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(9));
        driver.Output.ShouldBe([(new Win("a", 0, 10, 1), 9L)]);
        driver.ProcessElement(new Ev("a", 1), 1); // now = 9
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1)).ProcessElement(new Ev("a", 2), 2);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(30));
        late.Count.ShouldBe(0);
        driver.Output.Skip(1).ToList().ShouldBe([(new Win("a", 0, 10, 1), 9L), (new Win("a", 10, 20, 1), 19L)]);
    }

    [Fact]
    public void Tumbling_WatermarksDoNotFireProcessingTimeWindows()
    {
        using var driver = Driver(TumblingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(10)));
        driver.ProcessElement(new Ev("a", 1), 1).ProcessWatermark(1_000_000);
        driver.Output.ShouldBeEmpty();
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(9));
        driver.Output.ShouldBe([(new Win("a", 0, 10, 1), 9L)]);
    }

    [Fact]
    public void Tumbling_ClockJumpOverSeveralWindows_FiresEachNonEmptyWindow()
    {
        using var driver = Driver(TumblingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(10)));
        driver.ProcessElement(new Ev("a", 0), 0);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(25));
        driver.ProcessElement(new Ev("a", 0), 0).ProcessElement(new Ev("a", 0), 0);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(100));
        driver.Output.ShouldBe([(new Win("a", 0, 10, 1), 9L), (new Win("a", 20, 30, 2), 29L)]);
    }

    [Fact]
    public void Tumbling_EndOfInput_FiresPendingWindows()
    {
        using var driver = Driver(TumblingProcessingTimeWindows.Of(TimeSpan.FromMinutes(1)));
        driver.ProcessElement(new Ev("a", 0), 0).Finish();
        driver.Output.ShouldBe([(new Win("a", 0, 60_000, 1), 59_999L)]);
    }

    [Fact]
    public void Sliding_SizeNotMultipleOfSlide_AssignsByArrivalTime()
    {
        using var driver = Driver(SlidingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(4)));
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(9));
        driver.ProcessElement(new Ev("a", 0), 0); // now = 9: windows [0,10), [4,14), [8,18)
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(3)); // now = 12
        driver.ProcessElement(new Ev("a", 0), 0); // windows [4,14), [8,18), [12,22)
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(20));
        driver.Output.ShouldBe([
            (new Win("a", 0, 10, 1), 9L),
            (new Win("a", 4, 14, 2), 13L),
            (new Win("a", 8, 18, 2), 17L),
            (new Win("a", 12, 22, 1), 21L),
        ]);
    }

    [Fact]
    public void Session_GapOfInactivityInProcessingTime_ClosesSession()
    {
        using var driver = Driver(ProcessingTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(10)));
        driver.ProcessElement(new Ev("a", 0), 0);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(5));
        driver.ProcessElement(new Ev("a", 0), 0); // [5,15) merges into [0,15)
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(9)); // now = 14
        driver.Output.ShouldBe([(new Win("a", 0, 15, 2), 14L)]);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1));
        driver.ProcessElement(new Ev("a", 0), 0);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(100));
        driver.Output.Count.ShouldBe(2);
        driver.Output[1].ShouldBe((new Win("a", 15, 25, 1), 24L));
        driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void AllowedLateness_OnProcessingTimeWindows_Throws()
    {
        var env = StreamEnvironment.Create();
        var windowed = env.FromCollection(new[] { new Ev("a", 1) }).KeyBy(e => e.Key)
            .Window(TumblingProcessingTimeWindows.Of(TimeSpan.FromSeconds(1)));
        Should.Throw<InvalidOperationException>(() => windowed.AllowedLateness(TimeSpan.FromSeconds(1)))
            .Message.ShouldContain("event-time");
    }

    public sealed class Heap : ProcessingTimeWindowTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : ProcessingTimeWindowTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
