using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Sql.Tests.Session;

/// <summary>
/// A test connector ('rows' unless another <paramref name="identifier"/> is given): a bounded source of the rows it was
/// given (one split), or — given none — a source the test pushes rows into (<see cref="Push"/>, <see cref="Complete"/>),
/// one row per poll.
/// </summary>
internal sealed class RowsConnectorFactory(IReadOnlyList<object?[]>? rows, ChangelogMode mode = ChangelogMode.InsertOnly, string identifier = "rows") : IConnectorFactory
{
    private readonly PushedRows _pushed = new();
    private Schema? _schema;

    public string Identifier => identifier;

    public string Description => "The rows the test gave.";

    public ConnectorCapabilities Capabilities => ConnectorCapabilities.Source;

    public IReadOnlyList<ConfigOption> Options { get; } = [new("label", ConfigOptionType.String, "A label, for option tests.")];

    /// <summary>Queues one row for the pushed source.</summary>
    public void Push(params object?[] values) => _pushed.Queue.Enqueue(Row.Of(_schema!, values));

    /// <summary>Queues a row as it is (its kind included) for the pushed source.</summary>
    public void PushRow(Row row) => _pushed.Queue.Enqueue(row);

    /// <summary>Ends the pushed source once the queued rows are read.</summary>
    public void Complete() => _pushed.Queue.Enqueue(null);

    public ChangelogMode GetSourceChangelogMode(ConnectorContext context) => mode;

    public ISource<Row> CreateSource(ConnectorContext context)
    {
        if (rows is null)
        {
            _schema = context.Schema;
            return _pushed;
        }

        var built = new List<Row>(rows.Count);
        foreach (var values in rows)
        {
            built.Add(Row.Of(context.Schema, values));
        }

        return new CollectionSource<Row>(built);
    }

    /// <summary>The pushed source: one split; a null in the queue ends it. Push only in deterministic-mode tests (one thread); in a threaded job it is a source that never emits.</summary>
    private sealed class PushedRows : ISource<Row>, ISourceReader<Row>
    {
        public Queue<Row?> Queue { get; } = new();

        public bool IsBounded => false;

        public int MaxParallelism => 1;

        public int SplitCount => 1;

        public ISourceReader<Row> CreateReader(SourceReaderContext context) => this;

        public SourceStatus PollNext(ISourceOutput<Row> output)
        {
            if (!Queue.TryDequeue(out var row))
            {
                return SourceStatus.NothingAvailable;
            }

            if (row is null)
            {
                return SourceStatus.Finished;
            }

            output.Collect(0, row);
            return SourceStatus.MoreAvailable;
        }

        public void Dispose()
        {
        }
    }
}
