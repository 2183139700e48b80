using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.Checkpoints;
using Sluice.Sql;
using Sluice.Sql.Session;
using Sluice.Sql.Syntax;

namespace Sluice.Server.Jobs;

/// <summary>
/// The server's jobs: submits SQL scripts and registered C# jobs through the <see cref="JobRegistry"/>, each
/// checkpointing into <c>checkpoints/&lt;id&gt;</c>; lists and shows them; stops, savepoints and deletes them; suspends
/// them with a savepoint when the server stops and resumes them at its next start (<c>jobs/&lt;id&gt;.json</c>).
/// Thread-safe; operations on one job are serialized by its <see cref="ServerJob.Operations"/>.
/// </summary>
internal sealed partial class ServerJobs
{
    /// <summary>The checkpoint interval of a submission that gives none, milliseconds.</summary>
    public const long DefaultCheckpointIntervalMs = 10_000;

    /// <summary>Folder of savepoints under the checkpoint directory.</summary>
    public const string SavepointFolder = "savepoints";

    private readonly ServerContext _server;
    private readonly JobRegistry _registry;
    private readonly Lineage.ServerLineage _lineage; // every job's OpenLineage events (GET /api/lineage)
    private readonly JobDefinitionStore _definitions;
    private readonly ILogger _logger;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly List<ServerJob> _jobs = [];
    private volatile bool _shuttingDown;

    public ServerJobs(ServerContext server, JobRegistry registry, Lineage.ServerLineage lineage)
    {
        _server = server;
        _registry = registry;
        _lineage = lineage;
        _logger = server.LoggerFactory.CreateLogger(JobsLog.Category);
        _definitions = new JobDefinitionStore(server.JobsDirectory, _logger);
    }

    /// <summary>Where savepoints go: <c>checkpoints/savepoints/</c>.</summary>
    public string SavepointDirectory => Path.Combine(_server.CheckpointDirectory, SavepointFolder);

    /// <summary>The jobs in submission order (a copy).</summary>
    public IReadOnlyList<ServerJob> List()
    {
        lock (_lock)
        {
            return [.. _jobs];
        }
    }

    /// <summary>The job with id <paramref name="id"/>.</summary>
    /// <exception cref="JobRequestException">404: no job has that id.</exception>
    public ServerJob Get(string id)
    {
        lock (_lock)
        {
            foreach (var job in _jobs)
            {
                if (string.Equals(job.Id, id, StringComparison.OrdinalIgnoreCase))
                {
                    return job;
                }
            }
        }
        throw JobRequestException.NotFound(id);
    }

    /// <summary>The job with server id <paramref name="idOrName"/>, else the newest (latest started) job of that name.</summary>
    /// <exception cref="JobRequestException">404: no job has that id or name.</exception>
    public ServerJob GetByIdOrName(string idOrName)
    {
        ServerJob? newest = null;
        lock (_lock)
        {
            foreach (var job in _jobs)
            {
                if (string.Equals(job.Id, idOrName, StringComparison.OrdinalIgnoreCase))
                {
                    return job;
                }
                if (string.Equals(job.Client.JobName, idOrName, StringComparison.Ordinal) && (newest is null || job.StartTime >= newest.StartTime))
                {
                    newest = job;
                }
            }
        }
        return newest ?? throw new JobRequestException(404, $"No job has id or name '{idOrName}': list the jobs with GET /api/jobs.");
    }

    /// <summary>
    /// Validates and starts a submission: a SQL script (its INSERTs as one job) or a registered C# job, from a savepoint
    /// when one is named. The job is listed and its definition saved (to be resumed) once it started.
    /// </summary>
    /// <exception cref="JobRequestException">400: the submission is malformed (the message names the field, line or savepoint).</exception>
    public async Task<ServerJob> SubmitAsync(JobSubmission submission, CancellationToken cancellationToken)
    {
        var definition = Validate(submission);
        var checkpointDirectory = Path.Combine(_server.CheckpointDirectory, definition.Id);
        string? restoredFrom = null;
        if (submission.FromSavepoint is { } savepoint)
        {
            restoredFrom = ResolveSavepoint(savepoint);
            await CopySavepointAsync(restoredFrom, checkpointDirectory, cancellationToken).ConfigureAwait(false);
        }
        var job = new ServerJob(definition, checkpointDirectory, restoredFrom, _time);
        try
        {
            Start(job);
        }
        catch (JobRequestException)
        {
            DeleteQuietly(checkpointDirectory);
            throw;
        }
        job.Definition = definition with { Name = job.Client.JobName };
        _definitions.Save(job.Definition);
        if (job.Client.Status.IsTerminal())
        {
            // It ended (bounded input) before its definition was saved: nothing to resume.
            _definitions.Delete(job.Id);
        }
        lock (_lock)
        {
            _jobs.Add(job);
        }
        JobsLog.Submitted(_logger, job.Client.JobName, job.Id);
        return job;
    }

    private JobDefinition Validate(JobSubmission submission)
    {
        if ((submission.Sql is null) == (submission.Job is null))
        {
            throw JobRequestException.BadRequest("A job submission needs exactly one of 'sql' (a SQL script) and 'job' (the name of a registered job).");
        }
        if (submission.Parallelism is { } p && p is < 1 or > 32768)
        {
            throw JobRequestException.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'parallelism' is {p}: give 1 to 32768."));
        }
        if (submission.CheckpointIntervalMs is { } interval && interval < 10)
        {
            throw JobRequestException.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'checkpointIntervalMs' is {interval}: give at least 10 (milliseconds)."));
        }
        if (submission.Name is { } name && string.IsNullOrWhiteSpace(name))
        {
            throw JobRequestException.BadRequest("'name' is empty: give the job a name, or leave 'name' out for the default.");
        }
        if (submission.Sql is { } sql)
        {
            if (submission.Args is { Count: > 0 })
            {
                throw JobRequestException.BadRequest("'args' are for registered jobs ('job'); a SQL job takes none.");
            }
            CheckScript(sql);
        }
        else if (!_server.Options.Jobs.ContainsKey(submission.Job!))
        {
            throw JobRequestException.BadRequest(UnknownJob(submission.Job!));
        }
        return new JobDefinition
        {
            Id = JobId.New().ToString(),
            Name = submission.Name ?? submission.Job ?? "",
            Sql = submission.Sql,
            Job = submission.Job,
            Args = submission.Args is null ? new Dictionary<string, string>() : new Dictionary<string, string>(submission.Args, StringComparer.Ordinal),
            Parallelism = submission.Parallelism ?? 1,
            CheckpointIntervalMs = submission.CheckpointIntervalMs ?? DefaultCheckpointIntervalMs,
            SubmittedAt = _time.GetUtcNow(),
        };
    }

    private string UnknownJob(string name)
    {
        var known = _server.Options.Jobs.Keys.Order(StringComparer.Ordinal).ToList();
        return known.Count == 0
            ? $"No job named '{name}' is registered with this server (it has no registered jobs): submit SQL, or register the job in SluiceServerOptions.Jobs."
            : $"No job named '{name}' is registered with this server; registered: {string.Join(", ", known)}.";
    }

    /// <summary>Parses the script and checks it runs as one job: no SELECT, at least one INSERT. Runs none of it.</summary>
    private static void CheckScript(string sql)
    {
        IReadOnlyList<SqlStatement> statements;
        try
        {
            statements = SqlParser.ParseScript(sql);
        }
        catch (SqlException e)
        {
            throw JobRequestException.BadRequest(ScriptError(e), e);
        }
        var inserts = 0;
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case SqlInsert or SqlStatementSet:
                    inserts++;
                    break;
                case SqlQueryStatement or SqlExplain:
                    throw JobRequestException.BadRequest(string.Create(CultureInfo.InvariantCulture,
                        $"The SQL script has a {SqlSession.StatementKind(statement)} at line {statement.Position.Line}, column {statement.Position.Column}: the server runs a script's INSERTs as a job; query tables with 'sluice sql'."));
            }
        }
        if (inserts == 0)
        {
            throw JobRequestException.BadRequest("The SQL script has no INSERT statement: a job writes into a table with INSERT INTO … SELECT ….");
        }
    }

    private static string ScriptError(SqlException e) => e.Position is { } p
        ? string.Create(CultureInfo.InvariantCulture, $"The SQL script is invalid at line {p.Line}, column {p.Column}: {e.Reason}")
        : $"The SQL script is invalid: {e.Reason}";

    /// <summary>Builds the job's run and submits it to the registry, attached to <paramref name="job"/> before it runs.</summary>
    /// <exception cref="JobRequestException">400: the script or the registered job cannot be built or planned.</exception>
    private void Start(ServerJob job)
    {
        var definition = job.Definition;
        var options = new JobOptions
        {
            JobName = definition.Name.Length > 0 ? definition.Name : "job",
            Parallelism = definition.Parallelism,
            Checkpoints = CheckpointOptions.InDirectory(job.CheckpointDirectory, TimeSpan.FromMilliseconds(definition.CheckpointIntervalMs)),
            LoggerFactory = _server.LoggerFactory,
            Lineage = _lineage,
        };
        if (definition.Sql is { } sql)
        {
            var session = SqlSession.Create(new SqlSessionOptions
            {
                Connectors = _server.Connectors,
                ConfigureJob = planned => options with { JobName = definition.Name.Length > 0 ? definition.Name : planned.JobName },
                JobStarter = environment => _registry.Submit(environment, client => Bind(job, client)),
            });
            try
            {
                foreach (var result in session.ExecuteEach(sql, insertsAsOneJob: true))
                {
                    _ = result;
                }
            }
            catch (SqlException e)
            {
                CancelStarted(job);
                throw JobRequestException.BadRequest(ScriptError(e), e);
            }
            catch (InvalidOperationException e)
            {
                CancelStarted(job);
                throw JobRequestException.BadRequest($"The SQL script's job cannot run: {e.Message}", e);
            }
            return;
        }

        var build = _server.Options.Jobs[definition.Job!];
        var environment = StreamEnvironment.Create(options);
        try
        {
            build(definition.Args, environment);
            _registry.Submit(environment, client => Bind(job, client));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            CancelStarted(job);
            throw JobRequestException.BadRequest($"Registered job '{definition.Job}' could not be started: {e.Message}", e);
        }
    }

    private void Bind(ServerJob job, JobClient client)
    {
        job.Attach(client);
        client.StatusChanged += change => OnRunStatusChanged(job, change);
    }

    /// <summary>A failed start may have left a run (a script failing after its job started): cancel and unlist it.</summary>
    private void CancelStarted(ServerJob job)
    {
        if (job.HasClient)
        {
            job.Client.Cancel();
            _ = job.Client.Completion.ContinueWith(_ => _registry.Remove(job.Client.Id), TaskScheduler.Default);
        }
    }

    /// <summary>The directory of savepoint <paramref name="savepoint"/>: an absolute path, or an id under <see cref="SavepointDirectory"/>.</summary>
    /// <exception cref="JobRequestException">400: no such savepoint directory.</exception>
    private string ResolveSavepoint(string savepoint)
    {
        if (string.IsNullOrWhiteSpace(savepoint))
        {
            throw JobRequestException.BadRequest("'fromSavepoint' is empty: give a savepoint's path or id.");
        }
        string path;
        if (Path.IsPathRooted(savepoint))
        {
            path = Path.GetFullPath(savepoint);
        }
        else if (savepoint.IndexOfAny(['/', '\\']) < 0 && savepoint is not "." and not "..")
        {
            path = Path.Combine(SavepointDirectory, savepoint);
        }
        else
        {
            throw JobRequestException.BadRequest($"'fromSavepoint' is '{savepoint}': give a savepoint's absolute path or its id (a name under {SavepointDirectory}).");
        }
        if (!Directory.Exists(path))
        {
            throw JobRequestException.BadRequest($"The savepoint '{savepoint}' does not exist ({path}).");
        }
        return path;
    }

    private static async Task CopySavepointAsync(string savepoint, string checkpointDirectory, CancellationToken cancellationToken)
    {
        try
        {
            await Savepoints.CopyAsync(new LocalCheckpointStore(savepoint), new LocalCheckpointStore(checkpointDirectory), null, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            DeleteQuietly(checkpointDirectory);
            throw JobRequestException.BadRequest($"The savepoint '{savepoint}' holds no completed checkpoint to start from.", e);
        }
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Only an empty or copied store of a job that never ran: leaving it behind harms nothing.
        }
    }
}
