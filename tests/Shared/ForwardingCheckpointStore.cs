using Sluice.Checkpoints;

namespace Sluice.Tests.Shared;

/// <summary>
/// A checkpoint store that forwards every call to <paramref name="inner"/>: tests derive from it and override only
/// the calls they stall, fail or observe.
/// </summary>
internal abstract class ForwardingCheckpointStore(ICheckpointStore inner) : ICheckpointStore
{
    public virtual string Location => inner.Location;

    public virtual Task WriteBlobAsync(long checkpointId, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        inner.WriteBlobAsync(checkpointId, name, data, cancellationToken);

    public virtual Task CommitManifestAsync(long checkpointId, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken = default) =>
        inner.CommitManifestAsync(checkpointId, manifest, cancellationToken);

    public virtual Task<IReadOnlyList<long>> ListCompletedAsync(CancellationToken cancellationToken = default) => inner.ListCompletedAsync(cancellationToken);

    public virtual Task<byte[]> ReadManifestAsync(long checkpointId, CancellationToken cancellationToken = default) => inner.ReadManifestAsync(checkpointId, cancellationToken);

    public virtual Task<byte[]> ReadBlobAsync(long checkpointId, string name, CancellationToken cancellationToken = default) => inner.ReadBlobAsync(checkpointId, name, cancellationToken);

    public virtual Task DeleteAsync(long checkpointId, CancellationToken cancellationToken = default) => inner.DeleteAsync(checkpointId, cancellationToken);

    public virtual Task<IReadOnlyList<long>> ListIncompleteAsync(CancellationToken cancellationToken = default) => inner.ListIncompleteAsync(cancellationToken);

    public virtual Task WriteSharedAsync(string name, Stream content, CancellationToken cancellationToken = default) => inner.WriteSharedAsync(name, content, cancellationToken);

    public virtual Task<Stream> OpenSharedAsync(string name, CancellationToken cancellationToken = default) => inner.OpenSharedAsync(name, cancellationToken);

    public virtual Task DeleteSharedAsync(string name, CancellationToken cancellationToken = default) => inner.DeleteSharedAsync(name, cancellationToken);

    public virtual Task<IReadOnlyList<string>> ListSharedAsync(CancellationToken cancellationToken = default) => inner.ListSharedAsync(cancellationToken);
}
