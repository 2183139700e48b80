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

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    /// <summary>Starts the job, and once this source reached its pause point takes a checkpoint and waits for it to complete.</summary>
    public async Task<JobClient> StartAndCheckpointAtPauseAsync(StreamEnvironment env)
    {
        var client = env.Start();
        var completed = new SemaphoreSlim(0);
        client.CheckpointCompleted += _ => completed.Release();
        Paused.Wait(s_timeout).ShouldBeTrue("the source should reach the pause point");
        client.TriggerCheckpoint().ShouldBeGreaterThan(0);
        (await completed.WaitAsync(s_timeout)).ShouldBeTrue("the checkpoint should complete");
        return client;
    }

    /// <summary>Lets the source run on to <paramref name="pauseAt"/> and waits until it is there.</summary>
    public void AdvanceTo(long pauseAt)
    {
        PauseAt = pauseAt;
        Paused.Wait(s_timeout).ShouldBeTrue($"the source should reach {pauseAt}");
    }

    /// <summary>Crashes the job: cancels it and checks that it ended cancelled.</summary>
    public static async Task CrashAsync(JobClient client)
    {
        client.Cancel();
        await Should.ThrowAsync<OperationCanceledException>(() => client.Completion.WaitAsync(s_timeout));
    }

    public bool IsBounded => true;

    public int MaxParallelism => 1;

    public ISourceReader<long> CreateReader(SourceReaderContext context)
    {
        lock (_lock)
        {
            _signals.Add(context.SignalAvailable);
        }
        var start = SplitPositions.TryGetInt64(context.RestoredSplits, "range", out var position) ? position : 0;
        return new Reader(this, start, context.BatchSize);
    }

    private sealed class Reader(PausableRangeSource source, long start, int batch) : ISourceReader<long>, ICheckpointedSourceReader
    {
        private long _next = start;

        public int SplitCount => 1;

        public string SplitId(int split) => "range";

        public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_next);

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
