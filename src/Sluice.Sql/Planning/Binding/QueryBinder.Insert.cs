using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

internal sealed partial class QueryBinder
{
    /// <summary>
    /// An INSERT: the target table and its query, with the query wrapped in a Calc producing exactly the table's
    /// persisted columns (each the query's column cast implicitly to the column's type, or NULL for a column the
    /// INSERT's column list leaves out).
    /// </summary>
    /// <exception cref="SqlException">No such table, a column count or type mismatch (naming the column and both types), or an unnamed NOT NULL column.</exception>
    public (CatalogTable Table, LogicalNode Query) BindInsert(SqlInsert insert)
    {
        var table = _catalog.Find(insert.Table.Name) switch
        {
            CatalogTable t => t,
            CatalogView => throw new SqlException($"'{insert.Table.Name}' is a view; INSERT INTO writes tables only.", insert.Table.Position),
            _ => throw _catalog.Unknown("Table", insert.Table.Name, insert.Table.Position),
        };
        var query = Bind(insert.Query);
        var target = table.PersistedSchema();
        var columns = new List<string>();
        if (insert.Columns.Count == 0)
        {
            columns.AddRange(CalcNode.FieldNames(target));
        }
        else
        {
            foreach (var column in insert.Columns)
            {
                if (target.IndexOf(column) < 0)
                {
                    var reason = table.Column(column) is { } declared ? $"is {(declared is ComputedColumn ? "a computed" : "a virtual metadata")} column, which cannot be written" : "does not exist";
                    throw new SqlException($"Column '{column}' of table sink '{table.Name}' {reason}.{(table.Column(column) is null ? NameSuggestions.DidYouMean(column, CalcNode.FieldNames(target)) : "")}", insert.Position);
                }

                if (columns.Contains(column))
                {
                    throw new SqlException($"The INSERT names column '{column}' of table sink '{table.Name}' twice.", insert.Position);
                }

                columns.Add(column);
            }
        }

        if (query.Schema.Count != columns.Count)
        {
            throw new SqlException(
                $"The query writes {query.Schema.Count} columns into table sink '{table.Name}', which takes {columns.Count}: query schema [{Describe(query.Schema)}], sink schema [{string.Join(", ", columns.Select(c => $"{Schema.QuoteName(c)} {target[target.IndexOf(c)].Type}"))}].",
                insert.Query.Position);
        }

        var projections = new BoundExpression[target.Count];
        for (var i = 0; i < target.Count; i++)
        {
            var column = target[i];
            var source = columns.IndexOf(column.Name);
            if (source < 0)
            {
                if (!column.Type.IsNullable)
                {
                    throw new SqlException($"Column '{column.Name}' of table sink '{table.Name}' is NOT NULL, but the INSERT gives it no value.", insert.Position);
                }

                projections[i] = BoundExpressions.Literal(null, column.Type, insert.Position);
                continue;
            }

            var value = BoundExpressions.Field(query.Schema, source);
            var from = value.Type;
            if (from.Equals(column.Type.WithNullability(from.IsNullable)))
            {
                projections[i] = value;
                continue;
            }

            if (!SqlTypeRules.CanImplicitlyCast(from, column.Type))
            {
                throw new SqlException(
                    $"Column '{column.Name}' of table sink '{table.Name}' is {column.Type}, but the query's column '{query.Schema[source].Name}' is {from}, which does not cast to it implicitly; CAST it explicitly.",
                    insert.Query.Position);
            }

            projections[i] = BoundExpressions.Cast(value, column.Type.WithNullability(from.IsNullable));
        }

        return (table, new CalcNode(query, projections, CalcNode.FieldNames(target)));
    }

    private static string Describe(Schema schema) =>
        string.Join(", ", schema.Select(static f => $"{Schema.QuoteName(f.Name)} {f.Type}"));
}
