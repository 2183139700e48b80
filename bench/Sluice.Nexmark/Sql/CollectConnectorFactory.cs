using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Nexmark.Sql;

/// <summary>
/// The bench's 'nexmark-collect' connector, which replaces 'blackhole' in a query's sink table: every table using it
/// writes into <see cref="Target"/>, set by the engine before it runs the query. Accepts every row kind. Not
/// thread-safe: one session, one query at a time.
/// </summary>
internal sealed class CollectConnectorFactory : IConnectorFactory
{
    /// <summary>The identifier.</summary>
    public const string Name = "nexmark-collect";

    /// <summary>Where the next job's rows go.</summary>
    public ISink<Row>? Target { get; set; }

    /// <inheritdoc />
    public string Identifier => Name;

    /// <inheritdoc />
    public string Description => "Collects a Nexmark query's changelog for the bench's checksum (bench only).";

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Sink;

    /// <inheritdoc />
    public IReadOnlyList<ConfigOption> Options => [];

    /// <inheritdoc />
    public ChangelogMode GetSinkChangelogMode(ConnectorContext context) => ChangelogMode.All;

    /// <inheritdoc />
    public ISink<Row> CreateSink(ConnectorContext context) =>
        Target ?? throw new InvalidOperationException($"Table '{context?.TableName}' has no collecting target: the engine sets one before running a query.");
}
