using Sluice.Configuration;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Blackhole;

/// <summary>
/// The 'blackhole' connector: a sink that discards every row — for benchmarks and for testing the rest of a job. The
/// rows it swallows are counted on the <c>sluice.blackhole.rows</c> counter of the <see cref="SluiceMetrics.Meter"/>
/// (tagged with the table), besides the runtime's per-operator records-in count. Thread-safe and stateless.
/// </summary>
public sealed class BlackholeConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier, as in Flink.</summary>
    public const string Name = "blackhole";

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Discards every row (counting them in metrics): for benchmarks and tests.";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Sink;

    /// <inheritdoc />
    /// <remarks>Every kind is discarded alike.</remarks>
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context) => ChangelogMode.All;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => [];

    /// <inheritdoc />
    public ISink<Row> CreateSink(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new BlackholeRowSink(context.TableName);
    }
}
