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

    /// <summary>Starts the writer of <paramref name="partition"/>.</summary>
    public PartitionAppender(PartitionLog partition, TimeProvider timeProvider)
    {
        _partition = partition;
        _builder = new RecordBatchBuilder(256 * 1024, timeProvider);
        _loop = Task.Run(RunAsync);
    }

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
        try
        {
            var result = _partition.Append(_builder);
            foreach (var (part, firstDelta) in _group)
            {
                part.Complete(_partition.Partition, result.BaseOffset + firstDelta, result.BaseOffset + firstDelta + part.RecordCount - 1);
            }
        }
        catch (Exception e)
        {
            foreach (var (part, _) in _group)
            {
                part.Fail(e);
            }
        }
        finally
        {
            _builder.Clear();
            _group.Clear();
        }
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
/// the offsets they got once they are durable. <see cref="AddTo"/> is called by the appender's loop only.
/// </summary>
internal abstract class AppendPart
{
    private readonly TaskCompletionSource<PartitionRange> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many records the part adds.</summary>
    public abstract int RecordCount { get; }

    /// <summary>Their encoded size in bytes (an upper bound).</summary>
    public abstract int EncodedBytes { get; }

    /// <summary>Completes with the partition and offsets the records got; faults with the append's exception.</summary>
    public Task<PartitionRange> Appended => _done.Task;

    /// <summary>Adds the records to the group's batch (offsets follow in the order added).</summary>
    public abstract void AddTo(RecordBatchBuilder builder);

    /// <summary>Called by the appender once the records are durable.</summary>
    public void Complete(int partition, long first, long last) => _done.TrySetResult(new PartitionRange(partition, first, last));

    /// <summary>Called by the appender when the append failed.</summary>
    public void Fail(Exception e) => _done.TrySetException(e);
}

/// <summary>Offsets <paramref name="First"/>..<paramref name="Last"/> (inclusive) of a partition.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="First">First offset.</param>
/// <param name="Last">Last offset.</param>
internal readonly record struct PartitionRange(int Partition, long First, long Last);
