using Sluice.Configuration;
using Sluice.Connectors.DuckDb.Lookup;
using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;

[assembly: Sluice.Connectors.ConnectorFactories(typeof(Sluice.Connectors.DuckDb.DuckDbConnectorFactory))]

namespace Sluice.Connectors.DuckDb;

/// <summary>
/// The 'duckdb' connector: a sink of rows written exactly once into a table of a DuckDB database file through
/// <see cref="DuckDbWarehouseSink.ForRows"/>, appended, or upserted by the table's key (its PRIMARY KEY, or
/// <c>sink.key-fields</c>); and a lookup table (<see cref="CreateLookupSource"/>) read by a parameterized query on the
/// join's key columns, with Flink's <c>lookup.*</c> cache and retry options. Thread-safe and stateless.
/// </summary>
/// <remarks>
/// Upsert mode applies a changelog as Flink's JDBC sink does: <c>+I</c> and <c>+U</c> rows insert or replace the row
/// of their key, <c>-D</c> and <c>-U</c> rows delete it (a <c>-U</c> then its <c>+U</c> in one batch is one upsert).
/// Append mode fails the job on a retraction (<c>-D</c>, <c>-U</c>), naming the row, instead of writing it as new data.
/// </remarks>
public sealed class DuckDbConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier (Flink has no DuckDB connector).</summary>
    public const string Name = "duckdb";

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Required("path", ConfigOptionType.String, "The DuckDB database file; created if missing."),
        ConfigOption.Required("table-name", ConfigOptionType.String, "The table to write; created from the schema if missing."),
        ConfigOption.Choice("sink.write-mode", "'append' inserts every row (a table without a key only); 'upsert' applies rows by key (insert or replace, delete). Default: 'upsert' when the table has a key (PRIMARY KEY or 'sink.key-fields'), else 'append'.", "append", "append", "upsert"),
        new("sink.key-fields", ConfigOptionType.String, "The table's key columns, separated by ';', for a table declared without PRIMARY KEY: the key of 'upsert', the primary key of a table the sink creates."),
        ConfigOption.Choice("schema.evolution", "What the sink does with rows of a schema other than the table's (a registry source following its subject): 'add-columns' adds new nullable columns in the commit transaction and writes null into columns the rows lack; 'none' fails on any other schema.", "add-columns", "none", "add-columns"),
        ConfigOption.Choice("schema.evolution.on-incompatible", "With 'add-columns', what happens to a row whose schema change is incompatible (a changed type, a dropped NOT NULL column): 'fail' stops the job naming the subject, version and field; 'dlq' writes the row with the reason into the table '<table-name>.dlq', exactly once.", "fail", "fail", "dlq"),
        .. LookupOptions.Definitions,
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Writes rows exactly once into a DuckDB table, appended or upserted by key (deletes applied); reads a table by key for lookup joins.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Sink | ConnectorCapabilities.Lookup;

    /// <inheritdoc />
    /// <remarks><see cref="ChangelogMode.Upsert"/> in upsert mode, else <see cref="ChangelogMode.InsertOnly"/>.</remarks>
    /// <exception cref="ConfigOptionsException">As <see cref="CreateSink"/>.</exception>
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context) =>
        Resolve(context).Mode == WarehouseWriteMode.Upsert ? ChangelogMode.Upsert : ChangelogMode.InsertOnly;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">'upsert' without a key, a key column the table lacks, or a
    /// <c>sink.key-fields</c> that differs from the table's PRIMARY KEY.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        var (mode, keys) = Resolve(context);
        var options = context.Options;
        return DuckDbWarehouseSink.ForRows(options.GetString("path")!, options.GetString("table-name")!, context.Schema,
            new DuckDbSinkOptions
            {
                Mode = mode,
                PrimaryKey = keys,
                SchemaEvolution = options.GetChoice("schema.evolution") == "none" ? SchemaEvolutionMode.None : SchemaEvolutionMode.AddColumns,
                OnIncompatibleSchema = options.GetChoice("schema.evolution.on-incompatible") == "dlq" ? IncompatibleSchemaAction.DeadLetter : IncompatibleSchemaAction.Fail,
            });
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each lookup runs <c>SELECT … FROM "table-name" WHERE "k1" = $1 AND …</c> on the source's own connection to
    /// <c>path</c>, so it sees what the table holds at that moment (committed rows); a key with a NULL field finds
    /// nothing. The table's columns must be scalar (nested columns are stored as text). The source is wrapped with the
    /// <c>lookup.*</c> options (<see cref="LookupOptions.Apply"/>). The <c>sink.*</c> options are ignored.
    /// </remarks>
    /// <exception cref="ConfigOptionsException">No key column, a key column the table lacks, a nested column, or invalid <c>lookup.*</c> options.</exception>
    public ILookupSource CreateLookupSource(ConnectorContext context, IReadOnlyList<string> keyColumns)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(keyColumns);
        var options = context.Options;
        var lookup = LookupOptions.From(options);
        var table = options.GetString("table-name")!;
        if (keyColumns.Count == 0)
        {
            throw new ConfigOptionsException($"A lookup of DuckDB table '{context.TableName}' needs at least one key column.", Name);
        }
        var schema = context.Schema;
        var indexes = new int[keyColumns.Count];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = schema.IndexOf(keyColumns[i]);
            if (indexes[i] < 0)
            {
                throw new ConfigOptionsException($"The lookup key column '{keyColumns[i]}' is not a column of table '{context.TableName}' ({string.Join(", ", schema.Select(static f => f.Name))}).", Name);
            }
        }
        foreach (var field in schema)
        {
            if (field.Type.Kind is DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map)
            {
                throw new ConfigOptionsException($"Table '{context.TableName}' cannot be a DuckDB lookup table: its column '{field.Name}' is {field.Type}, which DuckDB stores as text; declare only scalar columns.", Name);
            }
        }
        var source = new DuckDbLookupSource(Path.GetFullPath(options.GetString("path")!), table, schema, indexes);
        return lookup.Apply(source, context.TableName);
    }

    private static (WarehouseWriteMode Mode, string[] Keys) Resolve(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        string[] keys = [];
        if (options.Contains("sink.key-fields"))
        {
            var fields = ConnectorFormats.ColumnsOf(context.Schema, options, "sink.key-fields");
            keys = [.. fields.Select(static f => f.Name)];
        }
        if (context.PrimaryKey.Count > 0)
        {
            if (keys.Length > 0 && !keys.AsSpan().SequenceEqual([.. context.PrimaryKey]))
            {
                throw options.Invalid("sink.key-fields", $"must be left out or equal the table's PRIMARY KEY ({string.Join(";", context.PrimaryKey)})");
            }
            keys = [.. context.PrimaryKey];
        }
        var mode = options.Contains("sink.write-mode")
            ? options.GetChoice("sink.write-mode") == "upsert" ? WarehouseWriteMode.Upsert : WarehouseWriteMode.Append
            : keys.Length > 0 ? WarehouseWriteMode.Upsert : WarehouseWriteMode.Append;
        if (mode == WarehouseWriteMode.Upsert && keys.Length == 0)
        {
            throw new ConfigOptionsException("Connector 'duckdb' needs the table's key with 'sink.write-mode' = 'upsert': declare a PRIMARY KEY, or give option 'sink.key-fields' (the key columns, separated by ';').", Name, "sink.key-fields");
        }
        if (mode == WarehouseWriteMode.Append && keys.Length > 0)
        {
            // The created table's primary key would reject the second row of a key, failing that checkpoint's commit on every retry.
            throw options.Invalid("sink.write-mode", $"must be 'upsert' (or left out) for table '{context.TableName}', which has a key ({string.Join(";", keys)}): appended rows would fail the commit at the first repeated key");
        }
        return (mode, keys);
    }
}
