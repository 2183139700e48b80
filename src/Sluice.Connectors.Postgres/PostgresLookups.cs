using Sluice.Configuration;
using Sluice.Connectors.Postgres.Lookup;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres;

/// <summary>A PostgreSQL table as a lookup table of the DataStream API (<see cref="DataStream{T}.LookupAsync{TOut}"/>).</summary>
public static class PostgresLookups
{
    /// <summary>
    /// A lookup source of <paramref name="table"/>: a batch of keys is one query (the table joined with the
    /// <c>unnest</c> of one array per key column: one round trip), each key finding every row whose key columns equal it
    /// (none for a key with a NULL field). Values are read as the types of <paramref name="schema"/>'s columns, which
    /// must exist in the table under the same names. Connects on <see cref="IAsyncLookupSource.Open"/>; call once per
    /// subtask (pass it as a factory).
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="table">The table: <c>name</c> or <c>schema.name</c> (as created: names are quoted, so case matters).</param>
    /// <param name="schema">The columns read.</param>
    /// <param name="keyColumns">The columns looked up by, in the order of the key rows' fields.</param>
    /// <exception cref="ArgumentException">A key column is not a column of <paramref name="schema"/>, or there is none.</exception>
    /// <exception cref="NotSupportedException">A column is not of a scalar type.</exception>
    public static IAsyncLookupSource Create(string connectionString, string table, Schema schema, IReadOnlyList<string> keyColumns)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(keyColumns);
        var dot = table.IndexOf('.', StringComparison.Ordinal);
        return New(connectionString, dot < 0 ? "public" : table[..dot], dot < 0 ? table : table[(dot + 1)..], table, schema, KeyIndexes(schema, keyColumns));
    }

    /// <summary>The SQL connectors' lookup source: <see cref="LookupOptions"/> (cache, retries) applied.</summary>
    internal static ILookupSource ForTable(ConnectorContext context, IReadOnlyList<string> keyColumns, string connector, string connectionString, string schemaName, string tableName)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        var lookup = LookupOptions.From(context.Options);
        PostgresLookupSource source;
        try
        {
            source = New(connectionString, schemaName, tableName, context.TableName, context.Schema, KeyIndexes(context.Schema, keyColumns));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ConfigOptionsException($"Table '{context.TableName}' cannot be a PostgreSQL lookup table: {e.Message}", connector);
        }
        return lookup.Apply(source, context.TableName);
    }

    private static PostgresLookupSource New(string connectionString, string schemaName, string tableName, string display, Schema schema, int[] keyIndexes) =>
        new(connectionString, PostgresColumns.Quote(schemaName) + "." + PostgresColumns.Quote(tableName), display, schema, keyIndexes);

    private static int[] KeyIndexes(Schema schema, IReadOnlyList<string> keyColumns)
    {
        if (keyColumns.Count == 0)
        {
            throw new ArgumentException("A lookup needs at least one key column.", nameof(keyColumns));
        }
        var indexes = new int[keyColumns.Count];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = schema.IndexOf(keyColumns[i]);
            if (indexes[i] < 0)
            {
                throw new ArgumentException($"Key column '{keyColumns[i]}' is not a column; the columns are: {string.Join(", ", schema.Select(f => f.Name))}.", nameof(keyColumns));
            }
        }
        return indexes;
    }
}
