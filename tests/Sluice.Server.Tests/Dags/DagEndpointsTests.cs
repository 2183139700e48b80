using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Sluice.Server.Tests.Dags;

/// <summary>The DAG endpoints on a real server with a DAGs folder: listing, the token-protected trigger and its 400s, the log endpoint's 404s.</summary>
public sealed class DagEndpointsTests : IAsyncLifetime
{
    private readonly string _dags = Directory.CreateTempSubdirectory("sluice-dags-").FullName;
    private ServerFixture? _fixture;

    private ServerFixture Fixture => _fixture!;

    public async Task InitializeAsync()
    {
        // A manual DAG in UTC+2 (no task runs unless triggered).
        await File.WriteAllTextAsync(Path.Combine(_dags, "m.yml"), "dag_id: m\ntimezone: Etc/GMT-2\nstart_date: 2024-01-01\ntasks:\n  - id: t\n    kind: shell\n    command: \"true\"\n");
        _fixture = await ServerFixture.StartAsync(configure: o => o with { DagsDirectory = _dags });
    }

    public async Task DisposeAsync()
    {
        await Fixture.DisposeAsync();
        Directory.Delete(_dags, recursive: true);
    }

    [Fact]
    public async Task GetDags_ListsTheDagWithItsTasks()
    {
        using var json = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dags"));

        var dag = json.RootElement.EnumerateArray().Single();
        dag.GetProperty("id").GetString().ShouldBe("m");
        dag.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()).ShouldBe(["t"]);
    }

    [Fact]
    public async Task Trigger_WithoutToken_Is401AndCreatesNothing()
    {
        using var response = await Fixture.Anonymous.PostAsync("/api/dags/m/runs", JsonContent.Create(new { logical_date = "2024-01-05T00:00:00Z" }));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var runs = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dags/m/runs"));
        runs.RootElement.GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Trigger_ChunkedBodyWithoutOffset_Is201AtWallClockOfTheDagsZone()
    {
        // JsonContent is sent chunked (no Content-Length).
        using var content = JsonContent.Create(new { logical_date = "2024-01-05T02:00:00" });
        using var response = await Fixture.Authorized.PostAsync("/api/dags/m/runs", content);

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        // 02:00 in UTC+2 is midnight UTC.
        json.RootElement.GetProperty("run").GetProperty("run_id").GetString().ShouldBe("manual__2024-01-05T00:00:00+00:00");
    }

    [Fact]
    public async Task Trigger_RunCompletes_TheDagAndItsTaskAppearInTheLineageGraph()
    {
        using var response = await Fixture.Authorized.PostAsync("/api/dags/m/runs", JsonContent.Create(new { logical_date = "2024-02-01T00:00:00Z" }));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());

        var dag = await Jobs.JobApi.EventuallyAsync(() => LineageJobAsync("m"), n => n?.GetProperty("state").GetString() == "COMPLETE", "the DAG run's COMPLETE in /api/lineage");
        dag!.Value.GetProperty("processingType").GetString().ShouldBe("BATCH");
        var task = (await LineageJobAsync("m.t")).ShouldNotBeNull();
        task.GetProperty("state").GetString().ShouldBe("COMPLETE");
    }

    private async Task<JsonElement?> LineageJobAsync(string name)
    {
        using var graph = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/lineage"));
        foreach (var node in graph.RootElement.GetProperty("nodes").EnumerateArray())
        {
            if (node.GetProperty("kind").GetString() == "job" && node.GetProperty("name").GetString() == name)
            {
                return node.Clone();
            }
        }
        return null;
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"logical_date\": 20240105}")]
    [InlineData("{\"logical_date\": \"yesterday\"}")]
    [InlineData("[1]")]
    public async Task Trigger_BadBody_Is400(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Fixture.Authorized.PostAsync("/api/dags/m/runs", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/api/dags/nope/runs/manual__x/tasks/t/attempts/1/log")]
    [InlineData("/api/dags/%2E%2E/runs/manual__x/tasks/t/attempts/1/log")]
    [InlineData("/api/dags/m/runs/manual__x/tasks/t/attempts/1/log")]
    public async Task Log_UnknownDagTraversalOrRun_Is404(string path)
    {
        using var response = await Fixture.Anonymous.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
