using System.Text.Json;
using Sluice.Sinks;
using Sluice.Sources;

namespace Sluice.Tests.Shared;

/// <summary>Records committed by <see cref="TwoPhaseCollectSink{T}"/>, shared across job runs.</summary>
internal sealed class CommittedRecords<T>
{
    private readonly Lock _lock = new();
    private readonly HashSet<(long, int)> _commits = [];
    private readonly List<T> _items = [];

    public List<T> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items];
            }
        }
    }

    public int CommitCalls { get; private set; }

    public void Commit(long checkpointId, int subtask, IEnumerable<T> items)
    {
        lock (_lock)
        {
            CommitCalls++;
            if (_commits.Add((checkpointId, subtask)))
            {
                _items.AddRange(items);
            }
        }
    }
}

/// <summary>An exactly-once sink for tests: writers stage records in memory, commits publish them once per (checkpoint, subtask).</summary>
internal sealed class TwoPhaseCollectSink<T>(CommittedRecords<T> committed) : ITwoPhaseSink<T>
{
    public int MaxParallelism => 0;

    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer();

    public void Commit(long checkpointId, int subtaskIndex, byte[] committable) =>
        committed.Commit(checkpointId, subtaskIndex, JsonSerializer.Deserialize<List<T>>(committable)!);

    public void AbortPending(long restoredCheckpointId) { }

    private sealed class Writer : ITwoPhaseSinkWriter<T>
    {
        private readonly List<T> _staged = [];

        public void Write(T value, long timestamp) => _staged.Add(value);

        public byte[] PrepareCommit(long checkpointId)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(_staged);
            _staged.Clear();
            return bytes;
        }

        public void Flush() { }

        public void Dispose() { }
    }
}
