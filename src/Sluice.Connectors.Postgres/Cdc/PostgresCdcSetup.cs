using Npgsql;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Cdc;

/// <summary>The captured table as the catalog describes it: what the snapshot query and the slot's changes need.</summary>
/// <param name="QualifiedName">The quoted <c>"schema"."name"</c>.</param>
/// <param name="DisplayName">The unquoted <c>schema.name</c>, for messages.</param>
/// <param name="KeyColumns">The primary key's columns, in key order.</param>
/// <param name="KeyTypes">Their types (<c>format_type</c> with modifiers), to cast a checkpointed key back.</param>
internal sealed record PostgresCdcTable(string QualifiedName, string DisplayName, string[] KeyColumns, string[] KeyTypes);

/// <summary>
/// The checks and the set-up before a CDC reader streams: server settings, the role's attributes, the table (its
/// columns against the schema, its key and replica identity) and the publication — each failure one
/// <see cref="PostgresCdcException"/> naming the fix. Runs on the reader's background thread.
/// </summary>
internal static class PostgresCdcSetup
{
    /// <summary>Checks everything the source needs on <paramref name="connection"/> and creates the publication if allowed and missing.</summary>
    /// <exception cref="PostgresCdcException">A setting, permission, column, key or the publication is not as the source needs it.</exception>
    public static PostgresCdcTable Prepare(NpgsqlConnection connection, PostgresCdcOptions options, Schema schema)
    {
        var where = $"PostgreSQL at {connection.Host}:{connection.Port}";
        var (walLevel, user, replication) = QuerySingle(connection,
            "SELECT current_setting('wal_level'), current_user::text, r.rolreplication OR r.rolsuper FROM pg_roles r WHERE r.rolname = current_user",
            static r => (r.GetString(0), r.GetString(1), r.GetBoolean(2)));
        if (walLevel != "logical")
        {
            throw new PostgresCdcException($"{where} runs with wal_level={walLevel}, but the CDC source of table '{options.Table}' reads logical replication: set wal_level=logical and restart PostgreSQL.");
        }
        if (!replication)
        {
            throw new PostgresCdcException($"Role '{user}' lacks the REPLICATION attribute the CDC source of table '{options.Table}' needs to read a replication slot: run ALTER ROLE \"{user}\" REPLICATION as a superuser, or connect as a role that has it.");
        }

        var (schemaName, tableName) = SplitName(options.Table);
        var display = schemaName + "." + tableName;
        var found = QueryRows(connection, """
            SELECT c.oid::bigint, c.relreplident::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
            """, static r => (Oid: r.GetInt64(0), Identity: r.GetString(1)), schemaName, tableName);
        if (found.Count == 0)
        {
            throw new PostgresCdcException($"{where} has no table '{display}' (CDC source): create it, or fix the table name (schema-name, table-name).");
        }
        var (oid, identity) = found[0];
        var columns = QueryRows(connection, """
            SELECT a.attname::text, format_type(a.atttypid, NULL), format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, static r => (Name: r.GetString(0), Type: r.GetString(1), FullType: r.GetString(2)), oid);
        foreach (var field in schema)
        {
            var column = columns.FindIndex(c => c.Name == field.Name);
            if (column < 0)
            {
                throw new PostgresCdcException($"Table '{display}' has no column '{field.Name}' (CDC source); its columns are: {string.Join(", ", columns.Select(c => c.Name))}. Declare only columns the table has.");
            }
            var accepted = PostgresCdcValues.ReadableTypes(field.Type);
            if (!accepted.Contains(columns[column].Type))
            {
                throw new PostgresCdcException($"Column '{field.Name}' of table '{display}' is {columns[column].Type}, which the CDC source cannot read as {field.Type}; declare the field as a type that reads it ({(accepted.Count == 0 ? "scalar types only" : "readable from " + string.Join(", ", accepted))}).");
            }
        }
        var key = QueryRows(connection, """
            SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = $1::oid AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)
            """, static r => (Name: r.GetString(0), Type: r.GetString(1)), oid);
        if (key.Count == 0)
        {
            throw new PostgresCdcException($"Table '{display}' has no primary key; the CDC source chunks its snapshot and identifies changed rows by it: ALTER TABLE {display} ADD PRIMARY KEY (…).");
        }
        foreach (var (name, _) in key)
        {
            if (schema.IndexOf(name) < 0)
            {
                throw new PostgresCdcException($"The CDC source of table '{display}' must declare its primary key column '{name}'.");
            }
        }
        if (options.Changelog == ChangelogMode.All && identity != "f")
        {
            throw new PostgresCdcException($"Table '{display}' has REPLICA IDENTITY {(identity == "d" ? "DEFAULT" : identity)}: updates and deletes carry no old row, which the CDC source's retracting changelog ('all') needs. Run ALTER TABLE {display} REPLICA IDENTITY FULL, or read it as an upsert changelog ('changelog-mode' = 'upsert').");
        }

        var table = new PostgresCdcTable(PostgresColumns.Quote(schemaName) + "." + PostgresColumns.Quote(tableName), display,
            [.. key.Select(k => k.Name)], [.. key.Select(k => k.Type)]);
        EnsurePublication(connection, options, table, schemaName, tableName);
        return table;
    }

    /// <summary><c>schema.name</c> or <c>name</c> (schema <c>public</c>).</summary>
    public static (string Schema, string Table) SplitName(string table)
    {
        var dot = table.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? ("public", table) : (table[..dot], table[(dot + 1)..]);
    }

    private static void EnsurePublication(NpgsqlConnection connection, PostgresCdcOptions options, PostgresCdcTable table, string schemaName, string tableName)
    {
        var publication = options.Publication;
        var exists = QueryRows(connection, "SELECT 1 FROM pg_publication WHERE pubname = $1", static r => r.GetInt32(0), publication).Count > 0;
        var create = $"CREATE PUBLICATION {PostgresColumns.Quote(publication)} FOR TABLE {table.QualifiedName}";
        if (!exists)
        {
            if (!options.CreatePublication)
            {
                throw new PostgresCdcException($"Publication '{publication}' does not exist (CDC source of table '{table.DisplayName}'): run {create} as the table's owner, or let the source create it.");
            }
            try
            {
                using var command = new NpgsqlCommand(create, connection);
                command.ExecuteNonQuery();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new PostgresCdcException($"The CDC source of table '{table.DisplayName}' could not create publication '{publication}' ({e.MessageText}): run {create} as the table's owner, then restart the job.", e);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateObject)
            {
                // Another subtask or job created it meanwhile: check its tables below.
            }
        }
        var covers = QueryRows(connection, "SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3",
            static r => r.GetInt32(0), publication, schemaName, tableName).Count > 0;
        if (!covers)
        {
            throw new PostgresCdcException($"Publication '{publication}' does not publish table '{table.DisplayName}' (CDC source): run ALTER PUBLICATION {PostgresColumns.Quote(publication)} ADD TABLE {table.QualifiedName} as the table's owner, or name another publication.");
        }
    }

    internal static TResult QuerySingle<TResult>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, TResult> read, params object[] parameters) =>
        QueryRows(connection, sql, read, parameters).Single();

    internal static List<TResult> QueryRows<TResult>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, TResult> read, params object[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        using var reader = command.ExecuteReader();
        var rows = new List<TResult>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}
