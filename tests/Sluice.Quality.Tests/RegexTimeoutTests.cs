using Sluice.Testing;

namespace Sluice.Quality.Tests;

public class RegexTimeoutTests
{
    public sealed record Text(int Id, string Value);

    [Fact]
    public void Matches_CatastrophicBacktracking_TimesOutIsReportedAndTheTaskGoesOn()
    {
        // A lookahead keeps this pattern off the non-backtracking engine; (a+)+b is exponential on "aaa…c".
        const string Pattern = "^(?=(a+)+b)";
        var evil = new string('a', 40) + "c";
        using var driver = new OperatorTestDriver<Text, Text>(input => input.Expect(e => e
            .Matches("value_format", "value", t => t.Value, Pattern, TimeSpan.FromMilliseconds(20))));
        var letters = driver.SideOutput(DeadLetters.Tag);

        driver.ProcessElement(new Text(1, "aab"), 1).ProcessElement(new Text(2, evil), 2).ProcessElement(new Text(3, "ab"), 3).Finish();

        driver.Values.Select(t => t.Id).ShouldBe([1, 3]);
        var letter = letters.Items.ShouldHaveSingleItem();
        letter.Rule.ShouldBe("value_format");
        letter.FieldPath.ShouldBe("value");
        letter.Reason.ShouldContain("timed out after 20 ms");
    }

    [Fact]
    public void Matches_NestedQuantifierWithoutLookaround_TimesOutOnceThenJudgesOnTheLinearEngine()
    {
        // (a+)+$ is the textbook catastrophic pattern for a backtracking engine: the first evil value runs out of time on
        // it, is re-judged on the linear engine, and the subtask stays there, so later evil values cost no timeout.
        var evil = new string('a', 5_000) + "!";
        var jobName = "regex-fallback-" + Guid.NewGuid().ToString("N");
        using var timeouts = new RuleMetricCounter("job", jobName, "sluice.quality.regex.timeouts");
        using var driver = new OperatorTestDriver<Text, Text>(input => input.Expect(e => e
            .Matches("value_format", "value", t => t.Value, "^(a+)+$", TimeSpan.FromMilliseconds(200))), new JobOptions { JobName = jobName });
        var letters = driver.SideOutput(DeadLetters.Tag);

        driver.ProcessElement(new Text(1, evil), 1).ProcessElement(new Text(2, "aaa"), 2).ProcessElement(new Text(3, evil), 3).ProcessElement(new Text(4, evil), 4).Finish();

        driver.Values.Select(t => t.Id).ShouldBe([2]);
        letters.Items.Select(l => l.Reason).ShouldAllBe(reason => reason.Contains("does not match"));
        letters.Items.Count.ShouldBe(3);
        timeouts.ByRule.ShouldBe(new Dictionary<string, long> { ["value_format"] = 1 });
    }
}
