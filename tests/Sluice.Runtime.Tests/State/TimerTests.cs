using Sluice.Runtime.Tests.Support;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.State;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class TimerTests : BackendSuite
{
    /// <summary>Commands carried in <see cref="Ev.Value"/>; <see cref="Ev.Ts"/> is the timer's time.</summary>
    private const int Register = 1, Delete = 2, RegisterChain = 3, RearmAtNow = 4;

    private OperatorTestDriver<Ev, string> Driver(TimeDomain domain) =>
        new(s => s.KeyBy(e => e.Key).Process(new TimerFunction(domain)), Options());

    [Fact]
    public void EventTimer_FiresWhenWatermarkReachesItsTime_WithTimerTimestamp()
    {
        using var driver = Driver(TimeDomain.EventTime);
        driver.ProcessElement(new Ev("a", 10, Register), 1).ProcessWatermark(9);
        driver.Output.ShouldBeEmpty();
        driver.ProcessWatermark(10);
        driver.Output.ShouldBe([("a@10:EventTime", 10L)]);
    }

    [Fact]
    public void EventTimer_RegisteredTwice_FiresOnce()
    {
        using var driver = Driver(TimeDomain.EventTime);
        driver.ProcessElement(new Ev("a", 10, Register)).ProcessElement(new Ev("a", 10, Register));
        driver.KeyedStateSize().Timers.ShouldBe(1);
        driver.ProcessWatermark(10).ProcessWatermark(20);
        driver.Values.ShouldBe(["a@10:EventTime"]);
        driver.KeyedStateSize().Timers.ShouldBe(0);
    }

    [Fact]
    public void EventTimer_SameTimeDifferentKeys_AreDistinctTimers()
    {
        using var driver = Driver(TimeDomain.EventTime);
        driver.ProcessElement(new Ev("a", 10, Register)).ProcessElement(new Ev("b", 10, Register)).ProcessWatermark(10);
        driver.Values.Order().ShouldBe(["a@10:EventTime", "b@10:EventTime"]);
    }

    [Fact]
    public void EventTimer_Deleted_DoesNotFire()
    {
        using var driver = Driver(TimeDomain.EventTime);
        driver.ProcessElement(new Ev("a", 10, Register)).ProcessElement(new Ev("a", 20, Register))
            .ProcessElement(new Ev("a", 10, Delete))
            .ProcessElement(new Ev("b", 20, Delete)); // deleting another key's timer does nothing to a
        driver.KeyedStateSize().Timers.ShouldBe(1);
        driver.ProcessWatermark(100);
        driver.Values.ShouldBe(["a@20:EventTime"]);
    }

    [Fact]
    public void EventTimer_DeletedThenRegisteredAgain_FiresOnce()
    {
        using var driver = Driver(TimeDomain.EventTime);
        driver.ProcessElement(new Ev("a", 10, Register)).ProcessElement(new Ev("a", 10, Delete)).ProcessElement(new Ev("a", 10, Register));
        driver.ProcessWatermark(100);
        driver.Values.ShouldBe(["a@10:EventTime"]);
    }

    [Fact]
    public void EventTimers_AcrossKeys_FireInTimestampOrder()
    {
        using var driver = Driver(TimeDomain.EventTime);
        driver.ProcessElement(new Ev("a", 30, Register)).ProcessElement(new Ev("b", 10, Register))
            .ProcessElement(new Ev("c", 20, Register)).ProcessElement(new Ev("a", 5, Register))
            .ProcessWatermark(100);
        driver.Output.ShouldBe([("a@5:EventTime", 5L), ("b@10:EventTime", 10L), ("c@20:EventTime", 20L), ("a@30:EventTime", 30L)]);
    }

    [Fact]
    public void EventTimer_RegisteredInOnTimer_FiresInSameAdvanceWhenDue()
    {
        using var driver = Driver(TimeDomain.EventTime);
        // The chain re-registers at t + 5 while t < 25: 10, 15, 20, 25.
        driver.ProcessElement(new Ev("a", 10, RegisterChain)).ProcessWatermark(22);
        driver.Values.ShouldBe(["a@10:EventTime", "a@15:EventTime", "a@20:EventTime"]);
        driver.ProcessWatermark(30);
        driver.Values.ShouldBe(["a@10:EventTime", "a@15:EventTime", "a@20:EventTime", "a@25:EventTime"]);
    }

    [Fact]
    public void EventTimer_RegisteredBehindWatermark_FiresAtNextWatermark()
    {
        using var driver = Driver(TimeDomain.EventTime);
        driver.ProcessWatermark(50).ProcessElement(new Ev("a", 10, Register));
        driver.ProcessWatermark(51);
        driver.Values.ShouldBe(["a@10:EventTime"]);
    }

    [Fact]
    public void EventTimer_Pending_FiresAtEndOfInput()
    {
        using var driver = Driver(TimeDomain.EventTime);
        driver.ProcessElement(new Ev("a", 1_000_000, Register)).Finish();
        driver.Values.ShouldBe(["a@1000000:EventTime"]);
    }

    [Fact]
    public void ProcessingTimer_FiresWhenClockReachesIt()
    {
        using var driver = Driver(TimeDomain.ProcessingTime);
        driver.ProcessElement(new Ev("a", 50, Register)).ProcessWatermark(1_000);
        driver.Output.ShouldBeEmpty();
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(49));
        driver.Output.ShouldBeEmpty();
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1));
        driver.Output.ShouldBe([("a@50:ProcessingTime(now=50)", 50L)]);
    }

    [Fact]
    public void ProcessingTimers_RegisterTwiceDeleteAndOrder()
    {
        using var driver = Driver(TimeDomain.ProcessingTime);
        driver.ProcessElement(new Ev("a", 30, Register)).ProcessElement(new Ev("a", 30, Register))
            .ProcessElement(new Ev("b", 10, Register)).ProcessElement(new Ev("c", 20, Register))
            .ProcessElement(new Ev("c", 20, Delete)).ProcessElement(new Ev("c", 25, Register));
        driver.KeyedStateSize().Timers.ShouldBe(3);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(100));
        driver.Values.ShouldBe(["b@10:ProcessingTime(now=10)", "c@25:ProcessingTime(now=25)", "a@30:ProcessingTime(now=30)"]);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(100));
        driver.Values.Count.ShouldBe(3);
        driver.KeyedStateSize().Timers.ShouldBe(0);
    }

    [Fact]
    public void ProcessingTimer_RegisteredInThePast_FiresOnNextTick()
    {
        using var driver = Driver(TimeDomain.ProcessingTime);
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(50));
        driver.ProcessElement(new Ev("a", 10, Register));
        driver.AdvanceProcessingTime(TimeSpan.Zero);
        driver.Values.ShouldBe(["a@10:ProcessingTime(now=50)"]);
    }

    [Fact]
    public void ProcessingTimer_RegisteredInOnTimer_Fires()
    {
        using var driver = Driver(TimeDomain.ProcessingTime);
        driver.ProcessElement(new Ev("a", 10, RegisterChain));
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(100));
        driver.Values.ShouldBe(["a@10:ProcessingTime(now=10)", "a@15:ProcessingTime(now=15)", "a@20:ProcessingTime(now=20)", "a@25:ProcessingTime(now=25)"]);
    }

    [Fact]
    public void ProcessingTimer_ReArmedAtTheCurrentTimeInOnTimer_FiresAtMostTwicePerMillisecondOfClock()
    {
        // CurrentProcessingTime is the step's one reading: re-armed at it, the timer waits for the clock to move rather
        // than firing again in the same pass for ever (the function throws past 100 firings). At each new reading the
        // waiting timer fires, re-arms at the reading (later than itself: this pass), fires, and re-arms to wait again.
        using var driver = Driver(TimeDomain.ProcessingTime);
        driver.ProcessElement(new Ev("a", 10, RearmAtNow));
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(12));
        driver.Values.ShouldBe([
            "a@10:ProcessingTime(now=10)",
            "a@10:ProcessingTime(now=11)", "a@11:ProcessingTime(now=11)",
            "a@11:ProcessingTime(now=12)", "a@12:ProcessingTime(now=12)",
        ]);
    }

    [Fact]
    public void TimerService_ReportsCurrentWatermarkAndProcessingTime()
    {
        using var driver = new OperatorTestDriver<Ev, string>(s => s.KeyBy(e => e.Key).Process(new ClockReporter()), Options());
        driver.ProcessElement(new Ev("a", 0), 0);
        driver.ProcessWatermark(40).AdvanceProcessingTime(TimeSpan.FromMilliseconds(7)).ProcessElement(new Ev("a", 0), 0);
        driver.Values.ShouldBe([$"wm={long.MinValue} now=0", "wm=40 now=7"]);
    }

    private sealed class TimerFunction(TimeDomain domain) : KeyedProcessFunction<string, Ev, string>
    {
        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            var timers = context.TimerService;
            switch (value.Value, domain)
            {
                case (Register or RegisterChain, TimeDomain.EventTime):
                    timers.RegisterEventTimeTimer(value.Ts);
                    break;
                case (Register or RegisterChain or RearmAtNow, TimeDomain.ProcessingTime):
                    timers.RegisterProcessingTimeTimer(value.Ts);
                    break;
                case (Delete, TimeDomain.EventTime):
                    timers.DeleteEventTimeTimer(value.Ts);
                    break;
                case (Delete, TimeDomain.ProcessingTime):
                    timers.DeleteProcessingTimeTimer(value.Ts);
                    break;
            }
            _chain = _chain || value.Value == RegisterChain;
            _rearmAtNow = _rearmAtNow || value.Value == RearmAtNow;
        }

        private bool _chain;
        private bool _rearmAtNow;
        private int _fired;

        public override void OnTimer(long timestamp, KeyedProcessContext<string> context, ICollector<string> output)
        {
            context.Timestamp.ShouldBe(timestamp);
            var now = context.TimeDomain == TimeDomain.ProcessingTime ? $"(now={context.TimerService.CurrentProcessingTime})" : "";
            output.Collect($"{context.CurrentKey}@{timestamp}:{context.TimeDomain}{now}");
            if (_rearmAtNow)
            {
                (++_fired).ShouldBeLessThan(100, "a timer re-armed at the current time fires without end");
                context.TimerService.RegisterProcessingTimeTimer(context.TimerService.CurrentProcessingTime);
            }
            if (_chain && timestamp < 25)
            {
                if (domain == TimeDomain.EventTime)
                {
                    context.TimerService.RegisterEventTimeTimer(timestamp + 5);
                }
                else
                {
                    context.TimerService.RegisterProcessingTimeTimer(timestamp + 5);
                }
            }
        }
    }

    private sealed class ClockReporter : KeyedProcessFunction<string, Ev, string>
    {
        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output) =>
            output.Collect($"wm={context.TimerService.CurrentWatermark} now={context.TimerService.CurrentProcessingTime}");
    }

    public sealed class Heap : TimerTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : TimerTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
