using System.Text;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

/// <summary>
/// A real run store that counts its file reads and writes and can fail chosen writes with an <see cref="IOException"/>
/// (as a full disk would), before anything reaches the disk.
/// </summary>
internal sealed class ObservedRunStore(string directory) : RunStore(directory)
{
    private int _reads;
    private int _writes;

    /// <summary>File reads so far.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>File writes attempted so far (failed ones included).</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>When set and true for a write's path and JSON content, that write fails.</summary>
    public Func<string, string, bool>? FailWrite { get; set; }

    internal override byte[] ReadFile(string path)
    {
        Interlocked.Increment(ref _reads);
        return base.ReadFile(path);
    }

    internal override bool WriteFile(string path, byte[] content, bool createNew)
    {
        Interlocked.Increment(ref _writes);
        if (FailWrite is { } fail && fail(path, Encoding.UTF8.GetString(content)))
        {
            throw new IOException($"No space left on device (simulated) writing {path}");
        }
        return base.WriteFile(path, content, createNew);
    }
}
