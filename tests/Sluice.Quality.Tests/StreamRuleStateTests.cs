using Sluice.Quality.Rules;
using Sluice.State.Serialization;
using Sluice.Testing;

namespace Sluice.Quality.Tests;

/// <summary>The freshness and volume rules' checkpointed state: the format-1 golden bytes, and a restore that carries an outage and a window across it.</summary>
public class StreamRuleStateTests
{
    public sealed record Reading(long Ts);

    private static readonly string s_golden = Path.Combine(AppContext.BaseDirectory, "golden", "stream-rules-v1.hex");

    private static DataStream<Reading> Pipeline(DataStream<Reading> input) => input.Expect(e => e
        .Freshness("fresh", maxLag: TimeSpan.FromSeconds(5), checkEvery: TimeSpan.FromSeconds(1))
        .Volume("volume_bounds", TimeSpan.FromSeconds(10), min: 60, max: 500)
        .Volume("volume_sigma", TimeSpan.FromSeconds(10), trailingWindows: 3, sigmas: 3), "readings");

    /// <summary>Ten events a second (every 100 ms, stamped with the clock), a watermark at the end of each second, for seconds [from, to).</summary>
    private static void Feed(OperatorTestDriver<Reading, Reading> driver, long from, long to, long extraInSecond = -1)
    {
        for (var second = from; second < to; second++)
        {
            for (var i = 0; i < (second == extraInSecond ? 11 : 10); i++)
            {
                var ts = (second * 1_000) + (i % 10 * 100);
                driver.ProcessElement(new Reading(ts), ts);
            }
            driver.ProcessWatermark((second * 1_000) + 999);
            driver.AdvanceProcessingTime(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void Restore_MidWindowAndAfterTheLastRecord_CountsTheWholeWindowKeepsTheHistoryAndMeasuresTheOutageFromTheLastRecord()
    {
        TestSnapshot snapshot;
        using (var before = new OperatorTestDriver<Reading, Reading>(Pipeline))
        {
            before.SideOutput(QualityViolations.Tag);
            Feed(before, 0, 25); // windows 0 s and 10 s judged (100 each); window 20 s holds 50 so far
            snapshot = before.Snapshot();
        }

        using var after = new OperatorTestDriver<Reading, Reading>(Pipeline);
        var violations = after.SideOutput(QualityViolations.Tag);
        after.InitializeState(snapshot);
        // No records for 7 s (an outage across the restart), then seconds 25-39, one extra event in second 35.
        after.AdvanceProcessingTime(TimeSpan.FromSeconds(7));
        Feed(after, 25, 40, extraInSecond: 35);
        after.ProcessWatermark(39_999);

        // Window 20 s has 100 records (50 before, 50 after): within [60, 500]. Window 30 s has 101: with the restored
        // history (100, 100, 100: σ = 0) it is off by more than 3σ.
        violations.Items.Where(v => v.Rule != "fresh").Select(v => (v.Rule, v.Start, v.Observed)).ShouldBe([("volume_sigma", 30_000L, 101d)]);
        // The newest event time before the restart (24.9 s) is restored: the lag first exceeds 5 s at the check at 30 s.
        var fresh = violations.Items.Where(v => v.Rule == "fresh").ToList();
        fresh.ShouldNotBeEmpty();
        fresh[0].Start.ShouldBe(24_900);
        fresh[0].End.ShouldBe(30_000);
    }

    [Fact]
    public void Snapshot_GoldenVersion1_RestoresAndWritesTheSameBytes()
    {
        var golden = Convert.FromHexString(File.ReadAllText(s_golden).Trim());
        StreamRule<Reading>[] rules =
        [
            new FreshnessRule<Reading>("fresh", TimeSpan.FromSeconds(5), null, RuleAction.Warn),
            new VolumeRule<Reading>("volume_sigma", TimeSpan.FromSeconds(10), 0, long.MaxValue, 2, 3, RuleAction.Warn),
        ];
        var checks = rules.Select(r => r.CreateCheck()).ToArray();

        StreamRuleState.Restore([golden], rules, checks, "readings");

        Convert.ToHexString(StreamRuleState.Write(rules, checks)).ShouldBe(Convert.ToHexString(golden));
        var verdicts = new Verdicts();
        checks[1].Observe(25_000); // window 20 s: 50 restored + 1
        checks[1].OnWatermark(29_999, verdicts);
        verdicts.Failed.ShouldBe([(20_000L, 51d)], "51 is more than 3σ from the restored history (100, 100) — σ = 0");
    }

    [Fact]
    public void Restore_NewerFormat_FailsNamingTheOperator()
    {
        StreamRule<Reading>[] rules = [new FreshnessRule<Reading>("fresh", TimeSpan.FromSeconds(5), null, RuleAction.Warn)];
        var checks = rules.Select(r => r.CreateCheck()).ToArray();

        var error = Should.Throw<StateFormatException>(() => StreamRuleState.Restore([[2, 0, 0, 0, 0]], rules, checks, "readings"));

        error.Message.ShouldBe("The stream-rule state of operator 'readings' has format version 2; this release reads version 1.");
    }

    private sealed class Verdicts : IStreamVerdicts
    {
        public List<(long Start, double Observed)> Failed { get; } = [];

        public void Pass()
        {
        }

        public void Fail(long start, long end, double observed, string reason) => Failed.Add((start, observed));
    }
}
