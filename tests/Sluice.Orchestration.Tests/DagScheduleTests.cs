using Sluice.Orchestration.Definitions;

namespace Sluice.Orchestration.Tests;

public sealed class DagScheduleTests
{
    [Fact]
    public void IntervalsStartingBetween_NewYorkAcrossSpringForward_FollowTheWallClock()
    {
        // 09:00 in New York: EST (UTC-5) until 2024-03-10 02:00, EDT (UTC-4) after.
        var schedule = DagSchedule.Parse("0 9 * * *", "America/New_York");

        var intervals = schedule.IntervalsStartingBetween(
            new DateTimeOffset(2024, 3, 9, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 3, 11, 20, 0, 0, TimeSpan.Zero)).ToList();

        intervals.Select(i => (i.Start.UtcDateTime, i.End.UtcDateTime)).ShouldBe(
        [
            (new DateTime(2024, 3, 9, 14, 0, 0), new DateTime(2024, 3, 10, 13, 0, 0)),
            (new DateTime(2024, 3, 10, 13, 0, 0), new DateTime(2024, 3, 11, 13, 0, 0)),
            (new DateTime(2024, 3, 11, 13, 0, 0), new DateTime(2024, 3, 12, 13, 0, 0)),
        ]);
        (intervals[0].End - intervals[0].Start).ShouldBe(TimeSpan.FromHours(23));
    }

    [Fact]
    public void IntervalsStartingBetween_AmsterdamSkippedHour_RunsAtTheJump()
    {
        // 02:30 does not exist in Amsterdam on 2024-03-31 (02:00 CET → 03:00 CEST): that day's run is at 03:00 CEST.
        var schedule = DagSchedule.Parse("30 2 * * *", "Europe/Amsterdam");

        var starts = schedule.IntervalsStartingBetween(
            new DateTimeOffset(2024, 3, 30, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 4, 1, 12, 0, 0, TimeSpan.Zero)).Select(i => i.Start.UtcDateTime).ToList();

        starts.ShouldBe([new DateTime(2024, 3, 30, 1, 30, 0), new DateTime(2024, 3, 31, 1, 0, 0), new DateTime(2024, 4, 1, 0, 30, 0)]);
    }

    [Fact]
    public void IntervalAt_Manual_IsEmpty()
    {
        var at = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

        DagSchedule.Manual.IntervalAt(at).ShouldBe(new DataInterval(at, at));
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("250ms", 0.25)]
    [InlineData("45", 45)]
    [InlineData("00:01:30", 90)]
    public void ParseDuration_Units(string text, double seconds) =>
        DagFileLoader.ParseDuration(text).ShouldBe(TimeSpan.FromSeconds(seconds));
}
