using Sluice.Log;

namespace Sluice.Connectors.Log;

/// <summary>
/// One opened <see cref="PartitionedLog"/> per data directory in this process, shared by reference count: the
/// sources and sinks the 'sluice-log' connector makes over the same directory use the same instance, so the log's
/// directory lock (one owner per directory) never makes a second table over it fail, and a job can read a topic that
/// another table of the same process writes. Thread-safe.
/// </summary>
/// <remarks>
/// The first <see cref="Acquire"/> of a directory opens the log (with default <see cref="LogOptions"/>); the last lease
/// disposed closes it. A log opened directly with <see cref="PartitionedLog.Open"/> elsewhere in the process is not
/// known here: opening the same directory through both fails with <see cref="DataDirectoryLockedException"/>.
/// </remarks>
internal static class SharedLogs
{
    private static readonly Dictionary<string, Entry> s_open = new(StringComparer.Ordinal);
    private static readonly Lock s_lock = new();

    /// <summary>A lease on the log of <paramref name="directory"/>, opening it if no lease holds it yet.</summary>
    /// <param name="directory">The log's data directory (relative paths are resolved against the current directory).</param>
    /// <exception cref="DataDirectoryLockedException">Another process (or a direct open in this one) holds the directory.</exception>
    /// <exception cref="LogException">The path is a file.</exception>
    public static SharedLogLease Acquire(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var key = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        lock (s_lock)
        {
            if (!s_open.TryGetValue(key, out var entry))
            {
                entry = new Entry(key, PartitionedLog.Open(key));
                s_open.Add(key, entry);
            }
            entry.References++;
            return new SharedLogLease(entry);
        }
    }

    /// <summary>How many leases hold the log of <paramref name="directory"/> (0 when it is not open here); for tests.</summary>
    internal static int ReferencesTo(string directory)
    {
        var key = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        lock (s_lock)
        {
            return s_open.TryGetValue(key, out var entry) ? entry.References : 0;
        }
    }

    internal static void Release(Entry entry)
    {
        lock (s_lock)
        {
            if (--entry.References > 0)
            {
                return;
            }
            s_open.Remove(entry.Directory);
            entry.Log.Dispose();
        }
    }

    /// <summary>An opened log and the number of leases on it (guarded by the registry's lock).</summary>
    internal sealed class Entry(string directory, PartitionedLog log)
    {
        public string Directory { get; } = directory;

        public PartitionedLog Log { get; } = log;

        public int References { get; set; }

        /// <summary>Serializes "create the topic if missing" between tables over this log.</summary>
        public Lock TopicLock { get; } = new();
    }
}

/// <summary>
/// A hold on a shared <see cref="PartitionedLog"/> (<see cref="SharedLogs.Acquire"/>): the log stays open until every
/// lease on its directory is disposed. Dispose is idempotent and thread-safe.
/// </summary>
internal sealed class SharedLogLease : IDisposable
{
    private readonly SharedLogs.Entry _entry;
    private int _disposed;

    internal SharedLogLease(SharedLogs.Entry entry) => _entry = entry;

    /// <summary>The open log; do not dispose it (dispose the lease).</summary>
    public PartitionedLog Log => _entry.Log;

    /// <summary>
    /// The topic <paramref name="name"/>, created with <paramref name="partitions"/> partitions when it does not exist
    /// and a count is given; null when it does not exist and none is.
    /// </summary>
    public TopicLog? GetOrCreateTopic(string name, int? partitions)
    {
        lock (_entry.TopicLock)
        {
            if (Log.TryGetTopic(name, out TopicLog? topic))
            {
                return topic;
            }
            return partitions is { } count ? Log.CreateTopic(name, new TopicConfig { Partitions = count }) : null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            SharedLogs.Release(_entry);
        }
    }
}
