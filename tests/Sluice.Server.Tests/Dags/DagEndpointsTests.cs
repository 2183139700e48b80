using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Sluice.Server.Tests.Dags;

/// <summary>The DAG endpoints on a real server with a DAGs folder: listing (zone, graph, next run), the token-protected trigger and its 400s, the log endpoint's 404s.</summary>
public sealed class DagEndpointsTests : IAsyncLifetime
{
    private readonly string _dags = Directory.CreateTempSubdirectory("sluice-dags-").FullName;
    private ServerFixture? _fixture;

    private ServerFixture Fixture => _fixture!;

    public async Task InitializeAsync()
    {
        // A manual DAG in UTC+2 (no task runs unless triggered).
        await File.WriteAllTextAsync(Path.Combine(_dags, "m.yml"), "dag_id: m\ntimezone: Etc/GMT-2\nstart_date: 2024-01-01\ntasks:\n  - id: t\n    kind: shell\n    command: \"true\"\n");
        // A daily DAG in Amsterdam whose first interval is far ahead (no run is due while the tests run).
        await File.WriteAllTextAsync(Path.Combine(_dags, "s.yml"), """
            dag_id: s
            schedule: "0 2 * * *"
            timezone: Europe/Amsterdam
            start_date: 2099-01-01
            tasks:
              - id: a
                kind: shell
                command: "true"
              - id: b
                kind: shell
                command: "true"
                depends_on: [a]
            """);
        _fixture = await ServerFixture.StartAsync(configure: o => o with { DagsDirectory = _dags });
    }

    public async Task DisposeAsync()
    {
        await Fixture.DisposeAsync();
        Directory.Delete(_dags, recursive: true);
    }

    [Fact]
    public async Task GetDags_ListsTheDagsByIdAndAManualDagWithItsTaskZoneAndNoNextRun()
    {
        using var json = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dags"));

        json.RootElement.EnumerateArray().Select(d => d.GetProperty("id").GetString()).ShouldBe(["m", "s"]);
        var dag = json.RootElement[0];
        dag.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()).ShouldBe(["t"]);
        dag.GetProperty("timezone").GetString().ShouldBe("Etc/GMT-2");
        dag.TryGetProperty("next_run", out _).ShouldBeFalse("a manual DAG has no next scheduled run");
    }

    [Fact]
    public async Task GetDag_IsTheDagAsInTheList()
    {
        using var list = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dags"));
        using var one = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dags/s"));

        one.RootElement.GetProperty("id").GetString().ShouldBe("s");
        one.RootElement.GetRawText().ShouldBe(list.RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "s").GetRawText());
    }

    [Fact]
    public async Task GetDag_Unknown_Is404NamingIt()
    {
        using var response = await Fixture.Anonymous.GetAsync("/api/dags/nope");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("There is no DAG 'nope'.");
    }

    [Fact]
    public async Task GetDags_ScheduledDag_HasItsZoneDependenciesAndNextRun()
    {
        using var json = JsonDocument.Parse(await Fixture.Anonymous.GetStringAsync("/api/dags"));

        var dag = json.RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "s");
        dag.GetProperty("schedule").GetString().ShouldBe("0 2 * * * (Europe/Amsterdam)");
        dag.GetProperty("timezone").GetString().ShouldBe("Europe/Amsterdam");
        dag.GetProperty("tasks").EnumerateArray().Select(t => (t.GetProperty("id").GetString(), string.Join(",", t.GetProperty("depends_on").EnumerateArray().Select(d => d.GetString()))))
            .ShouldBe([("a", ""), ("b", "a")]);
        // The first interval: 2099-01-01 02:00 in Amsterdam (01:00 UTC), due when it ends a day later.
        var next = dag.GetProperty("next_run");
        next.GetProperty("logical_date").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2099, 1, 1, 1, 0, 0, TimeSpan.Zero));
        next.GetProperty("due_at").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2099, 1, 2, 1, 0, 0, TimeSpan.Zero));
        dag.TryGetProperty("latest_run", out _).ShouldBeFalse();
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
