using System.Globalization;
using Sluice.IO;

namespace Sluice.Checkpoints;

/// <summary>
/// Checkpoints in a local directory: <c>chk-&lt;id&gt;/</c> per checkpoint with one file per blob and
/// <c>_manifest</c> written last (temp file, fsync, rename, directory fsync); shared files (incremental RocksDB
/// checkpoints) in <c>shared/</c>, each written as <c>&lt;name&gt;.&lt;random&gt;.tmp</c>, fsynced and renamed into
/// place. Thread-safe: distinct blobs and shared files may be written concurrently.
/// </summary>
public sealed class LocalCheckpointStore : ICheckpointStore
{
    private const string ManifestName = "_manifest";
    private const string Prefix = "chk-";
    private const string SharedDirectory = "shared";
    private const string TempSuffix = ".tmp";

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

    /// <summary>The directory of shared files.</summary>
    public string SharedPath => Path.Combine(Directory, SharedDirectory);

    /// <inheritdoc />
    public async Task WriteSharedAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = Path.Combine(SharedPath, CheckSharedName(name));
        cancellationToken.ThrowIfCancellationRequested();
        System.IO.Directory.CreateDirectory(SharedPath);
        // A unique temp name: two writers of one name (a re-upload) never share a temp file.
        var temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, 1 << 16, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        AtomicFile.SyncDirectory(SharedPath);
    }

    /// <inheritdoc />
    public Task<Stream> OpenSharedAsync(string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = Path.Combine(SharedPath, CheckSharedName(name));
        return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan));
    }

    /// <inheritdoc />
    public Task DeleteSharedAsync(string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        File.Delete(Path.Combine(SharedPath, CheckSharedName(name)));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Temp files of interrupted writes are not listed; they are deleted here when older than an hour.</remarks>
    public Task<IReadOnlyList<string>> ListSharedAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var names = new List<string>();
        if (System.IO.Directory.Exists(SharedPath))
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(SharedPath))
            {
                if (!path.EndsWith(TempSuffix, StringComparison.Ordinal))
                {
                    names.Add(Path.GetFileName(path));
                }
                else if (File.GetLastWriteTimeUtc(path) < DateTime.UtcNow.AddHours(-1))
                {
                    File.Delete(path);
                }
            }
        }
        names.Sort(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(names);
    }

    /// <summary>Checks a shared file name: letters, digits, '-', '_' and '.', 1 to 200 characters, not only dots, no temp suffix.</summary>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    public static string CheckSharedName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var valid = name.Length is > 0 and <= 200 && name.Trim('.').Length > 0 && !name.EndsWith(TempSuffix, StringComparison.Ordinal);
        foreach (var c in name)
        {
            valid &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
        }
        return valid ? name : throw new ArgumentException($"'{name}' is not a valid shared file name (letters, digits, '-', '_' and '.', at most 200 characters).", nameof(name));
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
