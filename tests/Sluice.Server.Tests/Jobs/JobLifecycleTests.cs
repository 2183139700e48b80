using System.Collections.Frozen;
using System.Net;
using System.Text.Json;

namespace Sluice.Server.Tests.Jobs;

public sealed class JobLifecycleTests
{
    private static Func<SluiceServerOptions, SluiceServerOptions> WithCounter() => options => options with
    {
        Jobs = new Dictionary<string, Action<IReadOnlyDictionary<string, string>, StreamEnvironment>>
        {
            ["counter"] = (args, env) => env.Generate(double.Parse(args["rate"], System.Globalization.CultureInfo.InvariantCulture), i => i).ForEach(_ => { }),
        }.ToFrozenDictionary(),
    };

    [Fact]
    public async Task Submit_RegisteredJobWithArgs_RunsUnderItsName()
    {
        await using var fixture = await ServerFixture.StartAsync(configure: WithCounter());

        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { job = "counter", args = new { rate = "50" } });

        var job = await JobApi.WaitForStatusAsync(fixture.Anonymous, id, "Running");
        job.GetProperty("name").GetString().ShouldBe("counter");
        job.GetProperty("kind").GetString().ShouldBe("registered");
        job.GetProperty("args").GetProperty("rate").GetString().ShouldBe("50");
    }

    [Fact]
    public async Task Submit_UnknownRegisteredJob_Is400ListingTheRegisteredOnes()
    {
        await using var fixture = await ServerFixture.StartAsync(configure: WithCounter());

        using var response = await JobApi.SubmitAsync(fixture.Authorized, new { job = "countr" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString().ShouldBe("No job named 'countr' is registered with this server; registered: counter.");
    }

    [Fact]
    public async Task Submit_RegisteredJobThatThrows_Is400WithItsMessage()
    {
        await using var fixture = await ServerFixture.StartAsync(configure: WithCounter());

        using var response = await JobApi.SubmitAsync(fixture.Authorized, new { job = "counter", args = new { speed = "1" } });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString()!.ShouldStartWith("Registered job 'counter' could not be started: ");
        (await fixture.Anonymous.GetStringAsync("/api/jobs")).ShouldBe("[]");
    }

    [Fact]
    public async Task StopWithSavepoint_RunningJob_SuspendsAndAnswersTheSavepointThenANewJobStartsFromIt()
    {
        await using var fixture = await ServerFixture.StartAsync(configure: WithCounter());
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { job = "counter", args = new { rate = "200" }, checkpointIntervalMs = 50 });
        await JobApi.WaitForStatusAsync(fixture.Anonymous, id, "Running");

        using var response = await fixture.Authorized.PostAsync($"/api/jobs/{id}/stop?savepoint=true", content: null);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var stopped = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        stopped.RootElement.GetProperty("status").GetString().ShouldBe("Suspended");
        var savepoint = stopped.RootElement.GetProperty("savepoint");
        var path = savepoint.GetProperty("path").GetString()!;
        var checkpointId = savepoint.GetProperty("checkpointId").GetInt64();
        savepoint.GetProperty("id").GetString().ShouldBe($"{id}-{checkpointId}");
        path.ShouldBe(Path.Combine(fixture.Server.DataDirectory, "checkpoints", "savepoints", $"{id}-{checkpointId}"));
        Directory.Exists(path).ShouldBeTrue();

        var resumed = await JobApi.SubmitOkAsync(fixture.Authorized, new { job = "counter", args = new { rate = "200" }, fromSavepoint = $"{id}-{checkpointId}" });

        var job = await JobApi.WaitForStatusAsync(fixture.Anonymous, resumed, "Running");
        job.GetProperty("restoredFrom").GetString().ShouldBe(path);
    }

    [Fact]
    public async Task Stop_WithoutToken_Is401AndTheJobKeepsRunning()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql });

        using var response = await fixture.Anonymous.PostAsync($"/api/jobs/{id}/stop", content: null);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await JobApi.WaitForStatusAsync(fixture.Anonymous, id, "Running")).GetProperty("id").GetString().ShouldBe(id);
    }

    [Fact]
    public async Task Stop_Twice_SecondIs409NamingTheJob()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "twice" });
        using (var first = await fixture.Authorized.PostAsync($"/api/jobs/{id}/stop", content: null))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var second = await fixture.Authorized.PostAsync($"/api/jobs/{id}/stop", content: null);

        second.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await JobApi.ProblemAsync(second)).GetProperty("detail").GetString().ShouldBe($"Job 'twice' ({id}) has already ended (Suspended): there is nothing to stop.");
    }

    [Fact]
    public async Task Savepoint_RunningJob_Answers201AndTheJobKeepsRunning()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, checkpointIntervalMs = 60_000 });
        await JobApi.WaitForStatusAsync(fixture.Anonymous, id, "Running");

        using var response = await fixture.Authorized.PostAsync($"/api/jobs/{id}/savepoints", content: null);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        using var savepoint = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        savepoint.RootElement.GetProperty("checkpointId").GetInt64().ShouldBe(1);
        Directory.Exists(savepoint.RootElement.GetProperty("path").GetString()).ShouldBeTrue();
        (await JobApi.GetJobAsync(fixture.Anonymous, id)).GetProperty("status").GetString().ShouldBe("Running");
    }

    [Fact]
    public async Task Savepoint_UnknownJob_Is404()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await fixture.Authorized.PostAsync("/api/jobs/0123/savepoints", content: null);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Submit_FromMissingSavepoint_Is400NamingIt()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await JobApi.SubmitAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, fromSavepoint = "nope" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var savepoints = Path.Combine(fixture.Server.DataDirectory, "checkpoints", "savepoints", "nope");
        (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString().ShouldBe($"The savepoint 'nope' does not exist ({savepoints}).");
    }

    [Fact]
    public async Task Delete_RunningJob_CancelsAndForgetsIt()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql });
        await JobApi.WaitForStatusAsync(fixture.Anonymous, id, "Running");

        using var response = await fixture.Authorized.DeleteAsync($"/api/jobs/{id}");

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await fixture.Anonymous.GetStringAsync("/api/jobs")).ShouldBe("[]");
        using var gone = await fixture.Anonymous.GetAsync($"/api/jobs/{id}");
        gone.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        File.Exists(Path.Combine(fixture.Server.DataDirectory, "jobs", id + ".json")).ShouldBeFalse();
    }

    [Fact]
    public async Task Delete_WithoutToken_Is401()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var id = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql });

        using var response = await fixture.Anonymous.DeleteAsync($"/api/jobs/{id}");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        File.Exists(Path.Combine(fixture.Server.DataDirectory, "jobs", id + ".json")).ShouldBeTrue();
    }
}
