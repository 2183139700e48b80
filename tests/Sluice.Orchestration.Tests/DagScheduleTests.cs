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

    [Theory]
    [InlineData("2024-03-30T12:00:00Z", "2024-03-30T01:30:00Z", "2024-03-31T01:00:00Z")] // the 23-hour interval of the jump
    [InlineData("2024-03-31T00:59:59Z", "2024-03-30T01:30:00Z", "2024-03-31T01:00:00Z")]
    [InlineData("2024-03-31T01:00:00Z", "2024-03-31T01:00:00Z", "2024-04-01T00:30:00Z")] // 02:30 skipped: 03:00 CEST, then 02:30 CEST
    [InlineData("2024-04-01T00:30:00Z", "2024-04-01T00:30:00Z", "2024-04-02T00:30:00Z")]
    public void NextScheduledInterval_AmsterdamSpringForward_FollowsTheWallClock(string now, string start, string end)
    {
        var dag = new DagBuilder("d").Schedule("30 2 * * *", "Europe/Amsterdam").StartDate(DateTimeOffset.Parse("2024-03-01T00:00:00+01:00"))
            .Task("t", new ShellAction("true")).Build();

        dag.NextScheduledInterval(DateTimeOffset.Parse(now)).ShouldBe(new DataInterval(DateTimeOffset.Parse(start), DateTimeOffset.Parse(end)));
    }

    [Fact]
    public void NextScheduledInterval_IntervalStraddlingTheEndDate_IsThatIntervalWhileNowIsInsideIt()
    {
        // Daily at 00:00 UTC, end date 2024-01-05 12:00: the interval of 01-05 starts before the end date, ends after it.
        var dag = new DagBuilder("e").Schedule("0 0 * * *").StartDate(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero))
            .EndDate(new DateTimeOffset(2024, 1, 5, 12, 0, 0, TimeSpan.Zero)).Task("t", new ShellAction("true")).Build();
        var straddling = new DataInterval(new DateTimeOffset(2024, 1, 5, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, 6, 0, 0, 0, TimeSpan.Zero));

        dag.NextScheduledInterval(new DateTimeOffset(2024, 1, 5, 6, 0, 0, TimeSpan.Zero)).ShouldBe(straddling);
        dag.NextScheduledInterval(new DateTimeOffset(2024, 1, 5, 12, 0, 0, TimeSpan.Zero)).ShouldBe(straddling); // now == end date
        dag.NextScheduledInterval(new DateTimeOffset(2024, 1, 6, 0, 0, 0, TimeSpan.Zero)).ShouldBeNull(); // the next starts after it
    }

    [Fact]
    public void NextScheduledInterval_NowEqualsTheEndDateOnAnOccurrence_IsNull()
    {
        var end = new DateTimeOffset(2024, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var dag = new DagBuilder("e").Schedule("0 0 * * *").StartDate(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero))
            .EndDate(end).Task("t", new ShellAction("true")).Build();

        dag.NextScheduledInterval(end).ShouldBeNull();
        dag.NextScheduledInterval(end.AddSeconds(-1)).ShouldBe(new DataInterval(end.AddDays(-1), end));
    }

    [Theory]
    [InlineData("* * * * * *", "UTC")] // every second
    [InlineData("*/7 * * * * *", "UTC")] // irregular gaps at the minute
    [InlineData("0 30 2 * * *", "Europe/Amsterdam")] // a skipped hour
    [InlineData("0 0 0 1 * *", "UTC")] // months of different lengths
    [InlineData("0 0 0 29 2 *", "UTC")] // leap days only: windows double past years
    public void LatestCompleteInterval_EqualsAWalkFromTheStart(string cron, string zone)
    {
        var schedule = DagSchedule.Parse(cron, zone);
        var from = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var dag = new DagBuilder("d").Schedule(cron, zone).StartDate(from).Task("t", new ShellAction("true")).Build();
        // Independent of the windows: every interval from the start, the last one ended by now (cheap near from).
        foreach (var now in new[] { from, from.AddSeconds(1), from.AddSeconds(61), from.AddMinutes(10).AddSeconds(3), from.AddDays(1).AddHours(1.5) })
        {
            DataInterval? walked = null;
            for (var s = schedule.NextOrSame(from); s is { } at && schedule.IntervalAt(at).End <= now; s = schedule.Next(at))
            {
                walked = schedule.IntervalAt(at);
            }

            dag.LatestCompleteInterval(from, now).ShouldBe(walked, $"now {now:O}");
        }
    }

    [Fact]
    public void NextScheduledInterval_EverySecondFromYearsAgo_IsTheIntervalAroundNow()
    {
        // Walking from 2015 would take ~350 million occurrences; the windows start at two seconds.
        var dag = new DagBuilder("s").Schedule("* * * * * *").StartDate(new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero))
            .Task("t", new ShellAction("true")).Build();
        var now = new DateTimeOffset(2026, 12, 7, 2, 30, 15, 500, TimeSpan.Zero);

        dag.NextScheduledInterval(now).ShouldBe(new DataInterval(now.AddMilliseconds(-500), now.AddMilliseconds(500)));
    }
}
