using System.Text;
using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>
/// Reads a catalog table. The connector produces <see cref="SourceSchema"/> (the physical and metadata columns, virtual
/// ones included, in declaration order); every table column is then <see cref="ColumnExpressions"/>[i] over that row (a
/// field reference, or the bound computed-column expression); the scan outputs the columns <see cref="Fields"/> selects
/// (projection push-down prunes it). Insert-only, or the table's declared changelog when the binder is told the
/// source is updating.
/// </summary>
internal sealed class TableScanNode : LogicalNode
{
    /// <summary>Creates a scan of <paramref name="fields"/> (indexes into <paramref name="tableSchema"/>).</summary>
    /// <param name="table">The catalog table.</param>
    /// <param name="alias">The name the query gave the table (its own name when none), for EXPLAIN.</param>
    /// <param name="sourceSchema">The physical and metadata columns, in declaration order.</param>
    /// <param name="tableSchema">Every column of the table, in declaration order, with computed columns' inferred types.</param>
    /// <param name="columnExpressions">For each column of <paramref name="tableSchema"/>, its value over <paramref name="sourceSchema"/>.</param>
    /// <param name="tableTimeAttributes">For each column of <paramref name="tableSchema"/>, its time attribute.</param>
    /// <param name="watermark">The bound WATERMARK expression over <paramref name="tableSchema"/>, or null.</param>
    /// <param name="rowtimeColumn">The WATERMARK column, by index into <paramref name="tableSchema"/>, or -1.</param>
    /// <param name="fields">The output columns, by index into <paramref name="tableSchema"/>.</param>
    /// <param name="changelog">What the source produces (insert-only for most connectors).</param>
    public TableScanNode(
        CatalogTable table,
        string alias,
        Schema sourceSchema,
        Schema tableSchema,
        IReadOnlyList<BoundExpression> columnExpressions,
        IReadOnlyList<TimeAttributeKind> tableTimeAttributes,
        BoundExpression? watermark,
        int rowtimeColumn,
        IReadOnlyList<int> fields,
        ChangelogMode changelog = ChangelogMode.InsertOnly)
        : base(Project(tableSchema, fields), ProjectAttributes(tableTimeAttributes, fields))
    {
        Table = table;
        Alias = alias;
        SourceSchema = sourceSchema;
        TableSchema = tableSchema;
        ColumnExpressions = columnExpressions;
        TableTimeAttributes = tableTimeAttributes;
        Watermark = watermark;
        RowtimeColumn = rowtimeColumn;
        Fields = fields;
        Changelog = changelog;
    }

    /// <summary>The catalog table read.</summary>
    public CatalogTable Table { get; }

    /// <summary>The name the query gave the table.</summary>
    public string Alias { get; }

    /// <summary>The row the connector produces: physical and metadata columns (virtual ones too), in declaration order.</summary>
    public Schema SourceSchema { get; }

    /// <summary>Every column of the table in declaration order (computed columns with their inferred types).</summary>
    public Schema TableSchema { get; }

    /// <summary>For each column of <see cref="TableSchema"/>, its value computed from a <see cref="SourceSchema"/> row.</summary>
    public IReadOnlyList<BoundExpression> ColumnExpressions { get; }

    /// <summary>For each column of <see cref="TableSchema"/>, its time attribute.</summary>
    public IReadOnlyList<TimeAttributeKind> TableTimeAttributes { get; }

    /// <summary>The WATERMARK expression over a <see cref="TableSchema"/> row, or null when the table has none.</summary>
    public BoundExpression? Watermark { get; }

    /// <summary>The WATERMARK (event-time) column, by index into <see cref="TableSchema"/>, or -1.</summary>
    public int RowtimeColumn { get; }

    /// <summary>The output columns, by index into <see cref="TableSchema"/>, in output order.</summary>
    public IReadOnlyList<int> Fields { get; }

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs => [];

    /// <inheritdoc />
    public override ChangelogMode Changelog { get; }

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => Changelog == ChangelogMode.InsertOnly ? null : this;

    /// <inheritdoc />
    public override IReadOnlyList<int>? UniqueKey
    {
        get
        {
            if (Table.PrimaryKey.Count == 0)
            {
                return null;
            }

            var key = new int[Table.PrimaryKey.Count];
            for (var i = 0; i < key.Length; i++)
            {
                key[i] = Schema.IndexOf(Table.PrimaryKey[i]);
                if (key[i] < 0)
                {
                    return null;
                }
            }

            return key;
        }
    }

    /// <inheritdoc />
    public override string Name => "TableSourceScan";

    /// <summary>The same scan reading only <paramref name="fields"/> (indexes into <see cref="TableSchema"/>).</summary>
    public TableScanNode WithFields(IReadOnlyList<int> fields) =>
        new(Table, Alias, SourceSchema, TableSchema, ColumnExpressions, TableTimeAttributes, Watermark, RowtimeColumn, fields, Changelog);

    /// <inheritdoc />
    public override string Describe()
    {
        var text = new StringBuilder($"{Name}(table=[[{Table.Name}]], fields={AllFields(Schema)}");
        for (var i = 0; i < Fields.Count; i++)
        {
            if (ColumnExpressions[Fields[i]] is not InputReference)
            {
                text.Append(", ").Append(Schema.QuoteName(TableSchema[Fields[i]].Name)).Append("=[").Append(ColumnExpressions[Fields[i]]).Append(']');
            }
        }

        if (Watermark is not null && RowtimeColumn >= 0)
        {
            text.Append(", watermark=[").Append(Schema.QuoteName(TableSchema[RowtimeColumn].Name)).Append(", ").Append(Watermark).Append(']');
        }

        return text.Append(')').ToString();
    }

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) => this;

    private static Schema Project(Schema schema, IReadOnlyList<int> fields)
    {
        var projected = new Field[fields.Count];
        for (var i = 0; i < projected.Length; i++)
        {
            projected[i] = schema[fields[i]];
        }

        return new Schema(projected);
    }

    private static TimeAttributeKind[] ProjectAttributes(IReadOnlyList<TimeAttributeKind> attributes, IReadOnlyList<int> fields)
    {
        var projected = new TimeAttributeKind[fields.Count];
        for (var i = 0; i < projected.Length; i++)
        {
            projected[i] = attributes[fields[i]];
        }

        return projected;
    }
}

/// <summary>Literal rows: <c>VALUES (…), (…)</c>. Insert-only; no time attributes.</summary>
internal sealed class ValuesNode : LogicalNode
{
    /// <summary>Creates the node; each row has one constant expression per field of <paramref name="schema"/>, of its type.</summary>
    public ValuesNode(Schema schema, IReadOnlyList<IReadOnlyList<BoundExpression>> rows) : base(schema, NoTimeAttributes(schema.Count))
    {
        foreach (var row in rows)
        {
            if (row.Count != schema.Count)
            {
                throw new ArgumentException($"A row of {row.Count} values for {schema.Count} fields.", nameof(rows));
            }
        }

        Rows = rows;
    }

    /// <summary>The rows: constant expressions (literals, or casts of literals), one per field.</summary>
    public IReadOnlyList<IReadOnlyList<BoundExpression>> Rows { get; }

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs => [];

    /// <inheritdoc />
    public override ChangelogMode Changelog => ChangelogMode.InsertOnly;

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => null;

    /// <inheritdoc />
    public override string Name => "Values";

    /// <inheritdoc />
    public override string Describe()
    {
        var text = new StringBuilder($"{Name}(tuples=[");
        for (var r = 0; r < Rows.Count; r++)
        {
            text.Append(r == 0 ? "{ " : ", { ");
            for (var i = 0; i < Rows[r].Count; i++)
            {
                text.Append(i == 0 ? "" : ", ").Append(Rows[r][i]);
            }

            text.Append(" }");
        }

        return text.Append("], fields=").Append(AllFields(Schema)).Append(')').ToString();
    }

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) => this;
}
