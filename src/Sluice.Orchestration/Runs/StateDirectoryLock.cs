using System.Globalization;

namespace Sluice.Orchestration.Runs;

/// <summary>
/// The exclusive right to write a state directory: <c>.lock</c> opened with <see cref="FileShare.None"/> (flock(2) on
/// Unix, a sharing lock on Windows), held until disposed. The operating system releases it when the process dies, so a
/// killed scheduler never leaves a stale lock. The holder's pid goes to <c>.lock.owner</c> (beside, because the locked
/// file cannot be read by others) only to name it in the error.
/// </summary>
internal sealed class StateDirectoryLock : IDisposable
{
    private readonly FileStream _lock;

    private StateDirectoryLock(FileStream stream) => _lock = stream;

    /// <summary>
    /// Takes the lock of <paramref name="stateDirectory"/> or throws <see cref="InvalidOperationException"/> naming the
    /// directory and the holder's pid.
    /// </summary>
    public static StateDirectoryLock Acquire(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, ".lock");
        var owner = Path.Combine(stateDirectory, ".lock.owner");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(path))
        {
            var pid = "unknown";
            try
            {
                pid = File.ReadAllText(owner).Trim();
            }
            catch (IOException)
            {
                // Best effort: the pid only decorates the message.
            }
            throw new InvalidOperationException(
                $"The state directory {stateDirectory} is in use by another scheduler (pid {pid}): stop it, or use the server's API " +
                "(POST /api/dags/{id}/runs) to trigger runs while it runs.", e);
        }
        File.WriteAllText(owner, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new StateDirectoryLock(stream);
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();
}
