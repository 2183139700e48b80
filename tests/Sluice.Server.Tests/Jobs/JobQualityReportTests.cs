using System.Net;
using System.Text.Json;
using Sluice.Formats;
using Sluice.Log;

namespace Sluice.Server.Tests.Jobs;

/// <summary><c>GET /api/jobs/{job}/quality</c>: a running SQL job's live rule counts and windows, with failing examples from its dead-letter topic.</summary>
public sealed class JobQualityReportTests
{
    private const string Sql = """
        CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'seed' = '7');
        CREATE TABLE sink (id BIGINT, CONSTRAINT id_positive CHECK (id > 0) ON VIOLATION WARN) WITH ('connector' = 'blackhole');
        INSERT INTO sink SELECT id FROM gen;
        """;

    [Fact]
    public async Task Quality_RunningJobWithDeadLetters_LiveCountsPerMinuteAndTheFirstExamples()
    {
        await using var fixture = await ServerFixture.StartAsync();
        // Dead letters this job (by name) wrote earlier: three of its rule, one of another job, one parse failure.
        var log = fixture.Server.Context.Log;
        log.CreateTopic("sink.dlq", new TopicConfig { Partitions = 1 });
        Write(log, Letter(0, "quality", DeadLetterKind.Rule, "id_positive"));
        Write(log, Letter(1, "other", DeadLetterKind.Rule, "id_positive"));
        Write(log, Letter(2, "quality", DeadLetterKind.Parse, null));
        Write(log, Letter(3, "quality", DeadLetterKind.Rule, "id_positive"));
        Write(log, Letter(4, "quality", DeadLetterKind.Rule, "id_positive"));
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = Sql, name = "quality", checkpointIntervalMs = 50 });

        var report = await JobApi.EventuallyAsync(() => QualityAsync(fixture.Anonymous, id + "/quality?examples=2"),
            r => r.GetProperty("rules").EnumerateArray().Any(rule => rule.GetProperty("passed").GetInt64() > 0 && rule.GetProperty("failed").GetInt64() > 0),
            "the rule to count passes and failures");

        report.GetProperty("job").GetString().ShouldBe("quality");
        report.GetProperty("counts").GetString().ShouldBe("live");
        report.GetProperty("windowMs").GetInt64().ShouldBe(60_000);
        var rule = report.GetProperty("rules").EnumerateArray().ShouldHaveSingleItem();
        rule.GetProperty("operator").GetString().ShouldBe("Check(sink)");
        rule.GetProperty("rule").GetString().ShouldBe("id_positive");
        rule.GetProperty("action").GetString().ShouldBe("warn");
        var passed = rule.GetProperty("passed").GetInt64();
        var failed = rule.GetProperty("failed").GetInt64();
        rule.GetProperty("passRate").GetDouble().ShouldBe((double)passed / (passed + failed), 1e-12);
        rule.GetProperty("deadLetters").GetInt64().ShouldBe(3, "the three rule letters of this job, not the other job's or the parse failure");
        rule.GetProperty("examples").EnumerateArray().Select(e => e.GetProperty("offset").GetInt64()).ShouldBe([0L, 3L]);
        var windows = rule.GetProperty("windows").EnumerateArray().ToList();
        windows.ShouldNotBeEmpty();
        foreach (var window in windows)
        {
            (window.GetProperty("startMs").GetInt64() % 60_000).ShouldBe(0);
        }
        windows.Sum(w => w.GetProperty("passed").GetInt64() + w.GetProperty("failed").GetInt64()).ShouldBeGreaterThan(0);

        var byName = await QualityAsync(fixture.Anonymous, "quality/quality");
        byName.GetProperty("jobId").GetString().ShouldBe(report.GetProperty("jobId").GetString());

        using var missing = await fixture.Anonymous.GetAsync("/api/jobs/nosuchjob/quality");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await JobApi.ProblemAsync(missing)).GetProperty("detail").GetString().ShouldBe("No job has id or name 'nosuchjob': list the jobs with GET /api/jobs.");
        using var bad = await fixture.Anonymous.GetAsync($"/api/jobs/{id}/quality?examples=many");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await JobApi.ProblemAsync(bad)).GetProperty("detail").GetString()!.ShouldContain("examples='many'");
    }

    private static async Task<JsonElement> QualityAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync("/api/jobs/" + path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static DeadLetter Letter(int id, string job, DeadLetterKind kind, string? rule) =>
        new("Check(sink)", $"input record {id} of subtask 0", $"rule '{rule}' failed on field 'id': value -{id}", $"{{\"id\":-{id}}}", "id")
        {
            Kind = kind,
            Rule = rule,
            Operator = "Check(sink)",
            Job = job,
        };

    private static void Write(PartitionedLog log, DeadLetter letter)
    {
        var headers = DeadLetterEnvelope.Headers(letter).Select(h => new LogHeader(h.Name, h.Value)).ToArray();
        var partition = log.GetPartition("sink.dlq", 0);
        partition.Append([ProducerRecord.FromArrays(letter.OriginalKey, DeadLetterEnvelope.Value(letter), partition.EndOffset + 1, headers)]);
    }
}
