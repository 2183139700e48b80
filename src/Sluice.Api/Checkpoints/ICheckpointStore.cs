namespace Sluice.Checkpoints;

/// <summary>
/// Durable storage of checkpoints. A checkpoint is a set of named blobs plus a manifest; it is <em>complete</em>
/// exactly when its manifest exists, and the manifest is written last and atomically, so a crash at any moment leaves
/// either a complete checkpoint or one that is ignored. Implementations must be thread-safe.
/// </summary>
/// <remarks>
/// Every operation is asynchronous (a store may be remote: object storage, a database) and is called off the task
/// threads — by the checkpoint coordinator's completion loop, by the job client when an attempt restores, and by
/// savepoint copies. Cancellation: when <c>cancellationToken</c> is cancelled an operation stops as soon as it can and
/// throws <see cref="OperationCanceledException"/> — never hangs — and a cancelled <see cref="CommitManifestAsync"/>
/// leaves the checkpoint either complete or incomplete, never half-written. Other failures throw
/// (<see cref="IOException"/> and the like) with the location in the message.
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>A readable description (a path or URL) for logs and errors.</summary>
    string Location { get; }

    /// <summary>Writes blob <paramref name="name"/> of checkpoint <paramref name="checkpointId"/> durably; <paramref name="data"/> is not kept after the call.</summary>
    Task WriteBlobAsync(long checkpointId, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Completes the checkpoint: writes its manifest atomically (temp file, flush to disk, rename).</summary>
    Task CommitManifestAsync(long checkpointId, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken = default);

    /// <summary>Ids of complete checkpoints, ascending.</summary>
    Task<IReadOnlyList<long>> ListCompletedAsync(CancellationToken cancellationToken = default);

    /// <summary>The manifest of a complete checkpoint.</summary>
    /// <exception cref="FileNotFoundException">The checkpoint is not complete.</exception>
    Task<byte[]> ReadManifestAsync(long checkpointId, CancellationToken cancellationToken = default);

    /// <summary>Reads blob <paramref name="name"/> of checkpoint <paramref name="checkpointId"/>.</summary>
    Task<byte[]> ReadBlobAsync(long checkpointId, string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a checkpoint (complete or not). Missing checkpoints are ignored.</summary>
    Task DeleteAsync(long checkpointId, CancellationToken cancellationToken = default);

    /// <summary>Ids of checkpoints that were started but never completed (left by a crash), for cleanup.</summary>
    Task<IReadOnlyList<long>> ListIncompleteAsync(CancellationToken cancellationToken = default);
}
