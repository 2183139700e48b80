using System.Globalization;
using System.Text;

namespace Sluice.Log;

/// <summary>
/// Exclusive ownership of a data directory: an exclusively opened (<see cref="FileShare.None"/>) lock file,
/// held until dispose. The holder's pid, host and start time are written to <c>.lock.owner</c> so a second
/// process can name the holder in its error (the lock file itself cannot be read while held).
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _stream;

    private DataDirectoryLock(FileStream stream) => _stream = stream;

    public static DataDirectoryLock Acquire(string directory)
    {
        string lockPath = Path.Combine(directory, ".lock");
        string ownerPath = Path.Combine(directory, ".lock.owner");
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            string holder = "an unknown process";
            try
            {
                holder = File.ReadAllText(ownerPath).Trim();
            }
            catch (IOException)
            {
                // Keep "unknown": the owner file may not have been written yet.
            }

            throw new DataDirectoryLockedException(
                $"The log data directory '{directory}' is in use by {holder}. Stop that process or use another --data-dir.", e);
        }

        string owner = string.Create(
            CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId} on host {Environment.MachineName} since {DateTimeOffset.UtcNow:O}");
        byte[] bytes = Encoding.UTF8.GetBytes(owner + "\n");
        stream.SetLength(0);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
        File.WriteAllText(ownerPath, owner + "\n");
        return new DataDirectoryLock(stream);
    }

    public void Dispose() => _stream.Dispose();
}
