using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using Npgsql;
using Sluice.Models.Project;

namespace Sluice.Models.Execution;

/// <summary>
/// Connections to a target's database and the few catalog questions the materializations ask. Each worker thread
/// opens its own connection (<see cref="OpenAsync"/>); DuckDB shares one database instance per file inside the process.
/// </summary>
internal sealed class Warehouse(ModelTarget target)
{
    public ModelTarget Target { get; } = target;

    public bool IsPostgres => Target.Type == TargetType.Postgres;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection;
        if (IsPostgres)
        {
            connection = new NpgsqlConnection(Target.ConnectionString);
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Target.DuckDbPath!)!);
            connection = new DuckDBConnection("Data Source=" + Target.DuckDbPath);
        }
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new ModelProjectException($"Cannot connect to target {Target}: {e.Message.TrimEnd('.')}.", e);
        }
        return connection;
    }

    public static async Task<int> ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<long> CountAsync(DbConnection connection, string sql, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"select count(*) from (\n{sql}\n) as dbt_internal_count";
        command.Transaction = transaction;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>The column names of a query's result (runs it with <c>limit 0</c>).</summary>
    public static async Task<List<string>> ColumnsAsync(DbConnection connection, string relation, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"select * from {relation} limit 0";
        command.Transaction = transaction;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
    }

    /// <summary>Up to <paramref name="limit"/> rows of a query, each as <c>column=value, …</c> (NULL for nulls).</summary>
    public static async Task<List<string>> SampleAsync(DbConnection connection, string sql, int limit, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"select * from (\n{sql}\n) as dbt_internal_sample limit {limit}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(string.Join(", ", Enumerable.Range(0, reader.FieldCount).Select(i =>
                reader.GetName(i) + "=" + (reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)))));
        }
        return rows;
    }

    /// <summary><c>table</c>, <c>view</c>, or null when <paramref name="relation"/> does not exist.</summary>
    public static async Task<string?> RelationTypeAsync(DbConnection connection, Relation relation, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"select table_type from information_schema.tables where table_schema = {Literal(relation.Schema)} and table_name = {Literal(relation.Identifier)}";
        var type = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        return type switch
        {
            null => null,
            "VIEW" => "view",
            _ => "table",
        };
    }

    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
