using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

/// <summary>
/// Turns catalog tables into scans (binding their computed columns and WATERMARK expression), and CREATE TABLE /
/// CREATE VIEW statements into catalog objects checked the same way. Thread-safe (no state).
/// </summary>
internal static class TableBinder
{
    /// <summary>A scan of every column of <paramref name="table"/>, known in the query as <paramref name="alias"/>.</summary>
    /// <exception cref="SqlException">A computed column or the WATERMARK expression does not bind; the message names the table and column.</exception>
    public static TableScanNode Scan(CatalogTable table, string alias, FunctionCatalog functions, ChangelogMode changelog = ChangelogMode.InsertOnly)
    {
        var sourceFields = new List<Field>();
        foreach (var column in table.Columns)
        {
            switch (column)
            {
                case PhysicalColumn physical:
                    sourceFields.Add(new Field(physical.Name, table.PrimaryKey.Contains(physical.Name) ? physical.Type.NotNull() : physical.Type));
                    break;
                case MetadataColumn metadata:
                    sourceFields.Add(new Field(metadata.Name, metadata.Type));
                    break;
                default:
                    break;
            }
        }

        var source = new Schema(sourceFields);
        var sourceScope = Scope.Of(source, table.Name);
        var expressions = new BoundExpression[table.Columns.Count];
        var fields = new Field[table.Columns.Count];
        var attributes = new TimeAttributeKind[table.Columns.Count];
        for (var i = 0; i < expressions.Length; i++)
        {
            var column = table.Columns[i];
            if (column is ComputedColumn computed)
            {
                try
                {
                    var binder = new ExpressionBinder(sourceScope, functions, $"computed column '{computed.Name}' of table '{table.Name}'");
                    expressions[i] = binder.Bind(SqlParser.ParseExpression(computed.Expression));
                }
                catch (SqlException e)
                {
                    throw new SqlException($"Computed column '{computed.Name}' of table '{table.Name}' is invalid: {e.Reason}", null, e);
                }

                if (expressions[i] is CallExpression call && call.Function.Name.Equals("PROCTIME", StringComparison.OrdinalIgnoreCase))
                {
                    attributes[i] = TimeAttributeKind.Proctime;
                }
            }
            else
            {
                expressions[i] = BoundExpressions.Field(source, column.Name);
            }

            fields[i] = new Field(column.Name, expressions[i].Type);
        }

        var tableSchema = new Schema(fields);
        BoundExpression? watermark = null;
        var rowtime = -1;
        if (table.Watermark is { } spec)
        {
            rowtime = tableSchema.IndexOf(spec.Column);
            var type = tableSchema[rowtime].Type;
            if (type.Kind is not (DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
            {
                throw new SqlException($"The WATERMARK of table '{table.Name}' is for column '{spec.Column}' of type {type}; an event-time column must be TIMESTAMP(3) or TIMESTAMP_LTZ(3).");
            }

            try
            {
                var binder = new ExpressionBinder(Scope.Of(tableSchema, table.Name), functions, $"the WATERMARK of table '{table.Name}'");
                watermark = binder.Bind(SqlParser.ParseExpression(spec.Expression));
            }
            catch (SqlException e)
            {
                throw new SqlException($"The WATERMARK expression of table '{table.Name}' is invalid: {e.Reason}", null, e);
            }

            if (watermark.Type.Kind != type.Kind)
            {
                throw new SqlException($"The WATERMARK expression of table '{table.Name}' is {watermark.TypeName}, but its column '{spec.Column}' is {type}; the watermark must have the column's type.");
            }

            attributes[rowtime] = TimeAttributeKind.Rowtime;
        }

        return new TableScanNode(table, alias, source, tableSchema, expressions, attributes, watermark, rowtime, AggregateSchemas.Range(tableSchema.Count), changelog);
    }

    /// <summary>
    /// The catalog table a CREATE TABLE declares, validated (<see cref="CatalogTable.Validate"/>) and with its computed
    /// columns and WATERMARK bound, so a table that cannot be queried is rejected when it is created.
    /// </summary>
    /// <exception cref="SqlException">The declaration is invalid; one sentence naming the table and column.</exception>
    public static CatalogTable ToCatalogTable(SqlCreateTable create, FunctionCatalog functions)
    {
        var columns = new List<CatalogColumn>(create.Columns.Count);
        foreach (var column in create.Columns)
        {
            columns.Add(column switch
            {
                SqlPhysicalColumn p => new PhysicalColumn(p.Name, p.Type, p.Comment),
                SqlComputedColumn c => new ComputedColumn(c.Name, SqlFormatter.Format(c.Expression), c.Comment),
                SqlMetadataColumn m => new MetadataColumn(m.Name, m.Type, m.Key, m.Virtual, m.Comment),
                _ => throw new SqlException($"Unknown column definition {column.GetType().Name}.", column.Position),
            });
        }

        var options = new List<KeyValuePair<string, string>>(create.Options.Count);
        foreach (var option in create.Options)
        {
            options.Add(new KeyValuePair<string, string>(option.Key, option.Value));
        }

        var table = new CatalogTable
        {
            Name = create.Name.Name,
            Columns = columns,
            Watermark = create.Watermark is { } w ? new WatermarkSpec(w.Column, SqlFormatter.Format(w.Expression)) : null,
            PrimaryKey = create.PrimaryKey is { } key ? [.. key.Columns] : [],
            PartitionKeys = [.. create.PartitionedBy],
            Options = options,
            Comment = create.Comment,
            Checks = [.. create.Checks.Select(c => new CheckSpec(c.Name, SqlFormatter.Format(c.Condition), c.Action))],
        };
        table.Validate(create.Position);
        try
        {
            Scan(table, table.Name, functions);
        }
        catch (SqlException e) when (e.Position is null)
        {
            throw new SqlException(e.Reason, create.Position, e);
        }

        for (var i = 0; i < create.Checks.Count; i++)
        {
            try
            {
                BindCheck(table, table.Checks[i], functions);
            }
            catch (SqlException e) when (e.Position is null)
            {
                throw new SqlException(e.Reason, create.Checks[i].Position, e);
            }
        }

        // A contract whose fields or rules do not fit the table fails CREATE TABLE, at the option.
        table.LoadContract(create.Options.FirstOrDefault(o => o.Key == CatalogTable.ContractKey)?.Position ?? create.Position);
        return table;
    }

    /// <summary>
    /// The condition of <paramref name="check"/> bound over the rows written into <paramref name="table"/> (its
    /// <see cref="CatalogTable.PersistedSchema"/>).
    /// </summary>
    /// <exception cref="SqlException">The condition names a column the written rows do not have, does not bind, or is not BOOLEAN; the message names the constraint and table.</exception>
    public static BoundExpression BindCheck(CatalogTable table, CheckSpec check, FunctionCatalog functions)
    {
        BoundExpression condition;
        try
        {
            var binder = new ExpressionBinder(Scope.Of(table.PersistedSchema(), table.Name), functions, $"CHECK constraint '{check.Name}' of table '{table.Name}'");
            condition = binder.Bind(SqlParser.ParseExpression(check.Expression));
        }
        catch (SqlException e)
        {
            throw new SqlException($"CHECK constraint '{check.Name}' of table '{table.Name}' is invalid: {e.Reason}", null, e);
        }

        if (condition.Type.Kind != DataTypeKind.Boolean)
        {
            throw new SqlException($"CHECK constraint '{check.Name}' of table '{table.Name}' is {condition.TypeName}; a CHECK condition must be BOOLEAN (a comparison, IS NOT NULL, …).");
        }

        return condition;
    }

    /// <summary>The catalog view a CREATE VIEW declares (its query kept as canonical SQL text).</summary>
    public static CatalogView ToCatalogView(SqlCreateView create) =>
        new(create.Name.Name, SqlFormatter.Format(create.Query), [.. create.Columns], create.Comment);
}
