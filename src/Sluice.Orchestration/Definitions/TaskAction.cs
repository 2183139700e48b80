namespace Sluice.Orchestration.Definitions;

/// <summary>
/// What a task does. String fields documented as templated are Jinja templates rendered per run with the data interval
/// (<c>{{ ds }}</c>, <c>{{ data_interval_start }}</c>, <c>{{ params.x }}</c>…; docs/orchestration.md).
/// </summary>
public abstract record TaskAction
{
    private protected TaskAction()
    {
    }

    /// <summary>The kind as written in YAML (<c>shell</c>, <c>sql</c>, <c>file_sensor</c>…).</summary>
    public abstract string Kind { get; }

    /// <summary>The templated string fields, by name, for validation and rendering.</summary>
    internal abstract IEnumerable<(string Field, string Template)> Templates();

    /// <summary>What is wrong with the fields taken together (one sentence), or null; checked when the DAG is built.</summary>
    internal virtual string? Problem() => null;
}

/// <summary>Runs <see cref="Command"/> with <c>/bin/sh -c</c>; exit code 0 is success; stdout and stderr go to the attempt's log.</summary>
public sealed record ShellAction(string Command) : TaskAction
{
    /// <inheritdoc/>
    public override string Kind => "shell";

    /// <summary>The working directory (templated), or null for the DAG file's folder (the current one for code DAGs).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Extra environment variables (values templated).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    internal override IEnumerable<(string Field, string Template)> Templates()
    {
        yield return ("command", Command);
        if (WorkingDirectory is not null)
        {
            yield return ("cwd", WorkingDirectory);
        }
        foreach (var (name, value) in Environment)
        {
            yield return ($"env.{name}", value);
        }
    }
}

/// <summary>Where a <c>sql</c> task or a <c>table_fresh</c> sensor connects.</summary>
/// <param name="DuckDbPath">A DuckDB database file (created when missing), or null.</param>
/// <param name="PostgresConnectionString">An Npgsql connection string (may hold a password: never logged), or null.</param>
public sealed record SqlConnectionTarget(string? DuckDbPath, string? PostgresConnectionString)
{
    /// <summary>A short description without secrets, for logs.</summary>
    public string Describe() => DuckDbPath is not null ? $"duckdb:{DuckDbPath}" : "postgres";

    /// <summary>Prints the DuckDB path but never the connection string (it holds the password).</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("DuckDbPath = ").Append(DuckDbPath).Append(", PostgresConnectionString = ").Append(PostgresConnectionString is null ? "" : "***");
        return true;
    }
}

/// <summary>Runs <see cref="Sql"/> (templated; several statements allowed) on a DuckDB file or a PostgreSQL database.</summary>
public sealed record SqlAction(SqlConnectionTarget Target, string Sql) : TaskAction
{
    /// <inheritdoc/>
    public override string Kind => "sql";

    internal override IEnumerable<(string Field, string Template)> Templates() => [("sql", Sql)];
}

/// <summary>Sends an HTTP request; success when the response status is <see cref="ExpectedStatus"/>.</summary>
public sealed record HttpAction(string Method, string Url) : TaskAction
{
    /// <inheritdoc/>
    public override string Kind => "http";

    /// <summary>The expected status code.</summary>
    public int ExpectedStatus { get; init; } = 200;

    /// <summary>The request body (templated; sent as <c>application/json</c>), or null.</summary>
    public string? Body { get; init; }

    internal override IEnumerable<(string Field, string Template)> Templates()
    {
        yield return ("url", Url);
        if (Body is not null)
        {
            yield return ("body", Body);
        }
    }
}

/// <summary>Builds a model selection of a SQL models project (<c>sluice models build --select …</c>).</summary>
public sealed record ModelsAction(string ProjectDirectory) : TaskAction
{
    /// <inheritdoc/>
    public override string Kind => "models";

    /// <summary>The selection (same syntax as <c>--select</c>); empty: the whole project.</summary>
    public IReadOnlyList<string> Select { get; init; } = [];

    /// <summary><c>build</c> (default), <c>run</c>, <c>test</c> or <c>seed</c>.</summary>
    public string Command { get; init; } = "build";

    /// <summary>The profile target, or null for the profile's default.</summary>
    public string? Target { get; init; }

    /// <summary>Values for <c>var()</c> (templated), e.g. <c>start_date: "{{ ds }}"</c>.</summary>
    public IReadOnlyDictionary<string, string> Vars { get; init; } = new Dictionary<string, string>();

    internal override IEnumerable<(string Field, string Template)> Templates()
    {
        yield return ("project_dir", ProjectDirectory);
        foreach (var (name, value) in Vars)
        {
            yield return ($"vars.{name}", value);
        }
    }
}

/// <summary>
/// A sensor: pokes every <see cref="PokeInterval"/> until its condition holds (success) or its task's timeout passes
/// (failure). Between pokes it holds no worker (Airflow's reschedule mode).
/// </summary>
public abstract record SensorAction : TaskAction
{
    private protected SensorAction()
    {
    }

    /// <summary>The time between pokes.</summary>
    public TimeSpan PokeInterval { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Succeeds when a file matching <see cref="Path"/> (templated; <c>*</c> and <c>?</c> allowed in the file name) exists.</summary>
public sealed record FileSensorAction(string Path) : SensorAction
{
    /// <inheritdoc/>
    public override string Kind => "file_sensor";

    internal override IEnumerable<(string Field, string Template)> Templates() => [("path", Path)];
}

/// <summary>
/// Succeeds when <c>max(Column)</c> of <see cref="Table"/> is at least <see cref="Threshold"/> (templated, a timestamp;
/// default <c>{{ data_interval_end }}</c>: the table holds data up to the end of the interval).
/// </summary>
public sealed record TableFreshSensorAction(SqlConnectionTarget Target, string Table, string Column) : SensorAction
{
    /// <inheritdoc/>
    public override string Kind => "table_fresh_sensor";

    /// <summary>The least acceptable <c>max(column)</c>, templated.</summary>
    public string Threshold { get; init; } = "{{ data_interval_end }}";

    internal override IEnumerable<(string Field, string Template)> Templates() => [("table", Table), ("threshold", Threshold)];
}

/// <summary>Succeeds when DAG <see cref="DagId"/> has a successful run for the same logical date (same run store).</summary>
public sealed record UpstreamDagSensorAction(string DagId) : SensorAction
{
    /// <inheritdoc/>
    public override string Kind => "upstream_dag_sensor";

    internal override IEnumerable<(string Field, string Template)> Templates() => [];
}
