using System.Threading.Channels;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Sql.Session;

/// <summary>
/// The sink of a SELECT: writes a copy of each row (with its kind) into a channel that <see cref="SqlQueryResult"/>
/// reads. One subtask (<see cref="MaxParallelism"/> 1), so rows keep the order the job produced them in. When the
/// channel is full the task thread waits (backpressure); when the reader completed the channel (it stopped reading),
/// rows are dropped while the job is cancelled.
/// </summary>
internal sealed class ChannelRowSink(ChannelWriter<Row> channel) : ISink<Row>
{
    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <inheritdoc />
    public ISinkWriter<Row> CreateWriter(SinkContext context) => new Writer(channel);

    private sealed class Writer(ChannelWriter<Row> channel) : ISinkWriter<Row>
    {
        public void Write(Row value, long timestamp)
        {
            // Upstream operators may reuse a row after emitting it; the reader keeps its rows.
            var row = value.Copy();
            while (!channel.TryWrite(row))
            {
                if (!channel.WaitToWriteAsync().AsTask().GetAwaiter().GetResult())
                {
                    return;
                }
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
