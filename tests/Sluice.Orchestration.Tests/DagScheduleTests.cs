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

    [Theory]
    [InlineData("2024-01-01T00:00:00Z", "2024-01-10T01:00:00Z", "2024-01-11T01:00:00Z")] // before the start date: the first interval
    [InlineData("2024-03-05T10:30:00Z", "2024-03-05T01:00:00Z", "2024-03-06T01:00:00Z")] // within an interval: that one
    [InlineData("2024-03-06T01:00:00Z", "2024-03-06T01:00:00Z", "2024-03-07T01:00:00Z")] // at an interval's end: the following one
    public void NextScheduledInterval_DailyInAmsterdam_IsTheFirstIntervalNotEndedYet(string now, string start, string end)
    {
        // 02:00 in Amsterdam is 01:00 UTC in winter.
        var dag = new DagBuilder("d").Schedule("0 2 * * *", "Europe/Amsterdam").StartDate(DateTimeOffset.Parse("2024-01-10T00:00:00+01:00"))
            .Task("t", new ShellAction("true")).Build();

        var next = dag.NextScheduledInterval(DateTimeOffset.Parse(now));

        next.ShouldBe(new DataInterval(DateTimeOffset.Parse(start), DateTimeOffset.Parse(end)));
    }

    [Fact]
    public void NextScheduledInterval_ManualOrPastTheEndDate_IsNull()
    {
        var now = new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero);
        var manual = new DagBuilder("m").Task("t", new ShellAction("true")).Build();
        var ended = new DagBuilder("e").Schedule("0 0 * * *").StartDate(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero))
            .EndDate(new DateTimeOffset(2024, 1, 5, 0, 0, 0, TimeSpan.Zero)).Task("t", new ShellAction("true")).Build();

        manual.NextScheduledInterval(now).ShouldBeNull();
        ended.NextScheduledInterval(now).ShouldBeNull();
    }
}
