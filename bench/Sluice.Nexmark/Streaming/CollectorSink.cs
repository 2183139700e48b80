using Sluice.Nexmark.Results;
using Sluice.Sinks;

namespace Sluice.Nexmark.Streaming;

/// <summary>A sink that feeds a <see cref="ResultCollector{T}"/> per subtask; <see cref="Result"/> merges them after the job.</summary>
/// <typeparam name="T">Row type.</typeparam>
public sealed class CollectorSink<T>(bool keepRows) : ISink<T> where T : INexmarkRow
{
    private readonly List<ResultCollector<T>> _collectors = [];
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        var collector = new ResultCollector<T>(keepRows);
        lock (_lock)
        {
            _collectors.Add(collector);
        }
        return new Writer(collector);
    }

    /// <summary>Everything the writers consumed. Call after the job completed.</summary>
    public QueryOutput Result()
    {
        var all = new ResultCollector<T>(keepRows);
        lock (_lock)
        {
            foreach (var c in _collectors)
            {
                all.MergeFrom(c);
            }
        }
        return all.ToOutput();
    }

    private sealed class Writer(ResultCollector<T> collector) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp) => collector.Add(value);

        public void WriteBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
        {
            foreach (ref readonly var value in values)
            {
                collector.Add(value);
            }
        }

        public void Flush() { }

        public void Dispose() { }
    }
}

/// <summary>
/// A sink for an updating result (q4): keeps the latest row per key — the final table an upsert sink would hold —
/// and reports those rows. Rows of one key must reach one writer (key the stream by the same key).
/// </summary>
/// <typeparam name="TKey">Row key.</typeparam>
/// <typeparam name="T">Row type.</typeparam>
public sealed class UpsertCollectorSink<TKey, T>(Func<T, TKey> key, bool keepRows) : ISink<T> where T : INexmarkRow where TKey : notnull
{
    private readonly List<Dictionary<TKey, T>> _tables = [];
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        var table = new Dictionary<TKey, T>();
        lock (_lock)
        {
            _tables.Add(table);
        }
        return new Writer(table, key);
    }

    /// <summary>The final rows. Call after the job completed.</summary>
    public QueryOutput Result()
    {
        var all = new ResultCollector<T>(keepRows);
        lock (_lock)
        {
            foreach (var table in _tables)
            {
                foreach (var row in table.Values)
                {
                    all.Add(row);
                }
            }
        }
        return all.ToOutput();
    }

    private sealed class Writer(Dictionary<TKey, T> table, Func<T, TKey> key) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp) => table[key(value)] = value;

        public void Flush() { }

        public void Dispose() { }
    }
}
