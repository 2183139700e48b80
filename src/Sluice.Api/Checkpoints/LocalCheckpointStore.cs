using System.Globalization;
using Sluice.IO;

namespace Sluice.Checkpoints;

/// <summary>
/// Checkpoints in a local directory: <c>chk-&lt;id&gt;/</c> per checkpoint with one file per blob and
/// <c>_manifest</c> written last (temp file, fsync, rename, directory fsync). Thread-safe: distinct blobs may be written
/// concurrently.
/// </summary>
public sealed class LocalCheckpointStore : ICheckpointStore
{
    private const string ManifestName = "_manifest";
    private const string Prefix = "chk-";

    /// <summary>Creates the store; the directory is created if missing.</summary>
    public LocalCheckpointStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The root directory.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public string Location => Directory;

    /// <summary>The directory of checkpoint <paramref name="checkpointId"/>.</summary>
    public string PathOf(long checkpointId) => Path.Combine(Directory, Prefix + checkpointId.ToString("D10", CultureInfo.InvariantCulture));

    /// <inheritdoc />
    public async Task WriteBlobAsync(long checkpointId, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var dir = PathOf(checkpointId);
        var path = Path.Combine(dir, CheckName(name));
        cancellationToken.ThrowIfCancellationRequested();
        System.IO.Directory.CreateDirectory(dir);
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
        AtomicFile.SyncDirectory(dir);
    }

    /// <inheritdoc />
    /// <remarks>Cancellation is observed before the write starts; the atomic write itself (write, fsync, rename) is not interrupted.</remarks>
    public Task CommitManifestAsync(long checkpointId, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var dir = PathOf(checkpointId);
        System.IO.Directory.CreateDirectory(dir);
        AtomicFile.Write(Path.Combine(dir, ManifestName), manifest.Span);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> ListCompletedAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<long>>(List(complete: true));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> ListIncompleteAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<long>>(List(complete: false));
    }

    /// <inheritdoc />
    public Task<byte[]> ReadManifestAsync(long checkpointId, CancellationToken cancellationToken = default) =>
        File.ReadAllBytesAsync(Path.Combine(PathOf(checkpointId), ManifestName), cancellationToken);

    /// <inheritdoc />
    public Task<byte[]> ReadBlobAsync(long checkpointId, string name, CancellationToken cancellationToken = default) =>
        File.ReadAllBytesAsync(Path.Combine(PathOf(checkpointId), CheckName(name)), cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(long checkpointId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var dir = PathOf(checkpointId);
        if (System.IO.Directory.Exists(dir))
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
        return Task.CompletedTask;
    }

    private List<long> List(bool complete)
    {
        var ids = new List<long>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories(Directory, Prefix + "*"))
        {
            if (long.TryParse(Path.GetFileName(dir).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                && File.Exists(Path.Combine(dir, ManifestName)) == complete)
            {
                ids.Add(id);
            }
        }
        ids.Sort();
        return ids;
    }

    private static string CheckName(string name)
    {
        if (name.Length == 0 || name == ManifestName || name.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('/'))
        {
            throw new ArgumentException($"'{name}' is not a valid checkpoint blob name.", nameof(name));
        }
        return name;
    }
}
