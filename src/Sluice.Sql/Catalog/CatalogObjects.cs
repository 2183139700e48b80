using Sluice.Schemas;

namespace Sluice.Sql.Catalog;

/// <summary>A column of a catalog table, as CREATE TABLE declares it.</summary>
/// <param name="Name">The column's name (case-sensitive, as in Flink SQL).</param>
/// <param name="Comment">The column's COMMENT, if any.</param>
internal abstract record CatalogColumn(string Name, string? Comment)
{
    /// <summary>Whether the connector reads and writes the column (physical and non-virtual metadata columns).</summary>
    public abstract bool IsPersisted { get; }
}

/// <summary>A column the connector's format reads and writes: <c>name TYPE</c>.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Type">The column's type.</param>
/// <param name="Comment">The column's COMMENT, if any.</param>
internal sealed record PhysicalColumn(string Name, DataType Type, string? Comment = null) : CatalogColumn(Name, Comment)
{
    /// <inheritdoc/>
    public override bool IsPersisted => true;
}

/// <summary>
/// A column computed from the others: <c>name AS expression</c>. Its type is inferred when a query binds the table;
/// the catalog keeps the expression's SQL text.
/// </summary>
/// <param name="Name">The column's name.</param>
/// <param name="Expression">The expression's SQL text, as written.</param>
/// <param name="Comment">The column's COMMENT, if any.</param>
internal sealed record ComputedColumn(string Name, string Expression, string? Comment = null) : CatalogColumn(Name, Comment)
{
    /// <inheritdoc/>
    public override bool IsPersisted => false;
}

/// <summary>
/// A column the connector fills from a record's metadata (a Kafka timestamp, a log offset):
/// <c>name TYPE METADATA [FROM 'key'] [VIRTUAL]</c>.
/// </summary>
/// <param name="Name">The column's name.</param>
/// <param name="Type">The column's type.</param>
/// <param name="Key">The connector's metadata key; null means the key is the column's name.</param>
/// <param name="IsVirtual">A virtual column is read only: a sink does not write it.</param>
/// <param name="Comment">The column's COMMENT, if any.</param>
internal sealed record MetadataColumn(string Name, DataType Type, string? Key = null, bool IsVirtual = false, string? Comment = null)
    : CatalogColumn(Name, Comment)
{
    /// <summary>The metadata key the connector is asked for.</summary>
    public string MetadataKey => Key ?? Name;

    /// <inheritdoc/>
    public override bool IsPersisted => !IsVirtual;
}

/// <summary>The table's watermark: <c>WATERMARK FOR column AS expression</c>.</summary>
/// <param name="Column">The event-time column (a TIMESTAMP(3) or TIMESTAMP_LTZ(3) column of the table).</param>
/// <param name="Expression">The watermark expression's SQL text, as written.</param>
internal sealed record WatermarkSpec(string Column, string Expression);

/// <summary>A <c>CONSTRAINT name CHECK (expression) ON VIOLATION action</c> of a table: a rule on the rows written into it.</summary>
/// <param name="Name">The constraint's name (the rule's name in metrics and dead letters).</param>
/// <param name="Expression">The condition's SQL text (canonical); a row passes unless it is FALSE (NULL passes, as in SQL).</param>
/// <param name="Action">What happens to a row that fails it.</param>
internal sealed record CheckSpec(string Name, string Expression, Sluice.Quality.RuleAction Action);

/// <summary>
/// A table of the catalog: its columns, watermark, keys and connector options. Immutable; validated when created
/// (<see cref="Validate"/>), so a table the catalog holds is always well formed.
/// </summary>
internal sealed record CatalogTable
{
    /// <summary>The table's name.</summary>
    public required string Name { get; init; }

    /// <summary>The columns, in declaration order.</summary>
    public required IReadOnlyList<CatalogColumn> Columns { get; init; }

    /// <summary>The watermark, when the table has an event-time column.</summary>
    public WatermarkSpec? Watermark { get; init; }

    /// <summary>The primary key columns (<c>PRIMARY KEY (…) NOT ENFORCED</c>), in key order; empty when none.</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>The partition columns (<c>PARTITIONED BY (…)</c>); empty when none.</summary>
    public IReadOnlyList<string> PartitionKeys { get; init; } = [];

    /// <summary>The connector options of the <c>WITH</c> clause, keys in declaration order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Options { get; init; } = [];

    /// <summary>The table's COMMENT, if any.</summary>
    public string? Comment { get; init; }

    /// <summary>The table's CHECK constraints, in declaration order; empty when none.</summary>
    public IReadOnlyList<CheckSpec> Checks { get; init; } = [];

    /// <summary>
    /// The table option naming a data contract (<c>'contract' = 'contracts/orders.yaml'</c>): the rows written into the
    /// table pass its schema check and rules (docs/quality.md, "Data contracts"). The planner reads it; connectors do not
    /// see it.
    /// </summary>
    public const string ContractKey = "contract";

    /// <summary>The data contract of the table's <see cref="ContractKey"/> option, loaded now, or null without one.</summary>
    /// <exception cref="SqlException">The contract cannot be read, or does not fit the rows written into the table; the message names the table, the contract file and line.</exception>
    public Sluice.Quality.DataContract? LoadContract(SqlPosition? position = null)
    {
        if (Option(ContractKey) is not { } path)
        {
            return null;
        }

        try
        {
            var contract = Sluice.Quality.DataContract.Load(path);
            contract.AddTo(new Sluice.Quality.RowExpectations(PersistedSchema()));
            return contract;
        }
        catch (Sluice.Quality.DataContractException e)
        {
            throw new SqlException($"The data contract of table '{Name}' is invalid: {e.Message}", position, e);
        }
    }

    /// <summary>The value of option <paramref name="key"/>, or null.</summary>
    public string? Option(string key)
    {
        foreach (var option in Options)
        {
            if (option.Key == key)
            {
                return option.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The schema the connector sees: physical and non-virtual metadata columns, in order. Primary key columns are
    /// NOT NULL, as Flink makes them.
    /// </summary>
    public Schema PersistedSchema()
    {
        var fields = new List<Field>(Columns.Count);
        foreach (var column in Columns)
        {
            var type = column switch
            {
                PhysicalColumn p => p.Type,
                MetadataColumn { IsVirtual: false } m => m.Type,
                _ => null,
            };
            if (type is not null)
            {
                fields.Add(new Field(column.Name, PrimaryKey.Contains(column.Name) ? type.NotNull() : type));
            }
        }

        return new Schema(fields);
    }

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public CatalogColumn? Column(string name)
    {
        foreach (var column in Columns)
        {
            if (column.Name == name)
            {
                return column;
            }
        }

        return null;
    }

    /// <summary>
    /// Checks the table is well formed: at least one column, unique column names, a <c>connector</c> option, no
    /// option given twice, and key, partition and watermark columns that exist (primary key and partition columns
    /// physical, the watermark column a timestamp when it is physical or metadata).
    /// </summary>
    /// <exception cref="SqlException">One sentence naming the table and the column or option at fault.</exception>
    public void Validate(SqlPosition? position = null)
    {
        if (Columns.Count == 0)
        {
            throw new SqlException($"Table '{Name}' has no columns.", position);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in Columns)
        {
            if (!names.Add(column.Name))
            {
                throw new SqlException($"Table '{Name}' declares column '{column.Name}' twice.", position);
            }
        }

        CheckColumns(PrimaryKey, "PRIMARY KEY", position);
        var checks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var check in Checks)
        {
            if (!checks.Add(check.Name))
            {
                throw new SqlException($"Table '{Name}' declares CHECK constraint '{check.Name}' twice.", position);
            }
        }

        CheckColumns(PartitionKeys, "PARTITIONED BY", position);
        if (Watermark is { } watermark)
        {
            var column = Column(watermark.Column)
                ?? throw new SqlException($"The WATERMARK of table '{Name}' is for column '{watermark.Column}', which the table does not have.{NameSuggestions.DidYouMean(watermark.Column, names)}", position);
            var type = column switch { PhysicalColumn p => p.Type, MetadataColumn m => m.Type, _ => null };
            if (type is not null && type.Kind is not (DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
            {
                throw new SqlException($"The WATERMARK of table '{Name}' is for column '{watermark.Column}' of type {type}; an event-time column must be TIMESTAMP(3) or TIMESTAMP_LTZ(3).", position);
            }
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in Options)
        {
            if (!keys.Add(option.Key))
            {
                throw new SqlException($"Table '{Name}' sets option '{option.Key}' twice.", position);
            }
        }

        if (!keys.Contains("connector"))
        {
            throw new SqlException($"Table '{Name}' has no 'connector' option: add WITH ('connector' = '…') naming one of the connectors 'sluice connectors list' shows.", position);
        }
    }

    private void CheckColumns(IReadOnlyList<string> columns, string clause, SqlPosition? position)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in columns)
        {
            var column = Column(name)
                ?? throw new SqlException($"The {clause} of table '{Name}' names column '{name}', which the table does not have.{NameSuggestions.DidYouMean(name, Columns.Select(static c => c.Name))}", position);
            if (column is not PhysicalColumn)
            {
                throw new SqlException($"The {clause} of table '{Name}' names column '{name}', which is not a physical column.", position);
            }

            if (!seen.Add(name))
            {
                throw new SqlException($"The {clause} of table '{Name}' names column '{name}' twice.", position);
            }
        }
    }
}

/// <summary>A view: a named query, expanded where it is used (<c>CREATE VIEW name [(columns)] AS query</c>).</summary>
/// <param name="Name">The view's name.</param>
/// <param name="Query">The query's SQL text, as written.</param>
/// <param name="ColumnNames">The column names the view declares, or empty to take the query's.</param>
/// <param name="Comment">The view's COMMENT, if any.</param>
internal sealed record CatalogView(string Name, string Query, IReadOnlyList<string> ColumnNames, string? Comment = null);

/// <summary>A user-defined function: <c>CREATE FUNCTION name AS 'Namespace.Type'</c>.</summary>
/// <param name="Name">The function's name; function names are case-insensitive, as in Flink.</param>
/// <param name="ClassName">The CLR type implementing it, assembly-qualified or found in the loaded assemblies.</param>
internal sealed record CatalogFunction(string Name, string ClassName);
