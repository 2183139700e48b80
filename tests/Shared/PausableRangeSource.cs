using Sluice.Sources;

namespace Sluice.Tests.Shared;

/// <summary>
/// A checkpointable source of records 0..count-1 (timestamp = value) that pauses whenever it reaches
/// <see cref="PauseAt"/> until the test raises it — a crash point the test controls without sleeping.
/// </summary>
internal sealed class PausableRangeSource(long count) : ISource<long>
{
    private readonly Lock _lock = new();
    private readonly List<Action> _signals = [];
    private long _pauseAt = long.MaxValue;

    public long Count { get; } = count;

    /// <summary>Set when the source reached <see cref="PauseAt"/>.</summary>
    public ManualResetEventSlim Paused { get; } = new();

    public long PauseAt
    {
        get
        {
            lock (_lock)
            {
                return _pauseAt;
            }
        }
        set
        {
            List<Action> signals;
            lock (_lock)
            {
                _pauseAt = value;
                Paused.Reset();
                signals = [.. _signals];
            }
            foreach (var signal in signals)
            {
                signal();
            }
        }
    }

    public bool IsBounded => true;

    public int MaxParallelism => 1;

    public ISourceReader<long> CreateReader(SourceReaderContext context)
    {
        lock (_lock)
        {
            _signals.Add(context.SignalAvailable);
        }
        var start = context.RestoredSplits.TryGetValue("range", out var position) ? BitConverter.ToInt64(position) : 0;
        return new Reader(this, start, context.BatchSize);
    }

    private sealed class Reader(PausableRangeSource source, long start, int batch) : ISourceReader<long>, ICheckpointedSourceReader
    {
        private long _next = start;

        public int SplitCount => 1;

        public string SplitId(int split) => "range";

        public byte[] SnapshotSplit(int split) => BitConverter.GetBytes(_next);

        public SourceStatus PollNext(ISourceOutput<long> output)
        {
            var pauseAt = source.PauseAt;
            if (_next >= pauseAt)
            {
                source.Paused.Set();
                return SourceStatus.NothingAvailable;
            }
            var end = Math.Min(Math.Min(_next + batch, source.Count), pauseAt);
            for (; _next < end; _next++)
            {
                output.Collect(0, _next, _next);
            }
            return _next >= source.Count ? SourceStatus.Finished : SourceStatus.MoreAvailable;
        }

        public void Dispose() { }
    }
}
