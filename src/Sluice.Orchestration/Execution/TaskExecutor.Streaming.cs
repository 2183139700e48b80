using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Orchestration.Definitions;

namespace Sluice.Orchestration.Execution;

/// <summary>The streaming kinds: topic sensor pokes, bounded SQL jobs and savepoints, each through the host's abstraction.</summary>
internal sealed partial class TaskExecutor
{
    private static readonly JsonSerializerOptions s_web = new(JsonSerializerDefaults.Web);

    private async Task<AttemptOutcome> PokeTopicAsync(TopicSensorAction sensor, Func<string, string, string> render, StreamWriter log, CancellationToken cancellationToken)
    {
        if (options.TopicProbe is not { } probe)
        {
            return AttemptOutcome.FailNow("this scheduler has no topic probe: run the DAG with 'sluice server --dags-dir' or 'sluice dags run'.");
        }
        DateTimeOffset? eventTime = null;
        if (sensor.EffectiveEventTime is { } template)
        {
            var text = render("event_time", template);
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return AttemptOutcome.FailNow($"event_time '{text}' is not a date-time: write e.g. 2024-01-01T00:00:00Z or {TopicSensorAction.DefaultEventTime}.");
            }
            eventTime = parsed;
        }
        var request = new TopicProbeRequest(sensor.BootstrapServers is { } servers ? render("bootstrap_servers", servers) : null, render("topic", sensor.Topic), sensor.Partition, eventTime);
        IReadOnlyList<TopicPartitionPosition> positions;
        try
        {
            positions = await probe.ProbeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (TopicProbeException e)
        {
            return AttemptOutcome.FailNow(e.Message);
        }
        if (positions.Count == 0)
        {
            return AttemptOutcome.FailNow($"The {request.Describe()} has no partitions.");
        }
        var behind = new List<string>();
        foreach (var position in positions)
        {
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{request.Describe()} partition {position.Partition}: end offset {position.EndOffset}{(eventTime is null ? "" : position.OffsetAtEventTime is { } at ? $", first record at or after the event time at offset {at}" : ", no record at or after the event time")}")).ConfigureAwait(false);
            if (sensor.Offset is { } offset ? position.EndOffset < offset : position.OffsetAtEventTime is null)
            {
                behind.Add(sensor.Offset is null
                    ? string.Create(CultureInfo.InvariantCulture, $"partition {position.Partition}")
                    : string.Create(CultureInfo.InvariantCulture, $"partition {position.Partition} (at {position.EndOffset})"));
            }
        }
        if (behind.Count == 0)
        {
            return AttemptOutcome.Ok();
        }
        var goal = sensor.Offset is { } target
            ? string.Create(CultureInfo.InvariantCulture, $"end offset {target}")
            : $"a record at or after {TaskTemplates.Iso(eventTime!.Value)}";
        return AttemptOutcome.Fail($"the {request.Describe()} has not reached {goal} yet in {string.Join(", ", behind)}");
    }

    private async Task<AttemptOutcome> RunSqlJobAsync(SqlJobAction job, Func<string, string, string> render, StreamWriter log, CancellationToken cancellationToken)
    {
        if (options.SqlJobRunner is not { } runner)
        {
            return AttemptOutcome.Fail("this scheduler has no SQL engine for sql_job tasks: run the DAG with 'sluice server --dags-dir' or 'sluice dags run'.");
        }
        await runner.RunAsync(render("sql", job.Sql), log, cancellationToken).ConfigureAwait(false);
        return AttemptOutcome.Ok();
    }

    private async Task<AttemptOutcome> TakeSavepointAsync(JobSavepointAction action, Func<string, string, string> render, StreamWriter log, CancellationToken cancellationToken)
    {
        var job = render("job", action.Job);
        string path;
        if (action.ServerUrl is { } url)
        {
            var token = Environment.GetEnvironmentVariable(action.TokenVariable);
            if (string.IsNullOrEmpty(token))
            {
                return AttemptOutcome.Fail($"the environment variable {action.TokenVariable} holding the server's API token is not set (token_env).");
            }
            path = await TakeSavepointOverHttpAsync(new Uri(render("server_url", url).TrimEnd('/') + "/"), job, token, cancellationToken).ConfigureAwait(false);
        }
        else if (options.StreamingJobs is { } jobs)
        {
            path = await jobs.TakeSavepointAsync(job, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return AttemptOutcome.Fail("this scheduler runs no streaming jobs: give the task a server_url (and token_env), or run the DAG in 'sluice server --dags-dir'.");
        }
        await log.WriteLineAsync($"savepoint of job '{job}': {path}").ConfigureAwait(false);
        return AttemptOutcome.Ok();
    }

    /// <summary>Finds the newest running job named <paramref name="job"/> (<c>GET /api/jobs</c>) and takes its savepoint (<c>POST /api/jobs/{id}/savepoints</c>).</summary>
    private async Task<string> TakeSavepointOverHttpAsync(Uri server, string job, string token, CancellationToken cancellationToken)
    {
        // The token goes with the read too: a server reached from another host answers reads only with it.
        using var list = new HttpRequestMessage(HttpMethod.Get, new Uri(server, "api/jobs"));
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var listed = await http.SendAsync(list, cancellationToken).ConfigureAwait(false);
        if (!listed.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"the server answered {(int)listed.StatusCode} to the list of its jobs (GET api/jobs); check the token in the environment variable the task names (token_env)."));
        }
        var jobs = await listed.Content.ReadFromJsonAsync<List<JobSummaryView>>(s_web, cancellationToken).ConfigureAwait(false) ?? [];
        var running = jobs.Where(j => j.Name == job && string.Equals(j.Status, "running", StringComparison.OrdinalIgnoreCase)).MaxBy(j => j.StartTime)
            ?? throw new InvalidOperationException($"the server has no running job named '{job}' (running: {string.Join(", ", jobs.Where(j => string.Equals(j.Status, "running", StringComparison.OrdinalIgnoreCase)).Select(j => j.Name).DefaultIfEmpty("none"))}).");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, $"api/jobs/{Uri.EscapeDataString(running.Id)}/savepoints"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemView>(s_web, cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"the server answered {(int)response.StatusCode} to the savepoint of job '{job}' ({running.Id}): {problem?.Detail ?? problem?.Title ?? "no detail"}"));
        }
        var savepoint = await response.Content.ReadFromJsonAsync<SavepointView>(s_web, cancellationToken).ConfigureAwait(false);
        return savepoint?.Path ?? throw new InvalidOperationException($"the server's answer to the savepoint of job '{job}' has no path.");
    }

    private sealed record JobSummaryView(string Id, string Name, string Status, DateTimeOffset StartTime);

    private sealed record SavepointView(string Id, string Path);

    private sealed record ProblemView(string? Title, string? Detail);
}
