using System.Data.Common;
using System.Diagnostics;
using Npgsql;
using Sluice.Models.Project;

namespace Sluice.Models.Execution;

/// <summary>
/// Builds one node in the warehouse: a seed (CSV to table), a model by its materialization, or a test (its query's
/// rows are its failures). Every statement names the relation; a failure becomes an <see cref="NodeStatus.Error"/>
/// result with the database's message, never an exception (cancellation aside).
/// </summary>
internal sealed class Materializer(ModelProject project, Warehouse warehouse, bool fullRefresh)
{
    /// <summary>Failing rows shown per failed test.</summary>
    public const int SampleRows = 5;

    public async Task<NodeResult> RunAsync(ProjectNode node, string compiledSql, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var resource = node.Kind.ToString().ToLowerInvariant();
        try
        {
            await using var connection = await warehouse.OpenAsync(cancellationToken).ConfigureAwait(false);
            return node.Kind switch
            {
                NodeKind.Seed => await SeedAsync(connection, node, clock, cancellationToken).ConfigureAwait(false),
                NodeKind.Test => await TestAsync(connection, node, compiledSql, clock, cancellationToken).ConfigureAwait(false),
                _ => await ModelAsync(connection, node, compiledSql, clock, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (Exception e) when (e is DbException or ModelProjectException or InvalidOperationException or IOException)
        {
            var message = $"{resource} '{node.Name}' ({node.Path}) failed: {ModelCompiler.OneLine(e.Message)}";
            return new NodeResult(node.UniqueId, node.Name, resource, NodeStatus.Error, message, clock.Elapsed)
            {
                Relation = node.Kind == NodeKind.Test ? null : project.RelationOf(node).ToString(),
            };
        }
    }

    /// <summary>Whether <c>is_incremental()</c> is true for <paramref name="node"/>: an incremental model whose table exists, without --full-refresh.</summary>
    public async Task<bool> IsIncrementalAsync(ProjectNode node, CancellationToken cancellationToken)
    {
        if (node.Kind != NodeKind.Model || node.Materialization != Materialization.Incremental || FullRefresh(node))
        {
            return false;
        }
        await using var connection = await warehouse.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await Warehouse.RelationTypeAsync(connection, project.RelationOf(node), cancellationToken).ConfigureAwait(false) == "table";
    }

    /// <summary>Whether --full-refresh rebuilds <paramref name="node"/>: not when its config says <c>full_refresh: false</c> (as dbt).</summary>
    private bool FullRefresh(ProjectNode node) => fullRefresh && node.Config.GetValueOrDefault("full_refresh") is not false;

    private async Task<NodeResult> SeedAsync(DbConnection connection, ProjectNode node, Stopwatch clock, CancellationToken cancellationToken)
    {
        var relation = project.RelationOf(node);
        await DropIfTypeAsync(connection, relation, "view", cancellationToken).ConfigureAwait(false);
        if (warehouse.IsPostgres)
        {
            await SeedPostgresAsync((NpgsqlConnection)connection, node, relation, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var delimiter = node.Config.GetValueOrDefault("delimiter") as string ?? ",";
            await Warehouse.ExecuteAsync(connection,
                $"create or replace table {relation} as select * from read_csv({Warehouse.Literal(node.SeedFile!)}, header = true, auto_detect = true, delim = {Warehouse.Literal(delimiter)})",
                cancellationToken).ConfigureAwait(false);
        }
        var rows = await Warehouse.CountAsync(connection, $"select * from {relation}", cancellationToken).ConfigureAwait(false);
        return new NodeResult(node.UniqueId, node.Name, "seed", NodeStatus.Success, $"INSERT {rows}", clock.Elapsed)
        {
            RowsAffected = rows,
            Relation = relation.ToString(),
            Materialization = "seed",
        };
    }

    private static async Task SeedPostgresAsync(NpgsqlConnection connection, ProjectNode node, Relation relation, CancellationToken cancellationToken)
    {
        var csv = SeedCsv.Read(node.SeedFile!, node.Path);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await Warehouse.ExecuteAsync(connection, $"drop table if exists {relation} cascade", cancellationToken, transaction).ConfigureAwait(false);
        var columns = string.Join(", ", csv.Columns.Select((c, i) => Relation.Quote(c) + " " + csv.Types[i]));
        await Warehouse.ExecuteAsync(connection, $"create table {relation} ({columns})", cancellationToken, transaction).ConfigureAwait(false);
        await using (var writer = await connection.BeginTextImportAsync($"copy {relation} from stdin (format csv, header true)", cancellationToken).ConfigureAwait(false))
        {
            await writer.WriteAsync(await File.ReadAllTextAsync(node.SeedFile!, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<NodeResult> ModelAsync(DbConnection connection, ProjectNode node, string sql, Stopwatch clock, CancellationToken cancellationToken)
    {
        var relation = project.RelationOf(node);
        var materialization = node.Materialization;
        var existing = await Warehouse.RelationTypeAsync(connection, relation, cancellationToken).ConfigureAwait(false);
        long rows;
        long? selected = null;
        string message;
        switch (materialization)
        {
            case Materialization.View:
                await DropIfTypeAsync(connection, relation, "table", cancellationToken).ConfigureAwait(false);
                await ReplaceAsync(connection, relation, existing == "view", $"view {relation} as (\n{sql}\n)", cancellationToken).ConfigureAwait(false);
                rows = -1;
                message = "CREATE VIEW";
                break;
            case Materialization.Incremental when existing == "table" && !FullRefresh(node):
                (rows, selected) = await IncrementalAsync(connection, node, relation, sql, cancellationToken).ConfigureAwait(false);
                message = $"INSERT {rows}";
                break;
            default:
                await DropIfTypeAsync(connection, relation, "view", cancellationToken).ConfigureAwait(false);
                await ReplaceAsync(connection, relation, existing == "table", $"table {relation} as (\n{sql}\n)", cancellationToken).ConfigureAwait(false);
                rows = await Warehouse.CountAsync(connection, $"select * from {relation}", cancellationToken).ConfigureAwait(false);
                selected = rows;
                message = $"SELECT {rows}";
                break;
        }
        return new NodeResult(node.UniqueId, node.Name, "model", NodeStatus.Success, message, clock.Elapsed)
        {
            RowsAffected = rows < 0 ? null : rows,
            RowsSelected = selected,
            Relation = relation.ToString(),
            Materialization = materialization.ToString().ToLowerInvariant(),
        };
    }

    /// <summary>Creates <c>view …</c> or <c>table …</c>, replacing an existing one of the same kind (PostgreSQL: drop cascade and create in one transaction).</summary>
    private async Task ReplaceAsync(DbConnection connection, Relation relation, bool exists, string definition, CancellationToken cancellationToken)
    {
        if (!warehouse.IsPostgres)
        {
            await Warehouse.ExecuteAsync(connection, "create or replace " + definition, cancellationToken).ConfigureAwait(false);
            return;
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (exists)
        {
            var kind = definition.StartsWith("view", StringComparison.Ordinal) ? "view" : "table";
            await Warehouse.ExecuteAsync(connection, $"drop {kind} if exists {relation} cascade", cancellationToken, transaction).ConfigureAwait(false);
        }
        await Warehouse.ExecuteAsync(connection, "create " + definition, cancellationToken, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DropIfTypeAsync(DbConnection connection, Relation relation, string type, CancellationToken cancellationToken)
    {
        if (await Warehouse.RelationTypeAsync(connection, relation, cancellationToken).ConfigureAwait(false) == type)
        {
            await Warehouse.ExecuteAsync(connection, $"drop {type} {relation}{(warehouse.IsPostgres ? " cascade" : "")}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The new rows into a temporary table, then appended (no unique_key), merged (<c>merge</c>, the default with a
    /// unique_key) or deleted and inserted (<c>delete+insert</c>) into the existing table, in one transaction.
    /// </summary>
    private async Task<(long Written, long Selected)> IncrementalAsync(DbConnection connection, ProjectNode node, Relation relation, string sql, CancellationToken cancellationToken)
    {
        // Always qualified to the session's temporary schema, so no statement here can touch a permanent table that
        // happens to have the same name.
        var name = Relation.Quote(node.Identifier + "__dbt_tmp");
        var temporary = (warehouse.IsPostgres ? "pg_temp." : "temp.") + name;
        await Warehouse.ExecuteAsync(connection, $"drop table if exists {temporary}", cancellationToken).ConfigureAwait(false);
        await Warehouse.ExecuteAsync(connection, $"create temporary table {name} as (\n{sql}\n)", cancellationToken).ConfigureAwait(false);
        var selected = await Warehouse.CountAsync(connection, $"select * from {temporary}", cancellationToken).ConfigureAwait(false);
        var columns = (await Warehouse.ColumnsAsync(connection, temporary, cancellationToken).ConfigureAwait(false)).Select(Relation.Quote).ToList();
        var keys = node.Config.GetValueOrDefault("unique_key") switch
        {
            string key => [key],
            List<object?> list => list.OfType<string>().ToList(),
            _ => [],
        };
        var strategy = node.Config.GetValueOrDefault("incremental_strategy") as string ?? (keys.Count == 0 ? "append" : "merge");
        var columnList = string.Join(", ", columns);
        long written;
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (strategy)
            {
                case "append":
                    written = await Warehouse.ExecuteAsync(connection, $"insert into {relation} ({columnList}) select {columnList} from {temporary}", cancellationToken, transaction).ConfigureAwait(false);
                    break;
                case "delete+insert" when keys.Count > 0:
                    var keyList = string.Join(", ", keys);
                    await Warehouse.ExecuteAsync(connection, $"delete from {relation} where ({keyList}) in (select {keyList} from {temporary})", cancellationToken, transaction).ConfigureAwait(false);
                    written = await Warehouse.ExecuteAsync(connection, $"insert into {relation} ({columnList}) select {columnList} from {temporary}", cancellationToken, transaction).ConfigureAwait(false);
                    break;
                case "merge" when keys.Count > 0:
                    var on = string.Join(" and ", keys.Select(k => $"dbt_internal_dest.{k} = dbt_internal_source.{k}"));
                    var updates = string.Join(", ", columns.Select(c => $"{c} = dbt_internal_source.{c}"));
                    var values = string.Join(", ", columns.Select(c => "dbt_internal_source." + c));
                    written = await Warehouse.ExecuteAsync(connection,
                        $"merge into {relation} as dbt_internal_dest using {temporary} as dbt_internal_source on ({on})\n" +
                        $"when matched then update set {updates}\nwhen not matched then insert ({columnList}) values ({values})",
                        cancellationToken, transaction).ConfigureAwait(false);
                    break;
                default:
                    throw new ModelProjectException($"{node.Path}: incremental_strategy '{strategy}' of model '{node.Name}' is not supported{(keys.Count == 0 ? " without a unique_key" : "")} (append; merge or delete+insert with a unique_key).");
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await Warehouse.ExecuteAsync(connection, $"drop table if exists {temporary}", cancellationToken).ConfigureAwait(false);
        return (written, selected);
    }

    private async Task<NodeResult> TestAsync(DbConnection connection, ProjectNode node, string sql, Stopwatch clock, CancellationToken cancellationToken)
    {
        var failures = await Warehouse.CountAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        var where = node.AttachedTo is { } attached
            ? $"{project.Nodes[attached].Kind.ToString().ToLowerInvariant()} '{project.Nodes[attached].Name}', column '{node.Column}'"
            : $"singular test {node.Path}";
        if (failures == 0)
        {
            return new NodeResult(node.UniqueId, node.Name, "test", NodeStatus.Pass, $"PASS ({where})", clock.Elapsed) { Failures = 0, Materialization = "test" };
        }
        var sample = await Warehouse.SampleAsync(connection, sql, SampleRows, cancellationToken).ConfigureAwait(false);
        var warn = string.Equals(node.Config.GetValueOrDefault("severity") as string, "warn", StringComparison.OrdinalIgnoreCase);
        var message = $"{failures} failing row{(failures == 1 ? "" : "s")} in {where}; first: {string.Join(" | ", sample)}";
        return new NodeResult(node.UniqueId, node.Name, "test", warn ? NodeStatus.Warn : NodeStatus.Fail, message, clock.Elapsed)
        {
            Failures = failures,
            FailingSample = sample,
            Materialization = "test",
        };
    }
}
