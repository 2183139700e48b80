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
    public void WriteBlob(long checkpointId, string name, ReadOnlySpan<byte> data)
    {
        var dir = PathOf(checkpointId);
        System.IO.Directory.CreateDirectory(dir);
        using (var file = new FileStream(Path.Combine(dir, CheckName(name)), FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(data);
            file.Flush(flushToDisk: true);
        }
        AtomicFile.SyncDirectory(dir);
    }

    /// <inheritdoc />
    public void CommitManifest(long checkpointId, ReadOnlySpan<byte> manifest)
    {
        var dir = PathOf(checkpointId);
        System.IO.Directory.CreateDirectory(dir);
        AtomicFile.Write(Path.Combine(dir, ManifestName), manifest);
    }

    /// <inheritdoc />
    public IReadOnlyList<long> ListCompleted() => List(complete: true);

    /// <inheritdoc />
    public IReadOnlyList<long> ListIncomplete() => List(complete: false);

    /// <inheritdoc />
    public byte[] ReadManifest(long checkpointId) => File.ReadAllBytes(Path.Combine(PathOf(checkpointId), ManifestName));

    /// <inheritdoc />
    public byte[] ReadBlob(long checkpointId, string name) => File.ReadAllBytes(Path.Combine(PathOf(checkpointId), CheckName(name)));

    /// <inheritdoc />
    public void Delete(long checkpointId)
    {
        var dir = PathOf(checkpointId);
        if (System.IO.Directory.Exists(dir))
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
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
