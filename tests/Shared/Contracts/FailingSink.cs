using Sluice.Sinks;

namespace Sluice.Tests.Shared.Contracts;

/// <summary>Wraps a two-phase sink whose writers throw when asked to write <paramref name="poison"/>: a sink failure mid-transaction.</summary>
internal sealed class FailingSink<T>(ITwoPhaseSink<T> inner, T poison) : ITwoPhaseSink<T>
{
    /// <summary>The message of the injected failure.</summary>
    public const string Message = "injected sink writer failure";

    public int MaxParallelism => inner.MaxParallelism;

    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer((ITwoPhaseSinkWriter<T>)inner.CreateWriter(context), poison);

    public void Open(CommitterContext context) => inner.Open(context);

    public void Commit(long checkpointId, int subtaskIndex, byte[] committable) => inner.Commit(checkpointId, subtaskIndex, committable);

    public void AbortPending(long restoredCheckpointId) => inner.AbortPending(restoredCheckpointId);

    private sealed class Writer(ITwoPhaseSinkWriter<T> inner, T poison) : ITwoPhaseSinkWriter<T>
    {
        public void Write(T value, long timestamp)
        {
            if (EqualityComparer<T>.Default.Equals(value, poison))
            {
                throw new InvalidOperationException(Message);
            }
            inner.Write(value, timestamp);
        }

        public byte[] PrepareCommit(long checkpointId) => inner.PrepareCommit(checkpointId);

        public void Flush() => inner.Flush();

        public void Dispose() => inner.Dispose();
    }
}
