using System.Diagnostics.Metrics;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Blackhole;

/// <summary>Discards rows; counts them in <see cref="RowsDiscarded"/> and on the <c>sluice.blackhole.rows</c> counter (once per write or batch).</summary>
internal sealed class BlackholeRowSink(string tableName) : ISink<Row>
{
    private static readonly Counter<long> s_rows = SluiceMetrics.Meter.CreateCounter<long>(
        "sluice.blackhole.rows", "{row}", "Rows discarded by 'blackhole' tables, by table.");

    private long _discarded;

    /// <summary>Rows discarded by every writer so far. Thread-safe.</summary>
    public long RowsDiscarded => Interlocked.Read(ref _discarded);

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISinkWriter<Row> CreateWriter(SinkContext context) => new Writer(this);

    private void Count(int rows)
    {
        Interlocked.Add(ref _discarded, rows);
        s_rows.Add(rows, new KeyValuePair<string, object?>("table", tableName));
    }

    private sealed class Writer(BlackholeRowSink sink) : ISinkWriter<Row>
    {
        public void Write(Row value, long timestamp) => sink.Count(1);

        public void WriteBatch(ReadOnlySpan<Row> values, ReadOnlySpan<long> timestamps) => sink.Count(values.Length);

        public void Flush() { }

        public void Dispose() { }
    }
}
