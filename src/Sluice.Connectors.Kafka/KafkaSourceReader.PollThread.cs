using Confluent.Kafka;
using Sluice.Formats;
using Sluice.Sources;

namespace Sluice.Connectors.Kafka;

/// <summary>The poll thread: consumes, decodes into per-partition chunks, follows assignment changes.</summary>
internal sealed partial class KafkaSourceReader<T>
{
    private void PollLoop()
    {
        try
        {
            while (!_stopping)
            {
                if (!WaitForRoom())
                {
                    break;
                }
                var result = _consumer.Consume(s_pollTimeout);
                var taken = 0;
                while (result is not null && !_stopping)
                {
                    Accept(result);
                    if (++taken >= _chunkCapacity * 4)
                    {
                        break;
                    }
                    result = _consumer.Consume(TimeSpan.Zero);
                }
                Publish();
            }
        }
        catch (Exception e)
        {
            // Everything, including a throwing deserializer: an exception escaping this thread would end the process.
            Fail(e);
        }
    }

    private void Accept(ConsumeResult<byte[]?, byte[]?> result)
    {
        var slot = SlotOf(result.Topic, result.Partition.Value);
        if (result.IsPartitionEOF)
        {
            if (result.Offset.Value >= _endOffsets[slot])
            {
                PublishThenMarkDone(slot);
            }
            return;
        }
        var offset = result.Offset.Value;
        if (offset >= _endOffsets[slot])
        {
            // Appended after a bounded reader started: not part of this run.
            PublishThenMarkDone(slot);
            return;
        }
        if (_building is { } open && (open.Slot != slot || open.Count == _chunkCapacity))
        {
            Publish();
        }
        var chunk = _building ??= Rent(slot);
        var message = result.Message;
        var view = new MessageView(result.Topic, result.Partition.Value, offset, message.Timestamp.UnixTimestampMs, TimestampTypeOf(message.Timestamp.Type),
            message.Key, message.Key is not null, message.Value, message.Value is not null,
            message.Headers is { Count: > 0 } ? KafkaHeaderAccessor.Instance : null, default, message.Headers);
        if (_deserializer.TryDeserialize(view, out var value, out var error))
        {
            chunk.Values[chunk.Count] = value;
            chunk.Timestamps[chunk.Count] = result.Message.Timestamp.Type == TimestampType.NotAvailable ? EventTime.NoTimestamp : result.Message.Timestamp.UnixTimestampMs;
            chunk.Count++;
        }
        else
        {
            var payload = result.Message.Value is { } bytes ? Convert.ToBase64String(bytes, 0, Math.Min(bytes.Length, 3072)) : "";
            if (result.Message.Value is { } text && IsUtf8(text))
            {
                payload = DeadLetters.Truncate(System.Text.Encoding.UTF8.GetString(text));
            }
            (chunk.Letters ??= []).Add(new DeadLetter($"kafka:{result.Topic}", $"{result.Topic}/{result.Partition.Value}/{offset}", error.Message, payload, error.FieldPath)
            {
                Kind = error.Kind,
                Origin = new RecordOrigin(result.Topic, result.Partition.Value, offset),
                IngestTime = message.Timestamp.Type == TimestampType.NotAvailable ? EventTime.NoTimestamp : message.Timestamp.UnixTimestampMs,
                // The consumer hands over fresh arrays per message: the letter may own them.
                Original = message.Value ?? [],
                OriginalKey = message.Key,
            });
        }
        chunk.NextOffset = offset + 1;
        if (offset + 1 >= _endOffsets[slot])
        {
            PublishThenMarkDone(slot);
        }
    }

    /// <summary>
    /// Ends a bounded partition: the open chunk is queued first, so a reader that sees the partition done also sees its
    /// last records and dead letters (a chunk of dead letters only, with no value, was otherwise left behind and lost).
    /// </summary>
    private void PublishThenMarkDone(int slot)
    {
        Publish();
        MarkDone(slot);
    }

    private static MessageTimestampType TimestampTypeOf(TimestampType type) => type switch
    {
        TimestampType.CreateTime => MessageTimestampType.CreateTime,
        TimestampType.LogAppendTime => MessageTimestampType.LogAppendTime,
        _ => MessageTimestampType.NotAvailable,
    };

    private static bool IsUtf8(byte[] bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    private Chunk Rent(int slot)
    {
        Chunk chunk;
        lock (_lock)
        {
            chunk = _pool.Count > 0 ? _pool.Pop() : new Chunk(_chunkCapacity);
        }
        chunk.Slot = slot;
        return chunk;
    }

    /// <summary>Hands the chunk being built to the subtask and wakes it if it waits.</summary>
    private void Publish()
    {
        if (_building is not { } chunk)
        {
            return;
        }
        _building = null;
        bool wake;
        lock (_lock)
        {
            if (!_assigned[chunk.Slot])
            {
                Recycle(chunk);
                return;
            }
            _queue.Enqueue(chunk);
            wake = _waiting;
            _waiting = false;
        }
        if (wake)
        {
            _context.SignalAvailable();
        }
    }

    /// <summary>Blocks while the buffer is full (backpressure); false when stopping.</summary>
    private bool WaitForRoom()
    {
        lock (_lock)
        {
            while (_queue.Count >= _maxChunks && !_stopping)
            {
                Monitor.Wait(_lock, TimeSpan.FromSeconds(1));
            }
        }
        return !_stopping;
    }

    private void MarkDone(int slot)
    {
        bool wake;
        lock (_lock)
        {
            if (_done[slot])
            {
                return;
            }
            _done[slot] = true;
            wake = _waiting;
            _waiting = false;
        }
        if (wake)
        {
            _context.SignalAvailable();
        }
    }

    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        if (_closingConsumer)
        {
            // Served by Dispose's Close (the poll thread has ended): the terminating group turns this assignment into an
            // unassignment, so nothing is read from it. Resolving start offsets would ask the group, which refuses while
            // terminating (stalling the close for the request timeout), and a throwing handler skips the assign call
            // librdkafka waits for.
            return partitions.ConvertAll(static tp => new TopicPartitionOffset(tp, Offset.Unset));
        }
        var start = ResolveStart(consumer, partitions);
        bool wake;
        lock (_lock)
        {
            _assignmentSeen = true;
            foreach (var tpo in start)
            {
                var slot = SlotOf(tpo.Topic, tpo.Partition.Value);
                if (!_assigned[slot])
                {
                    _assigned[slot] = true;
                    _assignedCount++;
                }
                _done[slot] = false;
                _positions[slot] = tpo.Offset.Value >= 0 ? tpo.Offset.Value : -1;
                if (_source.Options.Bounded && tpo.Offset.Value >= _endOffsets[slot])
                {
                    _done[slot] = true;
                }
            }
            wake = _waiting;
            _waiting = false;
        }
        if (wake)
        {
            _context.SignalAvailable();
        }
        _source.OnAssignmentChanged(this);
        return start;
    }

    /// <summary>Explicit offsets first, then the starting position; resolved to numbers where cheap, so positions are known before the first record.</summary>
    private List<TopicPartitionOffset> ResolveStart(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var options = _source.Options;
        var result = new List<TopicPartitionOffset>(partitions.Count);
        var pending = new List<TopicPartition>();
        foreach (var tp in partitions)
        {
            if (_source.TryTakeOver(tp, out var handedOver))
            {
                // Moved between readers of this job (a rebalance): continue exactly where the previous owner stopped.
                result.Add(new TopicPartitionOffset(tp, handedOver));
            }
            else if (SplitPositions.TryGetInt64(_context.RestoredSplits, SplitIdOf(tp.Topic, tp.Partition.Value), out var restored) && restored >= 0)
            {
                // First assignment after a restore: resume exactly where the checkpoint was taken.
                result.Add(new TopicPartitionOffset(tp, restored));
            }
            else if (options.StartingOffsets is { } explicitOffsets && explicitOffsets.TryGetValue(tp, out var offset))
            {
                result.Add(new TopicPartitionOffset(tp, offset));
            }
            else if (options.TopicPattern is not null && (_source.AppearedAfterStart(tp.Topic) || AppearedAfterCheckpoint(tp.Topic)))
            {
                // A topic created after the job started: its records are all new to the job, so none may be skipped.
                result.Add(new TopicPartitionOffset(tp, Offset.Beginning));
            }
            else
            {
                pending.Add(tp);
            }
        }
        if (pending.Count == 0)
        {
            return result;
        }
        var position = options.StartingPosition;
        switch (position.Kind)
        {
            case KafkaStartingPositionKind.Committed:
                foreach (var committed in consumer.Committed(pending, _requestTimeout))
                {
                    result.Add(committed.Offset.Value >= 0
                        ? committed
                        : new TopicPartitionOffset(committed.TopicPartition, position.Fallback == KafkaStartingPositionKind.Latest ? Offset.End : Offset.Beginning));
                }
                break;
            case KafkaStartingPositionKind.Timestamp:
                var query = pending.Select(tp => new TopicPartitionTimestamp(tp, new Timestamp(position.TimestampMs, TimestampType.CreateTime))).ToList();
                foreach (var found in consumer.OffsetsForTimes(query, _requestTimeout))
                {
                    result.Add(found.Offset.Value >= 0 ? found : new TopicPartitionOffset(found.TopicPartition, Offset.End));
                }
                break;
            case KafkaStartingPositionKind.Latest:
                result.AddRange(pending.Select(tp => new TopicPartitionOffset(tp, Offset.End)));
                break;
            default:
                result.AddRange(pending.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
                break;
        }
        return result;
    }

    /// <summary>
    /// On a restore, whether <paramref name="topic"/> has no split in the restored checkpoint (every reader snapshots a
    /// position, possibly unknown, for every partition of its topics): it was created after the checkpointed run started.
    /// </summary>
    private bool AppearedAfterCheckpoint(string topic)
    {
        var restored = _context.RestoredSplits;
        if (restored.Count == 0)
        {
            return false;
        }
        var prefix = SplitIdOf(topic, 0)[..^1]; // "kafka:<topic>/"
        foreach (var id in restored.Keys)
        {
            if (id.StartsWith(prefix, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <remarks>
    /// No commit while Dispose's Close serves this callback: when the close first serves an assignment that was still
    /// pending, the terminating group treats it as an unassignment, finishes it and leaves, so a commit sent from the
    /// revocation that follows can reach the group after its last assignment step — and librdkafka aborts the process
    /// (a test run's trace showed that commit landing a moment before the group terminated). Nothing is lost: the
    /// only close-time commit was the one of a finished bounded reader, which committed these positions when it
    /// finished (<see cref="KafkaSourceOptions.CommitOnFinish"/>).
    /// </remarks>
    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions) =>
        Release(consumer, partitions, commit: _source.Options.CommitOnRevoke && !_closingConsumer && (!_stopping || (_finished && _source.Options.CommitOnFinish)));

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions) => Release(consumer, partitions, commit: false);

    /// <summary>
    /// Partitions leave this reader: records of them not yet handed to the engine are dropped (the next owner reads
    /// them), and the positions handed over are committed so the next owner starts there.
    /// </summary>
    private void Release(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions, bool commit)
    {
        var offsets = new List<TopicPartitionOffset>();
        lock (_lock)
        {
            foreach (var tpo in partitions)
            {
                var slot = SlotOf(tpo.Topic, tpo.Partition.Value);
                if (_assigned[slot])
                {
                    _assigned[slot] = false;
                    _assignedCount--;
                }
                if (_positions[slot] >= 0)
                {
                    offsets.Add(new TopicPartitionOffset(tpo.TopicPartition, _positions[slot]));
                    _source.HandOver(tpo.TopicPartition, _positions[slot]);
                }
            }
            if (_building is { } open && !_assigned[open.Slot])
            {
                Recycle(open);
                _building = null;
            }
            var count = _queue.Count;
            for (var i = 0; i < count; i++)
            {
                var chunk = _queue.Dequeue();
                if (_assigned[chunk.Slot])
                {
                    _queue.Enqueue(chunk);
                }
                else
                {
                    Recycle(chunk);
                }
            }
            Monitor.PulseAll(_lock);
        }
        _source.OnAssignmentChanged(this);
        if (commit && offsets.Count > 0)
        {
            try
            {
                consumer.Commit(offsets);
            }
            catch (KafkaException e)
            {
                var error = new KafkaSourceException($"Kafka source (group '{_source.Options.GroupId}', subtask {SubtaskIndex}) could not commit the positions of revoked partitions [{string.Join(", ", offsets)}]: {e.Error.Reason}", e);
                if (e.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId)
                {
                    // The group moved on first (librdkafka's mock coordinator refuses every commit while a rebalance
                    // is in progress; real brokers accept them in that phase). The next owner starts at the last
                    // committed offset: records since then are read again (at-least-once), never lost.
                    lock (_lock)
                    {
                        LastRevocationCommitError = error;
                    }
                }
                else
                {
                    Fail(error);
                }
            }
        }
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            Fail(new KafkaException(error));
        }
    }

    private void Fail(Exception e)
    {
        lock (_lock)
        {
            _failure ??= e;
            _waiting = false;
        }
        _context.SignalAvailable();
    }
}
