using Sluice.Testing;

namespace Sluice.Quality.Tests;

/// <summary>
/// A generated stream on a virtual clock: each second 10 events stamped with the clock (every 100 ms), then a watermark
/// at the end of the second. An outage stops events and watermarks for seconds 60–89; a burst adds 1 000 events in
/// second 125. Windows are 10 s, so a normal window has 100 events.
/// </summary>
public class VolumeAndFreshnessTests
{
    public sealed record Reading(long Ts);

    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(10);

    private static List<QualityViolation> Run(bool outage, bool burst, out List<Reading> passed)
    {
        using var driver = new OperatorTestDriver<Reading, Reading>(input => input.Expect(e => e
            .Freshness("fresh", maxLag: TimeSpan.FromSeconds(5), checkEvery: TimeSpan.FromSeconds(1))
            .Volume("volume_bounds", s_window, min: 50, max: 500)
            .Volume("volume_sigma", s_window, trailingWindows: 6, sigmas: 3), "readings"));
        var violations = driver.SideOutput(QualityViolations.Tag);
        for (long second = 0; second < 180; second++)
        {
            if (!(outage && second is >= 60 and < 90))
            {
                var events = burst && second == 125 ? 1_010 : 10;
                for (var i = 0; i < events; i++)
                {
                    var ts = second * 1_000 + i % 10 * 100;
                    driver.ProcessElement(new Reading(ts), ts);
                }
                driver.ProcessWatermark(second * 1_000 + 999);
            }
            driver.AdvanceProcessingTime(TimeSpan.FromSeconds(1));
        }
        driver.Finish();
        passed = [.. driver.Values];
        return [.. violations.Items];
    }

    [Fact]
    public void VolumeAndFreshness_NormalStream_StaySilent()
    {
        var violations = Run(outage: false, burst: false, out var passed);

        violations.ShouldBeEmpty();
        passed.Count.ShouldBe(1_800);
    }

    [Fact]
    public void Freshness_Outage_FiresOncePerCheckWhileTheLagExceedsTheBound()
    {
        var violations = Run(outage: true, burst: false, out var passed).Where(v => v.Rule == "fresh").ToList();

        // The last event before the outage is at 59.9 s; checks run every second; the lag first exceeds 5 s at the
        // check at 65 s (5.1 s) and last at 90 s, before events resume.
        violations.Select(v => v.End).ShouldBe(Enumerable.Range(65, 26).Select(s => s * 1_000L));
        violations.ShouldAllBe(v => v.Start == 59_900 && v.Kind == RuleKind.Freshness && v.Operator == "readings");
        violations[0].Observed.ShouldBe(5_100);
        violations[0].Reason.ShouldContain("rule 'fresh' (freshness) failed");
        passed.Count.ShouldBe(1_500); // stream rules hold no record back
    }

    [Fact]
    public void Volume_OutageAndBurst_FireOnExactlyTheAffectedWindows()
    {
        var violations = Run(outage: true, burst: true, out var passed);

        // Bounds [50, 500]: the three empty windows of the outage and the burst window (100 + 1 000 events).
        violations.Where(v => v.Rule == "volume_bounds").Select(v => (v.Start, v.Observed))
            .ShouldBe([(60_000L, 0d), (70_000L, 0d), (80_000L, 0d), (120_000L, 1_100d)]);
        // 3σ of the 6 previous windows: the first empty window (history all 100, σ = 0), then the burst window (history
        // 0, 0, 0, 100, 100, 100: mean 50, σ ≈ 54.8); the other outage windows stay within 3σ of a history with zeros.
        violations.Where(v => v.Rule == "volume_sigma").Select(v => (v.Start, v.Observed))
            .ShouldBe([(60_000L, 0d), (120_000L, 1_100d)]);
        violations.Single(v => v.Rule == "volume_bounds" && v.Start == 120_000).Reason
            .ShouldContain("window [1970-01-01T00:02:00.000Z, 1970-01-01T00:02:10.000Z) has 1100 records, outside [50, 500]");
        violations.Where(v => v.Rule == "fresh").ShouldNotBeEmpty(); // the outage; the burst alone is fresh
        passed.Count.ShouldBe(2_500);
    }

    [Fact]
    public void Volume_BurstOnly_FreshnessStaysSilent()
    {
        var violations = Run(outage: false, burst: true, out _);

        violations.Where(v => v.Rule == "fresh").ShouldBeEmpty();
        violations.Where(v => v.Rule == "volume_bounds").Select(v => v.Start).ShouldBe([120_000L]);
    }

    [Fact]
    public void Volume_FailAction_FailsTheJobNamingTheRuleAndWindow()
    {
        using var driver = new OperatorTestDriver<Reading, Reading>(input => input.Expect(e => e
            .Volume("volume_bounds", s_window, min: 5, action: RuleAction.Fail)));
        driver.ProcessElement(new Reading(1_000), 1_000);

        var error = Should.Throw<Exception>(() => driver.ProcessWatermark(9_999));

        var violation = ExpectRecordRulesTests.Find<RuleViolationException>(error).ShouldNotBeNull();
        violation.Rule.ShouldBe("volume_bounds");
        violation.Message.ShouldContain("has 1 records, outside [5, ∞]");
    }

    [Fact]
    public void Freshness_LongLagBound_IsCheckedEveryMinuteAndOpens()
    {
        using var driver = new OperatorTestDriver<Reading, Reading>(input => input.Expect(e => e.Freshness("fresh", TimeSpan.FromDays(36_500))));
        var violations = driver.SideOutput(QualityViolations.Tag);

        driver.ProcessElement(new Reading(0), 0).AdvanceProcessingTime(TimeSpan.FromMinutes(3)).Finish();

        driver.Values.Count.ShouldBe(1);
        violations.Items.ShouldBeEmpty();
    }
}
