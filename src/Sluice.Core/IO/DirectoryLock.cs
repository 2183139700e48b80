using System.Globalization;
using System.Text;

namespace Sluice.IO;

/// <summary>
/// Exclusive ownership of a directory by one process: a lock file in it (<c>.lock</c> unless named) opened with <see cref="FileShare.None"/>
/// (flock(2) on Unix, a sharing lock on Windows), held until disposed. The operating system releases it when the process
/// dies, so a killed holder never leaves a stale lock. The holder's description (<c>pid N on host H since T</c>) is
/// written to the lock file's name + <c>.owner</c> beside it — the locked file itself cannot be read by others — only so a
/// second process can name the holder in its error. Used by the embedded log's data directory, the DAG scheduler's state
/// directory and the server's data directory (<c>server.lock</c>).
/// </summary>
internal sealed class DirectoryLock : IDisposable
{
    private readonly FileStream _stream;

    private DirectoryLock(FileStream stream) => _stream = stream;

    /// <summary>
    /// Takes the lock of the existing <paramref name="directory"/> (its file <paramref name="fileName"/>); when another process (or another instance in this
    /// one) holds it, throws what <paramref name="held"/> makes of the holder's description (as its owner file says;
    /// <c>an unknown process</c> when that file is not written yet or unreadable) and the I/O error.
    /// </summary>
    /// <exception cref="IOException">The lock file could not be opened for another reason (a missing directory, a read-only or full disk).</exception>
    /// <exception cref="UnauthorizedAccessException">The lock file may not be opened for writing by this user.</exception>
    public static DirectoryLock Acquire(string directory, Func<string, IOException, Exception> held, string fileName = ".lock")
    {
        ArgumentNullException.ThrowIfNull(held);
        var lockPath = Path.Combine(directory, fileName);
        var ownerPath = lockPath + ".owner";
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsHeld(e) && File.Exists(lockPath))
        {
            var holder = "an unknown process";
            try
            {
                var owner = File.ReadAllText(ownerPath).Trim();
                if (owner.Length > 0)
                {
                    holder = owner;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Keep "unknown": the owner file may not be written yet, or not be readable by this user.
            }
            throw held(holder, e);
        }
        var self = string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId} on host {Environment.MachineName} since {DateTimeOffset.UtcNow:O}");
        try
        {
            var bytes = Encoding.UTF8.GetBytes(self + "\n");
            stream.SetLength(0);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
            File.WriteAllText(ownerPath, self + "\n");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new DirectoryLock(stream);
    }

    /// <summary>
    /// Whether opening the lock file failed because another handle holds it: flock(2)'s EWOULDBLOCK on Unix (.NET puts
    /// the errno in HResult: 11 on Linux, Android and illumos, 35 on macOS and FreeBSD; the other number is EDEADLK on
    /// each, which neither open nor flock returns), a sharing or lock violation on Windows. Any other I/O error — a
    /// read-only or full disk, a failing device — is not "held": the caller sees it as it is.
    /// </summary>
    internal static bool IsHeld(IOException e) => OperatingSystem.IsWindows()
        ? (e.HResult & 0xFFFF) is 32 or 33
        : e.HResult is 11 or 35;

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _stream.Dispose();
}
