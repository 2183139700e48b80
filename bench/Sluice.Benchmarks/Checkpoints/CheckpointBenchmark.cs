using System.Diagnostics;
using Sluice.Checkpoints;
using Sluice.Sinks;
using Sluice.Sources;
using Sluice.State;

namespace Sluice.Benchmarks.Checkpoints;

/// <summary>One measured configuration.</summary>
/// <param name="Keys">Distinct keys in keyed state.</param>
/// <param name="Interval">Checkpoint interval, or null for checkpoints off.</param>
/// <param name="Records">Records processed.</param>
/// <param name="Seconds">Wall time of the run.</param>
/// <param name="Checkpoints">Checkpoints completed during the run.</param>
/// <param name="LastCheckpointBytes">Size of the last checkpoint on disk.</param>
public sealed record CheckpointBenchResult(int Keys, TimeSpan? Interval, long Records, double Seconds, int Checkpoints, long LastCheckpointBytes)
{
    /// <summary>Records per second.</summary>
    public double RecordsPerSecond => Records / Seconds;
}

/// <summary>What to measure.</summary>
/// <param name="Directory">Scratch directory for checkpoints (deleted and recreated per run).</param>
/// <param name="RunTime">Wall time of each throughput run.</param>
/// <param name="Parallelism">Subtasks per operator.</param>
public sealed record CheckpointBenchOptions(string Directory, TimeSpan RunTime, int Parallelism = 1);

/// <summary>
/// Checkpoint cost: a keyed counting job (one value-state entry per key, updated by every record) runs for a fixed
/// wall time with checkpoints off, every 10 s and every 1 s, at 10K and 1M keys; then the time to restore the 1M-key
/// checkpoint (load and rebuild state until the source polls again).
/// </summary>
public static class CheckpointBenchmark
{
    /// <summary>Runs every configuration; <paramref name="log"/> receives one line per finished run.</summary>
    public static (IReadOnlyList<CheckpointBenchResult> Runs, TimeSpan Restore, long RestoredBytes) Run(CheckpointBenchOptions options, Action<string>? log = null)
    {
        var runs = new List<CheckpointBenchResult>();
        foreach (var keys in new[] { 10_000, 1_000_000 })
        {
            foreach (var interval in new TimeSpan?[] { null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1) })
            {
                var result = Throughput(options, keys, interval);
                runs.Add(result);
                log?.Invoke($"{keys,9:N0} keys, checkpoints {(interval is null ? "off" : $"every {interval.Value.TotalSeconds:F0} s"),-14} {result.RecordsPerSecond,14:N0} records/s  {result.Checkpoints} checkpoint(s), last {result.LastCheckpointBytes:N0} bytes");
            }
        }
        var (restore, bytes) = Restore(options, 1_000_000);
        log?.Invoke($"restore of 1,000,000 keys ({bytes:N0} bytes): {restore.TotalMilliseconds:F0} ms");
        return (runs, restore, bytes);
    }

    private static StreamEnvironment Job(CheckpointBenchOptions options, int keys, TimeSpan? interval, KeyedRecordSource source, bool restore = false)
    {
        var env = StreamEnvironment.Create(new JobOptions
        {
            JobName = "checkpoint-bench",
            Parallelism = options.Parallelism,
            Checkpoints = interval is { } i ? CheckpointOptions.InDirectory(options.Directory, i) with { RestoreOnStart = restore } : null,
        });
        env.FromSource(source, null, "KeyedRecords").Uid("source")
            .KeyBy(static r => r.Key)
            .Process(new CountPerKey()).Uid("count")
            .SinkTo(new DiscardingSink<long>()).Uid("sink");
        return env;
    }

    private static CheckpointBenchResult Throughput(CheckpointBenchOptions options, int keys, TimeSpan? interval)
    {
        Reset(options.Directory);
        var source = new KeyedRecordSource(keys);
        var client = Job(options, keys, interval, source).Start();
        var watch = Stopwatch.StartNew();
        source.FirstPoll.Wait();
        // The measured window: the job runs (unbounded) until it has had RunTime of wall time.
        client.Completion.Wait(options.RunTime);
        client.Stop(drain: false);
        var result = client.Completion.GetAwaiter().GetResult();
        watch.Stop();
        var store = new LocalCheckpointStore(options.Directory);
        var completed = store.ListCompletedAsync().GetAwaiter().GetResult();
        long bytes = completed.Count == 0 ? 0 : Directory.EnumerateFiles(store.PathOf(completed[^1])).Sum(f => new FileInfo(f).Length);
        return new CheckpointBenchResult(keys, interval, result.SourceRecords, watch.Elapsed.TotalSeconds, result.CheckpointsCompleted, bytes);
    }

    private static (TimeSpan, long) Restore(CheckpointBenchOptions options, int keys)
    {
        Reset(options.Directory);
        // Fill state for every key, then let the final checkpoint capture it.
        var fill = new KeyedRecordSource(keys) { Limit = keys * 2L };
        Job(options, keys, TimeSpan.FromHours(1), fill).ExecuteAsync().GetAwaiter().GetResult();
        var store = new LocalCheckpointStore(options.Directory);
        var bytes = Directory.EnumerateFiles(store.PathOf(store.ListCompletedAsync().GetAwaiter().GetResult()[^1])).Sum(f => new FileInfo(f).Length);
        var source = new KeyedRecordSource(keys) { Limit = 0 };
        var watch = Stopwatch.StartNew();
        var client = Job(options, keys, TimeSpan.FromHours(1), source, restore: true).Start();
        source.FirstPoll.Wait();
        var elapsed = watch.Elapsed;
        client.Completion.GetAwaiter().GetResult();
        return (elapsed, bytes);
    }

    private static void Reset(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        Directory.CreateDirectory(directory);
    }

    /// <summary>A record of the benchmark: a key and a value.</summary>
    public readonly record struct KeyedRecord(long Key, long Value);

    private sealed class CountPerKey : KeyedProcessFunction<long, KeyedRecord, long>
    {
        private IValueState<long> _count = null!;

        public override void Open(IRuntimeContext context) => _count = context.State.GetState(new ValueStateDescriptor<long>("count"));

        public override void ProcessElement(KeyedRecord value, KeyedProcessContext<long> context, ICollector<long> output) =>
            _count.Update(_count.Value + 1);
    }

    private sealed class DiscardingSink<T> : ISink<T>
    {
        public int MaxParallelism => 0;

        public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer();

        private sealed class Writer : ISinkWriter<T>
        {
            public void Write(T value, long timestamp) { }

            public void Flush() { }

            public void Dispose() { }
        }
    }

    /// <summary>Records with keys cycling over <c>keys</c>, as fast as the job takes them; checkpointable.</summary>
    private sealed class KeyedRecordSource(int keys) : ISource<KeyedRecord>
    {
        public ManualResetEventSlim FirstPoll { get; } = new();

        public int Keys { get; } = keys;

        public long Limit { get; init; } = long.MaxValue;

        public bool IsBounded => Limit != long.MaxValue;

        public int MaxParallelism => 0;

        public ISourceReader<KeyedRecord> CreateReader(SourceReaderContext context)
        {
            var id = $"keyed-{context.SubtaskIndex}";
            var start = SplitPositions.TryGetInt64(context.RestoredSplits, id, out var position) ? position : 0;
            return new Reader(this, id, start, context);
        }

        private sealed class Reader(KeyedRecordSource source, string id, long start, SourceReaderContext context) : ISourceReader<KeyedRecord>, ICheckpointedSourceReader
        {
            private readonly KeyedRecord[] _batch = new KeyedRecord[context.BatchSize];
            private long _next = start;
            private long _emitted;

            public int SplitCount => 1;

            public string SplitId(int split) => id;

            public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_next);

            public SourceStatus PollNext(ISourceOutput<KeyedRecord> output)
            {
                source.FirstPoll.Set();
                var n = (int)Math.Min(_batch.Length, source.Limit - _emitted);
                for (var i = 0; i < n; i++)
                {
                    var index = (_next * context.Parallelism) + context.SubtaskIndex;
                    _batch[i] = new KeyedRecord(index % source.Keys, index);
                    _next++;
                }
                _emitted += n;
                output.CollectBatch(0, _batch.AsSpan(0, n), default);
                return _emitted >= source.Limit ? SourceStatus.Finished : SourceStatus.MoreAvailable;
            }

            public void Dispose() { }
        }
    }
}
