using Sluice.Sinks;

namespace Sluice.Tests.Shared.Contracts;

/// <summary>Wraps a two-phase sink and drops its commits: the process "crashed" after the manifest, before the commit.</summary>
internal sealed class CommitDroppingSink<T>(ITwoPhaseSink<T> inner) : ITwoPhaseSink<T>
{
    public int MaxParallelism => inner.MaxParallelism;

    public ISinkWriter<T> CreateWriter(SinkContext context) => inner.CreateWriter(context);

    public void Open(CommitterContext context) => inner.Open(context);

    public void Commit(long checkpointId, int subtaskIndex, byte[] committable) { }

    public void AbortPending(long restoredCheckpointId) => inner.AbortPending(restoredCheckpointId);
}
