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
/// <para>
/// <b>Shared files</b> (<see cref="WriteSharedAsync"/> and siblings) belong to no single checkpoint: an incremental
/// RocksDB checkpoint uploads only the SST files that are new since the last completed checkpoint and refers to the
/// older ones, so one file is used by several checkpoints. Each checkpoint's manifest lists the shared files it uses;
/// the checkpoint coordinator deletes a shared file once no retained checkpoint lists it, and deletes shared files no
/// complete checkpoint lists (orphans of a crash between an upload and its manifest) when a job attempt starts. The
/// store itself keeps no reference counts.
/// </para>
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

    /// <summary>
    /// Writes shared file <paramref name="name"/> durably from <paramref name="content"/> (read to its end, not
    /// disposed). Atomic: a reader sees the whole file or none, also after a crash. Writing a name that exists replaces
    /// it; callers only do so with identical content (a re-upload of the same immutable file).
    /// </summary>
    /// <param name="name">A file name: letters, digits, '-', '_' and '.', at most 200 characters.</param>
    /// <param name="content">The bytes to store.</param>
    /// <param name="cancellationToken">Stops the write; the file is then absent or complete.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid shared file name.</exception>
    Task WriteSharedAsync(string name, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens shared file <paramref name="name"/> for reading; the caller disposes the stream.</summary>
    /// <exception cref="FileNotFoundException">No shared file has that name.</exception>
    Task<Stream> OpenSharedAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes shared file <paramref name="name"/>. A missing file is ignored.</summary>
    Task DeleteSharedAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Names of every shared file, ordinal order (for removing orphans).</summary>
    Task<IReadOnlyList<string>> ListSharedAsync(CancellationToken cancellationToken = default);
}
