namespace Sluice.Runtime.State;

/// <summary>
/// The directory of one RocksDB working copy, owned by one open backend: a lock file beside it,
/// <c>&lt;directory&gt;.lock</c>, held open with <see cref="FileShare.None"/> (an exclusive advisory lock the operating
/// system releases when the process dies, kill -9 included), marks it as live.
/// </summary>
/// <remarks>
/// <para>
/// Opening one also deletes the working copies crashed processes left beside it: a directory whose lock file exists
/// but is not held belongs to no live backend. Such a copy holds nothing a restart needs — it is never reopened
/// (every instance gets a directory of its own) and state is always restored from checkpoints — but it may hold
/// gigabytes of SST files. Directories without a lock file (not made by this class) are never touched. The sweep
/// covers the parent directory only (<c>&lt;root&gt;/&lt;job&gt;</c>): stale copies of other jobs go when those run.
/// </para>
/// <para>
/// With .NET file locking disabled (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>) a held lock cannot be told from a
/// stale one, so nothing is swept. Not thread-safe; <see cref="Dispose"/> is idempotent.
/// </para>
/// </remarks>
internal sealed class RocksDbWorkingDirectory : IDisposable
{
    private const string LockSuffix = ".lock";
    private const string TempSuffix = ".tmp";

    private readonly FileStream _lock;
    /// <summary>How often <see cref="Open"/> recreates a parent that a closing backend deleted before giving up.</summary>
    private const int MaxOpenAttempts = 100;

    private readonly bool _deleteEmptyParent;
    private bool _disposed;

    private RocksDbWorkingDirectory(string path, FileStream lockFile, bool deleteEmptyParent, int swept)
    {
        Path = path;
        _lock = lockFile;
        _deleteEmptyParent = deleteEmptyParent;
        Swept = swept;
    }

    /// <summary>The directory (absolute); it exists and is empty when <see cref="Open"/> returns.</summary>
    public string Path { get; }

    /// <summary>Stale working copies deleted when this one was opened.</summary>
    public int Swept { get; }

    /// <summary>
    /// Takes the lock of <paramref name="directory"/>, creates it empty (deleting what a dead owner of the same path
    /// left), and deletes the stale working copies beside it.
    /// </summary>
    /// <param name="directory">The working directory.</param>
    /// <param name="operatorName">Named in errors.</param>
    /// <param name="deleteEmptyParent">On <see cref="Dispose"/>, also delete the parent directory when nothing is left in it.</param>
    /// <exception cref="IOException">The directory or its lock file cannot be created, or another live backend holds it; the message names the path and the OS error.</exception>
    public static RocksDbWorkingDirectory Open(string directory, string operatorName, bool deleteEmptyParent)
    {
        var path = System.IO.Path.GetFullPath(directory);
        var parent = System.IO.Path.GetDirectoryName(path) ?? path;
        FileStream? lockFile = null;
        try
        {
            // A backend closing in the same job (or another job of the same name) deletes the parent when it is
            // empty, so it may vanish between creating it and creating the lock file in it (Unix reports that as
            // FileNotFoundException). Once the lock file exists the parent is not empty and stays: retry until then.
            for (var attempt = 1; lockFile is null; attempt++)
            {
                try
                {
                    Directory.CreateDirectory(parent);
                }
                catch (IOException) when (attempt < MaxOpenAttempts && !File.Exists(parent))
                {
                    // mkdir found the parent, which was deleted before .NET checked that it is a directory: again.
                    continue;
                }
                try
                {
                    lockFile = CreateLocked(path + LockSuffix);
                }
                catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException && attempt < MaxOpenAttempts)
                {
                }
            }
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            lockFile?.Dispose();
            throw new IOException($"The RocksDB state backend of operator '{operatorName}' cannot create its directory '{path}': {e.Message}", e);
        }
        return new RocksDbWorkingDirectory(path, lockFile, deleteEmptyParent, SweepStale(parent, path));
    }

    /// <summary>
    /// Creates <paramref name="lockPath"/> already locked: the file is created and locked under a temporary name, then
    /// renamed into place, so no sweep (of this process or another) can ever see it unlocked and take it for stale.
    /// </summary>
    private static FileStream CreateLocked(string lockPath)
    {
        var temp = $"{lockPath}.{Guid.NewGuid():N}{TempSuffix}";
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1);
        try
        {
            if (File.Exists(lockPath))
            {
                // A dead owner's lock file is replaced; a live owner's makes this throw (IOException: in use).
                new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1).Dispose();
            }
            File.Move(temp, lockPath, overwrite: true);
            return stream;
        }
        catch
        {
            stream.Dispose();
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Deletes the working copies in <paramref name="parent"/> whose lock file is not held; returns how many.</summary>
    internal static int SweepStale(string parent, string except)
    {
        if (FileLockingDisabled())
        {
            return 0;
        }
        var swept = 0;
        try
        {
            foreach (var directory in Directory.EnumerateDirectories(parent))
            {
                if (directory != except && TryDeleteStale(directory))
                {
                    swept++;
                }
            }
            // Lock files whose creator was killed before renaming them into place (empty files). A creator holds its
            // temporary file unlocked for an instant after creating it, so only old ones are taken for stale.
            foreach (var temp in Directory.EnumerateFiles(parent, "*" + LockSuffix + ".*" + TempSuffix))
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(temp) > TimeSpan.FromMinutes(10))
                {
                    TryDeleteUnlocked(temp);
                }
            }
            // Lock files whose directory never got created (a kill between the two steps).
            foreach (var lockFile in Directory.EnumerateFiles(parent, "*" + LockSuffix))
            {
                var directory = lockFile[..^LockSuffix.Length];
                if (directory != except && !Directory.Exists(directory))
                {
                    TryDeleteStale(directory);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stale copy that cannot be listed or deleted now is retried by the next backend that opens.
        }
        return swept;
    }

    /// <summary>
    /// Deletes <paramref name="directory"/> (when present) and then its lock file, if the lock file exists and can be
    /// taken (nobody holds it); true when a directory was deleted. A directory that cannot be deleted keeps its lock
    /// file, so a later sweep retries it.
    /// </summary>
    private static bool TryDeleteStale(string directory)
    {
        FileStream stale;
        try
        {
            // Open, not create: a directory without a lock file is not ours.
            stale = new FileStream(directory + LockSuffix, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // No lock file, or a live backend holds it.
        }
        using (stale)
        {
            var deleted = false;
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                    deleted = true;
                }
                // The dead owner's snapshot and restore scratch directories (<directory>.snapshot-N, .restore-N).
                if (System.IO.Path.GetDirectoryName(directory) is { } parent)
                {
                    foreach (var scratch in Directory.EnumerateDirectories(parent, System.IO.Path.GetFileName(directory) + ".*"))
                    {
                        Directory.Delete(scratch, recursive: true);
                    }
                }
                File.Delete(stale.Name); // Still held: whoever opens it next finds no file, or a new one.
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next sweep, lock file included.
            }
            return deleted;
        }
    }

    private static void TryDeleteUnlocked(string file)
    {
        try
        {
            using var stale = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Held by a live creator, or gone already.
        }
    }

    private static bool FileLockingDisabled() =>
        (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        || Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true";

    /// <summary>
    /// Deletes the directory and then the lock file (best effort: what cannot be deleted keeps its lock file and is swept
    /// later), releases the lock, and deletes the parent when asked to and nothing is left in it.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        using (_lock)
        {
            try
            {
                if (Directory.Exists(Path))
                {
                    Directory.Delete(Path, recursive: true);
                }
                File.Delete(Path + LockSuffix);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // Best effort: a working copy left behind holds nothing a restart needs, and its lock file marks it stale.
            }
        }
        try
        {
            if (_deleteEmptyParent && System.IO.Path.GetDirectoryName(Path) is { } parent && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
            {
                Directory.Delete(parent);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: another backend of the job created something in it meanwhile.
        }
    }
}
