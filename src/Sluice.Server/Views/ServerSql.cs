using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Sluice.Server.Jobs;
using Sluice.Sql;
using Sluice.Sql.Session;
using Sluice.Sql.Syntax;

namespace Sluice.Server.Views;

/// <summary>
/// The server's SQL front end for statements in Sluice's (Flink's) dialect that arrive over the PostgreSQL endpoint:
/// <c>CREATE TABLE … WITH ('connector' = …)</c> and <c>DROP TABLE</c> change the server's table catalog;
/// <c>INSERT INTO</c> runs as a server job over those tables; <c>CREATE MATERIALIZED VIEW</c> starts a server job that
/// maintains the query's result in the warehouse table of the view's name (docs/sql.md, "Materialized views");
/// <c>DROP MATERIALIZED VIEW</c> deletes the job, its checkpoints and the table. The catalog is
/// <see cref="ServerSqlState"/> in <c>sql-catalog.json</c>; the jobs are ordinary server jobs, resumed at a restart from
/// their latest checkpoint. Thread-safe: statements that change the catalog run one at a time.
/// </summary>
internal sealed partial class ServerSql : IDisposable
{
    /// <summary>How often a view is published when its WITH clause gives no <c>'checkpoint.interval'</c>, milliseconds.</summary>
    public const long DefaultViewCheckpointIntervalMs = 1000;

    private readonly ServerContext _server;
    private readonly ServerJobs _jobs;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _time = TimeProvider.System;
    private ServerSqlState _state;

    public ServerSql(ServerContext server, ServerJobs jobs)
    {
        _server = server;
        _jobs = jobs;
        _state = File.Exists(StatePath) ? ServerSqlState.FromJson(File.ReadAllBytes(StatePath), StatePath) : new ServerSqlState();
        MaterializedViewInstruments.Track(this);
    }

    /// <summary>The catalog file, <c>sql-catalog.json</c> in the data directory.</summary>
    public string StatePath => Path.Combine(_server.DataDirectory, ServerSqlState.FileName);

    /// <summary>The current catalog (a snapshot).</summary>
    public ServerSqlState State => Volatile.Read(ref _state);

    /// <summary>Adds a table to the catalog after checking its connector options (nothing is opened).</summary>
    /// <returns>Whether it was created (false: IF NOT EXISTS and it exists).</returns>
    /// <exception cref="ServerSqlException">The name is taken, the table is TEMPORARY, or its definition is invalid.</exception>
    public async Task<bool> CreateTableAsync(SqlCreateTable create, CancellationToken cancellationToken)
    {
        var name = SingleName(create.Name, "table");
        if (create.Temporary)
        {
            throw new ServerSqlException(ServerSqlError.Unsupported, $"Table '{name}' cannot be TEMPORARY here: the server's tables outlive a connection; leave TEMPORARY out.");
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = State;
            if (FindTable(state, name) is not null || FindView(state, name) is not null)
            {
                return create.IfNotExists ? false : throw new ServerSqlException(ServerSqlError.Exists, $"A table or materialized view named '{name}' exists already: drop it first or choose another name.");
            }
            var ddl = SqlFormatter.Format(create with { IfNotExists = false });
            try
            {
                Session(state).Execute(ddl);
            }
            catch (SqlException e)
            {
                throw new ServerSqlException(ServerSqlError.Invalid, $"Table '{name}' cannot be created: {e.Reason}", e);
            }
            Save(state with { Tables = [.. state.Tables, new ServerSqlTable(name, ddl)] });
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a table from the catalog; views already created over it keep running (their job holds its DDL).</summary>
    /// <returns>Whether it was dropped (false: IF EXISTS and it does not exist).</returns>
    /// <exception cref="ServerSqlException">No such table (without IF EXISTS).</exception>
    public async Task<bool> DropTableAsync(SqlDrop drop, CancellationToken cancellationToken)
    {
        var name = SingleName(drop.Name, "table");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = State;
            if (FindTable(state, name) is not { } table)
            {
                return drop.IfExists ? false : throw new ServerSqlException(ServerSqlError.NotFound, $"Table '{name}' is not in the server's SQL catalog (tables created with CREATE TABLE … WITH ('connector' = …)); warehouse tables are written by jobs and not dropped here.");
            }
            Save(state with { Tables = [.. state.Tables.Where(t => !ReferenceEquals(t, table))] });
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs an INSERT (or a statement set) over the catalog's tables as a server job.</summary>
    /// <returns>The job's server id.</returns>
    /// <exception cref="ServerSqlException">The statement does not plan, or the job cannot start (the message says why).</exception>
    public async Task<string> InsertAsync(SqlStatement insert, CancellationToken cancellationToken)
    {
        var state = State;
        var script = new StringBuilder();
        AppendTables(script, state);
        script.Append(SqlFormatter.Format(insert)).Append(";\n");
        try
        {
            var job = await _jobs.SubmitAsync(new JobSubmission(Sql: script.ToString()), cancellationToken).ConfigureAwait(false);
            return job.Id;
        }
        catch (JobRequestException e)
        {
            throw new ServerSqlException(ServerSqlError.Invalid, e.Message, e);
        }
    }

    /// <summary>Stops reporting this server's views' freshness.</summary>
    public void Dispose() => MaterializedViewInstruments.Untrack(this);

    /// <summary>A session whose catalog holds the tables of <paramref name="state"/>.</summary>
    private SqlSession Session(ServerSqlState state)
    {
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = _server.Connectors });
        foreach (var table in state.Tables)
        {
            session.Execute(table.Ddl);
        }
        return session;
    }

    private static void AppendTables(StringBuilder script, ServerSqlState state)
    {
        foreach (var table in state.Tables)
        {
            script.Append(table.Ddl).Append(";\n");
        }
    }

    private void Save(ServerSqlState state)
    {
        var temp = StatePath + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // The DDL may hold secret options: readable by the owner only, as the job definitions.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(state.ToJson());
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, StatePath, overwrite: true);
        Volatile.Write(ref _state, state);
    }

    private static ServerSqlTable? FindTable(ServerSqlState state, string name) =>
        state.Tables.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    private static MaterializedViewDefinition? FindView(ServerSqlState state, string name) =>
        state.Views.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));

    private static string SingleName(SqlIdentifier name, string what)
    {
        if (name.Names.Count != 1)
        {
            throw new ServerSqlException(ServerSqlError.Invalid, $"The {what} name '{string.Join(".", name.Names)}' is qualified: the server has one catalog; give the name alone.");
        }
        var single = name.Names[0];
        // The name becomes a job id, a file name and a warehouse table: a plain identifier only.
        if (single.Length == 0 || single.StartsWith('.') || single.AsSpan().IndexOfAny(s_pathCharacters) >= 0 || single.Any(char.IsControl))
        {
            throw new ServerSqlException(ServerSqlError.Invalid, $"The {what} name '{single}' is not a plain identifier: it must not be empty, start with '.', or hold '/', '\\' or ':'; choose a name of letters, digits and '_'.");
        }
        if (single.StartsWith("_sluice", StringComparison.OrdinalIgnoreCase))
        {
            throw new ServerSqlException(ServerSqlError.Invalid, $"The {what} name '{single}' starts with '_sluice', which is reserved for the server's own tables; choose another name.");
        }
        return single;
    }

    private static readonly System.Buffers.SearchValues<char> s_pathCharacters = System.Buffers.SearchValues.Create("/\\:");

    /// <summary>A name in backquotes, as the Sluice dialect quotes identifiers.</summary>
    private static string Quote(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    /// <summary>A string literal of the Sluice dialect.</summary>
    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether the warehouse has a table named <paramref name="name"/> (any case).</summary>
    private bool WarehouseHasTable(string name)
    {
        using var connection = OpenWarehouse();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM information_schema.tables WHERE lower(table_name) = lower($1) AND table_schema = 'main'";
        command.Parameters.Add(new DuckDBParameter(name));
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>A connection to the warehouse, shared with the sinks (DuckDB.NET keeps one database per file).</summary>
    private DuckDBConnection OpenWarehouse()
    {
        var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = _server.WarehousePath }.ConnectionString);
        connection.Open();
        return connection;
    }

}
