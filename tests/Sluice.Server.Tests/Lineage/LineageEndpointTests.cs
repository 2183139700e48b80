using System.Text.Json;
using Sluice.Server.Tests.Jobs;

namespace Sluice.Server.Tests.Lineage;

/// <summary>GET /api/lineage: the server's jobs report their runs, kept in memory and in {data}/lineage/events.jsonl across restarts.</summary>
public sealed class LineageEndpointTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("sluice-server-lineage-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static async Task<JsonElement?> JobNodeAsync(HttpClient client, string name)
    {
        using var graph = JsonDocument.Parse(await client.GetStringAsync("/api/lineage"));
        foreach (var node in graph.RootElement.GetProperty("nodes").EnumerateArray())
        {
            if (node.GetProperty("kind").GetString() == "job" && node.GetProperty("name").GetString() == name)
            {
                return node.Clone();
            }
        }
        return null;
    }

    [Fact]
    public async Task Lineage_JobStartedThenStopped_ShowsItsLastRunStateAndSurvivesARestart()
    {
        await using (var fixture = await ServerFixture.StartAsync(_data))
        {
            var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "lineage-endless" });
            await JobApi.WaitForStatusAsync(fixture.Anonymous, id, "Running");

            var started = await JobApi.EventuallyAsync(() => JobNodeAsync(fixture.Anonymous, "lineage-endless"), n => n is not null, "the job in the lineage graph");
            started!.Value.GetProperty("state").GetString().ShouldBe("START");
            started.Value.GetProperty("processingType").GetString().ShouldBe("STREAMING");

            using var stop = await fixture.Authorized.PostAsync($"/api/jobs/{id}/stop", content: null);
            stop.IsSuccessStatusCode.ShouldBeTrue();
            await JobApi.EventuallyAsync(() => JobNodeAsync(fixture.Anonymous, "lineage-endless"), n => n?.GetProperty("state").GetString() == "COMPLETE", "the job's COMPLETE state");
        }

        var lines = await File.ReadAllLinesAsync(Path.Combine(_data, "lineage", "events.jsonl"));
        lines.Select(l => Sluice.Lineage.LineageJson.Deserialize(l)).Where(e => e.Job.Name == "lineage-endless").Select(e => e.EventType)
            .ShouldBe([Sluice.Lineage.RunEventType.Start, Sluice.Lineage.RunEventType.Complete]);

        await using var restarted = await ServerFixture.StartAsync(_data);
        var node = await JobNodeAsync(restarted.Anonymous, "lineage-endless");
        node.ShouldNotBeNull().GetProperty("state").GetString().ShouldBe("COMPLETE");
    }
}
