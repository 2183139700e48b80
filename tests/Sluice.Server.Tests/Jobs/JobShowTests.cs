namespace Sluice.Server.Tests.Jobs;

public sealed class JobShowTests
{
    [Fact]
    public async Task Show_RunningSqlJob_HasPlanGraphMetricsAndTotals()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "show", parallelism = 2 });

        var job = await JobApi.EventuallyAsync(() => JobApi.GetJobAsync(fixture.Anonymous, id),
            j => j.GetProperty("operatorTotals").EnumerateArray().Any(t => t.GetProperty("isSource").GetBoolean() && t.GetProperty("recordsOut").GetInt64() > 0),
            "the source to emit");

        job.GetProperty("id").GetString().ShouldBe(id);
        job.GetProperty("name").GetString().ShouldBe("show");
        job.GetProperty("status").GetString().ShouldBe("Running");
        job.GetProperty("parallelism").GetInt32().ShouldBe(2);
        job.GetProperty("sql").GetString().ShouldBe(JobApi.EndlessSql);
        var nodes = job.GetProperty("plan").GetProperty("nodes").EnumerateArray().ToList();
        nodes.Count.ShouldBeGreaterThanOrEqualTo(2);
        nodes[0].GetProperty("id").GetInt32().ShouldBe(0);
        nodes[0].GetProperty("kind").GetString().ShouldBe("Source");
        nodes[^1].GetProperty("kind").GetString().ShouldBe("Sink");
        nodes[0].GetProperty("parallelism").GetInt32().ShouldBe(2);
        var edges = job.GetProperty("plan").GetProperty("edges").EnumerateArray().ToList();
        edges.Count.ShouldBe(nodes.Count - 1);
        edges[0].GetProperty("partitioning").GetString().ShouldBe("forward");
        var subtasks = job.GetProperty("operators").EnumerateArray().ToList();
        subtasks.Count.ShouldBe(nodes.Count * 2);
        foreach (var name in new[] { "operator", "uid", "subtask", "isSource", "recordsIn", "recordsOut", "watermark", "lateRecords" })
        {
            subtasks[0].TryGetProperty(name, out _).ShouldBeTrue(name);
        }
        var totals = job.GetProperty("operatorTotals").EnumerateArray().ToList();
        totals.Count.ShouldBe(nodes.Count);
        var source = totals.Single(t => t.GetProperty("isSource").GetBoolean());
        source.GetProperty("subtasks").GetInt32().ShouldBe(2);
        var perSubtask = subtasks.Where(s => s.GetProperty("uid").GetString() == source.GetProperty("uid").GetString()).Sum(s => s.GetProperty("recordsOut").GetInt64());
        // The figures move while the job runs; the totals were summed from the same reading as the subtasks.
        source.GetProperty("recordsOut").GetInt64().ShouldBe(perSubtask);
        var tasks = job.GetProperty("tasks").EnumerateArray().ToList();
        tasks.Count.ShouldBe(nodes.Select(n => n.GetProperty("task").GetInt32()).Distinct().Count() * 2);
        foreach (var task in tasks)
        {
            (task.GetProperty("busySeconds").GetDouble() + task.GetProperty("backpressuredSeconds").GetDouble() + task.GetProperty("idleSeconds").GetDouble()).ShouldBeGreaterThan(0);
            task.GetProperty("backpressuredRatio").GetDouble().ShouldBeInRange(0, 1);
        }
    }

    [Fact]
    public async Task Show_AfterCheckpoints_ListsThemNewestFirst()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, checkpointIntervalMs = 50 });

        var job = await JobApi.EventuallyAsync(() => JobApi.GetJobAsync(fixture.Anonymous, id),
            j => j.GetProperty("checkpoints").GetArrayLength() >= 2, "two checkpoints");

        var checkpoints = job.GetProperty("checkpoints").EnumerateArray().ToList();
        checkpoints[0].GetProperty("id").GetInt64().ShouldBeGreaterThan(checkpoints[1].GetProperty("id").GetInt64());
        checkpoints[0].GetProperty("sizeBytes").GetInt64().ShouldBeGreaterThan(0);
        checkpoints[0].GetProperty("durationMs").GetDouble().ShouldBeGreaterThanOrEqualTo(0);
        checkpoints[0].GetProperty("time").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
        job.GetProperty("checkpointIntervalMs").GetInt64().ShouldBe(50);
    }

    [Fact]
    public async Task Show_RunningJob_ExceptionHistoryHasItsStatusChangesNewestFirst()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql });

        var job = await JobApi.WaitForStatusAsync(fixture.Anonymous, id, "Running");

        var history = job.GetProperty("exceptions").EnumerateArray().ToList();
        history.Count.ShouldBe(1);
        history[0].GetProperty("from").GetString().ShouldBe("Created");
        history[0].GetProperty("to").GetString().ShouldBe("Running");
        history[0].GetProperty("exceptionType").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }
}
