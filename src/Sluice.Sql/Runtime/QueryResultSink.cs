using System.Threading.Channels;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Sql.Runtime;

/// <summary>
/// The sink of a SELECT: writes a copy of each row (with its kind) into a bounded channel that the query's reader drains
/// (upstream operators may reuse a row after emitting it; the reader keeps its rows). One subtask
/// (<see cref="MaxParallelism"/> 1), so rows keep the order the job produced them in. A full channel blocks the task
/// (backpressure) until the reader takes rows or <see cref="Abandon"/> is called; after that, rows are dropped so the
/// job can be cancelled without a reader.
/// </summary>
internal sealed class QueryResultSink : ISink<Row>
{
    private readonly Channel<Row> _channel;
    private readonly CancellationTokenSource _abandoned = new();

    /// <summary>A sink whose channel holds up to <paramref name="capacity"/> rows.</summary>
    public QueryResultSink(int capacity = 1024) =>
        _channel = Channel.CreateBounded<Row>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Where the rows arrive.</summary>
    public ChannelReader<Row> Reader => _channel.Reader;

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <summary>Ends the result: with <paramref name="failure"/> when the job failed, normally when it finished.</summary>
    public void Complete(Exception? failure = null) => _channel.Writer.TryComplete(failure);

    /// <summary>The reader is gone: blocked and later writes return at once, dropping their rows.</summary>
    public void Abandon() => _abandoned.Cancel();

    /// <inheritdoc />
    public ISinkWriter<Row> CreateWriter(SinkContext context) => new Writer(this);

    private sealed class Writer(QueryResultSink sink) : ISinkWriter<Row>
    {
        public void Write(Row value, long timestamp)
        {
            var writer = sink._channel.Writer;
            value = value.Copy();
            if (writer.TryWrite(value))
            {
                return;
            }

            try
            {
                while (writer.WaitToWriteAsync(sink._abandoned.Token).AsTask().GetAwaiter().GetResult())
                {
                    if (writer.TryWrite(value))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (sink._abandoned.IsCancellationRequested)
            {
                // Abandoned: the reader left, the row has no one to go to.
            }
        }

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}
