namespace Sluice.Checkpoints;

/// <summary>
/// Durable storage of checkpoints. A checkpoint is a set of named blobs plus a manifest; it is <em>complete</em>
/// exactly when its manifest exists, and the manifest is written last and atomically, so a crash at any moment leaves
/// either a complete checkpoint or one that is ignored. Implementations must be thread-safe.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>A readable description (a path or URL) for logs and errors.</summary>
    string Location { get; }

    /// <summary>Writes blob <paramref name="name"/> of checkpoint <paramref name="checkpointId"/> durably.</summary>
    void WriteBlob(long checkpointId, string name, ReadOnlySpan<byte> data);

    /// <summary>Completes the checkpoint: writes its manifest atomically (temp file, flush to disk, rename).</summary>
    void CommitManifest(long checkpointId, ReadOnlySpan<byte> manifest);

    /// <summary>Ids of complete checkpoints, ascending.</summary>
    IReadOnlyList<long> ListCompleted();

    /// <summary>The manifest of a complete checkpoint.</summary>
    /// <exception cref="FileNotFoundException">The checkpoint is not complete.</exception>
    byte[] ReadManifest(long checkpointId);

    /// <summary>Reads blob <paramref name="name"/> of checkpoint <paramref name="checkpointId"/>.</summary>
    byte[] ReadBlob(long checkpointId, string name);

    /// <summary>Deletes a checkpoint (complete or not). Missing checkpoints are ignored.</summary>
    void Delete(long checkpointId);

    /// <summary>Ids of checkpoints that were started but never completed (left by a crash), for cleanup.</summary>
    IReadOnlyList<long> ListIncomplete();
}
