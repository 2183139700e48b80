using System.CommandLine;
using System.Globalization;
using Sluice.Server.Jobs;
using Spectre.Console;

namespace Sluice.Cli.Jobs;

/// <summary>
/// <c>sluice jobs list|submit|show|stop|savepoint --server URL [--token T]</c>: the job API of a running server
/// (docs/server.md, "REST API"). The token comes from <c>--token</c> or <c>SLUICE_TOKEN</c>; read-only calls from the
/// server's own machine need none. Failures print one sentence and exit 1.
/// </summary>
internal static class JobsCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server")
        {
            Description = $"The Sluice server's URL (default {ServerApi.DefaultServer}).",
            DefaultValueFactory = _ => ServerApi.DefaultServer,
            Recursive = true,
        };
        var token = new Option<string?>("--token")
        {
            Description = $"The server's API token (default: ${ServerApi.TokenVariable}); mutating calls need it.",
            Recursive = true,
        };
        server.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string>();
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                r.AddError($"--server '{text}' is not an http(s) URL: give one such as {ServerApi.DefaultServer}.");
            }
        });
        var jobs = new Command("jobs", "Manage the jobs of a running Sluice server: list, submit, show, stop, savepoint.")
        {
            server,
            token,
        };
        ServerApi Api(ParseResult parse) =>
            new(new Uri(parse.GetValue(server)!), parse.GetValue(token) ?? Environment.GetEnvironmentVariable(ServerApi.TokenVariable));
        jobs.Subcommands.Add(CreateList(Api));
        jobs.Subcommands.Add(CreateSubmit(Api));
        jobs.Subcommands.Add(CreateShow(Api));
        jobs.Subcommands.Add(CreateStop(Api));
        jobs.Subcommands.Add(CreateSavepoint(Api));
        return jobs;
    }

    private static Command CreateList(Func<ParseResult, ServerApi> connect)
    {
        var command = new Command("list", "List the server's jobs.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = connect(parse);
            var jobs = await api.GetAsync<List<JobSummary>>("/api/jobs", cancellationToken).ConfigureAwait(false);
            var table = new Table().AddColumns("id", "name", "kind", "status", "started");
            foreach (var job in jobs)
            {
                table.AddRow(Cells(job.Id, job.Name, job.Kind, job.Status, Time(job.StartTime)));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command CreateSubmit(Func<ParseResult, ServerApi> connect)
    {
        var file = new Option<FileInfo?>("--file", "-f") { Description = "A SQL script: its INSERTs run as one job." };
        var job = new Option<string?>("--job") { Description = "The name of a C# job registered with the server." };
        var args = new Option<string[]>("--arg") { Description = "An argument of the registered job, as key=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string?>("--name") { Description = "The job's name." };
        var parallelism = new Option<int?>("--parallelism") { Description = "The job's parallelism." }.MustBeBetween(1, 32768);
        var interval = new Option<long?>("--checkpoint-interval") { Description = "Milliseconds between checkpoints (default 10000)." }.MustBeAtLeast(10);
        var savepoint = new Option<string?>("--from-savepoint") { Description = "Start from this savepoint (its id or path)." };
        var command = new Command("submit", "Submit a job: a SQL script (-f job.sql) or a registered job (--job NAME --arg k=v).")
        {
            file, job, args, name, parallelism, interval, savepoint,
        };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(file) is null) == (r.GetValue(job) is null))
            {
                r.AddError("Give exactly one of -f/--file (a SQL script) and --job (a registered job).");
            }
            foreach (var arg in r.GetValue(args) ?? [])
            {
                if (arg.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    r.AddError($"--arg '{arg}' is not key=value.");
                }
            }
            if (r.GetValue(file) is not null && r.GetValue(args) is { Length: > 0 })
            {
                r.AddError("--arg is for registered jobs (--job); a SQL script takes none.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? sql = null;
            if (parse.GetValue(file) is { } script)
            {
                if (!script.Exists)
                {
                    throw new CommandFailedException($"The SQL script '{script.FullName}' does not exist.");
                }
                sql = await File.ReadAllTextAsync(script.FullName, cancellationToken).ConfigureAwait(false);
            }
            Dictionary<string, string>? arguments = null;
            foreach (var arg in parse.GetValue(args) ?? [])
            {
                arguments ??= new Dictionary<string, string>(StringComparer.Ordinal);
                var equals = arg.IndexOf('=', StringComparison.Ordinal);
                arguments[arg[..equals]] = arg[(equals + 1)..];
            }
            var submission = new JobSubmission(sql, parse.GetValue(job), arguments, parse.GetValue(name), parse.GetValue(parallelism),
                parse.GetValue(interval), parse.GetValue(savepoint));
            using var api = connect(parse);
            var submitted = await api.PostAsync<JobSubmitted>("/api/jobs", submission, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Job '{submitted.Name}' submitted: {submitted.Id} ({submitted.Status}).");
            return 0;
        });
        return command;
    }

    private static Command CreateShow(Func<ParseResult, ServerApi> connect)
    {
        var id = new Argument<string>("id") { Description = "The job's id (sluice jobs list)." };
        var command = new Command("show", "Show a job: status, operators with their figures, checkpoints and status history.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = connect(parse);
            var job = await api.GetAsync<JobDetails>($"/api/jobs/{Uri.EscapeDataString(parse.GetValue(id)!)}", cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Job '{job.Name}' ({job.Id}): {job.Status}, {job.Kind}, started {Time(job.StartTime)}, parallelism {job.Parallelism}, checkpoint every {job.CheckpointIntervalMs} ms.");
            if (job.RestoredFrom is { } restored)
            {
                Console.WriteLine($"Started from savepoint {restored}.");
            }
            var operators = new Table().AddColumns("operator", "subtasks", "records in", "records out", "watermark", "late");
            foreach (var op in job.OperatorTotals)
            {
                operators.AddRow(Cells(op.Operator, Number(op.Subtasks), Number(op.RecordsIn), Number(op.RecordsOut),
                    op.Watermark == long.MinValue ? "-" : Time(DateTimeOffset.FromUnixTimeMilliseconds(op.Watermark)), Number(op.LateRecords)));
            }
            AnsiConsole.Write(operators);
            var checkpoints = new Table().AddColumns("checkpoint", "time", "duration ms", "bytes");
            foreach (var checkpoint in job.Checkpoints.Take(5))
            {
                checkpoints.AddRow(Cells(Number(checkpoint.Id), Time(checkpoint.Time), checkpoint.DurationMs.ToString("0.0", CultureInfo.InvariantCulture), Number(checkpoint.SizeBytes)));
            }
            AnsiConsole.Write(checkpoints);
            foreach (var change in job.Exceptions.Take(5))
            {
                Console.WriteLine($"{Time(change.Time)} {change.From} -> {change.To}{(change.Message is null ? "" : $": {change.ExceptionType}: {change.Message}")}");
            }
            return 0;
        });
        return command;
    }

    private static Command CreateStop(Func<ParseResult, ServerApi> connect)
    {
        var id = new Argument<string>("id") { Description = "The job's id." };
        var savepoint = new Option<bool>("--savepoint") { Description = "Stop without draining and take a savepoint to resume from." };
        var command = new Command("stop", "Stop a job and wait until it ended; --savepoint takes a savepoint.") { id, savepoint };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = connect(parse);
            var with = parse.GetValue(savepoint) ? "true" : "false";
            var stopped = await api.PostAsync<JobStopped>($"/api/jobs/{Uri.EscapeDataString(parse.GetValue(id)!)}/stop?savepoint={with}", null, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(stopped.Savepoint is { } taken
                ? $"Job {stopped.Id} stopped ({stopped.Status}); savepoint {taken.Id} at {taken.Path}."
                : $"Job {stopped.Id} stopped ({stopped.Status}).");
            return 0;
        });
        return command;
    }

    private static Command CreateSavepoint(Func<ParseResult, ServerApi> connect)
    {
        var id = new Argument<string>("id") { Description = "The job's id." };
        var command = new Command("savepoint", "Take a savepoint of a running job; it keeps running.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = connect(parse);
            var taken = await api.PostAsync<JobSavepoint>($"/api/jobs/{Uri.EscapeDataString(parse.GetValue(id)!)}/savepoints", null, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Savepoint {taken.Id} (checkpoint {taken.CheckpointId}) at {taken.Path}.");
            return 0;
        });
        return command;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static Markup[] Cells(params string[] values)
    {
        var cells = new Markup[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            cells[i] = new Markup(Markup.Escape(values[i]));
        }
        return cells;
    }
}
