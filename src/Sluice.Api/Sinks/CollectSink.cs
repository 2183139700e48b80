namespace Sluice.Sinks;

/// <summary>
/// Keeps every record in memory, for tests and small jobs. Thread-safe: parallel writers append under a lock.
/// Read <see cref="Items"/> after the job completed (or while it runs, for a snapshot).
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class CollectSink<T> : ISink<T>
{
    private readonly List<(T Value, long Timestamp)> _items = [];
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <summary>A snapshot of the collected values, in arrival order (interleaved across subtasks).</summary>
    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_lock)
            {
                return _items.ConvertAll(x => x.Value);
            }
        }
    }

    /// <summary>A snapshot of the collected values with their timestamps.</summary>
    public IReadOnlyList<(T Value, long Timestamp)> TimestampedItems
    {
        get
        {
            lock (_lock)
            {
                return [.. _items];
            }
        }
    }

    /// <summary>The number of records collected so far.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Forgets everything collected.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _items.Clear();
        }
    }

    /// <inheritdoc />
    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(this);

    private sealed class Writer(CollectSink<T> sink) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp)
        {
            lock (sink._lock)
            {
                sink._items.Add((value, timestamp));
            }
        }

        public void Flush() { }

        public void Dispose() { }
    }
}
