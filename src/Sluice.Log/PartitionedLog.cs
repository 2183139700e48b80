using System.Collections.Concurrent;
using Sluice.IO;
using Sluice.Log.Storage;
using Sluice.Log.Transactions;

namespace Sluice.Log;

/// <summary>
/// The embedded durable log: topics of partitions under one data directory, consumer groups and transactions,
/// mirroring Kafka's model. Layout: <c>topics/{topic}/{partition}/{baseOffset:D20}.log|.index</c>,
/// <c>groups/*.offsets</c>, <c>transactions/transactions.log</c>, <c>.lock</c>.
/// <para>One instance (one process) owns a data directory at a time; opening a locked directory throws
/// <see cref="DataDirectoryLockedException"/> naming the holder. All members are thread-safe.</para>
/// </summary>
public sealed class PartitionedLog : IDisposable
{
    private readonly Lock _topicsLock = new();
    private readonly ConcurrentDictionary<string, TopicLog> _topics = new(StringComparer.Ordinal);
    private readonly DirectoryLock _lock;
    private readonly string _topicsDirectory;
    private readonly TransactionCoordinator _transactions;
    private readonly ITimer? _maintenanceTimer;
    private readonly ITimer? _flushTimer;
    private readonly string _cleanShutdownMarker;
    private bool _disposed;

    /// <summary>Written by a clean close of a writable log, deleted by the next writable open (Kafka's
    /// <c>.kafka_cleanshutdown</c>); see <see cref="CleanShutdownMarker"/>.</summary>
    internal const string CleanShutdownFileName = ".clean-shutdown";

    private PartitionedLog(string dataDirectory, LogOptions options, DirectoryLock directoryLock)
    {
        DataDirectory = dataDirectory;
        Options = options;
        _lock = directoryLock;
        _topicsDirectory = Path.Combine(dataDirectory, "topics");
        _cleanShutdownMarker = Path.Combine(dataDirectory, CleanShutdownFileName);
        CleanShutdownMarker? cleanShutdown = CleanShutdownMarker.TryRead(_cleanShutdownMarker);
        byte[]? markerBytes = cleanShutdown is null ? null : File.ReadAllBytes(_cleanShutdownMarker);
        if (!options.ReadOnly)
        {
            Directory.CreateDirectory(_topicsDirectory);
        }

        try
        {
            foreach (string dir in Directory.Exists(_topicsDirectory) ? Directory.EnumerateDirectories(_topicsDirectory) : [])
            {
                string name = Path.GetFileName(dir);
                if (TopicLog.IsValidName(name) && File.Exists(Path.Combine(dir, "topic.config")))
                {
                    _topics[name] = TopicLog.Open(name, dir, options, cleanShutdown);
                }
            }

            if (!options.ReadOnly)
            {
                // Before the first append (transaction recovery's markers, then users): from here until a clean close
                // a crash leaves no marker, and the next open treats a damaged tail of an active segment as a torn write.
                File.Delete(_cleanShutdownMarker);
                AtomicFile.SyncDirectory(dataDirectory);
            }

            Groups = new ConsumerGroupStore(Path.Combine(dataDirectory, "groups"), options.ReadOnly);
            _transactions = TransactionCoordinator.Open(
                Path.Combine(dataDirectory, "transactions"), FindPartition, AllPartitions(), Groups, options.TimeProvider, options.ReadOnly, cleanShutdown is not null);
        }
        catch
        {
            // A failed open (overlapping segments, a damaged transaction log…) closes what it opened and leaves the
            // marker as it found it, so a retry still knows the last close was clean.
            foreach (TopicLog opened in _topics.Values)
            {
                opened.Dispose();
            }

            if (markerBytes is not null && !options.ReadOnly)
            {
                AtomicFile.Write(_cleanShutdownMarker, markerBytes);
            }

            throw;
        }

        if (options.MaintenanceInterval is { } interval)
        {
            _maintenanceTimer = options.TimeProvider.CreateTimer(static s => ((PartitionedLog)s!).RunMaintenanceSafely(), this, interval, interval);
        }

        if (options.FlushPolicy.Kind == FlushKind.Interval)
        {
            TimeSpan period = options.FlushPolicy.Interval;
            _flushTimer = options.TimeProvider.CreateTimer(static s => ((PartitionedLog)s!).FlushDueSafely(), this, period, period);
        }
    }

    /// <summary>The data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The options the log was opened with.</summary>
    public LogOptions Options { get; }

    /// <summary>Committed offsets of consumer groups.</summary>
    public ConsumerGroupStore Groups { get; }

    /// <summary>The last error thrown by background maintenance or interval flushing, if any (null when healthy).</summary>
    public Exception? LastBackgroundError { get; private set; }

    /// <summary>
    /// Opens (creating if needed, unless <see cref="LogOptions.ReadOnly"/>) the log in <paramref name="dataDirectory"/>:
    /// takes the directory lock, opens every topic, then recovers transactions (finishing committed ones, aborting
    /// unprepared ones). Opening never deletes or shortens acknowledged data: after an unclean shutdown a torn tail of
    /// an active segment is moved to its quarantine file; any other damage is left in place and listed in
    /// <see cref="PartitionLog.KnownDamage"/> (see <see cref="PartitionLog.Repair"/>).
    /// </summary>
    /// <param name="dataDirectory">Directory owned by this log.</param>
    /// <param name="options">Options; defaults when null.</param>
    /// <exception cref="DataDirectoryLockedException">Another process or instance holds the directory.</exception>
    /// <exception cref="LogException">Read-only and the directory does not exist, or it is not a directory.</exception>
    public static PartitionedLog Open(string dataDirectory, LogOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        options ??= new LogOptions();
        string full = Path.GetFullPath(dataDirectory);
        if (File.Exists(full))
        {
            throw new LogException($"The log data directory '{full}' is a file; pass a directory as --data-dir.");
        }

        if (options.ReadOnly && !Directory.Exists(full))
        {
            throw new LogException($"The log data directory '{full}' does not exist; check --data-dir.");
        }

        Directory.CreateDirectory(full);
        var directoryLock = DirectoryLock.Acquire(full, (holder, e) =>
            new DataDirectoryLockedException($"The log data directory '{full}' is in use by {holder}. Stop that process or use another --data-dir.", e));
        try
        {
            return new PartitionedLog(full, options, directoryLock);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>Creates a topic.</summary>
    /// <param name="name">Kafka-legal name: 1–249 characters of [a-zA-Z0-9._-].</param>
    /// <param name="config">Configuration; defaults (1 partition) when null.</param>
    /// <exception cref="ArgumentException">The name is invalid or the topic exists.</exception>
    public TopicLog CreateTopic(string name, TopicConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        config ??= new TopicConfig();
        if (!TopicLog.IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid topic name: use 1-249 characters of a-z, A-Z, 0-9, '.', '_' and '-'.", nameof(name));
        }

        config.Validate(name);
        ThrowIfReadOnly();
        lock (_topicsLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_topics.ContainsKey(name))
            {
                throw new ArgumentException($"Topic '{name}' already exists.", nameof(name));
            }

            TopicLog topic = TopicLog.Create(name, Path.Combine(_topicsDirectory, name), config, Options);
            _topics[name] = topic;
            return topic;
        }
    }

    /// <summary>Returns an existing topic.</summary>
    /// <param name="name">Topic name.</param>
    /// <exception cref="ArgumentException">No such topic.</exception>
    public TopicLog GetTopic(string name) =>
        _topics.TryGetValue(name, out TopicLog? topic)
            ? topic
            : throw new ArgumentException($"Topic '{name}' does not exist in '{DataDirectory}'. Create it first (sluice log topics create {name}).", nameof(name));

    /// <summary>Looks up a topic.</summary>
    /// <param name="name">Topic name.</param>
    /// <param name="topic">The topic when found.</param>
    public bool TryGetTopic(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TopicLog? topic) => _topics.TryGetValue(name, out topic);

    /// <summary>All topics, sorted by name.</summary>
    public IReadOnlyList<TopicLog> ListTopics() => [.. _topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>Returns a partition of an existing topic.</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partition">Partition number.</param>
    public PartitionLog GetPartition(string topic, int partition) => GetTopic(topic).GetPartition(partition);

    /// <summary>Deletes a topic, its files and its committed group offsets. Returns false when it did not exist.</summary>
    /// <param name="name">Topic name.</param>
    public bool DeleteTopic(string name)
    {
        ThrowIfReadOnly();
        lock (_topicsLock)
        {
            if (!_topics.TryRemove(name, out TopicLog? topic))
            {
                return false;
            }

            topic.Dispose();
            Directory.Delete(topic.Directory, recursive: true);
            Groups.ForgetTopic(name);
            return true;
        }
    }

    /// <summary>
    /// Creates the transactional producer for <paramref name="transactionalId"/> with a new epoch, fencing any
    /// earlier producer of the id (its open transaction is aborted). Prepared transactions of the id stay pending
    /// and can be resolved through the new producer.
    /// </summary>
    /// <param name="transactionalId">Stable writer id (e.g. "job/sink/subtask").</param>
    public TransactionalProducer InitTransactions(string transactionalId)
    {
        ThrowIfReadOnly();
        return _transactions.InitTransactions(transactionalId);
    }

    private void ThrowIfReadOnly()
    {
        if (Options.ReadOnly)
        {
            throw new InvalidOperationException($"The log in '{DataDirectory}' was opened read-only; open it without LogOptions.ReadOnly to change it.");
        }
    }

    /// <summary>
    /// The transactional ids starting with <paramref name="prefix"/> (ordinal) that the log knows — every id ever
    /// initialised, with an epoch or committed history in the transaction log — sorted ordinally. Lets a two-phase
    /// writer find the prepared transactions of all its former subtasks whatever their number. Thread-safe.
    /// </summary>
    /// <param name="prefix">Id prefix; empty lists every id.</param>
    public IReadOnlyList<string> TransactionalIds(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return _transactions.TransactionalIds(prefix);
    }

    /// <summary>Per partition of every topic the group committed on: committed offset, end offset and lag.</summary>
    /// <param name="group">Group name.</param>
    public IReadOnlyList<GroupPartitionLag> DescribeGroup(string group)
    {
        var result = new List<GroupPartitionLag>();
        foreach (var (tp, committed) in Groups.GetCommittedOffsets(group).OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition))
        {
            if (TryGetTopic(tp.Topic, out TopicLog? topic) && tp.Partition < topic.PartitionCount)
            {
                long end = topic.GetPartition(tp.Partition).EndOffset;
                result.Add(new GroupPartitionLag(group, tp.Topic, tp.Partition, committed, end, Math.Max(0, end - committed)));
            }
        }

        return result;
    }

    /// <summary>Moves a group's committed offsets on every partition of a topic (or one partition) to the earliest,
    /// latest, a given offset, or the first offset at or after a timestamp, durably. Other partitions and topics of the
    /// group keep their offsets. Returns the offsets committed.</summary>
    /// <param name="group">Group name.</param>
    /// <param name="topic">Topic name.</param>
    /// <param name="kind">Target.</param>
    /// <param name="value">For <see cref="OffsetResetKind.Timestamp"/>: Unix milliseconds; for
    /// <see cref="OffsetResetKind.Offset"/>: the offset (clamped to each partition's [log start, end]).</param>
    /// <param name="partition">Only this partition; all when null.</param>
    public IReadOnlyList<TopicPartitionOffset> ResetGroupOffsets(string group, string topic, OffsetResetKind kind, long value = 0, int? partition = null)
    {
        TopicLog t = GetTopic(topic);
        var offsets = new List<TopicPartitionOffset>(t.PartitionCount);
        IEnumerable<PartitionLog> partitions = partition is { } only ? [t.GetPartition(only)] : t.Partitions;
        foreach (PartitionLog p in partitions)
        {
            long offset = kind switch
            {
                OffsetResetKind.Earliest => p.LogStartOffset,
                OffsetResetKind.Latest => p.EndOffset,
                OffsetResetKind.Offset => Math.Clamp(value, p.LogStartOffset, p.EndOffset),
                _ => p.FindOffsetForTimestamp(value) ?? p.EndOffset,
            };
            offsets.Add(new TopicPartitionOffset(topic, p.Partition, offset));
        }

        Groups.Commit(group, offsets);
        return offsets;
    }

    /// <summary>Repairs every partition of a topic, or one (see <see cref="PartitionLog.Repair"/>).</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partition">Only this partition; all when null.</param>
    /// <returns>The ranges moved to quarantine files.</returns>
    public IReadOnlyList<QuarantinedRange> Repair(string topic, int? partition = null)
    {
        ThrowIfReadOnly();
        TopicLog t = GetTopic(topic);
        var moved = new List<QuarantinedRange>();
        foreach (PartitionLog p in partition is { } only ? [t.GetPartition(only)] : t.Partitions)
        {
            moved.AddRange(p.Repair());
        }

        return moved;
    }

    /// <summary>Runs retention and compaction on every partition per its topic's cleanup policy, and compacts the
    /// transaction log when large. Also run periodically when <see cref="LogOptions.MaintenanceInterval"/> is set.</summary>
    public void RunMaintenance()
    {
        foreach (TopicLog topic in _topics.Values)
        {
            foreach (PartitionLog p in topic.Partitions)
            {
                if (topic.Config.CleanupPolicy != CleanupPolicy.Delete)
                {
                    p.Compact();
                }

                if (topic.Config.CleanupPolicy != CleanupPolicy.Compact)
                {
                    p.EnforceRetention();
                }
            }
        }

        _transactions.CompactIfLarge(AllPartitions());
    }

    /// <summary>fsyncs every partition.</summary>
    public void Flush()
    {
        foreach (PartitionLog p in AllPartitions())
        {
            p.Flush();
        }
    }

    private void RunMaintenanceSafely()
    {
        try
        {
            RunMaintenance();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LastBackgroundError = e;
        }
    }

    private void FlushDueSafely()
    {
        try
        {
            foreach (PartitionLog p in AllPartitions())
            {
                p.FlushIfDue();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LastBackgroundError = e;
        }
    }

    private PartitionLog? FindPartition(string topic, int partition) =>
        _topics.TryGetValue(topic, out TopicLog? t) && (uint)partition < (uint)t.PartitionCount ? t.GetPartition(partition) : null;

    private IEnumerable<PartitionLog> AllPartitions() => _topics.Values.SelectMany(t => t.Partitions).ToArray();

    /// <summary>Stops background work, fsyncs and closes all files, and releases the directory lock.</summary>
    public void Dispose()
    {
        lock (_topicsLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _maintenanceTimer?.Dispose();
        _flushTimer?.Dispose();
        _transactions.Dispose();
        foreach (TopicLog topic in _topics.Values)
        {
            topic.Dispose();
        }

        if (!Options.ReadOnly && _topics.Values.All(t => t.ClosedCleanly))
        {
            CleanShutdownMarker.Write(_cleanShutdownMarker, AllPartitions());
        }

        _lock.Dispose();
    }
}
