using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sluice.Connectors.Log;
using Sluice.Server.Quality;

namespace Sluice.Server.Jobs;

/// <summary>
/// The job API under <c>/api/jobs</c>: submit (SQL or a registered job, optionally from a savepoint), list, show, stop
/// (with or without a savepoint), savepoint and delete. Errors are problem documents whose detail names the job id,
/// field, line or savepoint. See docs/server.md, "REST API".
/// </summary>
internal static class JobEndpoints
{
    private const string Tag = "jobs";

    /// <summary>Registers this feature's services: <see cref="ServerJobs"/> and the hosted service suspending jobs at shutdown.</summary>
    public static void AddServices(IServiceCollection services, ServerContext server)
    {
        _ = server;
        services.AddSingleton<ServerJobs>();
        services.AddHostedService<JobsLifecycle>();
    }

    /// <summary>Maps this feature's endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var jobs = endpoints.MapGroup("/api/jobs").WithTags(Tag);
        jobs.MapGet("/", (ServerJobs all) => Results.Ok(Summaries(all)))
            .WithSummary("Lists the server's jobs: id, name, kind, status, start time.")
            .Produces<IReadOnlyList<JobSummary>>();
        jobs.MapGet("/{id}", (string id, ServerJobs all) => Run(() => Results.Ok(all.Get(id).ToDetails())))
            .WithSummary("Shows one job: status, plan graph, per-operator metrics, checkpoints and exception history.")
            .Produces<JobDetails>().ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapGet("/{id}/quality", (string id, string? examples, ServerJobs all, DeadLetterQueue queue) => Run(() =>
            {
                var count = QualityReport.DefaultExamples;
                if (examples is not null && (!int.TryParse(examples, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count > QualityReport.MaxExamples))
                {
                    throw JobRequestException.BadRequest($"The query parameter examples='{examples}' is not a number of examples per rule: give 0-{QualityReport.MaxExamples}.");
                }
                var job = all.GetByIdOrName(id);
                return Results.Ok(QualityReport.Build(job.Client.JobName, job.Client.Id, queue, count));
            }))
            .WithSummary("The job's data-quality report: per rule passed, failed, action, pass rate per minute, and the first failing records from its dead-letter topics (?examples=N, default 3). The job is named by id or name (the newest run of that name).")
            .Produces<QualityReport>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapPost("/", SubmitAsync)
            .WithSummary("Submits a job: a SQL script (its INSERTs run as one job) or a registered C# job with arguments, optionally from a savepoint.")
            .Accepts<JobSubmission>("application/json")
            .Produces<JobSubmitted>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        jobs.MapPost("/{id}/stop", (string id, bool? savepoint, ServerJobs all, CancellationToken cancellationToken) =>
                RunAsync(async () => Results.Ok(await all.StopAsync(all.Get(id), savepoint ?? false, cancellationToken).ConfigureAwait(false))))
            .WithSummary("Stops a job and waits for it to end; with ?savepoint=true it stops without draining and answers the savepoint taken.")
            .Produces<JobStopped>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        jobs.MapPost("/{id}/savepoints", (string id, ServerJobs all, CancellationToken cancellationToken) =>
                RunAsync(async () =>
                {
                    var savepoint = await all.TakeSavepointAsync(all.Get(id), cancellationToken).ConfigureAwait(false);
                    return Results.Created($"/api/jobs/{id}", savepoint);
                }))
            .WithSummary("Takes a savepoint of a running job under checkpoints/savepoints/; the job keeps running.")
            .Produces<JobSavepoint>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        jobs.MapDelete("/{id}", (string id, ServerJobs all, CancellationToken cancellationToken) =>
                RunAsync(async () =>
                {
                    await all.DeleteAsync(all.Get(id), cancellationToken).ConfigureAwait(false);
                    return Results.NoContent();
                }))
            .WithSummary("Deletes a job: cancels it if it runs and forgets it (it is not resumed).")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static List<JobSummary> Summaries(ServerJobs all)
    {
        var list = new List<JobSummary>();
        foreach (var job in all.List())
        {
            list.Add(job.ToSummary());
        }
        return list;
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, ServerJobs all, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        JobSubmission? submission;
        try
        {
            submission = await JsonSerializer.DeserializeAsync<JobSubmission>(request.Body, json.Value.SerializerOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            return Problem(JobRequestException.BadRequest($"The request body is not a job submission ({e.Path ?? "$"}, line {(e.LineNumber ?? 0) + 1}): {FirstSentence(e.Message)}"));
        }
        if (submission is null)
        {
            return Problem(JobRequestException.BadRequest("The request body is null: send {\"sql\": \"…\"} or {\"job\": \"name\", \"args\": {…}}."));
        }
        return await RunAsync(async () =>
        {
            var job = await all.SubmitAsync(submission, cancellationToken).ConfigureAwait(false);
            var location = $"/api/jobs/{job.Id}";
            return Results.Created(location, new JobSubmitted(job.Id, job.Client.JobName, job.Client.Status.ToString()));
        }).ConfigureAwait(false);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private static IResult Run(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (JobRequestException e)
        {
            return Problem(e);
        }
    }

    private static async Task<IResult> RunAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (JobRequestException e)
        {
            return Problem(e);
        }
    }

    private static IResult Problem(JobRequestException e) => Results.Problem(statusCode: e.StatusCode, title: Title(e.StatusCode), detail: e.Message);

    private static string Title(int status) => status switch
    {
        StatusCodes.Status404NotFound => "Job not found",
        StatusCodes.Status409Conflict => "Job state conflict",
        _ => "Invalid job request",
    };
}
