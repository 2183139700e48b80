using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Log;

/// <summary>
/// The source the 'sluice-log' connector makes: a <see cref="LogSource{T}"/> of rows over a shared log
/// (<see cref="SharedLogs"/>), holding its lease until disposed. Thread-safe as the wrapped source.
/// </summary>
internal sealed class LogTableSource : ISource<Row>, IDisposable
{
    private readonly SharedLogLease _lease;

    public LogTableSource(SharedLogLease lease, LogSource<Row> source)
    {
        _lease = lease;
        Source = source;
    }

    /// <summary>The source over the shared log.</summary>
    public LogSource<Row> Source { get; }

    /// <inheritdoc />
    public bool IsBounded => Source.IsBounded;

    /// <inheritdoc />
    public int MaxParallelism => Source.MaxParallelism;

    /// <inheritdoc />
    public ISourceReader<Row> CreateReader(SourceReaderContext context) => Source.CreateReader(context);

    /// <summary>Releases this table's hold on the log; the log closes when no other table of the process holds it.</summary>
    public void Dispose() => _lease.Dispose();

    /// <inheritdoc />
    public override string ToString() => Source.ToString();
}
