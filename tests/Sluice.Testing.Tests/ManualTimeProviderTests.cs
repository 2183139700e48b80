namespace Sluice.Testing.Tests;

public class ManualTimeProviderTests
{
    [Fact]
    public void Constructor_DefaultsToUnixEpoch()
    {
        var clock = new ManualTimeProvider();
        clock.GetUtcNow().ShouldBe(DateTimeOffset.UnixEpoch);
        clock.NowMs.ShouldBe(0);
        clock.NextTimerDue.ShouldBeNull();
    }

    [Fact]
    public void Advance_MovesTimeOnlyWhenAsked()
    {
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new ManualTimeProvider(start);
        clock.GetUtcNow().ShouldBe(start);
        clock.Advance(TimeSpan.FromMilliseconds(1_500));
        clock.GetUtcNow().ShouldBe(start.AddMilliseconds(1_500));
        clock.NowMs.ShouldBe(start.ToUnixTimeMilliseconds() + 1_500);
    }

    [Fact]
    public void GetTimestamp_AdvancesWithClock()
    {
        var clock = new ManualTimeProvider();
        var before = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromSeconds(2));
        clock.GetElapsedTime(before).ShouldBe(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Advance_Negative_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => new ManualTimeProvider().Advance(TimeSpan.FromTicks(-1)));

    [Fact]
    public void SetUtcNow_Backwards_Throws()
    {
        var clock = new ManualTimeProvider();
        clock.Advance(TimeSpan.FromSeconds(1));
        Should.Throw<ArgumentOutOfRangeException>(() => clock.SetUtcNow(DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Timers_FireInDueOrderAtTheirOwnTime()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<(string, long)>();
        using var late = clock.CreateTimer(_ => fired.Add(("late", clock.NowMs)), null, TimeSpan.FromMilliseconds(30), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add(("early", clock.NowMs)), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        clock.NextTimerDue.ShouldBe(DateTimeOffset.UnixEpoch.AddMilliseconds(10));
        clock.Advance(TimeSpan.FromMilliseconds(9));
        fired.ShouldBeEmpty();
        clock.Advance(TimeSpan.FromMilliseconds(100));
        fired.ShouldBe([("early", 10L), ("late", 30L)]);
        clock.NowMs.ShouldBe(109);
        clock.NextTimerDue.ShouldBeNull();
    }

    [Fact]
    public void PeriodicTimer_FiresOncePerPeriod()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<long>();
        using var timer = clock.CreateTimer(_ => fired.Add(clock.NowMs), null, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10));
        clock.Advance(TimeSpan.FromMilliseconds(36));
        fired.ShouldBe([5L, 15L, 25L, 35L]);
    }

    [Fact]
    public void TimerChangeAndDispose_AreHonoured()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<string>();
        var moved = clock.CreateTimer(_ => fired.Add("moved"), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        var disposed = clock.CreateTimer(_ => fired.Add("disposed"), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        var stopped = clock.CreateTimer(_ => fired.Add("stopped"), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        moved.Change(TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan).ShouldBeTrue();
        disposed.Dispose();
        stopped.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromMilliseconds(49));
        fired.ShouldBeEmpty();
        clock.Advance(TimeSpan.FromMilliseconds(1));
        fired.ShouldBe(["moved"]);
        moved.Dispose();
        stopped.Dispose();
    }

    [Fact]
    public void TimerCallback_CanCreateTimersThatFireInTheSameAdvance()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<long>();
        ITimer? second = null;
        using var first = clock.CreateTimer(_ =>
        {
            fired.Add(clock.NowMs);
            second = clock.CreateTimer(_ => fired.Add(clock.NowMs), null, TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);
        }, null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromMilliseconds(20));
        fired.ShouldBe([10L, 15L]);
        second?.Dispose();
    }

    [Fact]
    public void CreateTimer_NullCallback_Throws() =>
        Should.Throw<ArgumentNullException>(() => new ManualTimeProvider().CreateTimer(null!, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan));
}
