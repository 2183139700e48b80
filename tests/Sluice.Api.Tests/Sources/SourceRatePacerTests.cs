using Sluice.Sources;
using Sluice.Testing;

namespace Sluice.Api.Tests.Sources;

public sealed class SourceRatePacerTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    private static (ManualTimeProvider Clock, SourceReaderContext Context, Func<int> Signals) Setup()
    {
        var clock = new ManualTimeProvider(s_start);
        var signals = 0;
        var context = new SourceReaderContext(0, 1, clock, () => Interlocked.Increment(ref signals), 100);
        return (clock, context, () => Volatile.Read(ref signals));
    }

    [Fact]
    public void DueBy_FreshStart_FirstRecordAtOnceThenOnePerInterval()
    {
        var (clock, context, _) = Setup();
        using var pacer = new SourceRatePacer(10, context);
        var start = s_start.ToUnixTimeMilliseconds();

        pacer.DueBy(start).ShouldBe(1);
        pacer.DueBy(start + 99).ShouldBe(1);
        pacer.DueBy(start + 100).ShouldBe(2);
        pacer.DueBy(start + 500).ShouldBe(6);
        pacer.DueAtMs(0).ShouldBe(start);
        pacer.DueAtMs(3).ShouldBe(start + 300);
        clock.NowMs.ShouldBe(pacer.NowMs);
    }

    [Fact]
    public void Restored_LastRecordCountsAsJustMade_NextComesOneIntervalLater()
    {
        var (clock, context, _) = Setup();
        clock.Advance(TimeSpan.FromSeconds(5));
        var now = clock.NowMs;

        using var pacer = new SourceRatePacer(10, context, emitted: 11);

        pacer.DueBy(now).ShouldBe(11);
        pacer.DueAtMs(11).ShouldBe(now + 100);
        pacer.DueBy(now + 100).ShouldBe(12);
    }

    [Fact]
    public void WakeWhenDue_SignalsOnceTheRecordIsDue()
    {
        var (clock, context, signals) = Setup();
        using var pacer = new SourceRatePacer(4, context);

        pacer.WakeWhenDue(1, clock.NowMs);
        clock.Advance(TimeSpan.FromMilliseconds(249));
        signals().ShouldBe(0);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        signals().ShouldBe(1);
    }

    [Fact]
    public void Constructor_NonPositiveRate_Throws()
    {
        var (_, context, _) = Setup();

        Should.Throw<ArgumentOutOfRangeException>(() => new SourceRatePacer(0, context));
        Should.Throw<ArgumentOutOfRangeException>(() => new SourceRatePacer(double.PositiveInfinity, context));
        Should.Throw<ArgumentOutOfRangeException>(() => new SourceRatePacer(1, context, emitted: -1));
    }
}
