namespace Sluice.Cli;

/// <summary>
/// Checks of the directories that commands take as options (<c>--data-dir</c>, <c>--dir</c>, <c>--work-dir</c>…),
/// made before a command opens anything, so a mistyped or unusable path ends in one sentence naming it
/// (<see cref="CommandFailedException"/>) instead of an I/O exception from deep inside, and read-only commands never
/// create a directory. The <c>description</c> arguments name the directory in messages ("log data directory").
/// </summary>
internal static class DataDirectories
{
    /// <summary>
    /// For commands that only read: fails unless <paramref name="path"/> is an existing directory; creates nothing.
    /// </summary>
    /// <returns>The full path.</returns>
    /// <exception cref="CommandFailedException">The path is a file or does not exist.</exception>
    public static string RequireExisting(string path, string description)
    {
        string full = Path.GetFullPath(path);
        ThrowIfFile(path, full, description);
        if (!Directory.Exists(full))
        {
            throw new CommandFailedException($"The {description} '{path}' does not exist.");
        }

        return full;
    }

    /// <summary>
    /// For commands that write: creates <paramref name="path"/> when missing, then proves it is writable by creating
    /// and deleting a probe file in it (a permission or read-only file system problem surfaces here, not mid-run).
    /// </summary>
    /// <returns>The full path.</returns>
    /// <exception cref="CommandFailedException">The path is a file, cannot be created, or is not writable.</exception>
    public static string CreateWritable(string path, string description)
    {
        string full = Path.GetFullPath(path);
        ThrowIfFile(path, full, description);
        try
        {
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".sluice-write-probe-{Environment.ProcessId}");
            using (new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"The {description} '{path}' is not writable ({e.Message.TrimEnd('.')}): pass a writable directory.", e);
        }

        return full;
    }

    private static void ThrowIfFile(string path, string full, string description)
    {
        if (File.Exists(full))
        {
            throw new CommandFailedException($"The {description} '{path}' is a file, not a directory: pass a directory.");
        }
    }
}
