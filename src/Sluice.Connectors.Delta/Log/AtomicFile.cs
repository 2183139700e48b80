using System.Runtime.InteropServices;

namespace Sluice.Connectors.Delta.Log;

/// <summary>
/// Gives a finished file a second name only if that name is free, atomically: the put-if-absent a Delta commit needs.
/// <see cref="File.Move(string, string, bool)"/> without overwrite is not enough on Unix: it checks that the target is
/// missing and then renames, and rename(2) replaces a target created in between, so two writers could both "win" one
/// version. link(2) fails with EEXIST instead. On Windows, MoveFileEx without replacing is atomic, so File.Move is used.
/// </summary>
internal static partial class AtomicFile
{
    private const int EEXIST = 17; // Linux and macOS

    /// <summary>Links <paramref name="target"/> to <paramref name="source"/>'s content if <paramref name="target"/> does not exist (on Windows: moves it).</summary>
    /// <returns>False when <paramref name="target"/> exists; the caller still owns (and deletes) <paramref name="source"/>.</returns>
    /// <exception cref="IOException">The link failed for another reason (permissions, another file system).</exception>
    public static bool TryCreateNoReplace(string source, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(source, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }
        if (Link(source, target) == 0)
        {
            return true;
        }
        var error = Marshal.GetLastPInvokeError();
        return error == EEXIST
            ? false
            : throw new IOException($"Cannot create '{target}': link(2) failed with errno {error} ({Marshal.GetPInvokeErrorMessage(error)}).");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
