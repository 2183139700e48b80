using Sluice.Connectors;
using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Connectors;

namespace Sluice.Sql.Planning.Physical;

// Dead letters: every operator that can refuse a row (a table's source and scan, a Calc, a sink's projection, a lookup
// join, CHECK constraints) sends its DeadLetters.Tag side output to the dead-letter queue of the table the row came
// from, when that table's connector has one (IDeadLetterQueueFactory: <topic>.dlq next to the table's topic).
internal sealed partial class PhysicalPlanner
{
    // Per dead-letter queue (by table name, in the order first used): the table and the streams whose dead letters go there.
    private readonly Dictionary<string, DeadLetterRoute> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TableSource?> _queueTables = new(StringComparer.Ordinal);

    /// <summary>
    /// Adds one dead-letter sink per table that received dead letters: the union of the side outputs routed to it,
    /// into the table's <c>&lt;topic&gt;.dlq</c>. Call once, after the last <see cref="Translate(StatementSet)"/> or
    /// <see cref="Translate(LogicalNode)"/> of the job; nothing is added for tables whose connector has no dead-letter queue.
    /// </summary>
    /// <exception cref="SqlException">The connector rejects the table's dead-letter queue.</exception>
    public void RouteDeadLetters()
    {
        foreach (var route in _routes.Values)
        {
            var letters = route.Producers[0].GetSideOutput(DeadLetters.Tag);
            if (route.Producers.Count > 1)
            {
                var others = new DataStream<DeadLetter>[route.Producers.Count - 1];
                for (var i = 1; i < route.Producers.Count; i++)
                {
                    others[i - 1] = route.Producers[i].GetSideOutput(DeadLetters.Tag);
                }

                letters = letters.Union(others);
            }

            var topic = route.Table.DeadLetterTopic()!;
            var sink = route.Table.CreateDeadLetterSink(_environment.Options);
            letters.SinkTo(sink, $"DeadLetterQueue({topic})");
            Added($"DeadLetterQueue(table=[{route.Table.Table.Name}], topic=[{topic}])");
        }

        _routes.Clear();
    }

    /// <summary>Routes the dead letters of <paramref name="producer"/>, an operator reading <paramref name="table"/>'s records, to that table's queue (if it has one).</summary>
    private void RouteDeadLetters(DataStream<Row> producer, TableSource table)
    {
        if (table.DeadLetterTopic() is null)
        {
            return;
        }

        if (!_routes.TryGetValue(table.Table.Name, out var route))
        {
            _routes.Add(table.Table.Name, route = new DeadLetterRoute(table, []));
        }

        route.Producers.Add(producer);
    }

    /// <summary>
    /// Routes the dead letters of <paramref name="producer"/>, an operator over the rows of <paramref name="input"/>, to
    /// the queue of the first table (depth first, left to right) below <paramref name="input"/> that has one: the
    /// stream side of a join is its left input, so a joined row's dead letter goes to the queue of the table it was
    /// read from first.
    /// </summary>
    private void RouteDeadLetters(DataStream<Row> producer, LogicalNode input)
    {
        if (QueueTableBelow(input) is { } table)
        {
            RouteDeadLetters(producer, table);
        }
    }

    private TableSource? QueueTableBelow(LogicalNode node)
    {
        if (node is TableScanNode scan)
        {
            return QueueTable(scan.Table);
        }

        foreach (var input in node.Inputs)
        {
            if (QueueTableBelow(input) is { } table)
            {
                return table;
            }
        }

        return null;
    }

    /// <summary><paramref name="table"/> as a source when its connector has a dead-letter queue; else null.</summary>
    private TableSource? QueueTable(CatalogTable table)
    {
        if (!_queueTables.TryGetValue(table.Name, out var source))
        {
            // Only a table read as a stream has a queue: the table of a lookup join (a DuckDB table, say) is no source.
            var identifier = table.Option(ConnectorRegistry.ConnectorKey);
            if (identifier is not null && _connectors.TryGet(identifier, out var factory) && factory is IDeadLetterQueueFactory
                && (factory.Capabilities & ConnectorCapabilities.Source) != 0)
            {
                var resolved = TableConnectors.ResolveSource(_connectors, table);
                source = resolved.DeadLetterTopic() is null ? null : resolved;
            }

            _queueTables.Add(table.Name, source);
        }

        return source;
    }

    private sealed record DeadLetterRoute(TableSource Table, List<DataStream<Row>> Producers);
}
