using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Orchestration;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;
using Sluice.Server.Jobs;
using Sluice.Sql.Session;

namespace Sluice.Server.Dags;

/// <summary>
/// DAG orchestration in the server (docs/orchestration.md): when <see cref="SluiceServerOptions.DagsDirectory"/> is
/// set, its DAGs load at start (an invalid file fails the start with its one error) and a <see cref="DagScheduler"/>
/// runs as a hosted service on <c>&lt;data dir&gt;/orchestration</c>, creating scheduled runs. Endpoints under
/// <c>/api/dags</c>: list, runs with their task instances, an attempt's log, and a token-protected trigger (POST, as
/// every mutating call: <see cref="Security.TokenAuthorization"/>).
/// </summary>
internal static class DagEndpoints
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // '+' of run ids and offsets as is (served as application/json, never embedded in HTML).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Loads the DAGs and registers the scheduler and its hosted service; nothing when no DAGs folder is configured.</summary>
    public static void AddServices(IServiceCollection services, ServerContext server, SluiceServerOptions options)
    {
        if (options.DagsDirectory is not { } folder)
        {
            return;
        }
        IReadOnlyList<DagDefinition> dags;
        try
        {
            dags = DagFileLoader.LoadDirectory(folder);
        }
        catch (DagDefinitionException e)
        {
            throw new ArgumentException($"The DAGs folder does not load: {e.Message}", nameof(options), e);
        }
        var store = new RunStore(Path.Combine(server.DataDirectory, "orchestration"));
        services.AddSingleton(sp => new DagScheduler(dags, store, new DagSchedulerOptions
        {
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
            // Topic sensors read the server's own log (it holds the lock) or Kafka; sql_job tasks run on the server's
            // connectors; job_savepoint tasks without a server_url save the server's own jobs.
            TopicProbe = new TopicProbeRouter(LogTopicProbe.Shared(server.Log), new KafkaTopicProbe()),
            SqlJobRunner = new SessionSqlJobRunner(() => SqlSession.Create(SqlJobSessionOptions(server))),
            StreamingJobs = new ServerJobSavepoints(sp.GetRequiredService<ServerJobs>()),
            Listeners = [.. sp.GetServices<IDagRunListener>()],
            // DAG runs and task attempts join the jobs' lineage (GET /api/lineage, the /lineage page, OPENLINEAGE_URL).
            Lineage = sp.GetRequiredService<Lineage.ServerLineage>(),
        }));
        services.AddHostedService<DagSchedulerService>();
    }

    /// <summary>
    /// The session of a <c>sql_job</c> attempt: the server's connectors, and its jobs log through the server's logger
    /// factory as the server's own SQL jobs do (their operator errors and restarts show in the server's log).
    /// </summary>
    internal static SqlSessionOptions SqlJobSessionOptions(ServerContext server) => new()
    {
        Connectors = server.Connectors,
        ConfigureJob = job => job with { LoggerFactory = server.LoggerFactory },
    };

    /// <summary>Maps the endpoints (they answer 404 naming the option when no DAGs folder is configured).</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/dags").WithTags("dags");
        group.MapGet("/", (IServiceProvider services) => WithScheduler(services, scheduler => Results.Json(
                scheduler.Dags.Values.OrderBy(d => d.Id, StringComparer.Ordinal).Select(d => Describe(scheduler, d)), s_json)))
            .WithSummary("Lists the DAGs: schedule and time zone, tasks with their dependencies (the graph), latest run, next scheduled run.");
        group.MapGet("/{id}", (string id, IServiceProvider services) => WithScheduler(services, scheduler =>
                scheduler.Dags.TryGetValue(id, out var dag) ? Results.Json(Describe(scheduler, dag), s_json) : NotFound($"There is no DAG '{id}'.")))
            .WithSummary("One DAG, as in the list: schedule and time zone, tasks, latest run, next scheduled run.");
        group.MapGet("/{id}/runs", (string id, int? limit, IServiceProvider services) => WithScheduler(services, scheduler =>
            {
                if (!scheduler.Dags.ContainsKey(id))
                {
                    return NotFound($"There is no DAG '{id}'.");
                }
                var runs = scheduler.ListRuns(id).TakeLast(Math.Clamp(limit ?? 25, 1, 1000)).Reverse();
                return Results.Json(runs.Select(r => new { run = r, tasks = scheduler.ListTasks(id, r.LogicalDate) }).ToList(), s_json);
            }))
            .WithSummary("A DAG's recent runs (newest first, ?limit=25) with every task instance and attempt.");
        group.MapGet("/{id}/runs/{run}/tasks/{task}/attempts/{attempt:int}/log", (string id, string run, string task, int attempt, IServiceProvider services) => WithScheduler(services, scheduler =>
            {
                if (!scheduler.Dags.ContainsKey(id))
                {
                    // Never a path built from an unknown id (e.g. '..').
                    return NotFound($"There is no DAG '{id}'.");
                }
                var found = scheduler.ListRuns(id).FirstOrDefault(r => r.RunId == run);
                var instance = found is null ? null : scheduler.Store.ListTasks(id, found.LogicalDate).FirstOrDefault(t => t.TaskId == task);
                var entry = instance?.Attempts.FirstOrDefault(a => a.Number == attempt);
                if (entry is null)
                {
                    return NotFound($"DAG '{id}' has no attempt {attempt.ToString(CultureInfo.InvariantCulture)} of task '{task}' in run '{run}'.");
                }
                var path = scheduler.Store.FullPath(entry.LogFile);
                return File.Exists(path) ? Results.Text(File.ReadAllText(path), "text/plain; charset=utf-8") : Results.Text("", "text/plain; charset=utf-8");
            }))
            .WithSummary("The log of one task attempt (plain text).");
        group.MapPost("/{id}/runs", async (string id, HttpRequest request, IServiceProvider services, CancellationToken cancellationToken) =>
            {
                if (services.GetService<DagScheduler>() is not { } scheduler)
                {
                    return NoDags();
                }
                if (!scheduler.Dags.ContainsKey(id))
                {
                    return NotFound($"There is no DAG '{id}'.");
                }
                // Chunked bodies have no Content-Length: read whatever comes (an empty body means "now").
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                var at = scheduler.TimeProvider.GetUtcNow();
                if (buffer.Length > 0)
                {
                    var dag = scheduler.Dags[id];
                    try
                    {
                        using var body = JsonDocument.Parse(buffer.ToArray());
                        if (body.RootElement.ValueKind != JsonValueKind.Object)
                        {
                            return BadRequest("The body must be a JSON object, e.g. {\"logical_date\": \"2024-01-01T00:00:00Z\"}.");
                        }
                        if (body.RootElement.TryGetProperty("logical_date", out var date))
                        {
                            if (date.ValueKind != JsonValueKind.String || !dag.TryParseLogicalDate(date.GetString()!, out at))
                            {
                                return BadRequest($"logical_date {date.GetRawText()} is not an ISO 8601 date: write e.g. 2024-01-01T00:00:00Z (without an offset: the DAG's time zone).");
                            }
                        }
                    }
                    catch (JsonException e)
                    {
                        return BadRequest($"The body is not valid JSON: {e.Message}");
                    }
                }
                var (run, created) = await scheduler.TriggerAsync(id, at, DagRunKind.Manual, cancellationToken).ConfigureAwait(false);
                return Results.Json(new { run, created }, s_json, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
            })
            .WithSummary("Triggers a run ({\"logical_date\": …}, default now): 201 with the run, or 200 with the existing run of that logical date. Needs the token.");
    }

    /// <summary>A DAG as the list and <c>GET /api/dags/{id}</c> show it (its runs from the scheduler's in-memory index).</summary>
    private static object Describe(DagScheduler scheduler, DagDefinition d) => new
    {
        id = d.Id,
        schedule = d.Schedule.ToString(),
        timezone = d.Schedule.TimeZone.Id,
        catchup = d.CatchUp,
        max_active_runs = d.MaxActiveRuns,
        tasks = d.Tasks.Select(t => new { id = t.Id, kind = t.Action.Kind, depends_on = t.DependsOn, retries = t.Controls.Retries }),
        latest_run = scheduler.ListRuns(d.Id) is { Count: > 0 } runs ? runs[^1] : null,
        next_run = d.NextScheduledInterval(scheduler.TimeProvider.GetUtcNow()) is { } next ? new { logical_date = next.Start, due_at = next.End } : null,
    };

    private static IResult WithScheduler(IServiceProvider services, Func<DagScheduler, IResult> answer) =>
        services.GetService<DagScheduler>() is { } scheduler ? answer(scheduler) : NoDags();

    private static IResult NoDags() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "The server runs no DAGs: start it with --dags-dir <folder>.");

    private static IResult BadRequest(string detail) => Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: detail);

    private static IResult NotFound(string detail) => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: detail);

    /// <summary>Runs the scheduler until the server stops; attempts in flight are cancelled and run again at the next start.</summary>
    private sealed class DagSchedulerService(DagScheduler scheduler, ILogger<DagScheduler> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await scheduler.RunAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutdown.
            }
            catch (Exception e)
            {
                logger.LogError(e, "The DAG scheduler stopped: {Error}", e.Message);
            }
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
            await scheduler.DisposeAsync().ConfigureAwait(false);
        }
    }
}
