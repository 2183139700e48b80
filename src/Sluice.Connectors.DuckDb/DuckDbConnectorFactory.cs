using Sluice.Configuration;
using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Schemas;
using Sluice.Sinks;

[assembly: Sluice.Connectors.ConnectorFactories(typeof(Sluice.Connectors.DuckDb.DuckDbConnectorFactory))]

namespace Sluice.Connectors.DuckDb;

/// <summary>
/// The 'duckdb' connector (a sink): rows written exactly once into a table of a DuckDB database file through
/// <see cref="DuckDbWarehouseSink.ForRows"/>, appended or upserted by <c>sink.key-fields</c>. Thread-safe and stateless.
/// </summary>
/// <remarks>Deletes are not applied: a retraction (delete or update-before row) fails the job instead of being written as new data.</remarks>
public sealed class DuckDbConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier (Flink has no DuckDB connector).</summary>
    public const string Name = "duckdb";

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Required("path", ConfigOptionType.String, "The DuckDB database file; created if missing."),
        ConfigOption.Required("table-name", ConfigOptionType.String, "The table to write; created from the schema if missing."),
        ConfigOption.Choice("sink.write-mode", "'append' inserts every row; 'upsert' inserts or replaces rows by sink.key-fields.", "append", "append", "upsert"),
        new("sink.key-fields", ConfigOptionType.String, "The table's key columns, separated by ';': required for 'upsert', the primary key of a table the sink creates."),
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Writes rows exactly once into a DuckDB table, appended or upserted by key.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Sink;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">'upsert' without key columns, or a key column the table lacks.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var mode = options.GetChoice("sink.write-mode") == "upsert" ? WarehouseWriteMode.Upsert : WarehouseWriteMode.Append;
        var keys = (options.GetString("sink.key-fields") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (mode == WarehouseWriteMode.Upsert && keys.Length == 0)
        {
            throw new ConfigOptionsException("Connector 'duckdb' needs option 'sink.key-fields' with 'sink.write-mode' = 'upsert' (the key columns, separated by ';').", Name, "sink.key-fields");
        }
        foreach (var key in keys)
        {
            if (context.Schema.IndexOf(key) < 0)
            {
                throw options.Invalid("sink.key-fields", $"must name columns of the table ({string.Join(", ", context.Schema.Select(static f => f.Name))}), but '{key}' is not one");
            }
        }
        return DuckDbWarehouseSink.ForRows(options.GetString("path")!, options.GetString("table-name")!, context.Schema,
            new DuckDbSinkOptions { Mode = mode, PrimaryKey = keys });
    }
}
