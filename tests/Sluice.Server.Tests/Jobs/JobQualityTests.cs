using System.Net;
using Sluice.Server.Tests.Metrics;

namespace Sluice.Server.Tests.Jobs;

/// <summary>A SQL job with CHECK constraints: the job page's <c>rules</c> and <c>/metrics</c> show each rule's pass and fail counts.</summary>
public sealed class JobQualityTests
{
    private const string Sql = """
        CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'seed' = '7');
        CREATE TABLE sink (id BIGINT, CONSTRAINT id_positive CHECK (id > 0) ON VIOLATION WARN) WITH ('connector' = 'blackhole');
        INSERT INTO sink SELECT id FROM gen;
        """;

    [Fact]
    public async Task Show_JobWithCheckConstraint_ListsTheRuleWithItsCountsAndMetricsExportThem()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = Sql, name = "quality", checkpointIntervalMs = 50 });

        // Counts reach the page at checkpoints; datagen's random ids are positive and negative, so both counts grow.
        var job = await JobApi.EventuallyAsync(() => JobApi.GetJobAsync(fixture.Anonymous, id),
            j => j.GetProperty("rules").EnumerateArray().Any(r => r.GetProperty("passed").GetInt64() > 0 && r.GetProperty("failed").GetInt64() > 0),
            "the rule to count passes and failures");

        var rule = job.GetProperty("rules").EnumerateArray().ShouldHaveSingleItem();
        rule.GetProperty("operator").GetString().ShouldBe("Check(sink)");
        rule.GetProperty("rule").GetString().ShouldBe("id_positive");
        rule.GetProperty("kind").GetString().ShouldBe("custom");
        rule.GetProperty("action").GetString().ShouldBe("warn");
        var runId = job.GetProperty("runId").GetString();

        using var response = await fixture.Anonymous.GetAsync("/metrics");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var samples = Exposition.Parse(await response.Content.ReadAsStringAsync()).Where(s => s.Labels.GetValueOrDefault("job_id") == runId).ToList();
        foreach (var name in new[] { "sluice_quality_rule_passed_total", "sluice_quality_rule_failed_total" })
        {
            var sample = samples.Where(s => s.Name == name).ShouldHaveSingleItem();
            sample.Labels["rule"].ShouldBe("id_positive");
            sample.Labels["operator"].ShouldBe("Check(sink)");
            sample.Labels["action"].ShouldBe("warn");
            sample.Labels["kind"].ShouldBe("custom");
            sample.Value.ShouldBeGreaterThan(0);
        }
    }
}
