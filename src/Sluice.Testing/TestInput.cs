using Sluice.Sources;

namespace Sluice.Testing;

/// <summary>
/// A source the test pushes into: records with explicit timestamps, watermarks, and the end of input. Non-parallel
/// and unbounded until <see cref="Complete"/>. Thread-safe. A watermark ends the reader's poll, so it reaches
/// downstream operators exactly between the records pushed before and after it. Its watermark is checkpointed
/// (<see cref="JobTestDriver.Snapshot"/>), so a restored input resumes at it; its records are not replayed (a restored
/// job sees only what is pushed into it).
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class TestInput<T> : ISource<T>
{
    private readonly Lock _lock = new();
    private readonly Queue<(int Kind, T Value, long Time)> _queue = new();
    private Action? _signal;
    private bool _completed;

    internal TestInput() { }

    /// <summary>The stream of pushed records; set by the driver.</summary>
    public DataStream<T> Stream { get; internal set; } = null!;

    bool ISource<T>.IsBounded => false;

    int ISource<T>.MaxParallelism => 1;

    /// <summary>Pushes a record with event time <paramref name="timestamp"/> (ms).</summary>
    public TestInput<T> Push(T value, long timestamp = EventTime.NoTimestamp) => Enqueue(0, value, timestamp);

    /// <summary>Pushes several records with their timestamps.</summary>
    public TestInput<T> PushAll(IEnumerable<(T Value, long Timestamp)> records)
    {
        foreach (var (value, timestamp) in records)
        {
            Push(value, timestamp);
        }
        return this;
    }

    /// <summary>Pushes a watermark: no more records with timestamp ≤ <paramref name="watermark"/> are expected.</summary>
    public TestInput<T> PushWatermark(long watermark) => Enqueue(1, default!, watermark);

    /// <summary>Ends the input: the source finishes with the final watermark (+∞).</summary>
    public void Complete()
    {
        Enqueue(2, default!, 0);
    }

    private TestInput<T> Enqueue(int kind, T value, long time)
    {
        Action? signal;
        lock (_lock)
        {
            if (_completed)
            {
                throw new InvalidOperationException("The test input was completed; nothing more can be pushed.");
            }
            _completed = kind == 2;
            _queue.Enqueue((kind, value, time));
            signal = _signal;
        }
        signal?.Invoke();
        return this;
    }

    ISourceReader<T> ISource<T>.CreateReader(SourceReaderContext context)
    {
        lock (_lock)
        {
            _signal = context.SignalAvailable;
        }
        return new Reader(this, context.BatchSize);
    }

    private sealed class Reader(TestInput<T> input, int batchSize) : ISourceReader<T>, ICheckpointedSourceReader
    {
        public int SplitCount => 1;

        public string SplitId(int split) => "test-input";

        // Nothing to resume from: a restored input is a new one. The snapshot carries the split's watermark.
        public byte[] SnapshotSplit(int split) => [];

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            for (var i = 0; i < batchSize; i++)
            {
                (int Kind, T Value, long Time) item;
                lock (input._lock)
                {
                    if (!input._queue.TryDequeue(out item))
                    {
                        return SourceStatus.NothingAvailable;
                    }
                }
                switch (item.Kind)
                {
                    case 0:
                        output.Collect(0, item.Value, item.Time);
                        break;
                    case 1:
                        output.EmitWatermark(0, item.Time);
                        return SourceStatus.MoreAvailable;
                    default:
                        return SourceStatus.Finished;
                }
            }
            return SourceStatus.MoreAvailable;
        }

        public void Dispose() { }
    }
}
