using System.Collections.Concurrent;
using System.Diagnostics;
using Sluice.Operators;
using Sluice.Schemas;

namespace Sluice.Connectors;

/// <summary>
/// The operator of <see cref="DataStream{T}.LookupAsync{TOut}"/> (Flink's <c>AsyncWaitOperator</c> with a batching
/// lookup function): each record's key is answered by the cache or joins the current batch; a batch goes out as one
/// <see cref="IAsyncLookupSource.LookupBatchAsync"/> call when it is full or has lingered; completed requests come back
/// to the task thread through <see cref="IStreamOperatorContext.WakeUp"/>, and results leave in arrival order
/// (ordered) or as soon as ready without crossing a watermark (unordered).
/// </summary>
/// <remarks>
/// <para>Exactly-once: the operator <em>drains</em> on a checkpoint barrier (<see cref="PrepareSnapshotPreBarrier"/>):
/// it sends the partial batch and waits for every request in flight, emitting all results before the barrier goes
/// downstream. Its checkpoint therefore holds no in-flight record and it keeps no state; a restore replays the source
/// from the barrier, so no record is lost or joined twice. (Flink instead snapshots the in-flight inputs; draining needs
/// no serializer for <typeparamref name="T"/> and costs at most one timeout per checkpoint.)</para>
/// <para>Never a hang: every attempt is bounded by <see cref="AsyncLookupOptions.Timeout"/> on the job's clock (whether
/// or not the source observes its token), retries are bounded, and the task thread blocks only while a request is in
/// flight (capacity full, barrier, end of input). While it blocks, the task's partial output batches are sent
/// downstream (<see cref="IStreamOperatorContext.FlushOutputs"/>) at most every 10 ms, so output waits no longer than
/// a busy task's flush interval.</para>
/// <para>Threading: all fields but <see cref="_completed"/>, <see cref="_completions"/> and <see cref="_wakeRequested"/>
/// belong to the task thread; request continuations touch only those and their own <see cref="LookupRequest"/>.</para>
/// </remarks>
internal sealed partial class AsyncLookupOperator<T, TOut> : OneInputStreamOperator<T, TOut>
{
    /// <summary>How long output may wait while the operator blocks the task thread: a busy task's flush interval (<c>JobClient.s_busyFlushTicks</c>).</summary>
    private static readonly TimeSpan s_flushInterval = TimeSpan.FromMilliseconds(10);

    private readonly Func<IAsyncLookupSource> _sourceFactory;
    private readonly Func<T, Row> _keySelector;
    private readonly Func<T, Row?, TOut> _join;
    private readonly AsyncLookupOptions _options;
    private readonly bool _ordered;
    private readonly Queue<Entry> _queue = new(); // records and watermarks in arrival order, not yet emitted
    private readonly List<Entry> _batch = [];
    private readonly ConcurrentQueue<LookupRequest> _completed = new();
    private readonly SemaphoreSlim _completions = new(0); // released once per completed request, drained as they are taken
    private readonly CancellationTokenSource _closing = new();
    private IAsyncLookupSource? _source;
    private LookupCache<Row, IReadOnlyList<Row>>? _cache;
    private TimeProvider _time = TimeProvider.System;
    private KeyValuePair<string, object?>[] _tags = [];
    private int _records; // record entries in _queue
    private int _inFlight; // requests sent and not yet processed on the task thread
    private long _batchDeadline; // processing time (ms) at which the partial batch is sent
    private long _headSegment; // unordered: the segment (records between two watermarks) whose results may leave
    private long _tailSegment; // unordered: the segment of the next record
    private int _wakeRequested;
    private long _lastFlush; // Stopwatch timestamp of this operator's last FlushOutputs (0: never)
    private volatile bool _closed; // read by request continuations

    public AsyncLookupOperator(Func<IAsyncLookupSource> sourceFactory, Func<T, Row> keySelector, Func<T, Row?, TOut> join, AsyncLookupOptions options)
    {
        _sourceFactory = sourceFactory;
        _keySelector = keySelector;
        _join = join;
        _options = options;
        _ordered = options.OutputMode == AsyncLookupOutputMode.Ordered;
    }

    /// <inheritdoc />
    public override void Open()
    {
        _time = Context.TimeProvider;
        _tags = [new("job", Context.JobName), new("job.id", Context.JobId.ToString()), new("operator", Context.OperatorName)];
        if (_options.Lookup.Cache == LookupCacheMode.Partial)
        {
            _cache = new LookupCache<Row, IReadOnlyList<Row>>(_options.Lookup);
        }
        _source = _sourceFactory() ?? throw new InvalidOperationException($"The lookup source factory of operator '{Context.OperatorName}' returned null.");
        _source.Open(new LookupContext(Context.SubtaskIndex, Context.Parallelism, _time));
    }

    /// <inheritdoc />
    public override void ProcessElement(T value, long timestamp)
    {
        while (_records >= _options.Capacity)
        {
            Flush();
            WaitForACompletion();
        }
        var key = _keySelector(value) ?? throw new InvalidOperationException($"The key selector of lookup operator '{Context.OperatorName}' returned null for record {value}.");
        Entry entry;
        if (_cache is not null)
        {
            if (_cache.TryGet(key, _time.GetUtcNow().UtcTicks, out var rows))
            {
                LookupMetrics.CacheHits.Add(1, _tags);
                if (_queue.Count == 0)
                {
                    Emit(value, timestamp, rows); // nothing waits before it: no need to queue
                    return;
                }
                entry = new Entry(value, timestamp, key, _tailSegment) { Rows = rows };
                Enqueue(entry);
                MarkReady(entry);
                EmitHead();
                return;
            }
            LookupMetrics.CacheMisses.Add(1, _tags);
        }
        entry = new Entry(value, timestamp, key, _tailSegment);
        Enqueue(entry);
        _batch.Add(entry);
        if (_batch.Count >= _options.BatchSize || _options.Linger == TimeSpan.Zero)
        {
            Flush();
        }
        else if (_batch.Count == 1)
        {
            _batchDeadline = Context.CurrentProcessingTime + (long)Math.Ceiling(_options.Linger.TotalMilliseconds);
            Context.RequestProcessingTime(_batchDeadline);
        }
    }

    /// <inheritdoc />
    public override void ProcessWatermark(long watermark)
    {
        if (_queue.Count == 0)
        {
            Output.EmitWatermark(watermark);
            return;
        }
        // Queued behind the records that arrived before it: it leaves when they all did.
        _queue.Enqueue(new Entry(watermark, _tailSegment));
        _tailSegment++;
    }

    /// <inheritdoc />
    public override void OnProcessingTime(long now)
    {
        Volatile.Write(ref _wakeRequested, 0);
        ProcessCompleted();
        if (_batch.Count > 0)
        {
            if (now >= _batchDeadline)
            {
                Flush();
            }
            else
            {
                Context.RequestProcessingTime(_batchDeadline);
            }
        }
    }

    /// <summary>Drains: sends the partial batch and emits every in-flight result before the barrier (see the remarks).</summary>
    public override void PrepareSnapshotPreBarrier(long checkpointId) => Drain();

    /// <inheritdoc />
    public override void SnapshotState(long checkpointId)
    {
        // PrepareSnapshotPreBarrier drained, and nothing arrives between it and this call.
        Debug.Assert(_queue.Count == 0 && _inFlight == 0 && _batch.Count == 0, "A checkpoint of an async lookup holds no in-flight record.");
        if (_queue.Count != 0)
        {
            throw new InvalidOperationException($"Lookup operator '{Context.OperatorName}' still holds {_records} record(s) at checkpoint {checkpointId}; it drains before every barrier.");
        }
    }

    /// <inheritdoc />
    public override void EndInput() => Drain();

    /// <inheritdoc />
    public override void Close()
    {
        _closed = true;
        _closing.Cancel();
        _source?.Dispose();
        _cache?.Clear();
    }

    private void Enqueue(Entry entry)
    {
        _queue.Enqueue(entry);
        _records++;
    }

    /// <summary>Sends the partial batch, then waits until no request is in flight and every result has left.</summary>
    private void Drain()
    {
        Flush();
        while (_inFlight > 0)
        {
            WaitForACompletion();
        }
        Debug.Assert(_queue.Count == 0, "With nothing in flight every queued record is ready and has left.");
    }

    /// <summary>Blocks the task thread until a request completes, then processes what completed. Only with a request in flight, so it cannot hang past a timeout.</summary>
    private void WaitForACompletion()
    {
        if (_inFlight == 0)
        {
            throw new InvalidOperationException($"Lookup operator '{Context.OperatorName}' would wait with no request in flight ({_records} record(s) queued); this is a bug.");
        }
        if (!_completions.Wait(0))
        {
            // Blocking (capacity full, or draining at a barrier or the end of input): what the task emitted and has
            // not sent (results, watermarks) would wait for the step to end, maybe many lookups later. Send it once
            // 10 ms have passed since this operator last did — counted across waits, so a run of 9-ms lookups flushes
            // too — and not more often, so that quick lookups keep the output batches full.
            var sinceFlush = _lastFlush == 0 ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(_lastFlush);
            if (sinceFlush >= s_flushInterval || !_completions.Wait(s_flushInterval - sinceFlush))
            {
                Context.FlushOutputs();
                _lastFlush = Stopwatch.GetTimestamp();
                _completions.Wait();
            }
        }
        ProcessCompleted();
    }

    /// <summary>Task thread: takes the completed requests' results (cache, readiness, failures) and emits what may leave.</summary>
    private void ProcessCompleted()
    {
        // Take the permits of what is about to be dequeued, so the count stays bounded by the requests in flight (a
        // request completing meanwhile may leave one permit behind: a later wait then returns at once and finds it).
        while (_completions.Wait(0))
        {
        }
        while (_completed.TryDequeue(out var request))
        {
            _inFlight--;
            var entries = request.Entries;
            if (request.Error is { } error)
            {
                if (!request.TimedOut || _options.TimeoutPolicy == LookupTimeoutPolicy.Fail)
                {
                    throw new IOException($"The lookup of {entries.Length} key(s) (the first {entries[0].Key}) by operator '{Context.OperatorName}' failed after {request.Attempts} attempt(s) (timeout {_options.Timeout.TotalMilliseconds} ms, max retries {_options.Lookup.MaxRetries}): {error.Message}", error);
                }
                LookupMetrics.Timeouts.Add(entries.Length, _tags);
                foreach (var entry in entries)
                {
                    entry.Rows = [];
                    MarkReady(entry);
                }
                continue;
            }
            var results = request.Results!;
            var now = _time.GetUtcNow().UtcTicks;
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i];
                var rows = results[i] ?? [];
                if (_cache is not null && (rows.Count > 0 || _cache.CacheMissingKey))
                {
                    _cache.Add(entry.Key!, rows, now);
                }
                entry.Rows = rows;
                MarkReady(entry);
            }
        }
        EmitHead();
    }

    /// <summary>An entry's rows are known: unordered output lets it leave at once if its segment is the head's.</summary>
    private void MarkReady(Entry entry)
    {
        entry.Ready = true;
        if (!_ordered && entry.Segment == _headSegment)
        {
            EmitRecord(entry);
        }
    }

    /// <summary>Emits from the head of the queue what may leave: ready records (ordered) and watermarks whose records have all left.</summary>
    private void EmitHead()
    {
        while (_queue.TryPeek(out var head))
        {
            if (head.IsWatermark)
            {
                _queue.Dequeue();
                Output.EmitWatermark(head.Timestamp);
                if (!_ordered)
                {
                    _headSegment = head.Segment + 1;
                    EmitReadyOfHeadSegment();
                }
                continue;
            }
            if (!head.Ready)
            {
                return;
            }
            _queue.Dequeue();
            _records--;
            if (!head.Emitted)
            {
                EmitRecord(head);
            }
        }
    }

    private void EmitReadyOfHeadSegment()
    {
        foreach (var entry in _queue)
        {
            if (entry.IsWatermark)
            {
                return;
            }
            if (entry.Ready && !entry.Emitted)
            {
                EmitRecord(entry);
            }
        }
    }

    private void EmitRecord(Entry entry)
    {
        Debug.Assert(entry.Ready && !entry.Emitted, "A record leaves once, after its lookup.");
        entry.Emitted = true;
        Emit(entry.Value, entry.Timestamp, entry.Rows!);
    }

    private void Emit(T value, long timestamp, IReadOnlyList<Row> rows)
    {
        if (rows.Count == 0)
        {
            if (_options.JoinType == LookupJoinType.Left)
            {
                Output.Collect(_join(value, null), timestamp);
            }
            return;
        }
        for (var i = 0; i < rows.Count; i++)
        {
            Output.Collect(_join(value, rows[i]), timestamp);
        }
    }

    /// <summary>A record waiting for its lookup or its turn, or (<see cref="IsWatermark"/>) a watermark waiting for the records before it.</summary>
    private sealed class Entry
    {
        public Entry(T value, long timestamp, Row key, long segment)
        {
            Value = value;
            Timestamp = timestamp;
            Key = key;
            Segment = segment;
        }

        public Entry(long watermark, long segment)
        {
            Value = default!;
            Timestamp = watermark;
            Segment = segment;
            IsWatermark = true;
            Ready = true;
        }

        public T Value { get; }

        /// <summary>The record's event time, or the watermark.</summary>
        public long Timestamp { get; }

        public Row? Key { get; }

        public long Segment { get; }

        public bool IsWatermark { get; }

        public IReadOnlyList<Row>? Rows { get; set; }

        public bool Ready { get; set; }

        public bool Emitted { get; set; }
    }
}
