using System.Globalization;
using System.Text;
using Sluice.Connectors.Delta.Log;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta;

/// <summary>
/// A DuckDB <c>SELECT</c> that reads one Delta snapshot with DuckDB's own Parquet reader, for views over Delta tables
/// where DuckDB's delta extension is not available (<c>sluice query</c>, the PostgreSQL endpoint). The statement names
/// the snapshot's active files exactly (never a removed or uncommitted file), so it is fixed to that snapshot: build it
/// again to see later versions. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// The columns are the table schema's, in its order. Data columns come from the files by name
/// (<c>union_by_name</c>), joined under a typed empty row so that a column no file holds yet (added by mergeSchema)
/// reads as null with the table's type. Partition values come from the log, not from directory names: each file's
/// values are a <c>VALUES</c> row joined on the file name and cast to the column's type, so nulls and values with
/// special characters read exactly as the log holds them. Nested (ROW, ARRAY, MAP) columns are read as DuckDB infers
/// them from the files and are left out while no file holds them.
/// </remarks>
public static class DeltaDuckDbView
{
    /// <summary>The name of the internal file-name column the statement joins on (not in its result).</summary>
    internal const string FileColumn = "__sluice_delta_file";

    /// <summary>The DuckDB <c>SELECT</c> statement that reads <paramref name="snapshot"/>'s rows.</summary>
    /// <exception cref="DeltaException">A column's type has no DuckDB counterpart here (TIME), naming the column.</exception>
    public static string SelectStatement(DeltaSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var schema = snapshot.Schema;
        var partitions = snapshot.PartitionColumns;
        var sql = new StringBuilder("SELECT ");
        var projected = 0;
        foreach (var field in schema)
        {
            if (Contains(partitions, field.Name))
            {
                sql.Append(projected++ > 0 ? ", " : "").Append("CAST(p.").Append(Identifier(field.Name)).Append(" AS ")
                    .Append(TypeName(field)).Append(") AS ").Append(Identifier(field.Name));
            }
            else if (TypeName(field) is not null || snapshot.FileCount > 0)
            {
                sql.Append(projected++ > 0 ? ", " : "").Append("d.").Append(Identifier(field.Name));
            }
        }
        if (projected == 0)
        {
            throw new DeltaException($"Table '{snapshot.TablePath}' at version {snapshot.Version} has no column the DuckDB view can read yet.", snapshot.Version);
        }
        sql.Append(" FROM (SELECT ");
        var first = true;
        foreach (var field in schema)
        {
            if (Contains(partitions, field.Name) || TypeName(field) is not { } type)
            {
                continue;
            }
            sql.Append(first ? "" : ", ").Append("CAST(NULL AS ").Append(type).Append(") AS ").Append(Identifier(field.Name));
            first = false;
        }
        sql.Append(first ? "" : ", ").Append("CAST(NULL AS VARCHAR) AS ").Append(FileColumn).Append(" WHERE false");
        var files = new string[snapshot.FileCount];
        for (var f = 0; f < files.Length; f++)
        {
            var relative = DeltaPaths.Decode(snapshot.ActiveFiles[f].Path);
            files[f] = Path.GetFullPath(Path.IsPathRooted(relative) ? relative : Path.Combine(snapshot.TablePath, relative));
        }
        if (files.Length > 0)
        {
            sql.Append(" UNION ALL BY NAME SELECT * FROM read_parquet([");
            for (var f = 0; f < files.Length; f++)
            {
                sql.Append(f > 0 ? ", " : "").Append(Literal(files[f]));
            }
            // hive_partitioning off: partition values come from the log, and a `name=value` folder anywhere in a path
            // (above the lake too) must not add or replace a column.
            sql.Append("], union_by_name = true, hive_partitioning = false, filename = ").Append(Literal(FileColumn)).Append(')');
        }
        sql.Append(") AS d");
        if (partitions.Count > 0)
        {
            sql.Append(" JOIN (VALUES ");
            for (var f = 0; f < files.Length; f++)
            {
                sql.Append(f > 0 ? ", " : "").Append('(').Append(Literal(files[f]));
                var values = snapshot.ActiveFiles[f].PartitionValues;
                foreach (var column in partitions)
                {
                    var value = values.TryGetValue(column, out var text) ? text : null;
                    sql.Append(", ").Append(string.IsNullOrEmpty(value) ? "NULL::VARCHAR" : Literal(value));
                }
                sql.Append(')');
            }
            if (files.Length == 0)
            {
                // No file: an empty VALUES list is not SQL; one row that matches nothing keeps the columns.
                sql.Append("(NULL::VARCHAR");
                foreach (var _ in partitions)
                {
                    sql.Append(", NULL::VARCHAR");
                }
                sql.Append(')');
            }
            sql.Append(") AS p(").Append(FileColumn);
            foreach (var column in partitions)
            {
                sql.Append(", ").Append(Identifier(column));
            }
            sql.Append(") ON d.").Append(FileColumn).Append(" = p.").Append(FileColumn);
        }
        return sql.ToString();
    }

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        foreach (var candidate in names)
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The DuckDB type of a scalar column; null for nested columns (left to DuckDB's inference).</summary>
    private static string? TypeName(Field field) => field.Type.Kind switch
    {
        DataTypeKind.Boolean => "BOOLEAN",
        DataTypeKind.Int => "INTEGER",
        DataTypeKind.BigInt => "BIGINT",
        DataTypeKind.Float => "FLOAT",
        DataTypeKind.Double => "DOUBLE",
        DataTypeKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({field.Type.Precision}, {field.Type.Scale})"),
        DataTypeKind.Varchar => "VARCHAR",
        DataTypeKind.Bytes => "BLOB",
        DataTypeKind.Date => "DATE",
        DataTypeKind.Timestamp => "TIMESTAMP",
        DataTypeKind.TimestampLtz => "TIMESTAMPTZ",
        DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map => null,
        var kind => throw new DeltaException($"Column '{field.Name}' is {kind}, which the DuckDB view of a Delta table cannot read."),
    };

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
