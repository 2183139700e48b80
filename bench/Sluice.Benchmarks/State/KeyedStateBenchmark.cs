using System.Diagnostics;
using Sluice.Sinks;
using Sluice.Sources;
using Sluice.State;

namespace Sluice.Benchmarks.State;

/// <summary>What to run.</summary>
/// <param name="Keys">Distinct keys (at least 1).</param>
/// <param name="Passes">Records per key: every key is counted once per pass (at least 1).</param>
/// <param name="Backend">The keyed state backend; a RocksDB one should have its directory under <paramref name="Directory"/>.</param>
/// <param name="Parallelism">Subtasks per operator.</param>
/// <param name="Directory">Where the state backend keeps its files (measured as the on-disk state size).</param>
public sealed record KeyedStateBenchOptions(long Keys, int Passes, StateBackendOptions Backend, int Parallelism, string Directory);

/// <summary>What one run measured.</summary>
/// <param name="Keys">Distinct keys asked for.</param>
/// <param name="Passes">Records per key.</param>
/// <param name="Records">Records the source emitted.</param>
/// <param name="Seconds">Wall time from start to the job's end.</param>
/// <param name="KeysCounted">Keys whose final count reached the sink (must be <paramref name="Keys"/>).</param>
/// <param name="Total">Sum of the final counts (must be <paramref name="Keys"/> × <paramref name="Passes"/>).</param>
/// <param name="PeakManagedBytes">Largest <see cref="GC.GetTotalMemory(bool)"/> sampled (bytes allocated on the managed heap, live or not yet collected).</param>
/// <param name="PeakHeapSizeAfterGcBytes">Largest <see cref="GCMemoryInfo.HeapSizeBytes"/> seen: the managed heap's size right after a collection.</param>
/// <param name="PeakWorkingSetBytes">Largest process working set sampled (managed and native: RocksDB's memtables and caches included).</param>
/// <param name="StateBytesAtEnd">Bytes of state files on disk when the last key's count reached the sink.</param>
/// <param name="PeakStateBytes">Largest on-disk state size sampled.</param>
/// <param name="Gen2Collections">Full (generation 2) collections during the run.</param>
public sealed record KeyedStateBenchResult(long Keys, int Passes, long Records, double Seconds, long KeysCounted, long Total, long PeakManagedBytes,
    long PeakHeapSizeAfterGcBytes, long PeakWorkingSetBytes, long StateBytesAtEnd, long PeakStateBytes, int Gen2Collections)
{
    /// <summary>Records per second of wall time.</summary>
    public double RecordsPerSecond => Records / Seconds;

    /// <summary>True when every key was counted exactly <see cref="Passes"/> times.</summary>
    public bool Correct => KeysCounted == Keys && Total == Keys * Passes;
}

/// <summary>
/// State larger than memory: a keyed count over <c>Keys</c> distinct keys, <c>Passes</c> records per key (a key's
/// records come in order, one per pass over all keys, so every pass after the first reads each count back from the
/// backend — from disk, with RocksDB). The last pass emits each key's count; the sink checks the number of keys and the
/// total. A sampler thread records the managed heap, the working set and the size of the state files meanwhile.
/// Checkpoints are off: a full snapshot of tens of millions of keys is a different measurement.
/// </summary>
public static class KeyedStateBenchmark
{
    private static readonly TimeSpan s_sampleEvery = TimeSpan.FromMilliseconds(100);
    private const int DiskSampleEvery = 20; // samples: every 2 s

    /// <summary>Runs the job; <paramref name="progress"/> gets a line about every 10 s.</summary>
    public static KeyedStateBenchResult Run(KeyedStateBenchOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Keys, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Passes, 1);
        if (Directory.Exists(options.Directory))
        {
            Directory.Delete(options.Directory, recursive: true);
        }
        Directory.CreateDirectory(options.Directory);

        var source = new KeyPassSource(options.Keys, options.Passes);
        var totals = new CountTotals(options.Keys, options.Directory);
        var env = StreamEnvironment.Create(new JobOptions
        {
            JobName = "state-bench",
            Parallelism = options.Parallelism,
            StateBackend = options.Backend,
        });
        env.FromSource(source, null, "KeyPasses").Uid("source")
            .KeyBy(static r => r.Key)
            .Process(new CountPerKey(options.Passes)).Uid("count")
            .SinkTo(new TotalsSink(totals)).Uid("sink");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var gen2Before = GC.CollectionCount(2);
        using var sampler = new MemorySampler(options.Directory, source, progress);
        var watch = Stopwatch.StartNew();
        env.ExecuteAsync().GetAwaiter().GetResult();
        watch.Stop();
        sampler.Stop();
        return new KeyedStateBenchResult(options.Keys, options.Passes, source.Emitted, watch.Elapsed.TotalSeconds, totals.Keys, totals.Total,
            sampler.PeakManaged, sampler.PeakHeapAfterGc, sampler.PeakWorkingSet, totals.StateBytesAtEnd, sampler.PeakDisk, GC.CollectionCount(2) - gen2Before);
    }

    /// <summary>Bytes of the regular files under <paramref name="directory"/> (0 when it is gone; files deleted meanwhile are skipped).</summary>
    internal static long DiskBytes(string directory)
    {
        long bytes = 0;
        try
        {
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
            {
                if (file.LinkTarget is null)
                {
                    bytes += file.Length;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file or directory vanished while listing (compaction, the job closing): this sample is partial.
        }
        return bytes;
    }

    /// <summary>A record of the benchmark: a key and the pass it belongs to.</summary>
    public readonly record struct KeyPass(long Key, int Pass);

    /// <summary>Counts records per key in value state; on the last pass emits the key's count.</summary>
    private sealed class CountPerKey(int passes) : KeyedProcessFunction<long, KeyPass, long>
    {
        private IValueState<long> _count = null!;

        public override void Open(IRuntimeContext context) => _count = context.State.GetState(new ValueStateDescriptor<long>("count"));

        public override void ProcessElement(KeyPass value, KeyedProcessContext<long> context, ICollector<long> output)
        {
            var count = _count.Value + 1;
            _count.Update(count);
            if (value.Pass == passes - 1)
            {
                output.Collect(count);
            }
        }
    }

    /// <summary>Final counts from every sink writer; measures the state on disk when the last key arrives. Thread-safe.</summary>
    private sealed class CountTotals(long expectedKeys, string stateDirectory)
    {
        private long _keys;
        private long _total;

        public long Keys => Interlocked.Read(ref _keys);

        public long Total => Interlocked.Read(ref _total);

        public long StateBytesAtEnd { get; private set; }

        public void Add(long keys, long total)
        {
            Interlocked.Add(ref _total, total);
            if (Interlocked.Add(ref _keys, keys) == expectedKeys)
            {
                StateBytesAtEnd = DiskBytes(stateDirectory);
            }
        }
    }

    private sealed class TotalsSink(CountTotals totals) : ISink<long>
    {
        public int MaxParallelism => 0;

        public ISinkWriter<long> CreateWriter(SinkContext context) => new Writer(totals);

        private sealed class Writer(CountTotals totals) : ISinkWriter<long>
        {
            private const int Publish = 1 << 16;
            private long _keys;
            private long _total;

            public void Write(long value, long timestamp)
            {
                _keys++;
                _total += value;
                if (_keys == Publish)
                {
                    Flush();
                }
            }

            public void Flush()
            {
                totals.Add(_keys, _total);
                _keys = 0;
                _total = 0;
            }

            public void Dispose() => Flush();
        }
    }

    /// <summary>
    /// Subtask <c>s</c> of <c>p</c> owns keys <c>s, s+p, s+2p…</c> and emits them once per pass, pass after pass, so a
    /// key's records reach its keyed subtask in pass order. Not checkpointable (checkpoints are off).
    /// </summary>
    private sealed class KeyPassSource(long keys, int passes) : ISource<KeyPass>
    {
        private long _emitted;

        public long Emitted => Interlocked.Read(ref _emitted);

        public int Passes => passes;

        public bool IsBounded => true;

        public int MaxParallelism => 0;

        public ISourceReader<KeyPass> CreateReader(SourceReaderContext context) => new Reader(this, context);

        private sealed class Reader(KeyPassSource source, SourceReaderContext context) : ISourceReader<KeyPass>
        {
            private readonly KeyPass[] _batch = new KeyPass[Math.Max(1, context.BatchSize)];
            private readonly long _owned = source.KeysOf(context.SubtaskIndex, context.Parallelism);
            private long _next;

            public int SplitCount => 1;

            public SourceStatus PollNext(ISourceOutput<KeyPass> output)
            {
                var end = _owned * source.Passes;
                var n = (int)Math.Min(_batch.Length, end - _next);
                for (var i = 0; i < n; i++, _next++)
                {
                    var (pass, slot) = Math.DivRem(_next, _owned);
                    _batch[i] = new KeyPass(context.SubtaskIndex + (slot * context.Parallelism), (int)pass);
                }
                output.CollectBatch(0, _batch.AsSpan(0, n), default);
                Interlocked.Add(ref source._emitted, n);
                return _next >= end ? SourceStatus.Finished : SourceStatus.MoreAvailable;
            }

            public void Dispose() { }
        }

        private long KeysOf(int subtask, int parallelism) => subtask >= keys ? 0 : ((keys - 1 - subtask) / parallelism) + 1;
    }

    /// <summary>Samples memory every 100 ms and the state directory every 2 s on a thread of its own until stopped.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly string _directory;
        private readonly KeyPassSource _source;
        private readonly Action<string>? _progress;
        private readonly ManualResetEventSlim _stop = new();
        private readonly Thread _thread;
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public MemorySampler(string directory, KeyPassSource source, Action<string>? progress)
        {
            _directory = directory;
            _source = source;
            _progress = progress;
            _thread = new Thread(Loop) { IsBackground = true, Name = "state-bench sampler" };
            _thread.Start();
        }

        public long PeakManaged { get; private set; }

        public long PeakHeapAfterGc { get; private set; }

        public long PeakWorkingSet { get; private set; }

        public long PeakDisk { get; private set; }

        private void Loop()
        {
            using var process = Process.GetCurrentProcess();
            var samples = 0;
            var lastReport = TimeSpan.Zero;
            do
            {
                PeakManaged = Math.Max(PeakManaged, GC.GetTotalMemory(forceFullCollection: false));
                PeakHeapAfterGc = Math.Max(PeakHeapAfterGc, GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes);
                process.Refresh();
                PeakWorkingSet = Math.Max(PeakWorkingSet, process.WorkingSet64);
                if (samples++ % DiskSampleEvery == 0)
                {
                    PeakDisk = Math.Max(PeakDisk, DiskBytes(_directory));
                }
                if (_progress is not null && _clock.Elapsed - lastReport >= TimeSpan.FromSeconds(10))
                {
                    lastReport = _clock.Elapsed;
                    _progress($"{_clock.Elapsed.TotalSeconds,6:F0} s  {_source.Emitted,14:N0} records  managed {PeakManaged / 1e6,8:N0} MB (peak)  heap after GC {PeakHeapAfterGc / 1e6,8:N0} MB (peak)  working set {process.WorkingSet64 / 1e6,8:N0} MB  state on disk {PeakDisk / 1e6,8:N0} MB (peak)");
                }
            }
            while (!_stop.Wait(s_sampleEvery));
        }

        /// <summary>Stops sampling and takes one last sample of the heap.</summary>
        public void Stop()
        {
            _stop.Set();
            _thread.Join();
            PeakHeapAfterGc = Math.Max(PeakHeapAfterGc, GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes);
        }

        public void Dispose()
        {
            if (!_stop.IsSet)
            {
                Stop();
            }
            _stop.Dispose();
        }
    }
}
