using System.Diagnostics;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Connectors.Log.Tests.Support;

public sealed record Ev(string Key, int Seq, long Ts);

public sealed record Win(string Key, long Start, long Count);

public sealed class CountAggregate<T> : IAggregateFunction<T, long, long>
{
    public long CreateAccumulator() => 0;

    public long Add(long accumulator, T value) => accumulator + 1;

    public long GetResult(long accumulator) => accumulator;

    public long Merge(long a, long b) => a + b;
}

/// <summary>A thread-safe collecting sink that lets a test wait (with a deadline) for a number of records.</summary>
public sealed class SignalingSink<T> : ISink<T>
{
    private readonly List<T> _items = [];
    private readonly object _lock = new(); // Monitor.Wait/PulseAll need a monitor, not a Lock

    public int MaxParallelism => 0;

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items];
            }
        }
    }

    /// <summary>Blocks until at least <paramref name="count"/> records arrived; fails the test after the timeout.</summary>
    public void WaitForCount(int count, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        lock (_lock)
        {
            while (_items.Count < count)
            {
                var left = limit - deadline.Elapsed;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_lock, left))
                {
                    throw new TimeoutException($"Expected {count} records within {limit}, got {_items.Count}.");
                }
            }
        }
    }

    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(this);

    private sealed class Writer(SignalingSink<T> sink) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp)
        {
            lock (sink._lock)
            {
                sink._items.Add(value);
                Monitor.PulseAll(sink._lock);
            }
        }

        public void Flush() { }

        public void Dispose() { }
    }
}

/// <summary>Records what a source reader emits, for tests that drive a reader directly.</summary>
public sealed class TestSourceOutput<T> : ISourceOutput<T>
{
    public List<(int Split, T Value, long Timestamp)> Records { get; } = [];

    public List<DeadLetter> DeadLetters { get; } = [];

    public HashSet<int> FinishedSplits { get; } = [];

    public List<(int Split, long Watermark)> Watermarks { get; } = [];

    public void Collect(int split, T value, long timestamp = EventTime.NoTimestamp) => Records.Add((split, value, timestamp));

    public void CollectBatch(int split, ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
    {
        for (int i = 0; i < values.Length; i++)
        {
            Records.Add((split, values[i], timestamps.IsEmpty ? EventTime.NoTimestamp : timestamps[i]));
        }
    }

    public void EmitWatermark(int split, long watermark) => Watermarks.Add((split, watermark));

    public void MarkSplitFinished(int split) => FinishedSplits.Add(split);

    public void MarkSplitIdle(int split, bool idle) { }

    public void ReportDeadLetter(DeadLetter letter) => DeadLetters.Add(letter);

    public List<T> Values => Records.ConvertAll(r => r.Value);
}

public static class TestWaits
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static Task<T> OrTimeout<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static SourceReaderContext Context(int subtask = 0, int parallelism = 1, Action? signal = null, int batchSize = 1024) =>
        new(subtask, parallelism, TimeProvider.System, signal ?? (() => { }), batchSize);
}
