using System.Diagnostics;
using Confluent.Kafka;
using Sluice.Formats;
using Sluice.Sources;

namespace Sluice.Connectors.Kafka;

/// <summary>
/// One subtask of a <see cref="KafkaSource{T}"/>: a consumer-group member whose dedicated poll thread consumes,
/// decodes and buffers records (bounded by <see cref="KafkaSourceOptions.BufferedRecords"/>), waking the subtask
/// through <see cref="SourceReaderContext.SignalAvailable"/>; the subtask emits them in per-partition batches.
/// </summary>
/// <remarks>
/// <para><b>Splits.</b> <see cref="SplitCount"/> is the total partition count of the subscribed topics when the
/// reader starts; split <c>i</c> is a fixed slot for one partition (topics in order, partitions ascending). The group
/// decides which slots this reader actually reads. Once the group has assigned this reader its partitions (possibly
/// none), the slots it does not own (never assigned, or revoked by a rebalance) are marked idle — not finished — so
/// they do not hold back the watermark, and a reader that owns nothing is idle as a whole; downstream operators do not
/// wait for it. A partition assigned back later becomes active again and holds the watermark back from then on (its
/// records below the watermark already emitted count as late). Before the first assignment nothing is marked. The
/// cooperative-sticky assignor (the default here) keeps moves
/// rare. Partitions added to a topic after the start share slots (<c>partition mod count</c>).</para>
/// <para><b>Positions.</b> A position is the next offset to emit, recorded when a batch is handed to the engine.
/// <see cref="GetPositions"/> returns them for a checkpoint; <see cref="KafkaSourceOptions.StartingOffsets"/> restores
/// them; <see cref="CommitOffsets"/> stores them in the group (never auto-commit).</para>
/// <para>Thread-safety: <see cref="PollNext"/> and <see cref="Dispose"/> come from the subtask's thread;
/// <see cref="GetPositions"/>, <see cref="Assignment"/> and <see cref="CommitOffsets"/> may be called from any thread.</para>
/// <para><b>Closing.</b> No commit may reach the consumer while it closes: librdkafka aborts the whole process
/// (<c>rd_kafka_cgrp_terminated: assert: !rd_kafka_assignment_in_progress</c>) when a commit arrives after the group
/// finished its last assignment step but before it terminated, and a commit sent during the close may never return.
/// So <see cref="Dispose"/> first refuses new commits and waits for those in flight, then stops the poll thread (the
/// only other thread that calls the consumer), then closes the consumer on its own thread. The rebalance callbacks
/// that the close itself serves commit nothing either: a pending assignment served there first lets the group finish
/// and leave before the revocation callback runs.</para>
/// </remarks>
/// <typeparam name="T">Record type.</typeparam>
internal sealed partial class KafkaSourceReader<T> : ISourceReader<T>, ICheckpointedSourceReader
{
    private static readonly TimeSpan s_pollTimeout = TimeSpan.FromMilliseconds(100);
    private readonly KafkaSource<T> _source;
    private readonly SourceReaderContext _context;
    private readonly IMessageDeserializer<T> _deserializer;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly TimeSpan _requestTimeout;
    private readonly Dictionary<string, (int First, int Count)> _topicSlots = new(StringComparer.Ordinal);
    private readonly string[] _slotTopics;
    private readonly IReadOnlyList<string> _topics; // Topics, or those matching TopicPattern when the reader was created.
    private readonly int[] _slotPartitions;
    private readonly long[] _endOffsets;
    private readonly int _chunkCapacity;
    private readonly int _maxChunks;
    private readonly int _maxRecordsPerPoll;
    private readonly Thread _pollThread;
    private readonly KafkaConsumerLag _lag;

    // Guarded by _lock: shared between the poll thread, the subtask thread and callers of the public methods.
    private readonly object _lock = new();
    private readonly Queue<Chunk> _queue = new();
    private readonly Stack<Chunk> _pool = new();
    private readonly long[] _positions;
    private readonly bool[] _assigned;
    private readonly bool[] _done;
    private int _assignedCount;
    private bool _assignmentSeen;
    private bool _waiting;
    private Exception? _failure;
    private List<TopicPartitionOffset>? _finalPositions;
    private readonly List<TopicPartitionOffset> _checkpointPositions = [];
    private volatile bool _stopping;
    private bool _closing; // No commit may start: the consumer is about to close (see the remarks on the type).
    private int _commitsInFlight; // Commits through CommitOffsets that have not returned yet.

    // Subtask thread only.
    private readonly bool[] _reportedIdle;
    private readonly List<Chunk> _taken = [];
    private readonly List<(int Slot, bool Idle)> _idleChanges = [];
    private readonly List<TopicPartition> _finishedOwn = [];
    private readonly TopicPartition[] _allPartitions;
    private bool _finished;
    private bool _disposed;
    private bool _closingConsumer; // Set by Dispose once the poll thread ended: the rebalance callbacks then run inside its Close.
    private List<TopicPartitionOffset>? _queuedCheckpointCommit; // Guarded by _lock: offsets of the newest completed checkpoint not yet committed.
    private bool _checkpointCommitRunning; // Guarded by _lock.
    private Exception? _lastCheckpointCommitError;

    // Poll thread only.
    private Chunk? _building;

    internal KafkaSourceReader(KafkaSource<T> source, SourceReaderContext context)
    {
        _source = source;
        _context = context;
        _deserializer = source.Deserializer;
        var options = source.Options;
        var config = source.Connection.ToConfig();
        foreach (var (key, value) in options.ConsumerProperties)
        {
            config[key] = value;
        }
        config["group.id"] = options.GroupId;
        config["enable.auto.commit"] = "false";
        config["enable.auto.offset.store"] = "false";
        config["isolation.level"] = options.Isolation == IsolationLevel.ReadCommitted ? "read_committed" : "read_uncommitted";
        config["enable.partition.eof"] = options.Bounded ? "true" : "false";
        config.TryAdd("partition.assignment.strategy", "cooperative-sticky");
        config["auto.offset.reset"] = options.StartingPosition.Fallback == KafkaStartingPositionKind.Latest ? "latest" : "earliest";
        _requestTimeout = TimeSpan.FromMilliseconds(config.TryGetValue("socket.timeout.ms", out var socket) && int.TryParse(socket, out var ms) ? ms : 30_000);
        var clientLog = KafkaClientLog.ForJob(context.LoggerFactory, context.OperatorName, context.SubtaskIndex, context.JobName, context.JobId);
        config.TryAdd("statistics.interval.ms", KafkaConsumerLag.DefaultStatisticsIntervalMs);
        _lag = new KafkaConsumerLag(context.JobName, context.JobId, context.OperatorName, context.SubtaskIndex, options.GroupId);

        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetLogHandler((_, m) => clientLog.Write(m))
            .SetErrorHandler((_, e) => OnError(e))
            .SetStatisticsHandler((_, json) => _lag.OnStatistics(json))
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler(OnLost)
            .Build();
        var counted = false; // whether the source counts this reader as live
        try
        {
            var slots = new List<(string Topic, int Partition)>();
            using (var admin = new DependentAdminClientBuilder(_consumer.Handle).Build())
            {
                _topics = source.TopicsForNewReader(() => MatchingTopics(admin, options));
                counted = true;
                foreach (var topic in _topics)
                {
                    var count = PartitionCount(admin, topic);
                    _topicSlots[topic] = (slots.Count, count);
                    for (var p = 0; p < count; p++)
                    {
                        slots.Add((topic, p));
                    }
                }
            }
            _slotTopics = [.. slots.Select(s => s.Topic)];
            _slotPartitions = [.. slots.Select(s => s.Partition)];
            _endOffsets = new long[slots.Count];
            Array.Fill(_endOffsets, long.MaxValue);
            if (options.Bounded)
            {
                for (var i = 0; i < slots.Count; i++)
                {
                    _endOffsets[i] = _consumer.QueryWatermarkOffsets(new TopicPartition(_slotTopics[i], _slotPartitions[i]), _requestTimeout).High.Value;
                }
            }
        }
        catch (KafkaSourceException)
        {
            _consumer.Dispose();
            if (counted)
            {
                source.ReaderClosed();
            }
            throw;
        }
        catch (KafkaException e)
        {
            _consumer.Dispose();
            if (counted)
            {
                source.ReaderClosed();
            }
            throw new KafkaSourceException($"Kafka source (group '{options.GroupId}', subtask {context.SubtaskIndex}) could not read the metadata of [{(options.TopicPattern is null ? string.Join(", ", options.Topics) : $"topics matching '{options.TopicPattern}'")}] from {source.Connection.BootstrapServers}: {e.Error.Reason}", e);
        }
        _allPartitions = [.. _slotTopics.Select((topic, i) => new TopicPartition(topic, _slotPartitions[i]))];
        _positions = new long[_slotTopics.Length];
        Array.Fill(_positions, -1);
        _assigned = new bool[_slotTopics.Length];
        _done = new bool[_slotTopics.Length];
        _reportedIdle = new bool[_slotTopics.Length];
        _chunkCapacity = Math.Max(16, context.BatchSize);
        _maxChunks = Math.Max(2, options.BufferedRecords / _chunkCapacity);
        _maxRecordsPerPoll = options.MaxRecordsPerPoll > 0 ? options.MaxRecordsPerPoll : 4 * Math.Max(1, context.BatchSize);
        _consumer.Subscribe(_topics);
        _pollThread = new Thread(PollLoop)
        {
            IsBackground = true,
            Name = $"sluice-kafka-poll-{options.GroupId}-{context.SubtaskIndex}",
        };
        _pollThread.Start();
        _lag.Track();
    }

    /// <summary>One split per partition of the subscribed topics at start (see the remarks on the type).</summary>
    public int SplitCount => _slotTopics.Length;

    /// <summary>This reader's subtask index.</summary>
    public int SubtaskIndex => _context.SubtaskIndex;

    /// <summary>The consumer's member id in the group (empty before it joined).</summary>
    public string MemberId => _consumer.MemberId ?? "";

    /// <summary>The partitions the group currently assigns to this reader. Thread-safe.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_lock)
            {
                var list = new List<TopicPartition>();
                for (var i = 0; i < _assigned.Length; i++)
                {
                    if (_assigned[i])
                    {
                        list.Add(new TopicPartition(_slotTopics[i], _slotPartitions[i]));
                    }
                }
                return list;
            }
        }
    }

    /// <summary>
    /// The last failure to commit positions of partitions being revoked because the group had already moved on
    /// (the rebalance outran the commit); null when there was none. Such a failure does not fail the job: the next
    /// owner re-reads from the previous commit (at-least-once). Any other commit failure fails the job.
    /// </summary>
    public Exception? LastRevocationCommitError { get; private set; }

    /// <summary>
    /// The next offset to emit of each partition this reader owns and has a known position for: everything before
    /// it has been handed to the engine. Pass them back as <see cref="KafkaSourceOptions.StartingOffsets"/> to
    /// resume. Thread-safe.
    /// </summary>
    /// <remarks>After the reader was disposed: the positions of the partitions it owned when it closed.</remarks>
    public IReadOnlyList<TopicPartitionOffset> GetPositions()
    {
        lock (_lock)
        {
            return _finalPositions ?? PositionsLocked(all: false);
        }
    }

    /// <summary>The split id of a partition in checkpoints: <c>kafka:&lt;topic&gt;/&lt;partition&gt;</c>.</summary>
    public string SplitId(int split) => SplitIdOf(_slotTopics[split], _slotPartitions[split]);

    private static string SplitIdOf(string topic, int partition) => $"kafka:{topic}/{partition}";

    /// <summary>
    /// The next offset to emit of the partition (<see cref="SplitPositions"/> encoding; −1 while unknown), recorded for the commit
    /// when this checkpoint completes. Called on the subtask thread between polls.
    /// </summary>
    public byte[] SnapshotSplit(int split)
    {
        long position;
        lock (_lock)
        {
            position = _positions[split];
            if (split == 0)
            {
                _checkpointPositions.Clear();
            }
            if (position >= 0 && _assigned[split])
            {
                _checkpointPositions.Add(new TopicPartitionOffset(_slotTopics[split], _slotPartitions[split], position));
            }
        }
        return SplitPositions.FromInt64(position);
    }

    /// <summary>
    /// A checkpoint holding this reader's positions completed: commits exactly those offsets to the consumer group so
    /// lag tools see progress. The commit is a network round trip, so it runs on the thread pool, never on the task
    /// thread that calls this: commits run one at a time, and a commit still waiting when a newer checkpoint completes
    /// is replaced by the newer offsets (they subsume it). A failed commit is kept in
    /// <see cref="LastCheckpointCommitError"/> and does not fail the job (the checkpoint, not the group offset, is what
    /// a restore resumes from). <see cref="Dispose"/> waits until the queued commits are done.
    /// </summary>
    public void NotifyCheckpointComplete(long checkpointId)
    {
        lock (_lock)
        {
            if (_checkpointPositions.Count == 0 || _stopping)
            {
                return;
            }
            _queuedCheckpointCommit = [.. _checkpointPositions];
            if (_checkpointCommitRunning)
            {
                return;
            }
            _checkpointCommitRunning = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static reader => reader.CommitCheckpointOffsets(), this, preferLocal: false);
    }

    /// <summary>Commits queued checkpoint offsets until none is left (thread pool).</summary>
    private void CommitCheckpointOffsets()
    {
        while (true)
        {
            List<TopicPartitionOffset> offsets;
            lock (_lock)
            {
                if (_queuedCheckpointCommit is null)
                {
                    _checkpointCommitRunning = false;
                    Monitor.PulseAll(_lock); // Dispose may be waiting for this commit.
                    return;
                }
                // Dispose refuses commits only once this loop has ended, so CommitOffsets cannot throw ObjectDisposedException here.
                Debug.Assert(!_closing, "The consumer closed while a checkpoint commit was queued.");
                offsets = _queuedCheckpointCommit;
                _queuedCheckpointCommit = null;
            }
            try
            {
                CommitOffsets(offsets);
                LastCheckpointCommitError = null;
            }
            catch (KafkaSourceException e)
            {
                LastCheckpointCommitError = e;
            }
        }
    }

    /// <summary>The last failure to commit a completed checkpoint's offsets to the group, or null.</summary>
    /// <remarks>Written by the background commit (see <see cref="NotifyCheckpointComplete"/>); any thread may read it.</remarks>
    public Exception? LastCheckpointCommitError
    {
        get => Volatile.Read(ref _lastCheckpointCommitError);
        private set => Volatile.Write(ref _lastCheckpointCommitError, value);
    }

    /// <summary>
    /// Commits offsets to the consumer group synchronously, so lag tools see progress: <paramref name="offsets"/>,
    /// or this reader's current <see cref="GetPositions"/> when null. Called at the end of a bounded run and on
    /// revocation (see <see cref="KafkaSourceOptions"/>); with checkpoints it is also called when a checkpoint
    /// completes, with that checkpoint's positions. Thread-safe: a commit that races <see cref="Dispose"/> either
    /// completes before the consumer closes (Dispose waits for it) or throws <see cref="ObjectDisposedException"/>;
    /// once the reader is being disposed, a commit refused by a rebalance is not retried.
    /// </summary>
    /// <exception cref="KafkaSourceException">The commit failed (e.g. the partitions were reassigned meanwhile).</exception>
    /// <exception cref="ObjectDisposedException">The reader is being disposed or was disposed: its consumer closes or has closed.</exception>
    public void CommitOffsets(IEnumerable<TopicPartitionOffset>? offsets = null)
    {
        var given = offsets?.ToList();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closing, this);
            _commitsInFlight++;
        }
        try
        {
            CommitOffsetsWithRetry(given);
        }
        finally
        {
            lock (_lock)
            {
                if (--_commitsInFlight == 0)
                {
                    Monitor.PulseAll(_lock); // Dispose may be waiting for the last commit in flight.
                }
            }
        }
    }

    private void CommitOffsetsWithRetry(List<TopicPartitionOffset>? given)
    {
        var deadline = DateTime.UtcNow + _requestTimeout;
        while (true)
        {
            // Without explicit offsets, re-read the positions on each attempt: a rebalance may have moved partitions.
            var list = given ?? [.. GetPositions()];
            if (list.Count == 0)
            {
                return;
            }
            try
            {
                _consumer.Commit(list);
                return;
            }
            catch (KafkaException e) when (e.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId
                or ErrorCode.GroupLoadInProgress or ErrorCode.NotCoordinatorForGroup or ErrorCode.Local_State && DateTime.UtcNow < deadline && !_stopping)
            {
                // The group is settling: the poll thread completes the rebalance; retry shortly.
                lock (_lock)
                {
                    Monitor.Wait(_lock, TimeSpan.FromMilliseconds(50));
                }
            }
            catch (KafkaException e)
            {
                throw new KafkaSourceException($"Kafka source (group '{_source.Options.GroupId}', subtask {SubtaskIndex}) could not commit offsets [{string.Join(", ", list)}] to the group: {e.Error.Reason}", e);
            }
        }
    }

    /// <inheritdoc />
    public SourceStatus PollNext(ISourceOutput<T> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_finished)
        {
            return SourceStatus.Finished;
        }
        bool more;
        bool finished;
        lock (_lock)
        {
            if (_failure is { } failure)
            {
                throw new KafkaSourceException($"Kafka source (group '{_source.Options.GroupId}', subtask {SubtaskIndex}) failed: {failure.Message}", failure);
            }
            if (_assignmentSeen)
            {
                // Slots of partitions this reader does not own are idle (not finished): a rebalance may hand them back,
                // and a reader that owns nothing must not release the watermark to +inf.
                for (var i = 0; i < _assigned.Length; i++)
                {
                    var idle = !_assigned[i];
                    if (idle != _reportedIdle[i])
                    {
                        _reportedIdle[i] = idle;
                        _idleChanges.Add((i, idle));
                    }
                }
            }
            var budget = _maxRecordsPerPoll;
            while (budget > 0 && _queue.TryDequeue(out var chunk))
            {
                budget -= Math.Max(1, chunk.Count);
                _positions[chunk.Slot] = chunk.NextOffset;
                _taken.Add(chunk);
            }
            more = _queue.Count > 0;
            finished = !more && BoundedEndLocked();
            if (!more)
            {
                // Also when this reader's own partitions are done: the job-wide check below may still say no, and
                // whatever changes its answer wakes waiting readers (KafkaSource.ReportFinished).
                _waiting = true;
            }
            if (finished)
            {
                _finishedOwn.Clear();
                for (var i = 0; i < _assigned.Length; i++)
                {
                    if (_assigned[i])
                    {
                        _finishedOwn.Add(new TopicPartition(_slotTopics[i], _slotPartitions[i]));
                    }
                }
            }
        }
        if (finished)
        {
            _source.ReportFinished(_finishedOwn);
            finished = _source.AllPartitionsFinished(_allPartitions);
        }
        foreach (var (slot, idle) in _idleChanges)
        {
            output.MarkSplitIdle(slot, idle);
        }
        _idleChanges.Clear();
        foreach (var chunk in _taken)
        {
            if (chunk.Letters is { Count: > 0 } letters)
            {
                foreach (var letter in letters)
                {
                    output.ReportDeadLetter(letter);
                }
            }
            if (chunk.Count > 0)
            {
                output.CollectBatch(chunk.Slot, chunk.Values.AsSpan(0, chunk.Count), chunk.Timestamps.AsSpan(0, chunk.Count));
            }
        }
        if (_taken.Count > 0)
        {
            lock (_lock)
            {
                foreach (var chunk in _taken)
                {
                    Recycle(chunk);
                }
                Monitor.PulseAll(_lock);
            }
            _taken.Clear();
        }
        if (finished)
        {
            _finished = true;
            if (_source.Options.CommitOnFinish)
            {
                CommitOffsets();
            }
            return SourceStatus.Finished;
        }
        return more ? SourceStatus.MoreAvailable : SourceStatus.NothingAvailable;
    }

    /// <summary>
    /// Stops the poll thread and leaves the group: waits for the queued checkpoint commits and for commits in flight
    /// on other threads, refuses later ones (<see cref="CommitOffsets"/> throws <see cref="ObjectDisposedException"/>),
    /// then closes the consumer (see the remarks on the type). It waits only for commits already started or queued
    /// (none is retried once stopping). Positions are not committed here (see <see cref="KafkaSourceOptions.CommitOnRevoke"/>).
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        lock (_lock)
        {
            _finalPositions = PositionsLocked(all: false);
            _stopping = true; // No new checkpoint commit; commits refused by a rebalance are not retried.
            Monitor.PulseAll(_lock);
            while (_checkpointCommitRunning)
            {
                Monitor.Wait(_lock); // Queued checkpoint commits finish first (each bounded by its request timeout).
            }
            _closing = true;
            while (_commitsInFlight > 0)
            {
                Monitor.Wait(_lock); // A commit racing this close must reach the group before the close starts.
            }
        }
        _pollThread.Join();
        _lag.Untrack();
        _closingConsumer = true;
        try
        {
            _consumer.Close();
        }
        catch (KafkaException)
        {
            // Leaving the group is best effort: the group coordinator evicts a silent member after its session timeout.
        }
        _consumer.Dispose();
        _disposed = true;
        _source.ReaderClosed();
    }

    /// <summary>Signals the subtask if it waits for data, so it polls again. Thread-safe.</summary>
    internal void WakeIfWaiting()
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                return;
            }
            _waiting = false;
        }
        _context.SignalAvailable();
    }

    internal string DebugState()
    {
        lock (_lock)
        {
            return $"assigned=[{string.Join(",", _assigned)}] done=[{string.Join(",", _done)}] ends=[{string.Join(",", _endOffsets)}] pos=[{string.Join(",", _positions)}] queue={_queue.Count} waiting={_waiting} seen={_assignmentSeen} failure={_failure?.Message}";
        }
    }

    /// <summary>The cluster's topics (internal '__' topics excluded, as Kafka's own pattern subscriptions do) whose whole name matches the pattern, in name order (so every reader numbers its splits alike).</summary>
    private static IReadOnlyList<string> MatchingTopics(IAdminClient admin, KafkaSourceOptions options)
    {
        var matching = new List<string>();
        foreach (var info in admin.GetMetadata(TimeSpan.FromSeconds(30)).Topics)
        {
            if (!info.Error.IsError && !info.Topic.StartsWith("__", StringComparison.Ordinal) && options.MatchesTopicPattern(info.Topic))
            {
                matching.Add(info.Topic);
            }
        }
        if (matching.Count == 0)
        {
            throw new KafkaSourceException($"No Kafka topic matches topic pattern '{options.TopicPattern}'; create one first or fix the pattern.");
        }
        matching.Sort(StringComparer.Ordinal);
        return matching;
    }

    private static int PartitionCount(IAdminClient admin, string topic)
    {
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(30));
        var info = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
        if (info is null || info.Error.IsError || info.Partitions.Count == 0)
        {
            var reason = info?.Error.IsError == true ? info.Error.Reason : "no partitions";
            throw new KafkaSourceException($"Kafka topic '{topic}' cannot be read ({reason}); create it first or fix the topic name.");
        }
        return info.Partitions.Count;
    }

    private int SlotOf(string topic, int partition)
    {
        var (first, count) = _topicSlots[topic];
        return first + (partition < count ? partition : partition % count);
    }

    private bool BoundedEndLocked()
    {
        if (!_source.Options.Bounded || !_assignmentSeen || _building is { } open && (open.Count > 0 || open.Letters is { Count: > 0 }))
        {
            return false;
        }
        for (var i = 0; i < _assigned.Length; i++)
        {
            if (_assigned[i] && !_done[i])
            {
                return false;
            }
        }
        return true;
    }

    private List<TopicPartitionOffset> PositionsLocked(bool all)
    {
        var list = new List<TopicPartitionOffset>();
        for (var i = 0; i < _positions.Length; i++)
        {
            if ((all || _assigned[i]) && _positions[i] >= 0)
            {
                list.Add(new TopicPartitionOffset(_slotTopics[i], _slotPartitions[i], _positions[i]));
            }
        }
        return list;
    }

    private void Recycle(Chunk chunk)
    {
        chunk.Count = 0;
        chunk.Letters?.Clear();
        Array.Clear(chunk.Values, 0, chunk.Values.Length);
        _pool.Push(chunk);
    }

    /// <summary>A run of decoded records of one partition, handed from the poll thread to the subtask.</summary>
    private sealed class Chunk(int capacity)
    {
        public readonly T[] Values = new T[capacity];
        public readonly long[] Timestamps = new long[capacity];
        public int Slot;
        public int Count;
        public long NextOffset;
        public List<DeadLetter>? Letters;
    }
}
