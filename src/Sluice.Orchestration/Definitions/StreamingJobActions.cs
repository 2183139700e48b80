namespace Sluice.Orchestration.Definitions;

/// <summary>
/// Runs a bounded Flink-SQL statement set in the scheduler's process (<c>sluice sql -f</c> semantics: its INSERTs run
/// together as one job) through the host's <see cref="ISqlJobRunner"/>, e.g. an <c>INSERT … SELECT</c> over a bounded
/// source for the run's interval. Success when the job finishes; a failed job fails the attempt with its error; a
/// timeout cancels the job. Relative paths in the statements resolve against the process's working directory (the
/// SQL engine has no per-job one): give absolute paths.
/// </summary>
public sealed record SqlJobAction(string Sql) : TaskAction
{
    /// <inheritdoc/>
    public override string Kind => "sql_job";

    internal override IEnumerable<(string Field, string Template)> Templates() => [("sql", Sql)];
}

/// <summary>
/// Takes a savepoint of the running server job named <see cref="Job"/> (templated) and succeeds when the savepoint is
/// complete; its path goes to the attempt's log. Inside the server the host's <see cref="IStreamingJobControl"/> does
/// it; elsewhere (<c>sluice dags run</c>) the server at <see cref="ServerUrl"/> is asked over its REST API with the
/// token read from the environment variable <see cref="TokenVariable"/> (never logged). A timeout cancels the wait.
/// </summary>
public sealed record JobSavepointAction(string Job) : TaskAction
{
    /// <summary>The variable <see cref="TokenVariable"/> defaults to.</summary>
    public const string DefaultTokenVariable = "SLUICE_TOKEN";

    /// <inheritdoc/>
    public override string Kind => "job_savepoint";

    /// <summary>The server's base URL (templated), e.g. <c>http://127.0.0.1:8081</c>; null: the host's own jobs.</summary>
    public string? ServerUrl { get; init; }

    /// <summary>The environment variable holding the server's API token (used with <see cref="ServerUrl"/>).</summary>
    public string TokenVariable { get; init; } = DefaultTokenVariable;

    internal override IEnumerable<(string Field, string Template)> Templates()
    {
        yield return ("job", Job);
        if (ServerUrl is not null)
        {
            yield return ("server_url", ServerUrl);
        }
    }

    internal override string? Problem() =>
        string.IsNullOrWhiteSpace(TokenVariable) ? "'token_env' must name an environment variable." : null;
}
