using System.Runtime.InteropServices;

namespace Sluice.Orchestration.Runs;

/// <summary>
/// Publishes a complete, fsynced file under a name only if that name is free, atomically: link(2) on Unix (fails with
/// EEXIST, never replaces), MoveFileEx without the replace flag on Windows. <see cref="File.Move(string, string, bool)"/>
/// is not enough on Unix: without overwrite it checks the destination and then renames, so two racing creators can
/// both "win" (the store's concurrency test caught it).
/// </summary>
internal static partial class ExclusiveFile
{
    private const int EEXIST = 17;

    /// <summary>Gives <paramref name="temp"/> the name <paramref name="path"/> unless taken; false when taken. Removes the temp name either way.</summary>
    public static bool TryPublish(string temp, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temp, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp);
                return false;
            }
        }
        var result = Link(temp, path);
        var error = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        File.Delete(temp);
        if (result == 0)
        {
            return true;
        }
        if (error == EEXIST)
        {
            return false;
        }
        throw new IOException($"Cannot create {path}: link(2) failed with errno {error}.");
    }

    /// <summary>
    /// Makes a change to <paramref name="directory"/>'s entries (a link, rename or created child) durable: fsync(2) of
    /// the directory on Unix, where an fsynced file can otherwise vanish after a crash because its name never reached
    /// disk. A no-op on Windows (NTFS journals names with the metadata). Throws <see cref="IOException"/> naming the directory.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        // O_RDONLY opens a directory on Linux and macOS alike; fsync on that descriptor flushes its entries.
        var fd = Open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"Cannot open the directory {directory} to fsync it: errno {Marshal.GetLastPInvokeError()}.");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of the directory {directory} failed with errno {Marshal.GetLastPInvokeError()}.");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Creates <paramref name="directory"/> and any missing parents, fsyncing each new one's parent.</summary>
    public static void CreateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }
        var parent = Path.GetDirectoryName(directory);
        if (parent is not null)
        {
            CreateDirectory(parent);
        }
        Directory.CreateDirectory(directory);
        if (parent is not null)
        {
            SyncDirectory(parent);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
