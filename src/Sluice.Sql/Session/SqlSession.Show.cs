using Sluice.Sql.Catalog;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Session;

// SHOW, DESCRIBE, SET and RESET: the statements that read or change the session.
public sealed partial class SqlSession
{
    private SqlTableResult Show(SqlShow show)
    {
        IEnumerable<string> names = show.Kind switch
        {
            // As Flink, SHOW TABLES lists views too.
            SqlObjectKind.Table => Catalog.Names(tables: true, views: true),
            SqlObjectKind.View => Catalog.Names(tables: false, views: true),
            _ => Functions.Names.Select(static n => n.ToLowerInvariant()).Concat(Catalog.FunctionNames())
                .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase),
        };
        var header = show.Kind switch { SqlObjectKind.Table => "table name", SqlObjectKind.View => "view name", _ => "function name" };
        return new SqlTableResult(show, [header], [.. names.Select(static n => (IReadOnlyList<string>)[n])]);
    }

    /// <summary>
    /// DESCRIBE of a table: one row per column with its name, type (the rowtime column marked <c>*ROWTIME*</c>),
    /// nullability, key (<c>PRI(…)</c>), extras (a computed column's expression, a metadata column's key) and the
    /// watermark expression on the rowtime column, as Flink shows them. A computed column's type is known only once a
    /// query binds it, so its type cell is empty. DESCRIBE of a view goes to the planner.
    /// </summary>
    private SqlStatementResult Describe(SqlDescribe describe)
    {
        var name = Name(describe.Name);
        if (Catalog.Find(name) is CatalogView)
        {
            return ExecuteWithPlanner(describe);
        }

        var table = Catalog.GetTable(name, describe.Name.Position);
        var key = table.PrimaryKey.Count == 0 ? "" : $"PRI({string.Join(", ", table.PrimaryKey)})";
        var rows = new List<IReadOnlyList<string>>(table.Columns.Count);
        foreach (var column in table.Columns)
        {
            var isRowtime = table.Watermark?.Column == column.Name;
            var type = column switch
            {
                PhysicalColumn p => table.PrimaryKey.Contains(p.Name) ? p.Type.NotNull() : p.Type,
                MetadataColumn m => m.Type,
                _ => null,
            };
            var typeText = (type?.ToString() ?? "") + (isRowtime ? " *ROWTIME*" : "");
            var nullable = type is null ? "" : type.IsNullable ? "TRUE" : "FALSE";
            var extras = column switch
            {
                ComputedColumn c => $"AS {c.Expression}",
                MetadataColumn m => $"METADATA{(m.Key is null ? "" : $" FROM '{m.Key}'")}{(m.IsVirtual ? " VIRTUAL" : "")}",
                _ => "",
            };
            rows.Add([column.Name, typeText.Trim(), nullable, table.PrimaryKey.Contains(column.Name) ? key : "", extras, isRowtime ? table.Watermark!.Expression : ""]);
        }

        return new SqlTableResult(describe, ["name", "type", "null", "key", "extras", "watermark"], rows);
    }

    private SqlStatementResult Set(SqlSet set)
    {
        if (set.Key is null)
        {
            var rows = new List<IReadOnlyList<string>>(SqlSettings.Keys.Count);
            foreach (var key in SqlSettings.Keys)
            {
                rows.Add([key, Settings.ValueOf(key)]);
            }

            return new SqlTableResult(set, ["key", "value"], rows);
        }

        Settings = Settings.With(set.Key, set.Value ?? "", set.Position);
        return Message(set, $"Setting '{set.Key}' is now '{Settings.ValueOf(set.Key)}'.");
    }

    private SqlMessageResult Reset(SqlReset reset)
    {
        if (reset.Key is null)
        {
            Settings = SqlSettings.Default;
            return Message(reset, "Every setting is back at its default.");
        }

        Settings = Settings.Reset(reset.Key, reset.Position);
        return Message(reset, $"Setting '{reset.Key}' is back at its default '{Settings.ValueOf(reset.Key)}'.");
    }
}
