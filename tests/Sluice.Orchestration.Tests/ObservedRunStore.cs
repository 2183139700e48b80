using System.Text;
using Sluice.Orchestration.Runs;

namespace Sluice.Orchestration.Tests;

/// <summary>
/// A real run store that counts its file reads and writes and can fail chosen writes with an <see cref="IOException"/>
/// (as a full disk would), before anything reaches the disk, or after the file is in place.
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

    /// <summary>
    /// When set and true for a write's path and JSON content, that write reaches the disk and then fails (as a failed
    /// directory fsync after the rename would).
    /// </summary>
    public Func<string, string, bool>? FailAfterWrite { get; set; }

    internal override bool WriteFile(string path, byte[] content, bool createNew)
    {
        Interlocked.Increment(ref _writes);
        var json = Encoding.UTF8.GetString(content);
        if (FailWrite is { } fail && fail(path, json))
        {
            throw new IOException($"No space left on device (simulated) writing {path}");
        }
        var written = base.WriteFile(path, content, createNew);
        if (FailAfterWrite is { } failAfter && failAfter(path, json))
        {
            throw new IOException($"fsync of the directory of {path} failed (simulated)");
        }
        return written;
    }
}
