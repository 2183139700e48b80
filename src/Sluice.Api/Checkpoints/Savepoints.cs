namespace Sluice.Checkpoints;

/// <summary>
/// Savepoints: checkpoints copied out of a job's checkpoint store into a directory of their own, where retention never
/// deletes them. Start a job from one with <see cref="CheckpointOptions.InDirectory"/> on a copy, or pass its
/// directory as the job's checkpoint directory (the job then restores it and continues checkpointing there).
/// </summary>
public static class Savepoints
{
    /// <summary>
    /// Copies completed checkpoint <paramref name="checkpointId"/> (default: the latest) of <paramref name="source"/>
    /// into <paramref name="target"/>; returns the copied id. The shared files the checkpoint uses (incremental RocksDB
    /// checkpoints) are copied too, so the savepoint stands alone. The copy's manifest is written last, so an
    /// interrupted copy is never mistaken for a savepoint.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="source"/> has no completed checkpoint (with that id).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the copy has no manifest yet unless it finished).</exception>
    public static async Task<long> CopyAsync(ICheckpointStore source, ICheckpointStore target, long? checkpointId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var completed = await source.ListCompletedAsync(cancellationToken).ConfigureAwait(false);
        if (completed.Count == 0)
        {
            throw new InvalidOperationException($"{source.Location} holds no completed checkpoint to take a savepoint from.");
        }
        var id = checkpointId ?? completed[^1];
        if (!completed.Contains(id))
        {
            throw new InvalidOperationException($"{source.Location} holds no completed checkpoint #{id}; completed: {string.Join(", ", completed)}.");
        }
        var manifest = await source.ReadManifestAsync(id, cancellationToken).ConfigureAwait(false);
        using (var document = System.Text.Json.JsonDocument.Parse(manifest))
        {
            var shared = new HashSet<string>(StringComparer.Ordinal);
            foreach (var blob in document.RootElement.GetProperty("blobs").EnumerateArray())
            {
                var name = blob.GetProperty("name").GetString()!;
                var data = await source.ReadBlobAsync(id, name, cancellationToken).ConfigureAwait(false);
                await target.WriteBlobAsync(id, name, data, cancellationToken).ConfigureAwait(false);
                if (blob.TryGetProperty("sharedFiles", out var files) && files.ValueKind == System.Text.Json.JsonValueKind.Array)
                {
                    foreach (var file in files.EnumerateArray())
                    {
                        var sharedName = file.GetProperty("name").GetString()!;
                        if (shared.Add(sharedName))
                        {
                            var content = await source.OpenSharedAsync(sharedName, cancellationToken).ConfigureAwait(false);
                            await using (content.ConfigureAwait(false))
                            {
                                await target.WriteSharedAsync(sharedName, content, cancellationToken).ConfigureAwait(false);
                            }
                        }
                    }
                }
            }
        }
        await target.CommitManifestAsync(id, manifest, cancellationToken).ConfigureAwait(false);
        return id;
    }
}
