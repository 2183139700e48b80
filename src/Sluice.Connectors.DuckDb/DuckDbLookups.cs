using Sluice.Connectors.DuckDb.Lookup;
using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb;

/// <summary>A DuckDB table as a lookup table of the DataStream API (<see cref="DataStream{T}.LookupAsync{TOut}"/>).</summary>
public static class DuckDbLookups
{
    /// <summary>
    /// A lookup source of <paramref name="table"/> in the DuckDB file <paramref name="databasePath"/> (such as the
    /// warehouse the DuckDB sink writes): a batch of keys is one query on the thread pool, over a connection no other
    /// batch uses at the same time, each key finding every row whose key columns equal it (none for a key with a NULL
    /// field). Values are read as the types of <paramref name="schema"/>'s columns, which must exist in the table under
    /// the same names. Opens the file and checks the table on <see cref="IAsyncLookupSource.Open"/>; call once per
    /// subtask (pass it as a factory). Another process holding the file open for writing makes the open fail (DuckDB
    /// allows one writing process per file); a sink of the same process shares it.
    /// </summary>
    /// <param name="databasePath">The database file.</param>
    /// <param name="table">The table (as created: the name is quoted, so case matters).</param>
    /// <param name="schema">The columns read; scalar types only.</param>
    /// <param name="keyColumns">The columns looked up by, in the order of the key rows' fields.</param>
    /// <exception cref="ArgumentException">A key column is not a column of <paramref name="schema"/>, or there is none.</exception>
    /// <exception cref="NotSupportedException">A column is not of a scalar type.</exception>
    public static IAsyncLookupSource Create(string databasePath, string table, Schema schema, IReadOnlyList<string> keyColumns)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(keyColumns);
        if (keyColumns.Count == 0)
        {
            throw new ArgumentException($"A lookup of DuckDB table '{table}' needs at least one key column.", nameof(keyColumns));
        }
        var indexes = new int[keyColumns.Count];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = schema.IndexOf(keyColumns[i]);
            if (indexes[i] < 0)
            {
                throw new ArgumentException($"Key column '{keyColumns[i]}' is not a column of DuckDB lookup table '{table}'; the columns are: {string.Join(", ", schema.Select(static f => f.Name))}.", nameof(keyColumns));
            }
        }
        foreach (var field in schema)
        {
            if (field.Type.Kind is DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map)
            {
                throw new NotSupportedException($"Column '{field.Name}' of DuckDB lookup table '{table}' is {field.Type}, which DuckDB stores as text; declare only scalar columns.");
            }
        }
        return new DuckDbLookupSource(Path.GetFullPath(databasePath), table, schema, indexes);
    }
}
