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

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
