using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Schemas;
using Sluice.Sql.Catalog;

namespace Sluice.Sql.Connectors;

/// <summary>
/// The bridge from catalog tables to connectors: resolves a <see cref="CatalogTable"/> through a
/// <see cref="ConnectorRegistry"/> into a <see cref="TableSource"/> or <see cref="TableSink"/> (options validated,
/// schema and changelog mode known), before anything is added to a job. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Every failure is one <see cref="SqlException"/> naming the table (and the option, column or connector at fault);
/// the connector's <see cref="ConfigOptionsException"/> is kept as the inner exception.
/// </remarks>
internal static class TableConnectors
{
    /// <summary>Resolves <paramref name="table"/> as a source: validates its options and asks the factory for its changelog mode.</summary>
    /// <exception cref="SqlException">The connector is unknown or not a source, an option is invalid, or the table has a metadata column.</exception>
    public static TableSource ResolveSource(ConnectorRegistry registry, CatalogTable table, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(table);
        var context = CreateContext(registry, table, ConnectorCapabilities.Source, position, out var factory);
        var mode = Guard(table, position, () => factory.GetSourceChangelogMode(context));
        return new TableSource(table, factory, context, mode);
    }

    /// <summary>Resolves <paramref name="table"/> as a sink: validates its options and asks the factory for the changelog it accepts.</summary>
    /// <exception cref="SqlException">The connector is unknown or not a sink, an option is invalid, or the table has a metadata column.</exception>
    public static TableSink ResolveSink(ConnectorRegistry registry, CatalogTable table, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(table);
        var context = CreateContext(registry, table, ConnectorCapabilities.Sink, position, out var factory);
        var mode = Guard(table, position, () => factory.GetSinkChangelogMode(context));
        return new TableSink(table, factory, context, mode);
    }

    /// <summary>
    /// Creates an (unopened) lookup source of <paramref name="table"/> by <paramref name="keyColumns"/>, for one subtask
    /// of a lookup join; the caller owns it. Creating one opens nothing, so the planner creates one up front to check the
    /// table, then one per subtask.
    /// </summary>
    /// <exception cref="SqlException">The connector is unknown or cannot look up rows, an option is invalid, a key column is not the table's, or the table has a metadata column.</exception>
    public static ILookupSource CreateLookupSource(ConnectorRegistry registry, CatalogTable table, IReadOnlyList<string> keyColumns, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(keyColumns);
        var context = CreateContext(registry, table, ConnectorCapabilities.Lookup, position, out var factory);
        return Guard(table, position, () => factory.CreateLookupSource(context, keyColumns));
    }

    /// <summary>
    /// Checks a table CREATE TABLE is about to add: its connector exists and accepts its options and columns as a
    /// source or a sink — whichever the connector is (a connector that is both is checked as a source, then as a
    /// sink). Nothing is created. So a typo in an option fails at CREATE TABLE, not when a query first reads the table.
    /// </summary>
    /// <exception cref="SqlException">As <see cref="ResolveSource"/> and <see cref="ResolveSink"/>.</exception>
    public static void Validate(ConnectorRegistry registry, CatalogTable table, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(table);
        var identifier = table.Option(ConnectorRegistry.ConnectorKey);
        var capabilities = identifier is not null && registry.TryGet(identifier, out var factory)
            ? factory.Capabilities
            : ConnectorCapabilities.Source;
        if ((capabilities & ConnectorCapabilities.Source) != 0)
        {
            ResolveSource(registry, table, position);
        }

        if ((capabilities & ConnectorCapabilities.Sink) != 0)
        {
            ResolveSink(registry, table, position);
        }
    }

    private static ConnectorContext CreateContext(ConnectorRegistry registry, CatalogTable table, ConnectorCapabilities capability, SqlPosition? position, out IConnectorFactory factory)
    {
        var identifier = table.Option(ConnectorRegistry.ConnectorKey) ?? "(none)";
        foreach (var column in table.Columns)
        {
            if (column is MetadataColumn metadata)
            {
                // No connector declares readable or writable metadata keys yet (Flink's SupportsReadingMetadata).
                throw new SqlException(
                    $"Table '{table.Name}' declares metadata column '{metadata.Name}' (key '{metadata.MetadataKey}'), but connector '{identifier}' provides no metadata columns; declare it as a physical column or remove it.",
                    position);
            }
        }

        var options = new Dictionary<string, string>(table.Options.Count, StringComparer.Ordinal);
        foreach (var (key, value) in table.Options)
        {
            if (key != CatalogTable.ContractKey)
            {
                options[key] = value;
            }
        }

        IConnectorFactory? resolved = null;
        var context = Guard(table, position, () =>
        {
            var created = registry.CreateContext(table.Name, table.PersistedSchema(), options, capability, out var f);
            resolved = f;
            return created with { PrimaryKey = table.PrimaryKey, PartitionKeys = table.PartitionKeys };
        });
        factory = resolved!;
        return context;
    }

    /// <summary>Runs a connector call, turning its option errors into one <see cref="SqlException"/> naming the table.</summary>
    internal static T Guard<T>(CatalogTable table, SqlPosition? position, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (ConfigOptionsException e)
        {
            throw new SqlException($"Table '{table.Name}': {e.Message}", position, e);
        }
    }
}
