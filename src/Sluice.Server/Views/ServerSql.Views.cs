using System.Globalization;
using System.Text;
using Sluice.Configuration;
using Sluice.Schemas;
using Sluice.Server.Jobs;
using Sluice.Sql;
using Sluice.Sql.Planning;
using Sluice.Sql.Syntax;

namespace Sluice.Server.Views;

/// <summary>A materialized view as SHOW MATERIALIZED VIEWS lists it.</summary>
/// <param name="Name">The view's name (its warehouse table's).</param>
/// <param name="Query">Its query.</param>
/// <param name="Key">The columns its rows are applied by, empty for an append-only view.</param>
/// <param name="State">Its job's status (<c>Running</c>, <c>Restarting</c>, <c>Failed</c>…), or <c>Missing</c> when its job did not resume.</param>
/// <param name="JobId">The server id of its job.</param>
/// <param name="LastCheckpoint">When the newest checkpoint this run completed was triggered: the view holds every event read before it; null before the first.</param>
/// <param name="FreshnessSeconds">Now − <see cref="LastCheckpoint"/> (before the first checkpoint: now − the run's start), seconds.</param>
internal sealed record MaterializedViewStatus(string Name, string Query, IReadOnlyList<string> Key, string State, string JobId, DateTimeOffset? LastCheckpoint, double FreshnessSeconds);

// CREATE / DROP / SHOW MATERIALIZED VIEW.
internal sealed partial class ServerSql
{
    private const string CheckpointIntervalOption = "checkpoint.interval";

    /// <summary>
    /// Creates a materialized view: plans its query over the catalog's tables, derives the key its rows are applied by,
    /// and starts the job that writes the query's changelog into the warehouse table of the view's name, committed at
    /// every checkpoint (one DuckDB transaction per checkpoint).
    /// </summary>
    /// <returns>The view (the existing one for IF NOT EXISTS when the name is taken by a view).</returns>
    /// <exception cref="ServerSqlException">
    /// The name is taken (a view, a catalog table or a warehouse table), an option is unknown or malformed, the query does
    /// not plan, or it produces updates with no key to apply them by (<see cref="ServerSqlError.Unsupported"/>).
    /// </exception>
    public async Task<MaterializedViewDefinition> CreateViewAsync(SqlCreateMaterializedView create, CancellationToken cancellationToken)
    {
        var name = SingleName(create.Name, "materialized view");
        var interval = CheckpointInterval(name, create.Options);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = State;
            if (FindView(state, name) is { } existing)
            {
                return create.IfNotExists ? existing : throw new ServerSqlException(ServerSqlError.Exists, $"Materialized view '{name}' exists already: drop it first (DROP MATERIALIZED VIEW {name}) or use CREATE MATERIALIZED VIEW IF NOT EXISTS.");
            }
            if (FindTable(state, name) is not null)
            {
                throw new ServerSqlException(ServerSqlError.Exists, $"Materialized view '{name}' cannot be created: the server's catalog has a table of that name; choose another name.");
            }
            if (WarehouseHasTable(name))
            {
                throw new ServerSqlException(ServerSqlError.Exists, $"Materialized view '{name}' cannot be created: the warehouse has a table of that name, which the view's rows would overwrite; choose another name.");
            }
            var query = SqlFormatter.Format(create.Query);
            LogicalNode plan;
            try
            {
                var session = Session(state);
                plan = SqlPlanner.Plan(new SqlQueryStatement(create.Query, create.Position), session.Catalog, session.Functions, session.PlannerSettings).Query!;
            }
            catch (SqlException e)
            {
                throw new ServerSqlException(ServerSqlError.Invalid, $"Materialized view '{name}' cannot be created: {e.Reason}", e);
            }
            var key = Key(name, plan);
            var script = new StringBuilder();
            AppendTables(script, state);
            AppendViewTable(script, name, plan.Schema, key);
            script.Append("INSERT INTO ").Append(Quote(name)).Append(' ').Append(query).Append(";\n");
            ServerJob job;
            try
            {
                job = await _jobs.SubmitAsync(new JobSubmission(Sql: script.ToString(), Name: "materialized-view_" + name,
                    CheckpointIntervalMs: interval), cancellationToken).ConfigureAwait(false);
            }
            catch (JobRequestException e)
            {
                throw new ServerSqlException(ServerSqlError.Invalid, $"Materialized view '{name}' cannot be created: {e.Message}", e);
            }
            var definition = new MaterializedViewDefinition(name, query, key, job.Id, interval, _time.GetUtcNow());
            Save(state with { Views = [.. state.Views, definition] });
            return definition;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Drops a materialized view: deletes its job (cancelled if it runs), its checkpoints and savepoints, its warehouse
    /// table with the sink's commit records and staging files, and its catalog entry.
    /// </summary>
    /// <returns>Whether it was dropped (false: IF EXISTS and it does not exist).</returns>
    /// <exception cref="ServerSqlException">No such view (without IF EXISTS).</exception>
    public async Task<bool> DropViewAsync(SqlDrop drop, CancellationToken cancellationToken)
    {
        var name = SingleName(drop.Name, "materialized view");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = State;
            if (FindView(state, name) is not { } view)
            {
                return drop.IfExists ? false : throw new ServerSqlException(ServerSqlError.NotFound, $"Materialized view '{name}' does not exist: SHOW MATERIALIZED VIEWS lists them.");
            }
            if (FindJob(view.JobId) is { } job)
            {
                await _jobs.DeleteAsync(job, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _jobs.ForgetDefinition(view.JobId); // a job that did not resume must not come back at the next start
            }
            DeleteDirectory(Path.Combine(_server.CheckpointDirectory, view.JobId));
            if (Directory.Exists(_jobs.SavepointDirectory))
            {
                foreach (var savepoint in Directory.GetDirectories(_jobs.SavepointDirectory, view.JobId + "-*"))
                {
                    DeleteDirectory(savepoint);
                }
            }
            using (var connection = OpenWarehouse())
            using (var command = connection.CreateCommand())
            {
                // One transaction: a reader sees the view's table with its commit records, or neither.
                var table = "\"" + view.Name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
                command.CommandText = CommitsTableExists(connection)
                    ? $"BEGIN; DROP TABLE IF EXISTS {table}; DELETE FROM _sluice_commits WHERE sink_table = $1; COMMIT;"
                    : $"DROP TABLE IF EXISTS {table}";
                if (command.CommandText.StartsWith("BEGIN", StringComparison.Ordinal))
                {
                    command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter(view.Name));
                }
                command.ExecuteNonQuery();
            }
            DeleteDirectory(Path.Combine(_server.WarehousePath + ".sluice-staging", view.Name));
            Save(state with { Views = [.. state.Views.Where(v => !ReferenceEquals(v, view))] });
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The views with their jobs' state and freshness, in creation order.</summary>
    public IReadOnlyList<MaterializedViewStatus> ListViews()
    {
        var now = _time.GetUtcNow();
        var views = State.Views;
        var list = new List<MaterializedViewStatus>(views.Count);
        foreach (var view in views)
        {
            var job = FindJob(view.JobId);
            var last = job?.LatestCheckpoint;
            var state = job is { HasClient: true } ? job.Client.Status.ToString() : "Missing";
            var since = last?.Time ?? job?.StartTime ?? view.CreatedAt;
            list.Add(new MaterializedViewStatus(view.Name, view.Query, view.Key, state, view.JobId, last?.Time, Math.Max(0, (now - since).TotalSeconds)));
        }
        return list;
    }

    private ServerJob? FindJob(string id)
    {
        foreach (var job in _jobs.List())
        {
            if (job.Id == id)
            {
                return job;
            }
        }
        return null;
    }

    /// <summary>
    /// The columns the view's rows are applied by: none for an insert-only query (appended); else the query's unique
    /// key (GROUP BY columns, a ranking's partition, a source's PRIMARY KEY). An updating query without one is refused.
    /// </summary>
    private static IReadOnlyList<string> Key(string name, LogicalNode plan)
    {
        if (plan.Changelog == ChangelogMode.InsertOnly)
        {
            return [];
        }
        if (plan.UniqueKey is { Count: > 0 } key)
        {
            return [.. key.Select(i => plan.Schema[i].Name)];
        }
        var producer = plan.UpdateProducer?.Name ?? "an operator";
        throw new ServerSqlException(ServerSqlError.Unsupported, plan.UniqueKey is { Count: 0 }
            ? $"Materialized view '{name}' cannot be maintained: its query updates one row without a key (an aggregate without GROUP BY, from {producer}); group by a column (a region, say) and sum the view's rows when reading it."
            : $"Materialized view '{name}' cannot be maintained: its query produces updates (from {producer}) but no unique key to apply them by; GROUP BY the columns that identify a row, or read a source with a PRIMARY KEY.");
    }

    /// <summary>The view's table: its columns as the query types them, the DuckDB connector upserting by the key (or appending).</summary>
    private void AppendViewTable(StringBuilder script, string name, Schema schema, IReadOnlyList<string> key)
    {
        script.Append("CREATE TABLE ").Append(Quote(name)).Append(" (");
        for (var i = 0; i < schema.Count; i++)
        {
            script.Append(i > 0 ? ", " : "").Append(Quote(schema[i].Name)).Append(' ').Append(schema[i].Type.ToString());
        }
        script.Append(") WITH ('connector' = 'duckdb', 'path' = ").Append(Literal(_server.WarehousePath))
            .Append(", 'table-name' = ").Append(Literal(name));
        if (key.Count > 0)
        {
            script.Append(", 'sink.write-mode' = 'upsert', 'sink.key-fields' = ").Append(Literal(string.Join(";", key)));
        }
        script.Append(");\n");
    }

    /// <summary>
    /// The view's one WITH option, <c>'checkpoint.interval'</c> (a duration, default 1 s). A view's job runs at parallelism
    /// 1, so each checkpoint is one commit, one DuckDB transaction.
    /// </summary>
    private static long CheckpointInterval(string name, SqlList<SqlTableOption> options)
    {
        var interval = DefaultViewCheckpointIntervalMs;
        foreach (var option in options)
        {
            if (option.Key != CheckpointIntervalOption)
            {
                throw new ServerSqlException(ServerSqlError.Invalid, $"Materialized view '{name}' has the unknown option '{option.Key}'; the one option is '{CheckpointIntervalOption}'.");
            }
            if (!ConfigOptions.TryParseDuration(option.Value, out var duration) || duration.TotalMilliseconds < 10)
            {
                throw new ServerSqlException(ServerSqlError.Invalid, $"Materialized view '{name}': option '{CheckpointIntervalOption}' is '{option.Value}'; give a duration of at least 10 ms, such as '500 ms' or '1 s'.");
            }
            interval = (long)duration.TotalMilliseconds;
        }
        return interval;
    }

    private static bool CommitsTableExists(DuckDB.NET.Data.DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM information_schema.tables WHERE table_name = '_sluice_commits'";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private static void DeleteDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
