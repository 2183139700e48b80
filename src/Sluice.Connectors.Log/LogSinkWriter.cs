using System.Buffers;
using Sluice.Formats;
using Sluice.Log;
using Sluice.Sinks;

namespace Sluice.Connectors.Log;

/// <summary>
/// One subtask's writer of a <see cref="LogSink{T}"/>: one <see cref="RecordBatchBuilder"/> per partition, appended
/// when full, when the linger timer fires, and on <see cref="Flush"/>. Steady-state writes allocate nothing beyond
/// what the serializer allocates (key/value buffers and builders are reused).
/// </summary>
/// <remarks>
/// Thread-safety: <see cref="Write"/>, <see cref="Flush"/> and <see cref="Dispose"/> come from the subtask's thread;
/// the linger timer appends from a timer thread, so the batches are guarded by a lock (uncontended in the common case).
/// A failed timer append is rethrown by the next call. Two-phase: every append goes through <c>AppendLocked</c>,
/// which in exactly-once mode appends into the writer's open <see cref="LogTransaction"/> (begun lazily, sequence =
/// previous checkpoint id + 1); <see cref="PrepareCommit"/> flushes and prepares it at the barrier. Batching and
/// partitioning are the same in both modes.
/// </remarks>
internal sealed class LogSinkWriter<T> : ITwoPhaseSinkWriter<T>
{
    private readonly LogSink<T> _sink;
    private readonly TopicLog _topic;
    private readonly IMessageSerializer<T> _serializer;
    private readonly LogSinkOptions _options;
    private readonly TimeProvider _logClock;
    private readonly RecordBatchBuilder?[] _batches;
    private readonly ArrayBufferWriter<byte> _key = new(256);
    private readonly ArrayBufferWriter<byte> _value = new(4096);
    private readonly Lock _lock = new();
    private readonly ITimer? _linger;
    private readonly string? _transactionalId;
    private readonly TransactionalProducer? _producer;
    private LogTransaction? _transaction;
    private long _previousCheckpoint;
    private bool _lingerArmed;
    private bool _disposed;
    private Exception? _error;

    public LogSinkWriter(LogSink<T> sink, SinkContext context, long restoredCheckpointId)
    {
        _previousCheckpoint = restoredCheckpointId;
        if (sink.Options.ExactlyOnce)
        {
            _transactionalId = sink.TransactionalIdOf(context.SubtaskIndex);
            _producer = sink.ProducerFor(_transactionalId);
        }
        _sink = sink;
        _topic = sink.TopicLog;
        _serializer = sink.Serializer;
        _options = sink.Options;
        _logClock = sink.Log.Options.TimeProvider;
        _batches = new RecordBatchBuilder?[_topic.PartitionCount];
        if (_options.Linger > TimeSpan.Zero)
        {
            _linger = context.TimeProvider.CreateTimer(static state => ((LogSinkWriter<T>)state!).OnLinger(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public void Write(T value, long timestamp)
    {
        ThrowIfFailed();
        if (!_serializer.ProducesMessage(value))
        {
            return;
        }
        _key.ResetWrittenCount();
        _value.ResetWrittenCount();
        bool hasKey = _serializer.TryWriteKey(value, _key);
        bool hasValue = _serializer.TryWriteValue(value, _value);
        int partition = _topic.PartitionFor(_key.WrittenSpan, keyIsNull: !hasKey);
        long timestampMs = _options.UseRecordTimestamps && timestamp != EventTime.NoTimestamp && timestamp >= 0 ? timestamp : -1;
        var record = new ProducerRecord(
            hasKey ? _key.WrittenMemory : (ReadOnlyMemory<byte>?)null,
            hasValue ? _value.WrittenMemory : (ReadOnlyMemory<byte>?)null,
            timestampMs,
            _serializer.GetHeaders(value) is { Count: > 0 } headers ? ToLogHeaders(headers) : null);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RecordBatchBuilder batch = _batches[partition] ??= new RecordBatchBuilder(Math.Min(_options.MaxBatchBytes + 1024, 64 * 1024), _logClock);
            batch.Add(record);
            if (_linger is null || batch.Count >= _options.MaxBatchRecords || batch.SizeInBytes >= _options.MaxBatchBytes)
            {
                AppendLocked(partition, batch);
            }
            else if (!_lingerArmed)
            {
                _lingerArmed = true;
                _linger.Change(_options.Linger, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private static LogHeader[] ToLogHeaders(IReadOnlyList<MessageHeader> headers)
    {
        var converted = new LogHeader[headers.Count];
        for (int i = 0; i < converted.Length; i++)
        {
            converted[i] = new LogHeader(headers[i].Name, headers[i].Value is { } bytes ? bytes : (ReadOnlyMemory<byte>?)null);
        }
        return converted;
    }

    public void Flush()
    {
        ThrowIfFailed();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            AppendAllLocked();
        }
    }

    /// <summary>
    /// Appends everything buffered; in exactly-once mode prepares the open transaction and returns its (id, sequence),
    /// or an empty committable when nothing was written since the previous barrier. At-least-once mode: flushes and
    /// returns an empty committable.
    /// </summary>
    public byte[] PrepareCommit(long checkpointId)
    {
        ThrowIfFailed();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            AppendAllLocked();
            var transaction = _transaction;
            _transaction = null;
            _previousCheckpoint = Math.Max(_previousCheckpoint, checkpointId);
            if (transaction is null)
            {
                return [];
            }
            transaction.Prepare();
            return LogSink<T>.EncodeCommittable(transaction.TransactionalId, transaction.Sequence);
        }
    }

    /// <summary>
    /// Stops the timer and releases the buffers; records not flushed are dropped (the job failed or was cancelled).
    /// An open transaction is aborted (the next attempt would abort it anyway when it fences this writer).
    /// </summary>
    public void Dispose()
    {
        _linger?.Dispose();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (_transaction is { State: TransactionState.Open } open)
            {
                try
                {
                    open.Abort();
                }
                catch (ProducerFencedException)
                {
                    // A newer attempt already took over the transactional id and aborted this transaction.
                }
            }
            _transaction = null;
            foreach (RecordBatchBuilder? batch in _batches)
            {
                batch?.Dispose();
            }
        }
        ThrowIfFailed();
    }

    private void OnLinger()
    {
        lock (_lock)
        {
            _lingerArmed = false;
            if (_disposed || _error is not null)
            {
                return;
            }
            try
            {
                AppendAllLocked();
            }
            catch (Exception e)
            {
                // Kept and rethrown on the subtask's thread by the next Write/Flush/Dispose: never swallowed.
                _error = e;
            }
        }
    }

    private void AppendAllLocked()
    {
        for (int p = 0; p < _batches.Length; p++)
        {
            if (_batches[p] is { Count: > 0 } batch)
            {
                AppendLocked(p, batch);
            }
        }
    }

    private void AppendLocked(int partition, RecordBatchBuilder batch)
    {
        try
        {
            if (_producer is null)
            {
                _topic.GetPartition(partition).Append(batch);
            }
            else
            {
                (_transaction ??= BeginTransactionLocked()).Append(_topic.Name, partition, batch);
            }
        }
        catch (Exception e)
        {
            throw new LogException($"Appending {batch.Count} records to topic '{_sink.Topic}' partition {partition} failed: {e.Message}", e);
        }
        finally
        {
            // A failed batch is dropped here; the job fails and replays from its source positions.
            batch.Clear();
        }
    }

    private LogTransaction BeginTransactionLocked()
    {
        var sequence = _previousCheckpoint + 1;
        if (_producer!.IsCommitted(sequence))
        {
            throw new LogException($"Transactional id '{_transactionalId}' already committed transaction {sequence}: the prefix '{_sink.Options.TransactionalIdPrefix}' was used by an earlier run whose checkpoints this job does not restore. Use a new LogSinkOptions.TransactionalIdPrefix, or restore that run's checkpoints.");
        }
        return _producer.BeginTransaction(sequence);
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _error) is { } error)
        {
            throw new LogException($"An earlier append to topic '{_sink.Topic}' failed: {error.Message}", error);
        }
    }
}
