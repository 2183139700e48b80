using System.Threading.Channels;
using Sluice.Log;

namespace Sluice.Server.Ingest;

/// <summary>
/// The one writer of ingest records to one partition: requests hand it their <see cref="AppendPart"/>s, and each time
/// it wakes it takes every part waiting (up to <see cref="MaxGroupBytes"/>), encodes them into one record batch and
/// appends that with one <see cref="PartitionLog.Append(RecordBatchBuilder)"/> — which returns once the batch is
/// durable under the log's flush policy (one fsync under <see cref="FlushKind.EveryBatch"/>). So concurrent requests
/// share one append and one fsync (group commit), and a request's records in a partition are contiguous offsets.
/// While it appends, the next requests queue up. Thread-safe; the loop runs on the thread pool only while parts wait.
/// </summary>
internal sealed class PartitionAppender : IAsyncDisposable
{
    /// <summary>A group is appended once it reaches this size; the next parts go to the next batch.</summary>
    public const int MaxGroupBytes = 8 * 1024 * 1024;

    private readonly PartitionLog _partition;
    private readonly Channel<AppendPart> _queue = Channel.CreateUnbounded<AppendPart>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RecordBatchBuilder _builder;
    private readonly List<(AppendPart Part, int FirstDelta)> _group = [];
    private readonly Task _loop;
    private long _groupsAppended;

    /// <summary>Starts the writer of <paramref name="partition"/>.</summary>
    public PartitionAppender(PartitionLog partition, TimeProvider timeProvider)
    {
        _partition = partition;
        _builder = new RecordBatchBuilder(256 * 1024, timeProvider);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Groups appended so far, each one <see cref="PartitionLog.Append(RecordBatchBuilder)"/> (one fsync under
    /// <see cref="FlushKind.EveryBatch"/>), failed ones included: fewer than the parts when requests shared them.</summary>
    public long GroupsAppended => Interlocked.Read(ref _groupsAppended);

    /// <summary>Queues <paramref name="part"/>; it completes when its records are durable (or the append failed).</summary>
    /// <exception cref="ObjectDisposedException">The server is stopping.</exception>
    public void Enqueue(AppendPart part)
    {
        if (!_queue.Writer.TryWrite(part))
        {
            throw new ObjectDisposedException(nameof(PartitionAppender), $"Ingest into topic '{_partition.Topic}' partition {_partition.Partition} stopped: the server is shutting down.");
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var part))
            {
                if (_builder.Count > 0 && _builder.SizeInBytes + part.EncodedBytes > MaxGroupBytes)
                {
                    AppendGroup();
                }
                _group.Add((part, _builder.Count));
                part.AddTo(_builder);
            }
            AppendGroup();
        }
    }

    private void AppendGroup()
    {
        if (_group.Count == 0)
        {
            return;
        }
        var completions = new GroupCompletion(_group.Count);
        Interlocked.Increment(ref _groupsAppended);
        try
        {
            var result = _partition.Append(_builder);
            foreach (var (part, firstDelta) in _group)
            {
                part.SetAppended(_partition.Partition, result.BaseOffset + firstDelta, result.BaseOffset + firstDelta + part.RecordCount - 1);
                completions.Add(part);
            }
        }
        catch (Exception e)
        {
            foreach (var (part, _) in _group)
            {
                part.SetFailed(e);
                completions.Add(part);
            }
        }
        finally
        {
            _builder.Clear();
            _group.Clear();
        }
        // One thread-pool hop for the whole group, not one per request: the requests' continuations (their answers)
        // run one after another on that thread while this loop appends the next group.
        ThreadPool.UnsafeQueueUserWorkItem(completions, preferLocal: false);
    }

    /// <summary>Stops taking parts, appends those queued, and returns the batch buffer.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _builder.Dispose();
    }
}

/// <summary>
/// Records of one request for one partition, appended together by a <see cref="PartitionAppender"/>. Completes with
/// the offsets they got once they are durable. <see cref="AddTo"/>, <see cref="SetAppended"/> and
/// <see cref="SetFailed"/> are called by the appender's loop only; <see cref="Signal"/> by its <see cref="GroupCompletion"/>.
/// </summary>
internal abstract class AppendPart
{
    // Continuations run synchronously inside Signal: the GroupCompletion work item is their thread, never the appender's loop.
    private readonly TaskCompletionSource<PartitionRange> _done = new();
    private PartitionRange _range;
    private Exception? _failure;

    /// <summary>How many records the part adds.</summary>
    public abstract int RecordCount { get; }

    /// <summary>Their encoded size in bytes (an upper bound).</summary>
    public abstract int EncodedBytes { get; }

    /// <summary>Completes with the partition and offsets the records got; faults with the append's exception.</summary>
    public Task<PartitionRange> Appended => _done.Task;

    /// <summary>Adds the records to the group's batch (offsets follow in the order added).</summary>
    public abstract void AddTo(RecordBatchBuilder builder);

    /// <summary>Records that the records are durable at <paramref name="first"/>..<paramref name="last"/>; <see cref="Appended"/>
    /// completes at <see cref="Signal"/>.</summary>
    public void SetAppended(int partition, long first, long last) => _range = new PartitionRange(partition, first, last);

    /// <summary>Records that the append failed; <see cref="Appended"/> faults at <see cref="Signal"/>.</summary>
    public void SetFailed(Exception e) => _failure = e;

    /// <summary>Completes <see cref="Appended"/>, running the waiting request's continuation on this thread.</summary>
    public void Signal()
    {
        if (_failure is { } e)
        {
            _done.TrySetException(e);
        }
        else
        {
            _done.TrySetResult(_range);
        }
    }
}

/// <summary>
/// The parts of one appended group, signalled from one thread-pool work item: the requests waiting on them continue one
/// after another on that thread (each continuation is the short end of a request: its answer), so a group costs one
/// thread-pool hop instead of one per request, and the appender's loop never runs request code.
/// </summary>
internal sealed class GroupCompletion(int capacity) : IThreadPoolWorkItem
{
    private readonly AppendPart[] _parts = new AppendPart[capacity];
    private int _count;

    /// <summary>Adds a part whose outcome is set.</summary>
    public void Add(AppendPart part) => _parts[_count++] = part;

    /// <summary>Signals every part, in append order.</summary>
    public void Execute()
    {
        for (var i = 0; i < _count; i++)
        {
            _parts[i].Signal();
        }
    }
}

/// <summary>Offsets <paramref name="First"/>..<paramref name="Last"/> (inclusive) of a partition.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="First">First offset.</param>
/// <param name="Last">Last offset.</param>
internal readonly record struct PartitionRange(int Partition, long First, long Last);
