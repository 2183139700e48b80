using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Sluice.IO;
using Sluice.Log.Storage;

namespace Sluice.Log;

/// <summary>
/// One partition of a topic: an ordered, durable sequence of records addressed by offset, stored as segment files.
/// <para>Thread-safety: all members are thread-safe. Appends are serialised by an internal lock (offsets are
/// assigned in append order); any number of readers fetch concurrently without blocking appenders.</para>
/// <para>Obtain instances from <see cref="TopicLog.GetPartition"/>; they live until the owning
/// <see cref="PartitionedLog"/> is disposed or the topic is deleted.</para>
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private readonly Lock _appendLock = new();
    private readonly object _flushMonitor = new();
    private readonly Lock _maintenanceLock = new();
    private readonly LogOptions _options;
    private readonly TopicConfig _config;
    private readonly string _directory;
    private Segment[] _segments;
    private long _highWatermark;
    private long _durableOffset;
    private long _lastFlushMs;
    private bool _flushInProgress;
    private TaskCompletionSource? _dataSignal;
    private volatile bool _disposed;

    private PartitionLog(string topic, int partition, string directory, TopicConfig config, LogOptions options)
    {
        Topic = topic;
        Partition = partition;
        _directory = directory;
        _config = config;
        _options = options;
        _segments = [];
        _lastFlushMs = NowMs;
    }

    /// <summary>Topic name.</summary>
    public string Topic { get; }

    /// <summary>Partition number (0-based).</summary>
    public int Partition { get; }

    /// <summary>First offset still stored (retention moves it forward).</summary>
    public long LogStartOffset => Volatile.Read(ref _segments)[0].BaseOffset;

    /// <summary>High watermark: the offset the next appended record gets; read-uncommitted readers see everything below it.</summary>
    public long EndOffset => Volatile.Read(ref _highWatermark);

    /// <summary>Bytes of a torn tail of the active segment that opening moved to the segment's quarantine file (only
    /// after an unclean shutdown, and only when no valid batch followed them); 0 otherwise. See <see cref="ListQuarantined"/>.</summary>
    public long RecoveredTruncatedBytes { get; private set; }

    /// <summary>False when closing could not fsync a segment or write its index, or a failed append could not be cut
    /// back (the next open then treats the shutdown as unclean).</summary>
    internal bool ClosedCleanly { get; private set; } = true;

    /// <summary>Total bytes of segment files.</summary>
    public long SizeInBytes
    {
        get
        {
            long total = 0;
            foreach (Segment s in Volatile.Read(ref _segments))
            {
                total += s.Size;
            }

            return total;
        }
    }

    /// <summary>Number of segment files.</summary>
    public int SegmentCount => Volatile.Read(ref _segments).Length;

    private long NowMs => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Appends the records of <paramref name="batch"/> as one atomic batch and returns the offsets it got. Returns
    /// once the batch is durable as far as the log's <see cref="FlushPolicy"/> promises. The builder is left
    /// unchanged (call <see cref="RecordBatchBuilder.Clear"/> to reuse it). Allocation-free.
    /// </summary>
    /// <param name="batch">A non-empty batch.</param>
    /// <exception cref="LogException">The write or fsync failed; the message names topic, partition and file.</exception>
    public AppendResult Append(RecordBatchBuilder batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        AppendResult result = AppendCore(batch.Build(0, -1, -1));
        AwaitFlushPolicy(result.LastOffset + 1);
        return result;
    }

    /// <summary>Convenience: encodes <paramref name="records"/> into one batch and appends it (see <see cref="Append(RecordBatchBuilder)"/>).</summary>
    /// <param name="records">At least one record.</param>
    public AppendResult Append(ReadOnlySpan<ProducerRecord> records)
    {
        using var builder = new RecordBatchBuilder(4096, _options.TimeProvider);
        foreach (ref readonly ProducerRecord r in records)
        {
            builder.Add(r);
        }

        return Append(builder);
    }

    /// <summary>fsyncs everything appended so far (sharing the fsync with concurrent appenders).</summary>
    public void Flush() => WaitDurable(EndOffset);

    internal static PartitionLog Open(string topic, int partition, string directory, TopicConfig config, LogOptions options, CleanShutdownMarker? cleanShutdown)
    {
        var log = new PartitionLog(topic, partition, directory, config, options);
        try
        {
            log.Recover(cleanShutdown is not null, cleanShutdown?.EndOffset(topic, partition));
        }
        catch
        {
            log.Dispose();
            throw;
        }

        return log;
    }

    private AppendResult AppendCore(Span<byte> batch)
    {
        lock (_appendLock)
        {
            ThrowIfDisposed();
            ThrowIfReadOnly();
            Segment active = _segments[^1];
            long baseOffset = _highWatermark;
            if (ShouldRoll(active, batch.Length, baseOffset))
            {
                active = Roll(baseOffset);
            }

            BatchFormat.Seal(batch, baseOffset);
            BatchFormat.TryReadHeader(batch, out BatchHeader header);
            long position = active.Size;
            try
            {
                RandomAccess.Write(active.Handle, batch, position);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A write that failed part-way (a full disk) must not leave bytes that a later open reads as damage.
                try
                {
                    RandomAccess.SetLength(active.Handle, position);
                }
                catch (IOException)
                {
                    ClosedCleanly = false;
                }

                throw new LogException(
                    $"Append to topic '{Topic}' partition {Partition} at offset {baseOffset} failed writing '{active.LogPath}' at byte {position}: {e.Message}",
                    e);
            }

            active.OnBatchAppended(header, position, _options.IndexIntervalBytes);
            active.Size = position + batch.Length;
            active.NextOffset = header.LastOffset + 1;
            if (header.IsTransactional)
            {
                TrackTransactional(header);
            }

            Volatile.Write(ref _highWatermark, header.LastOffset + 1);
            UpdateLastStableOffset();
            SignalData();
            return new AppendResult(baseOffset, header.LastOffset);
        }
    }

    private bool ShouldRoll(Segment active, int batchBytes, long nextOffset) =>
        active.Size > 0
        && (active.Size + batchBytes > _config.SegmentBytes
            || NowMs - active.CreatedAtMs >= (long)_config.SegmentTime.TotalMilliseconds
            || nextOffset - active.BaseOffset > int.MaxValue - BatchFormat.MaxBatchBytes);

    private Segment Roll(long baseOffset)
    {
        Segment old = _segments[^1];
        RandomAccess.FlushToDisk(old.Handle);
        PersistIndex(old);
        Segment next = CreateSegment(baseOffset);
        AtomicFile.SyncDirectory(_directory);
        Volatile.Write(ref _segments, [.. _segments, next]);
        return next;
    }

    /// <summary>Writes a segment's index file, or deletes it when the segment has known damage (an index would let the
    /// next open skip the scan that reports it).</summary>
    private static void PersistIndex(Segment segment)
    {
        if (segment.HasKnownDamage)
        {
            File.Delete(segment.IndexPath);
        }
        else
        {
            SegmentIndexFile.Write(segment);
        }
    }

    private Segment CreateSegment(long baseOffset)
    {
        string path = Segment.LogPathFor(_directory, baseOffset);
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        return new Segment(_directory, baseOffset, handle, NowMs);
    }

    /// <summary>Opens an existing segment file: for reading only when the log is read-only.</summary>
    private Segment OpenSegmentFile(long baseOffset)
    {
        if (!_options.ReadOnly)
        {
            return CreateSegment(baseOffset);
        }

        var handle = File.OpenHandle(Segment.LogPathFor(_directory, baseOffset), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new Segment(_directory, baseOffset, handle, NowMs);
    }

    private void AwaitFlushPolicy(long target)
    {
        switch (_options.FlushPolicy.Kind)
        {
            case FlushKind.EveryBatch:
                WaitDurable(target);
                break;
            case FlushKind.Interval:
                FlushIfDue();
                break;
        }
    }

    /// <summary>For <see cref="FlushKind.Interval"/>: fsyncs when the interval has elapsed since the last fsync and data is pending.</summary>
    internal void FlushIfDue()
    {
        if (Volatile.Read(ref _durableOffset) < EndOffset
            && NowMs - Volatile.Read(ref _lastFlushMs) >= (long)_options.FlushPolicy.Interval.TotalMilliseconds)
        {
            WaitDurable(EndOffset);
        }
    }

    /// <summary>Group commit: returns once every offset below <paramref name="target"/> is fsynced. One caller
    /// fsyncs on behalf of all waiting callers; the others wait on the monitor (no spinning, no sleeping).</summary>
    private void WaitDurable(long target)
    {
        Monitor.Enter(_flushMonitor);
        try
        {
            while (Volatile.Read(ref _durableOffset) < target)
            {
                if (_flushInProgress)
                {
                    Monitor.Wait(_flushMonitor);
                    continue;
                }

                _flushInProgress = true;
                Monitor.Exit(_flushMonitor);
                try
                {
                    FlushActiveSegment();
                }
                finally
                {
                    Monitor.Enter(_flushMonitor);
                    _flushInProgress = false;
                    Monitor.PulseAll(_flushMonitor);
                }
            }
        }
        finally
        {
            Monitor.Exit(_flushMonitor);
        }
    }

    private void FlushActiveSegment()
    {
        Segment active;
        long end;
        lock (_appendLock)
        {
            ThrowIfDisposed();
            active = _segments[^1];
            end = _highWatermark;
            active.TryAcquire();
        }

        try
        {
            // Earlier segments were fsynced when they were rolled, so one fsync of the active segment covers `end`.
            RandomAccess.FlushToDisk(active.Handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LogException($"fsync of '{active.LogPath}' (topic '{Topic}' partition {Partition}) failed: {e.Message}", e);
        }
        finally
        {
            active.Release();
        }

        long current;
        while ((current = Volatile.Read(ref _durableOffset)) < end && Interlocked.CompareExchange(ref _durableOffset, end, current) != current)
        {
        }

        Volatile.Write(ref _lastFlushMs, NowMs);
    }

    private void SignalData() => Interlocked.Exchange(ref _dataSignal, null)?.TrySetResult();

    private Task GetDataSignal()
    {
        TaskCompletionSource? tcs = Volatile.Read(ref _dataSignal);
        if (tcs is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            tcs = Interlocked.CompareExchange(ref _dataSignal, created, null) ?? created;
        }

        return tcs.Task;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowDisposed();
        }
    }

    private void ThrowIfReadOnly()
    {
        if (_options.ReadOnly)
        {
            ThrowReadOnly();
        }
    }

    [DoesNotReturn]
    private void ThrowReadOnly() =>
        throw new InvalidOperationException($"Topic '{Topic}' partition {Partition} was opened read-only; open the log without LogOptions.ReadOnly to change it.");

    [DoesNotReturn]
    private void ThrowDisposed() =>
        throw new ObjectDisposedException(nameof(PartitionLog), $"Topic '{Topic}' partition {Partition} is closed.");

    private static long ParseBaseOffset(string path) =>
        long.Parse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>fsyncs and closes the segment files, persisting the sparse indexes. Waiting readers are woken and
    /// get <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Segment[] segments;
        lock (_appendLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            segments = _segments;
        }

        lock (_maintenanceLock)
        {
            foreach (Segment s in segments)
            {
                try
                {
                    if (!_options.ReadOnly)
                    {
                        RandomAccess.FlushToDisk(s.Handle);
                        PersistIndex(s);
                    }
                }
                catch (IOException)
                {
                    // The index is rebuilt on open; unflushed data is checked there as after a crash.
                    ClosedCleanly = false;
                }

                s.Retire(deleteFiles: false);
            }
        }

        Interlocked.Exchange(ref _dataSignal, null)?.TrySetResult();
    }
}
