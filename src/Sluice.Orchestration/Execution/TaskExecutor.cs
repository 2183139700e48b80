using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Npgsql;
using Sluice.Models;
using Sluice.Orchestration.Definitions;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Execution;

/// <summary>
/// Runs one attempt of a task (or one poke of a sensor) with its templates rendered, writing what it does to the
/// attempt's log. Failures of the task are outcomes; only cancellation (timeout, shutdown) is thrown. Thread-safe.
/// </summary>
internal sealed partial class TaskExecutor(RunStore store, HttpClient http, DagSchedulerOptions options, DagLineage? lineage)
{
    public async Task<AttemptOutcome> RunAsync(DagDefinition dag, TaskDefinition task, DagRun run, int attempt, string logPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        await using var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), Encoding.UTF8) { AutoFlush = true };
        var variables = TaskTemplates.Variables(dag, task.Id, run.RunId, run.Interval, attempt);
        string Render(string field, string template) => TaskTemplates.Render(field, template, variables);
        await log.WriteLineAsync($"[{DateTimeOffset.UtcNow:O}] {dag.Id}.{task.Id} {run.RunId} attempt {attempt} ({task.Action.Kind})").ConfigureAwait(false);
        try
        {
            var outcome = task.Action switch
            {
                ShellAction shell => await RunShellAsync(shell, Render, log, cancellationToken).ConfigureAwait(false),
                SqlAction sql => await RunSqlAsync(sql.Target, Render("sql", sql.Sql), log, cancellationToken).ConfigureAwait(false),
                HttpAction call => await RunHttpAsync(call, Render, log, cancellationToken).ConfigureAwait(false),
                ModelsAction models => await RunModelsAsync(models, Render, lineage?.AttemptParent(run, task.Id, attempt), log, cancellationToken).ConfigureAwait(false),
                FileSensorAction file => PokeFile(Render("path", file.Path)),
                TableFreshSensorAction table => await PokeTableAsync(dag, table, Render, cancellationToken).ConfigureAwait(false),
                UpstreamDagSensorAction upstream => PokeUpstream(upstream, run),
                TopicSensorAction topic => await PokeTopicAsync(topic, Render, log, cancellationToken).ConfigureAwait(false),
                SqlJobAction job => await RunSqlJobAsync(job, Render, log, cancellationToken).ConfigureAwait(false),
                JobSavepointAction savepoint => await TakeSavepointAsync(savepoint, Render, log, cancellationToken).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"Task kind '{task.Action.Kind}' has no executor."),
            };
            await log.WriteLineAsync(outcome.Success ? "result: success" : $"result: {outcome.Error}").ConfigureAwait(false);
            return outcome;
        }
        catch (OperationCanceledException)
        {
            await log.WriteLineAsync("result: cancelled").ConfigureAwait(false);
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Any failure of the task's own work is this attempt's outcome (the message names what failed).
            await log.WriteLineAsync($"error: {e}").ConfigureAwait(false);
            return AttemptOutcome.Fail($"{e.GetType().Name}: {e.Message}");
        }
    }

    private static async Task<AttemptOutcome> RunShellAsync(ShellAction shell, Func<string, string, string> render, StreamWriter log, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = shell.WorkingDirectory is null ? Environment.CurrentDirectory : render("cwd", shell.WorkingDirectory),
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(render("command", shell.Command));
        foreach (var (name, value) in shell.Environment)
        {
            start.Environment[name] = render($"env.{name}", value);
        }
        using var process = new Process { StartInfo = start };
        var gate = new object();
        void Write(string? line)
        {
            if (line is not null)
            {
                lock (gate)
                {
                    log.WriteLine(line);
                }
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return process.ExitCode == 0 ? AttemptOutcome.Ok(0) : AttemptOutcome.Fail($"the command exited with code {process.ExitCode}", process.ExitCode);
    }

    private static async Task<AttemptOutcome> RunSqlAsync(SqlConnectionTarget target, string sql, StreamWriter log, CancellationToken cancellationToken)
    {
        await using var connection = Open(target);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var rows = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{target.Describe()}: {rows} row(s) affected")).ConfigureAwait(false);
        return AttemptOutcome.Ok();
    }

    private async Task<AttemptOutcome> RunHttpAsync(HttpAction call, Func<string, string, string> render, StreamWriter log, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(call.Method.ToUpperInvariant()), render("url", call.Url));
        if (call.Body is not null)
        {
            request.Content = new StringContent(render("body", call.Body), Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        // The URL may carry a token: the log names only the method and the status.
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{call.Method.ToUpperInvariant()} → {status}")).ConfigureAwait(false);
        return status == call.ExpectedStatus
            ? AttemptOutcome.Ok()
            : AttemptOutcome.Fail(string.Create(CultureInfo.InvariantCulture, $"the response status was {status}, expected {call.ExpectedStatus}"));
    }

    private async Task<AttemptOutcome> RunModelsAsync(ModelsAction models, Func<string, string, string> render, Lineage.ParentRunFacet? lineageParent, StreamWriter log, CancellationToken cancellationToken)
    {
        var command = models.Command switch
        {
            "run" => ModelCommand.Run,
            "test" => ModelCommand.Test,
            "seed" => ModelCommand.Seed,
            _ => ModelCommand.Build,
        };
        var options = new ModelRunOptions
        {
            ProjectDirectory = render("project_dir", models.ProjectDirectory),
            Command = command,
            Select = models.Select,
            Target = models.Target,
            Vars = models.Vars.ToDictionary(v => v.Key, v => render($"vars.{v.Key}", v.Value), StringComparer.Ordinal),
            // The nodes' runs nest under this attempt's run (no COMMAND run of their own).
            Lineage = lineageParent is null ? null : lineage?.Emitter,
            LineageNamespace = lineage?.Namespace,
            LineageParent = lineageParent,
        };
        var report = await ModelRunner.RunAsync(options, null, cancellationToken).ConfigureAwait(false);
        foreach (var result in report.Results)
        {
            await log.WriteLineAsync($"{result.Status} {result.ResourceType} {result.Name}: {result.Message}").ConfigureAwait(false);
        }
        var failures = report.Results.Where(r => r.IsFailure).Select(r => r.Name).ToList();
        return report.Succeeded ? AttemptOutcome.Ok() : AttemptOutcome.Fail($"{failures.Count} model node(s) failed: {string.Join(", ", failures)}");
    }

    private static AttemptOutcome PokeFile(string path)
    {
        var directory = Path.GetDirectoryName(path) ?? ".";
        var pattern = Path.GetFileName(path);
        var found = Directory.Exists(directory) && Directory.EnumerateFiles(directory, pattern).Any();
        return found ? AttemptOutcome.Ok() : AttemptOutcome.Fail($"no file matches {path} yet");
    }

    private static async Task<AttemptOutcome> PokeTableAsync(DagDefinition dag, TableFreshSensorAction table, Func<string, string, string> render, CancellationToken cancellationToken)
    {
        // A threshold without an offset (2024-01-01) is wall-clock time of the DAG's zone, as logical dates in the CLI
        // and the API — never the host's zone, which would move the threshold with the machine.
        var text = render("threshold", table.Threshold);
        if (!dag.TryParseLogicalDate(text, out var at))
        {
            return AttemptOutcome.Fail($"the threshold '{text}' is not a date or date-time (e.g. 2024-01-01 or 2024-01-01T00:00:00Z)");
        }
        var threshold = at.UtcDateTime;
        await using var connection = Open(table.Target);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT max({table.Column}) FROM {render("table", table.Table)}";
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        DateTime? max = value switch
        {
            DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc),
            DateTimeOffset o => o.UtcDateTime,
            _ => null,
        };
        return max >= threshold
            ? AttemptOutcome.Ok()
            : AttemptOutcome.Fail(string.Create(CultureInfo.InvariantCulture, $"max({table.Column}) of {table.Table} is {(max is null ? "null" : max.Value.ToString("O", CultureInfo.InvariantCulture))}, not yet {threshold:O}"));
    }

    private AttemptOutcome PokeUpstream(UpstreamDagSensorAction upstream, DagRun run) =>
        store.GetRun(upstream.DagId, run.LogicalDate) switch
        {
            { State: DagRunState.Success } => AttemptOutcome.Ok(),
            null => AttemptOutcome.Fail($"DAG '{upstream.DagId}' has no run for {TaskTemplates.Iso(run.LogicalDate)} yet"),
            var other => AttemptOutcome.Fail($"DAG '{upstream.DagId}' run {other.RunId} is {other.State.ToString().ToLowerInvariant()}"),
        };

    private static DbConnection Open(SqlConnectionTarget target) =>
        target.DuckDbPath is { } path ? new DuckDBConnection($"Data Source={path}") : new NpgsqlConnection(target.PostgresConnectionString);
}
