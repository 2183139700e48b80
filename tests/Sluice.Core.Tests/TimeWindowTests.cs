namespace Sluice.Core.Tests;

public class TimeWindowTests
{
    /// <summary>Independent model: the largest s ≤ t with s ≡ offset (mod slide), found by stepping.</summary>
    private static long ModelStart(long t, long offset, long slide)
    {
        var s = offset;
        while (s > t)
        {
            s -= slide;
        }
        while (s + slide <= t)
        {
            s += slide;
        }
        return s;
    }

    [Theory]
    [InlineData(0, 0, 10, 0)]
    [InlineData(9, 0, 10, 0)]
    [InlineData(10, 0, 10, 10)]
    [InlineData(-1, 0, 10, -10)]
    [InlineData(-10, 0, 10, -10)]
    [InlineData(-11, 0, 10, -20)]
    [InlineData(2, 3, 10, -7)]
    [InlineData(3, 3, 10, 3)]
    [InlineData(-8, 3, 10, -17)]
    [InlineData(-7, 3, 10, -7)]
    public void AlignedStart_HandPickedCases(long t, long offset, long slide, long expected) =>
        TimeWindow.AlignedStart(t, offset, slide).ShouldBe(expected);

    [Fact]
    public void AlignedStart_ManyValues_MatchModel()
    {
        foreach (var slide in new long[] { 1, 3, 7, 10, 60_000 })
        {
            foreach (var offset in new long[] { 0, 1, slide - 1 }.Where(o => o >= 0 && o < slide).Distinct())
            {
                for (var t = -50L; t <= 50; t++)
                {
                    TimeWindow.AlignedStart(t, offset, slide).ShouldBe(ModelStart(t, offset, slide), $"t={t} offset={offset} slide={slide}");
                }
            }
        }
    }

    [Fact]
    public void Intersects_OverlappingOrTouching_True()
    {
        new TimeWindow(0, 10).Intersects(new TimeWindow(10, 20)).ShouldBeTrue();
        new TimeWindow(10, 20).Intersects(new TimeWindow(0, 10)).ShouldBeTrue();
        new TimeWindow(0, 10).Intersects(new TimeWindow(5, 7)).ShouldBeTrue();
        new TimeWindow(0, 10).Intersects(new TimeWindow(11, 20)).ShouldBeFalse();
        new TimeWindow(11, 20).Intersects(new TimeWindow(0, 10)).ShouldBeFalse();
    }

    [Fact]
    public void CoverAndMaxTimestamp()
    {
        new TimeWindow(5, 10).Cover(new TimeWindow(0, 7)).ShouldBe(new TimeWindow(0, 10));
        new TimeWindow(0, 10).MaxTimestamp.ShouldBe(9);
        new TimeWindow(-10, 0).MaxTimestamp.ShouldBe(-1);
    }

    [Fact]
    public void EventTimeFormat_Sentinels()
    {
        EventTime.Format(long.MinValue).ShouldBe("-inf");
        EventTime.Format(long.MaxValue).ShouldBe("+inf");
        EventTime.Format(0).ShouldBe("1970-01-01T00:00:00.000Z");
    }
}
