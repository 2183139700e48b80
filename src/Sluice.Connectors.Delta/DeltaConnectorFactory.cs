using Sluice.Configuration;
using Sluice.Schemas;
using Sluice.Sinks;

[assembly: Sluice.Connectors.ConnectorFactories(typeof(Sluice.Connectors.Delta.DeltaConnectorFactory))]

namespace Sluice.Connectors.Delta;

/// <summary>
/// The 'delta' connector: a sink appending rows to a Delta table exactly once (<see cref="DeltaSink"/>), created from
/// the table's schema when missing. Append-only: a retraction (<c>-U</c>, <c>-D</c>) fails the job naming the row.
/// Thread-safe and stateless.
/// </summary>
public sealed class DeltaConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier.</summary>
    public const string Name = "delta";

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Required("path", ConfigOptionType.String, "The table's directory (created with the table's schema when it holds no Delta table)."),
        ConfigOption.Optional("partition-by", ConfigOptionType.String, "The partition columns of a table the sink creates, separated by ';'. Default: none."),
        ConfigOption.Optional("checkpoint-interval", ConfigOptionType.Int, "A Parquet checkpoint of the log every this many commits (the table property 'delta.checkpointInterval' overrides it).", "10") with { Minimum = 1 },
    ];

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Appends rows to a Delta Lake table, exactly once: Parquet files per subtask, committed with the checkpoint that covers them.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Sink;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    /// <exception cref="ConfigOptionsException">'partition-by' names a column the table does not have.</exception>
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        IReadOnlyList<string> partitionBy = options.Contains("partition-by")
            ? [.. ConnectorFormats.ColumnsOf(context.Schema, options, "partition-by").Select(static f => f.Name)]
            : [];
        return new DeltaSink(options.GetString("path")!, context.Schema, new DeltaSinkOptions
        {
            PartitionBy = partitionBy,
            Table = DeltaTableOptions.Default with { CheckpointInterval = options.GetInt32("checkpoint-interval") ?? 10 },
        });
    }
}
