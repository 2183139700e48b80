using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Writing;

/// <summary>
/// Decides how rows of one schema are written to a table of another: the same schema as is; with mergeSchema, columns
/// the table lacks are appended to its schema when nullable, and table columns the rows lack are written as null when
/// nullable. Every other difference — a type change, a NOT NULL column added or missing — is refused, naming the field.
/// Stateless.
/// </summary>
internal static class SchemaEvolution
{
    /// <summary>
    /// The schema to write (the table's own instance when unchanged) and, when the rows' columns differ from it, the
    /// index in the rows of each written column (−1: null).
    /// </summary>
    /// <exception cref="DeltaException">The rows do not fit the table, naming the first field at fault and the fix.</exception>
    public static Schema Plan(string tablePath, long version, Schema table, Schema rows, bool mergeSchema, out int[]? projection)
    {
        projection = null;
        if (ReferenceEquals(table, rows) || table.Equals(rows))
        {
            return table;
        }
        var map = new List<int>(Math.Max(table.Count, rows.Count));
        for (var i = 0; i < table.Count; i++)
        {
            var column = table[i];
            var index = rows.IndexOf(column.Name);
            if (index < 0)
            {
                if (!mergeSchema || !column.Type.IsNullable)
                {
                    throw new DeltaException($"The rows appended to table '{tablePath}' (version {version}) lack column '{column.Name}' ({column.Type}){(column.Type.IsNullable ? "; append with MergeSchema to write it as null" : ", which is NOT NULL")}.", version);
                }
                map.Add(-1);
                continue;
            }
            var type = rows[index].Type;
            if (!type.Equals(column.Type) && !(column.Type.IsNullable && type.Nullable().Equals(column.Type)))
            {
                throw new DeltaException($"Column '{column.Name}' is {type} in the rows appended to table '{tablePath}', but {column.Type} in the table (version {version}); only adding nullable columns is a supported schema change.", version);
            }
            map.Add(index);
        }
        var added = new List<Field>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (table.IndexOf(rows[i].Name) >= 0)
            {
                continue;
            }
            if (!mergeSchema)
            {
                throw new DeltaException($"The rows appended to table '{tablePath}' have column '{rows[i].Name}' ({rows[i].Type}), which the table (version {version}) does not; append with MergeSchema to add it.", version);
            }
            if (!rows[i].Type.IsNullable)
            {
                throw new DeltaException($"Column '{rows[i].Name}' cannot be added to table '{tablePath}' (version {version}): it is NOT NULL ({rows[i].Type}), and rows already in the table have no value for it; add it as nullable.", version);
            }
            added.Add(rows[i]);
            map.Add(i);
        }
        var identity = map.Count == rows.Count;
        for (var i = 0; identity && i < map.Count; i++)
        {
            identity = map[i] == i;
        }
        projection = identity ? null : [.. map];
        return added.Count == 0 ? table : new Schema([.. table, .. added]);
    }
}
