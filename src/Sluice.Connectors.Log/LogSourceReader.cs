using System.Text;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Sources;

namespace Sluice.Connectors.Log;

/// <summary>
/// Reads the partitions of one subtask of a <see cref="LogSource{T}"/>: split <c>i</c> is partition
/// <see cref="Partitions"/>[i]. <see cref="PollNext"/> never blocks: it fetches round-robin from the partitions into
/// the output (at most <see cref="LogSourceOptions.MaxRecordsPerPoll"/> records), and when every partition is caught
/// up it arms one signal-based wait per partition (<see cref="PartitionLog.WaitForDataAsync"/>) whose completion
/// calls <see cref="SourceReaderContext.SignalAvailable"/> — no polling loop, no sleeping.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
/// <remarks>
/// Thread-safety: <see cref="PollNext"/>, <see cref="CommitPositions"/> and <see cref="Dispose"/> are called from
/// the subtask's thread; <see cref="Positions"/> may be read from any thread.
/// </remarks>
internal sealed class LogSourceReader<T> : ISourceReader<T>, ICheckpointedSourceReader
{
    private const int MaxDeadLetterPayloadBytes = 16 * 1024;
    private static readonly byte[] s_replayAttempt = Encoding.UTF8.GetBytes(DeadLetterEnvelope.ReplayAttemptHeader);

    private readonly LogSource<T> _source;
    private readonly SourceReaderContext _context;
    private readonly PartitionState[] _partitions;
    private readonly long[] _checkpointed; // Positions of the last snapshot, by split: what NotifyCheckpointComplete commits.
    private readonly FetchResult _fetch = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly int _maxRecordsPerPoll;
    private readonly bool _bounded;
    private readonly string _deadLetterSource;
    private int _cursor;
    private int _unfinished;
    private bool _started;
    private bool _isDisposed;
    private Exception? _waitError;
    private long _pendingMinAppendMs = long.MaxValue; // oldest log timestamp read since the last snapshot
    private long _stagedMinAppendMs = long.MaxValue; // the same for what the pending checkpoint commits
    private readonly KeyValuePair<string, object?>[] _latencyTags;

    internal LogSourceReader(LogSource<T> source, SourceReaderContext context)
    {
        _source = source;
        _context = context;
        _bounded = source.Options.Bounded;
        _maxRecordsPerPoll = source.Options.MaxRecordsPerPoll > 0 ? source.Options.MaxRecordsPerPoll : Math.Max(context.BatchSize, 1);
        _deadLetterSource = $"log:{source.Topic}";
        IReadOnlyList<int> assigned = LogSource<T>.AssignPartitions(context.SubtaskIndex, context.Parallelism, source.TopicLog.PartitionCount);
        _partitions = new PartitionState[assigned.Count];
        for (int i = 0; i < assigned.Count; i++)
        {
            PartitionLog partition = source.TopicLog.GetPartition(assigned[i]);
            long end = _bounded ? VisibleEnd(partition) : long.MaxValue;
            _partitions[i] = new PartitionState(partition, i, ResolveStart(partition), end);
        }
        _checkpointed = [.. _partitions.Select(static p => p.Position)];
        _unfinished = _partitions.Length;
        Partitions = [.. assigned];
        _latencyTags = [new("job", context.JobName), new("job.id", context.JobId.ToString()), new("operator", context.OperatorName),
            new("subtask", context.SubtaskIndex), new("topic", source.Topic)];
    }

    /// <summary>The partitions this reader owns, by split index.</summary>
    public IReadOnlyList<int> Partitions { get; }

    /// <summary>One split per owned partition; a reader without partitions reports one placeholder split.</summary>
    public int SplitCount => Math.Max(_partitions.Length, 1);

    /// <summary>
    /// A snapshot of the next offset to read per owned partition (partition → offset): every record below it has
    /// been emitted. This is what a checkpoint stores; restore with <see cref="LogSource{T}.WithStartingOffsets"/>.
    /// Allocates a new dictionary; thread-safe.
    /// </summary>
    public IReadOnlyDictionary<int, long> Positions
    {
        get
        {
            var positions = new Dictionary<int, long>(_partitions.Length);
            foreach (PartitionState p in _partitions)
            {
                positions[p.Log.Partition] = Volatile.Read(ref p.Position);
            }
            return positions;
        }
    }

    /// <inheritdoc />
    public SourceStatus PollNext(ISourceOutput<T> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_isDisposed, this);
        if (Interlocked.Exchange(ref _waitError, null) is { } waitError)
        {
            throw new InvalidOperationException($"Waiting for new records of topic '{_source.Topic}' failed: {waitError.Message}", waitError);
        }
        if (!_started)
        {
            _started = true;
            Start(output);
        }
        if (_partitions.Length == 0)
        {
            return _bounded ? SourceStatus.Finished : SourceStatus.NothingAvailable;
        }
        if (_unfinished == 0)
        {
            return Finish();
        }

        int budget = _maxRecordsPerPoll;
        bool progress = false;
        for (int i = 0; i < _partitions.Length && budget > 0; i++)
        {
            PartitionState p = _partitions[(_cursor + i) % _partitions.Length];
            if (!p.Finished)
            {
                budget -= FetchInto(p, budget, output, ref progress);
            }
        }
        _cursor = (_cursor + 1) % _partitions.Length;
        if (_unfinished == 0)
        {
            return Finish();
        }
        if (budget == 0 || progress)
        {
            return SourceStatus.MoreAvailable;
        }
        foreach (PartitionState p in _partitions)
        {
            if (!p.Finished)
            {
                ArmWait(p);
            }
        }
        return SourceStatus.NothingAvailable;
    }

    /// <summary>
    /// Commits <see cref="Positions"/> to <see cref="LogSourceOptions.ConsumerGroup"/> (no-op without one). Called
    /// when the reader ends.
    /// </summary>
    /// <exception cref="LogException">The commit could not be written.</exception>
    public void CommitPositions()
    {
        var positions = new long[_partitions.Length];
        for (int i = 0; i < positions.Length; i++)
        {
            positions[i] = Volatile.Read(ref _partitions[i].Position);
        }
        Commit(positions);
    }

    private void Commit(long[] positions)
    {
        if (_source.Options.ConsumerGroup is not { } group || _partitions.Length == 0)
        {
            return;
        }
        var offsets = new TopicPartitionOffset[_partitions.Length];
        for (int i = 0; i < _partitions.Length; i++)
        {
            offsets[i] = new TopicPartitionOffset(_source.Topic, _partitions[i].Log.Partition, positions[i]);
        }
        _source.Log.Groups.Commit(group, offsets);
    }

    /// <summary>Cancels pending waits, commits positions to the consumer group (if any) and releases the fetch buffer.</summary>
    public void Dispose()
    {
        if (_isDisposed)
        {
            return;
        }
        _isDisposed = true;
        _disposed.Cancel();
        _disposed.Dispose();
        try
        {
            CommitPositions();
        }
        finally
        {
            _fetch.Dispose();
        }
    }

    private void Start(ISourceOutput<T> output)
    {
        if (_partitions.Length == 0)
        {
            // Nothing to read: the placeholder split is finished, so this subtask never holds back event time.
            output.MarkSplitFinished(0);
            return;
        }
        foreach (PartitionState p in _partitions)
        {
            if (p.Position >= p.EndOffset)
            {
                MarkFinished(p, output);
            }
        }
    }

    private SourceStatus Finish()
    {
        CommitPositions();
        return SourceStatus.Finished;
    }

    /// <summary>Fetches from one partition into the output; returns the number of records consumed (emitted or dead-lettered).</summary>
    private int FetchInto(PartitionState p, int budget, ISourceOutput<T> output, ref bool progress)
    {
        long start = p.Position;
        int max = (int)Math.Min(budget, p.EndOffset - start);
        try
        {
            p.Log.Fetch(start, new FetchOptions(max, 0, _source.Options.Isolation), _fetch);
        }
        catch (OffsetOutOfRangeException) when (start < p.Log.LogStartOffset)
        {
            // Retention deleted records before they were read: say so instead of skipping silently.
            long logStart = p.Log.LogStartOffset;
            output.ReportDeadLetter(new DeadLetter(_deadLetterSource, $"{_source.Topic}/{p.Log.Partition}/{start}",
                $"Offsets {start}..{logStart - 1} were deleted by retention before they were read; continuing at {logStart}.", "")
            {
                Origin = new RecordOrigin(_source.Topic, p.Log.Partition, start),
            });
            Volatile.Write(ref p.Position, logStart);
            progress = true;
            return 1;
        }

        int consumed = 0;
        bool reachedEnd = false;
        string topic = _source.Topic;
        int partition = p.Log.Partition;
        foreach (LogRecordView record in _fetch)
        {
            if (record.Offset >= p.EndOffset)
            {
                reachedEnd = true;
                break;
            }
            Volatile.Write(ref p.Position, record.Offset + 1);
            consumed++;
            if (record.TimestampMs < _pendingMinAppendMs)
            {
                _pendingMinAppendMs = record.TimestampMs;
            }
            T? value;
            FormatError? error;
            try
            {
                var message = new MessageView(topic, partition, record.Offset, record.TimestampMs, MessageTimestampType.CreateTime,
                    record.Key, record.HasKey, record.Value, record.HasValue, LogHeaderAccessor.Instance, record.EncodedHeaders);
                if (!_source.Deserializer.TryDeserialize(message, out value, out error))
                {
                    output.ReportDeadLetter(UndecodableLetter(record, partition, error));
                    continue;
                }
            }
            catch (Exception e) when (e is not LogException)
            {
                throw new InvalidOperationException(
                    $"The deserializer {_source.Deserializer.GetType().Name} threw on the record at {_source.Topic}/{p.Log.Partition}/{record.Offset}: {e.Message} Return false from TryDeserialize for undecodable records to route them to the dead letters.", e);
            }
            output.Collect(p.Split, value, record.TimestampMs);
        }
        if (!reachedEnd && _fetch.NextOffset > p.Position)
        {
            Volatile.Write(ref p.Position, Math.Min(_fetch.NextOffset, p.EndOffset));
        }
        progress |= p.Position != start;
        if (p.Position >= p.EndOffset)
        {
            MarkFinished(p, output);
        }
        return consumed;
    }

    private void MarkFinished(PartitionState p, ISourceOutput<T> output)
    {
        p.Finished = true;
        _unfinished--;
        output.MarkSplitFinished(p.Split);
    }

    private void ArmWait(PartitionState p)
    {
        if (Interlocked.CompareExchange(ref p.WaitPending, 1, 0) == 0)
        {
            _ = WaitAndSignalAsync(p, p.Position);
        }
    }

    private async Task WaitAndSignalAsync(PartitionState p, long position)
    {
        CancellationToken token;
        try
        {
            token = _disposed.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        try
        {
            await p.Log.WaitForDataAsync(position, _source.Options.Isolation, _source.Options.WaitTimeout, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            // Surfaces from the next PollNext (the subtask's thread), failing the job with context.
            Volatile.Write(ref _waitError, e);
        }
        finally
        {
            Volatile.Write(ref p.WaitPending, 0);
        }
        // On timeout too: the next poll finds nothing and re-arms the wait.
        _context.SignalAvailable();
    }

    /// <summary>Split id of a partition in checkpoints: <c>log:&lt;topic&gt;/&lt;partition&gt;</c>.</summary>
    public string SplitId(int split) => _partitions.Length == 0 ? $"log:{_source.Topic}/none-{_context.SubtaskIndex}" : SplitIdOf(_partitions[split].Log.Partition);

    private string SplitIdOf(int partition) => $"log:{_source.Topic}/{partition}";

    /// <summary>
    /// The partition's next offset (<see cref="SplitPositions"/> encoding), also kept for the group commit when this
    /// checkpoint completes.
    /// </summary>
    public byte[] SnapshotSplit(int split)
    {
        if (split == 0)
        {
            // The source snapshots its splits in order, between two polls: what was read so far is committed by this
            // checkpoint (checkpoints run one at a time).
            _stagedMinAppendMs = Math.Min(_stagedMinAppendMs, _pendingMinAppendMs);
            _pendingMinAppendMs = long.MaxValue;
        }
        if (_partitions.Length == 0)
        {
            return SplitPositions.FromInt64(0);
        }
        var position = Volatile.Read(ref _partitions[split].Position);
        _checkpointed[split] = position;
        return SplitPositions.FromInt64(position);
    }

    /// <summary>
    /// Commits the positions of the completed checkpoint — not the current ones, which may be ahead of what the sinks
    /// have made durable — to the consumer group, if one is configured (progress for lag tools).
    /// </summary>
    /// <remarks>
    /// Also records <c>sluice.latency.ingest_to_commit</c>: the commit time − the oldest log timestamp read before this
    /// checkpoint's barrier (one sample per completed checkpoint and subtask that read something).
    /// </remarks>
    public void NotifyCheckpointComplete(long checkpointId)
    {
        Commit(_checkpointed);
        if (_stagedMinAppendMs != long.MaxValue)
        {
            var latencyMs = Math.Max(0, _context.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() - _stagedMinAppendMs);
            LogSourceInstruments.IngestToCommit.Record(latencyMs / 1000.0, _latencyTags);
            _stagedMinAppendMs = long.MaxValue;
        }
    }

    private long ResolveStart(PartitionLog partition)
    {
        long offset = SplitPositions.TryGetInt64(_context.RestoredSplits, SplitIdOf(partition.Partition), out var checkpointed)
            ? checkpointed
            : _source.StartingOffsets is { } explicitOffsets && explicitOffsets.TryGetValue(partition.Partition, out long restored)
            ? restored
            : _source.Options.StartingPosition.Resolve(_source.Log, partition);
        long end = partition.EndOffset;
        if (offset > end)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), offset,
                $"Starting offset {offset} of topic '{partition.Topic}' partition {partition.Partition} is beyond its end {end}: the log no longer holds what the position refers to. Reset the position (earliest/latest) or restore the matching data directory.");
        }
        // Below the log start, the records were deleted by retention; the first poll reports the gap as a dead letter.
        return offset;
    }

    private long VisibleEnd(PartitionLog partition) =>
        _source.Options.Isolation == IsolationLevel.ReadCommitted ? partition.LastStableOffset : partition.EndOffset;

    /// <summary>
    /// The dead letter of a record the deserializer refused: its position, untruncated value and key bytes, and its log
    /// timestamp as ingest time. Built only on this failure path, so the decoded path pays nothing for the envelope.
    /// </summary>
    private DeadLetter UndecodableLetter(in LogRecordView record, int partition, FormatError error) =>
        new(_deadLetterSource, $"{_source.Topic}/{partition}/{record.Offset}", error.Message, PayloadText(record), error.FieldPath)
        {
            Kind = error.Kind,
            Origin = new RecordOrigin(_source.Topic, partition, record.Offset),
            IngestTime = record.TimestampMs,
            Original = record.HasValue ? record.Value.ToArray() : [],
            OriginalKey = record.HasKey ? record.Key.ToArray() : null,
            Attempt = AttemptOf(record),
        };

    /// <summary>The attempt a replayed record carries (<see cref="DeadLetterEnvelope.ReplayAttemptHeader"/>); 1 for any other record.</summary>
    private static int AttemptOf(in LogRecordView record) =>
        record.TryGetHeader(s_replayAttempt, out var text) && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt) && attempt > 0
            ? attempt
            : 1;

    private static string PayloadText(in LogRecordView record)
    {
        ReadOnlySpan<byte> value = record.Value;
        string text = Encoding.UTF8.GetString(value.Length > MaxDeadLetterPayloadBytes ? value[..MaxDeadLetterPayloadBytes] : value);
        return DeadLetters.Truncate(text);
    }

    private sealed class PartitionState(PartitionLog log, int split, long position, long endOffset)
    {
        public readonly PartitionLog Log = log;
        public readonly int Split = split;
        public readonly long EndOffset = endOffset;
        public readonly TopicPartition Id = new(log.Topic, log.Partition);
        public long Position = position;
        public int WaitPending;
        public bool Finished;
    }
}
