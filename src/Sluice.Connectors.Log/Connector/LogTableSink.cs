using Sluice.Sinks;

namespace Sluice.Connectors.Log;

/// <summary>
/// The sinks the 'sluice-log' connector makes: a <see cref="LogSink{T}"/> of rows (or of a table's dead letters) over
/// a shared log (<see cref="SharedLogs"/>), holding its lease until disposed. Thread-safe as the wrapped sink.
/// </summary>
/// <typeparam name="T">The records: rows, or dead letters.</typeparam>
internal sealed class LogTableSink<T> : ITwoPhaseSink<T>, IDisposable
{
    private readonly SharedLogLease _lease;

    public LogTableSink(SharedLogLease lease, LogSink<T> sink)
    {
        _lease = lease;
        Sink = sink;
    }

    /// <summary>The sink over the shared log.</summary>
    public LogSink<T> Sink { get; }

    /// <inheritdoc />
    public int MaxParallelism => Sink.MaxParallelism;

    /// <inheritdoc />
    public ISinkWriter<T> CreateWriter(SinkContext context) => Sink.CreateWriter(context);

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
