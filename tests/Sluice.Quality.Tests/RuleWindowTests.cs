namespace Sluice.Quality.Tests;

/// <summary>The per-minute windows of a rule's running total (<see cref="QualityMetrics.Windows"/>): bounded, in order.</summary>
public class RuleWindowTests
{
    [Fact]
    public void Add_SameMinuteTwice_AddsToOneWindow()
    {
        var total = new RuleTotal("range", "warn", 1);
        total.Add(3, 1, 120_000);
        total.Add(2, 0, 179_999);

        Windows(total).ShouldBe([new RuleWindowCounts("op", "r", 120_000, 5, 1)]);
        total.Passed.ShouldBe(5);
        total.Failed.ShouldBe(1);
    }

    [Fact]
    public void Add_SeventyMinutes_KeepsTheNewestSixtyInOrder()
    {
        var total = new RuleTotal("range", "warn", 1);
        for (var minute = 0; minute < 70; minute++)
        {
            total.Add(minute, 1, (minute * 60_000L) + 5);
        }

        var windows = Windows(total);
        windows.Count.ShouldBe(QualityMetrics.WindowsKept);
        windows.Select(w => w.StartMs).ShouldBe(Enumerable.Range(10, 60).Select(m => m * 60_000L));
        windows[0].Passed.ShouldBe(10);
        total.Passed.ShouldBe(Enumerable.Range(0, 70).Sum());
    }

    [Fact]
    public void Add_AnOlderKeptMinute_AddsToItAndAnEvictedOneOnlyToTheTotal()
    {
        var total = new RuleTotal("range", "warn", 1);
        for (var minute = 0; minute < 61; minute++)
        {
            total.Add(1, 0, minute * 60_000L);
        }
        total.Add(1, 0, 30 * 60_000L);   // a subtask flushing late: minute 30 is still kept
        total.Add(1, 0, 0);              // minute 0 was evicted

        var windows = Windows(total);
        windows.Single(w => w.StartMs == 30 * 60_000L).Passed.ShouldBe(2);
        windows.ShouldNotContain(w => w.StartMs == 0);
        total.Passed.ShouldBe(63);
    }

    private static List<RuleWindowCounts> Windows(RuleTotal total)
    {
        var windows = new List<RuleWindowCounts>();
        total.AddWindowsTo(windows, "op", "r");
        return windows;
    }
}
