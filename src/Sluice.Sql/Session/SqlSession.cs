using Sluice.Checkpoints;
using Sluice.Connectors;
using Sluice.Sql.Catalog;
using Sluice.Sql.Connectors;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Session;

/// <summary>
/// Where SQL statements run, as Flink's <c>TableEnvironment</c>: a catalog (in memory, or persisted in a data
/// directory), the functions, the connectors and the settings. <see cref="Execute(string)"/> runs a script;
/// <see cref="Execute(SqlStatement)"/> one parsed statement. DDL, SHOW, DESCRIBE, SET and RESET run here; SELECT,
/// INSERT, STATEMENT SET and EXPLAIN go to the planner.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: run one statement at a time (jobs a statement starts run on their own threads). The
/// catalog itself is thread-safe and may be shared.</para>
/// <para>Failure: every error a statement makes is one <see cref="SqlException"/> (with a position when there is one)
/// and leaves the session and the catalog as they were before the statement.</para>
/// </remarks>
public sealed partial class SqlSession
{
    private readonly List<Action<FunctionCatalog>> _registrations;
    private readonly List<string> _warnings = [];
    private readonly Func<JobOptions, JobOptions>? _configureJob;
    private readonly Func<StreamEnvironment, JobClient>? _jobStarter;

    private SqlSession(SqlSessionOptions options)
    {
        DataDirectory = options.DataDirectory;
        Catalog = options.DataDirectory is { } directory ? SqlCatalog.Open(directory) : SqlCatalog.InMemory();
        Connectors = options.Connectors ?? ConnectorRegistry.FromLoadedAssemblies();
        Settings = options.Settings;
        Clock = options.Clock;
        _configureJob = options.ConfigureJob;
        _jobStarter = options.JobStarter;
        _registrations = [.. options.FunctionRegistrations];
        Functions = BuildFunctions(_warnings);
    }

    /// <summary>Opens a session.</summary>
    /// <exception cref="CatalogFormatException">The data directory's catalog file is damaged or of a newer format.</exception>
    public static SqlSession Create(SqlSessionOptions? options = null) => new(options ?? new SqlSessionOptions());

    /// <summary>The tables, views and functions statements name.</summary>
    internal SqlCatalog Catalog { get; }

    /// <summary>The connectors tables name.</summary>
    public ConnectorRegistry Connectors { get; }

    /// <summary>
    /// The scalar functions queries call: the built-ins, those registered in code and those of the catalog. Rebuilt
    /// when CREATE or DROP FUNCTION changes the catalog; do not keep it across statements.
    /// </summary>
    internal FunctionCatalog Functions { get; private set; }

    /// <summary>The current settings (changed by SET and RESET).</summary>
    public SqlSettings Settings { get; private set; }

    /// <summary>The processing-time clock of expressions.</summary>
    public TimeProvider Clock { get; }

    /// <summary>The data directory, or null for an in-memory session.</summary>
    public string? DataDirectory { get; }

    /// <summary>
    /// Problems found when the session opened that did not stop it: a catalog function whose class cannot be loaded
    /// in this process is left out of <see cref="Functions"/> (drop it, or load its assembly and open a new session).
    /// </summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The evaluation context of compiled expressions: the session time zone and clock.</summary>
    internal SqlEvaluationContext EvaluationContext => new(Settings.LocalTimeZone, Clock);

    /// <summary>What table scans use from the settings.</summary>
    internal TableScanSettings ScanSettings => new(Settings.SourceIdleTimeout, EvaluationContext);

    /// <summary>
    /// Registers a C# function for this session only (not persisted), as <see cref="FunctionCatalog.Register(string, object, bool)"/>.
    /// </summary>
    /// <exception cref="SqlException">The instance has no usable Eval method, or the name is a built-in's.</exception>
    public void RegisterFunction(string name, object instance, bool isDeterministic = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(instance);
        void Register(FunctionCatalog functions) => functions.Register(name, instance, isDeterministic);
        try
        {
            Register(Functions);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new SqlException($"Function '{name}' cannot be registered: {e.Message}", null, e);
        }

        _registrations.Add(Register);
    }

    /// <summary>
    /// Parses <paramref name="script"/> (statements separated by <c>;</c>) and runs its statements in order, stopping
    /// at the first that fails. A syntax error anywhere fails before any statement runs.
    /// </summary>
    /// <returns>One result per statement.</returns>
    /// <exception cref="SqlException">A statement is invalid or failed; statements before it have run.</exception>
    public IReadOnlyList<SqlStatementResult> Execute(string script) => [.. ExecuteEach(script)];

    /// <summary>
    /// As <see cref="Execute(string)"/>, but yields each result as soon as its statement ran, so a caller can show it
    /// before the next statement runs. Parses the whole script at once, when called.
    /// </summary>
    /// <param name="script">The statements.</param>
    /// <param name="insertsAsOneJob">
    /// Run every INSERT and STATEMENT SET of the script together as one job (a statement set), after the script's
    /// other statements, as <c>sluice sql -f</c> does; the set's result comes last. False: each runs as its own job,
    /// where it stands.
    /// </param>
    /// <exception cref="SqlException">The script does not parse (at the call), or a statement fails (while enumerating).</exception>
    public IEnumerable<SqlStatementResult> ExecuteEach(string script, bool insertsAsOneJob = false)
    {
        ArgumentNullException.ThrowIfNull(script);
        var statements = SqlParser.ParseScript(script);
        return Run(statements, insertsAsOneJob);
    }

    /// <summary>Runs one parsed statement.</summary>
    /// <exception cref="SqlException">The statement is invalid or failed; the session and catalog are unchanged.</exception>
    internal SqlStatementResult Execute(SqlStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return statement switch
        {
            SqlCreateMaterializedView or SqlDrop { Kind: SqlObjectKind.MaterializedView } or SqlShow { Kind: SqlObjectKind.MaterializedView } =>
                throw new SqlException($"{StatementKind(statement)} runs on a Sluice server, which maintains the view as a job: send it to 'sluice server' over the PostgreSQL protocol (psql -h 127.0.0.1 -p 4566 -U sluice).", statement.Position),
            SqlCreateTable create => CreateTable(create),
            SqlCreateView create => CreateView(create),
            SqlCreateFunction create => CreateFunction(create),
            SqlDrop drop => Drop(drop),
            SqlShow show => Show(show),
            SqlDescribe describe => Describe(describe),
            SqlSet set => Set(set),
            SqlReset reset => Reset(reset),
            _ => ExecuteWithPlanner(statement),
        };
    }

    /// <summary>
    /// The job options a statement's job runs with: the settings' parallelism and name, and checkpoints every
    /// <see cref="SqlSettings.CheckpointInterval"/> into the data directory's <c>checkpoints/&lt;name&gt;</c> (a new
    /// temporary directory without a data directory).
    /// </summary>
    internal JobOptions CreateJobOptions(string defaultName)
    {
        var name = Settings.PipelineName ?? defaultName;
        CheckpointOptions? checkpoints = null;
        if (Settings.CheckpointInterval is { } interval)
        {
            var directory = DataDirectory is { } data
                ? Path.Combine(data, "checkpoints", string.Concat(name.Select(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')))
                : Directory.CreateTempSubdirectory("sluice-sql-checkpoints-").FullName;
            checkpoints = CheckpointOptions.InDirectory(directory, interval);
        }

        var options = new JobOptions { JobName = name, Parallelism = Settings.Parallelism, Checkpoints = checkpoints };
        return _configureJob is null ? options : _configureJob(options);
    }

    /// <summary>
    /// Runs a statement that needs the planner: SELECT, INSERT, STATEMENT SET, EXPLAIN (and DESCRIBE of a view, whose
    /// columns only binding its query tells). The one place the planner plugs in.
    /// </summary>
    /// <exception cref="SqlException">The statement is invalid, uses an unsupported feature, or a connector rejects a table.</exception>
    private SqlStatementResult ExecuteWithPlanner(SqlStatement statement) => RunPlanned(statement);

    private IEnumerable<SqlStatementResult> Run(IReadOnlyList<SqlStatement> statements, bool insertsAsOneJob)
    {
        var inserts = new List<SqlInsert>();
        SqlPosition? first = null;
        foreach (var statement in statements)
        {
            if (insertsAsOneJob && statement is SqlInsert or SqlStatementSet)
            {
                first ??= statement.Position;
                inserts.AddRange(statement is SqlInsert insert ? [insert] : ((SqlStatementSet)statement).Inserts);
                continue;
            }

            yield return Execute(statement);
        }

        if (inserts.Count > 0)
        {
            yield return Execute(new SqlStatementSet(new SqlList<SqlInsert>(inserts), first!.Value));
        }
    }

    /// <summary>The statement's kind as messages name it: "SELECT", "INSERT", "STATEMENT SET", "EXPLAIN", "DESCRIBE of a view".</summary>
    internal static string StatementKind(SqlStatement statement) => statement switch
    {
        SqlQueryStatement => "SELECT",
        SqlInsert => "INSERT",
        SqlStatementSet => "STATEMENT SET",
        SqlExplain => "EXPLAIN",
        SqlDescribe => "DESCRIBE of a view",
        SqlCreateTable => "CREATE TABLE",
        SqlCreateView => "CREATE VIEW",
        SqlCreateFunction => "CREATE FUNCTION",
        SqlCreateMaterializedView => "CREATE MATERIALIZED VIEW",
        SqlDrop { Kind: SqlObjectKind.MaterializedView } => "DROP MATERIALIZED VIEW",
        SqlShow { Kind: SqlObjectKind.MaterializedView } => "SHOW MATERIALIZED VIEWS",
        SqlDrop => "DROP",
        SqlShow => "SHOW",
        SqlSet => "SET",
        SqlReset => "RESET",
        _ => statement.GetType().Name,
    };
}
