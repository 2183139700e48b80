using Sluice.Connectors;
using Sluice.Schemas;
using Sluice.Sql.Catalog;

namespace Sluice.Sql.Connectors;

/// <summary>
/// A catalog table resolved as a sink (<see cref="TableConnectors.ResolveSink"/>): the connector's validated context
/// and the changelog it accepts. <see cref="Attach"/> adds the sink to a job. Immutable; build jobs on one thread, as
/// <see cref="StreamEnvironment"/> requires.
/// </summary>
internal sealed class TableSink
{
    private readonly IConnectorFactory _factory;
    private readonly ConnectorContext _context;

    internal TableSink(CatalogTable table, IConnectorFactory factory, ConnectorContext context, ChangelogMode changelogMode)
    {
        Table = table;
        _factory = factory;
        _context = context;
        ChangelogMode = changelogMode;
    }

    /// <summary>The table.</summary>
    public CatalogTable Table { get; }

    /// <summary>
    /// The rows the sink takes: the table's persisted columns in declaration order (computed columns are not written),
    /// key columns NOT NULL. An INSERT's query is projected onto it.
    /// </summary>
    public Schema Schema => _context.Schema;

    /// <summary>
    /// The changelog the sink accepts; check the query's with
    /// <see cref="ChangelogModes.EnsureAccepts"/> before <see cref="Attach"/>.
    /// </summary>
    public ChangelogMode ChangelogMode { get; }

    /// <summary>
    /// Creates the connector's sink and attaches <paramref name="rows"/> to it. Every row must be of
    /// <see cref="Schema"/> (the planner's projection guarantees it; the sink does not check each row) and of a kind
    /// <see cref="ChangelogMode"/> contains.
    /// </summary>
    /// <exception cref="SqlException">The connector rejects the table (an option that depends on the columns).</exception>
    public DataStreamSink<Row> Attach(DataStream<Row> rows, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sink = TableConnectors.Guard(Table, null, () => _factory.CreateSink(_context));
        return rows.SinkTo(sink, name ?? $"TableSink({Table.Name})");
    }
}
