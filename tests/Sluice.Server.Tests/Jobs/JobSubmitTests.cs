using System.Net;
using System.Text;

namespace Sluice.Server.Tests.Jobs;

public sealed class JobSubmitTests
{
    [Fact]
    public async Task Submit_SqlScript_Answers201WithLocationAndTheJobRuns()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await JobApi.SubmitAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "endless" });

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var submitted = await response.Content.ReadAsStringAsync();
        using var json = System.Text.Json.JsonDocument.Parse(submitted);
        var id = json.RootElement.GetProperty("id").GetString()!;
        id.Length.ShouldBe(32);
        json.RootElement.GetProperty("name").GetString().ShouldBe("endless");
        response.Headers.Location!.ToString().ShouldBe($"/api/jobs/{id}");
        var job = await JobApi.WaitForStatusAsync(fixture.Authorized, id, "Running");
        job.GetProperty("kind").GetString().ShouldBe("sql");
    }

    [Fact]
    public async Task List_TwoJobs_ListsBothInSubmissionOrder()
    {
        await using var fixture = await ServerFixture.StartAsync();
        var first = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "first" });
        var second = await JobApi.SubmitOkAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, name = "second" });

        using var list = System.Text.Json.JsonDocument.Parse(await fixture.Anonymous.GetStringAsync("/api/jobs"));

        var jobs = list.RootElement.EnumerateArray().ToList();
        jobs.Count.ShouldBe(2);
        jobs[0].GetProperty("id").GetString().ShouldBe(first);
        jobs[0].GetProperty("name").GetString().ShouldBe("first");
        jobs[1].GetProperty("id").GetString().ShouldBe(second);
        jobs[1].GetProperty("name").GetString().ShouldBe("second");
        jobs[1].GetProperty("runId").GetString()!.Length.ShouldBe(32);
        jobs[1].TryGetProperty("startTime", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Submit_WithoutToken_Is401()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await JobApi.SubmitAsync(fixture.Anonymous, new { sql = JobApi.EndlessSql });

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await fixture.Anonymous.GetStringAsync("/api/jobs")).ShouldBe("[]");
    }

    [Fact]
    public async Task Submit_SyntaxError_Is400NamingLineAndColumn()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await JobApi.SubmitAsync(fixture.Authorized, new { sql = "CREATE TABLE t (id BIGINT) WITH ('connector' = 'blackhole');\nINSERT INTO t SELEKT 1;" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var detail = (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString()!;
        detail.ShouldStartWith("The SQL script is invalid at line 2, column 15:");
    }

    [Fact]
    public async Task Submit_ScriptWithoutInsert_Is400()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await JobApi.SubmitAsync(fixture.Authorized, new { sql = "CREATE TABLE t (id BIGINT) WITH ('connector' = 'blackhole');" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString().ShouldBe("The SQL script has no INSERT statement: a job writes into a table with INSERT INTO … SELECT ….");
    }

    [Fact]
    public async Task Submit_ScriptWithSelect_Is400NamingItsLine()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await JobApi.SubmitAsync(fixture.Authorized, new { sql = JobApi.EndlessSql + "\nSELECT id FROM gen;" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString()!.ShouldStartWith("The SQL script has a SELECT at line 4, column 1:");
        (await fixture.Anonymous.GetStringAsync("/api/jobs")).ShouldBe("[]");
    }

    [Fact]
    public async Task Submit_UnknownTable_Is400AndNothingIsListed()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await JobApi.SubmitAsync(fixture.Authorized, new { sql = "CREATE TABLE t (id BIGINT) WITH ('connector' = 'blackhole');\nINSERT INTO t SELECT id FROM missing;" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var detail = (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString()!;
        detail.ShouldStartWith("The SQL script is invalid at line 2");
        detail.ShouldContain("missing");
        (await fixture.Anonymous.GetStringAsync("/api/jobs")).ShouldBe("[]");
    }

    [Fact]
    public async Task Submit_MalformedJson_Is400NamingThePosition()
    {
        await using var fixture = await ServerFixture.StartAsync();
        using var body = new StringContent("{\"sql\": 42}", Encoding.UTF8, "application/json");

        using var response = await fixture.Authorized.PostAsync("/api/jobs", body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var detail = (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString()!;
        detail.ShouldStartWith("The request body is not a job submission ($.sql, line 1):");
        detail.ShouldNotContain(" at ");
    }

    [Fact]
    public async Task Submit_NeitherSqlNorJob_Is400()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await JobApi.SubmitAsync(fixture.Authorized, new { name = "x" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString().ShouldBe("A job submission needs exactly one of 'sql' (a SQL script) and 'job' (the name of a registered job).");
    }

    [Fact]
    public async Task Submit_ParallelismZero_Is400NamingTheField()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await JobApi.SubmitAsync(fixture.Authorized, new { sql = JobApi.EndlessSql, parallelism = 0 });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString().ShouldBe("'parallelism' is 0: give 1 to 32768.");
    }

    [Fact]
    public async Task Show_UnknownId_Is404NamingIt()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var response = await fixture.Anonymous.GetAsync("/api/jobs/nosuchjob");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await JobApi.ProblemAsync(response)).GetProperty("detail").GetString().ShouldBe("No job has id 'nosuchjob': list the jobs with GET /api/jobs.");
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheJobEndpoints()
    {
        await using var fixture = await ServerFixture.StartAsync();

        using var document = System.Text.Json.JsonDocument.Parse(await fixture.Anonymous.GetStringAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths");
        paths.TryGetProperty("/api/jobs", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/jobs/{id}", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/jobs/{id}/stop", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/jobs/{id}/savepoints", out _).ShouldBeTrue();
    }
}
