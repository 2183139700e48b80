using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Log;

/// <summary>
/// The sink the 'sluice-log' connector makes: a <see cref="LogSink{T}"/> of rows over a shared log
/// (<see cref="SharedLogs"/>), holding its lease until disposed. Thread-safe as the wrapped sink.
/// </summary>
internal sealed class LogTableSink : ITwoPhaseSink<Row>, IDisposable
{
    private readonly SharedLogLease _lease;

    public LogTableSink(SharedLogLease lease, LogSink<Row> sink)
    {
        _lease = lease;
        Sink = sink;
    }

    /// <summary>The sink over the shared log.</summary>
    public LogSink<Row> Sink { get; }

    /// <inheritdoc />
    public int MaxParallelism => Sink.MaxParallelism;

    /// <inheritdoc />
    public ISinkWriter<Row> CreateWriter(SinkContext context) => Sink.CreateWriter(context);

    /// <inheritdoc />
    public void Open(CommitterContext context) => ((ITwoPhaseCommitter)Sink).Open(context);

    /// <inheritdoc />
    public void Commit(long checkpointId, int subtaskIndex, byte[] committable) => Sink.Commit(checkpointId, subtaskIndex, committable);

    /// <inheritdoc />
    public void AbortPending(long restoredCheckpointId) => Sink.AbortPending(restoredCheckpointId);

    /// <summary>Releases this table's hold on the log; the log closes when no other table of the process holds it.</summary>
    public void Dispose() => _lease.Dispose();

    /// <inheritdoc />
    public override string ToString() => Sink.ToString();
}
