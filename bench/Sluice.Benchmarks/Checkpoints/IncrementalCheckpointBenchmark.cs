using System.Diagnostics;
using Sluice.Checkpoints;
using Sluice.Runtime.Checkpointing;
using Sluice.Sinks;
using Sluice.Sources;
using Sluice.State;

namespace Sluice.Benchmarks.Checkpoints;

/// <summary>What the RocksDB checkpoint-size run measures.</summary>
/// <param name="Directory">Scratch directory (checkpoints and RocksDB databases; deleted and recreated per mode).</param>
/// <param name="Keys">Keys in state, each written once before the first checkpoint.</param>
/// <param name="ChangedPercent">Percentage of the keys updated between two checkpoints.</param>
/// <param name="Rounds">Checkpoints taken after the first one, each after <paramref name="ChangedPercent"/> % of the keys changed.</param>
public sealed record RocksDbCheckpointBenchOptions(string Directory, int Keys = 1_000_000, double ChangedPercent = 1, int Rounds = 8);

/// <summary>One checkpoint of the RocksDB checkpoint-size run.</summary>
/// <param name="Mode"><c>full</c> or <c>incremental</c>.</param>
/// <param name="Checkpoint">1 for the checkpoint after loading every key, then one per round.</param>
/// <param name="BytesWritten">Bytes the checkpoint wrote to the store: blobs, manifest and shared files.</param>
/// <param name="StateBytes">
/// Bytes the checkpoint consists of (for comparison, the full state size): its blobs plus every shared file it uses,
/// new or not.
/// </param>
/// <param name="Milliseconds">Trigger to completion, wall time.</param>
public sealed record RocksDbCheckpointBenchResult(string Mode, int Checkpoint, long BytesWritten, long StateBytes, double Milliseconds)
{
    /// <summary><see cref="BytesWritten"/> as a fraction of <see cref="StateBytes"/>.</summary>
    public double WrittenFraction => StateBytes == 0 ? 0 : (double)BytesWritten / StateBytes;
}

/// <summary>
/// Checkpoint size on the RocksDB backend, full versus incremental: a keyed job (one value-state entry per key,
/// parallelism 1) loads every key, checkpoints, then repeatedly updates a fixed percentage of the keys (spread over the
/// key space) and checkpoints again. Each checkpoint's bytes are counted as the store receives them.
/// </summary>
public static class IncrementalCheckpointBenchmark
{
    /// <summary>Runs both modes; <paramref name="log"/> receives one line per checkpoint.</summary>
    public static IReadOnlyList<RocksDbCheckpointBenchResult> Run(RocksDbCheckpointBenchOptions options, Action<string>? log = null)
    {
        var results = new List<RocksDbCheckpointBenchResult>();
        foreach (var incremental in new[] { false, true })
        {
            foreach (var result in RunMode(options, incremental))
            {
                results.Add(result);
                log?.Invoke($"{result.Mode,-11} checkpoint {result.Checkpoint,2}: wrote {result.BytesWritten,13:N0} bytes of {result.StateBytes,13:N0} ({result.WrittenFraction,7:P2}) in {result.Milliseconds,7:F0} ms");
            }
        }
        return results;
    }

    private static List<RocksDbCheckpointBenchResult> RunMode(RocksDbCheckpointBenchOptions options, bool incremental)
    {
        var root = Path.Combine(options.Directory, incremental ? "incremental" : "full");
        if (System.IO.Directory.Exists(root))
        {
            System.IO.Directory.Delete(root, recursive: true);
        }
        var store = new CountingStore(new LocalCheckpointStore(Path.Combine(root, "checkpoints")));
        var changed = Math.Max(1, (int)(options.Keys * options.ChangedPercent / 100));
        var source = new PhasedKeySource(options.Keys, changed);
        var env = StreamEnvironment.Create(new JobOptions
        {
            JobName = "rocksdb-checkpoint-bench",
            Parallelism = 1,
            StateBackend = new RocksDbStateBackend { Directory = Path.Combine(root, "rocksdb"), IncrementalCheckpoints = incremental },
            Checkpoints = new CheckpointOptions(store, TimeSpan.FromHours(1)) { RestoreOnStart = false },
        });
        env.FromSource(source, null, "Keys").Uid("source")
            .KeyBy(static r => r.Key)
            .Process(new CountPerKey()).Uid("count")
            .SinkTo(new DiscardingSink()).Uid("sink");
        var client = env.Start();
        var completed = new SemaphoreSlim(0);
        client.CheckpointCompleted += _ => completed.Release();
        var results = new List<RocksDbCheckpointBenchResult>();
        var mode = incremental ? "incremental" : "full";
        for (var checkpoint = 1; checkpoint <= options.Rounds + 1; checkpoint++)
        {
            // Let the source emit the next phase (all keys, then a round of changes) and wait until the job has processed it.
            source.Release().Wait();
            store.ResetCount();
            var watch = Stopwatch.StartNew();
            if (client.TriggerCheckpoint() == 0 || !completed.Wait(TimeSpan.FromMinutes(10)))
            {
                throw new InvalidOperationException($"Checkpoint {checkpoint} ({mode}) did not complete.");
            }
            watch.Stop();
            results.Add(new RocksDbCheckpointBenchResult(mode, checkpoint, store.BytesWritten, StateBytes(store.Inner), watch.Elapsed.TotalMilliseconds));
        }
        client.Cancel();
        try
        {
            client.Completion.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }
        return results;
    }

    /// <summary>Blobs plus every shared file the latest completed checkpoint uses.</summary>
    private static long StateBytes(LocalCheckpointStore store)
    {
        var id = store.ListCompletedAsync().GetAwaiter().GetResult()[^1];
        var manifest = CheckpointManifest.Decode(store.ReadManifestAsync(id).GetAwaiter().GetResult(), store.Location);
        return manifest.Blobs.Sum(static b => b.Bytes + (b.SharedFiles?.Sum(static f => f.Bytes) ?? 0));
    }

    /// <summary>A record of the benchmark: a key and a value.</summary>
    public readonly record struct KeyedRecord(long Key, long Value);

    private sealed class CountPerKey : KeyedProcessFunction<long, KeyedRecord, long>
    {
        private IValueState<long> _count = null!;

        public override void Open(IRuntimeContext context) => _count = context.State.GetState(new ValueStateDescriptor<long>("count"));

        public override void ProcessElement(KeyedRecord value, KeyedProcessContext<long> context, ICollector<long> output) =>
            _count.Update(_count.Value + value.Value);
    }

    private sealed class DiscardingSink : ISink<long>
    {
        public int MaxParallelism => 0;

        public ISinkWriter<long> CreateWriter(SinkContext context) => new Writer();

        private sealed class Writer : ISinkWriter<long>
        {
            public void Write(long value, long timestamp) { }

            public void Flush() { }

            public void Dispose() { }
        }
    }

    /// <summary>
    /// Emits, per <see cref="Release"/>, one phase: first every key once, then <c>changed</c> keys per phase, spread
    /// over the key space (record <c>j</c> of the changes updates key <c>j · 104,729 mod keys</c>, a bijection for a
    /// key count coprime to that prime, so one phase's keys are distinct). The event <see cref="Release"/> returns is
    /// set once the phase's records were emitted; a checkpoint triggered then has its barrier behind them, so it holds
    /// them.
    /// </summary>
    private sealed class PhasedKeySource(int keys, int changed) : ISource<KeyedRecord>
    {
        private readonly Lock _lock = new();
        private long _allowed;
        private ManualResetEventSlim _emitted = new(initialState: true);
        private Action? _signal;

        public int Keys { get; } = keys;

        public bool IsBounded => false;

        public int MaxParallelism => 1;

        /// <summary>Lets the next phase out; the result is set once all of it was emitted.</summary>
        public ManualResetEventSlim Release()
        {
            ManualResetEventSlim emitted;
            lock (_lock)
            {
                _allowed += _allowed == 0 ? Keys : changed;
                _emitted = emitted = new ManualResetEventSlim();
            }
            Volatile.Read(ref _signal)?.Invoke();
            return emitted;
        }

        private (long Allowed, ManualResetEventSlim Emitted) Phase
        {
            get
            {
                lock (_lock)
                {
                    return (_allowed, _emitted);
                }
            }
        }

        public ISourceReader<KeyedRecord> CreateReader(SourceReaderContext context)
        {
            Volatile.Write(ref _signal, context.SignalAvailable);
            return new Reader(this, context.BatchSize);
        }

        private sealed class Reader(PhasedKeySource source, int batch) : ISourceReader<KeyedRecord>, ICheckpointedSourceReader
        {
            private readonly KeyedRecord[] _batch = new KeyedRecord[batch];
            private long _next;

            public int SplitCount => 1;

            public string SplitId(int split) => "phased";

            public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_next);

            public SourceStatus PollNext(ISourceOutput<KeyedRecord> output)
            {
                var (allowed, emitted) = source.Phase;
                if (_next >= allowed)
                {
                    emitted.Set();
                    return SourceStatus.NothingAvailable;
                }
                var n = (int)Math.Min(_batch.Length, allowed - _next);
                for (var i = 0; i < n; i++, _next++)
                {
                    var key = _next < source.Keys ? _next : (_next - source.Keys) * 104_729 % source.Keys;
                    _batch[i] = new KeyedRecord(key, 1);
                }
                output.CollectBatch(0, _batch.AsSpan(0, n), default);
                return SourceStatus.MoreAvailable;
            }

            public void Dispose() { }
        }
    }

    /// <summary>Counts the bytes written through it: blobs, manifests and shared files.</summary>
    private sealed class CountingStore(LocalCheckpointStore inner) : ICheckpointStore
    {
        private long _written;

        public LocalCheckpointStore Inner => inner;

        public long BytesWritten => Interlocked.Read(ref _written);

        public void ResetCount() => Interlocked.Exchange(ref _written, 0);

        public string Location => inner.Location;

        public Task WriteBlobAsync(long checkpointId, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _written, data.Length);
            return inner.WriteBlobAsync(checkpointId, name, data, cancellationToken);
        }

        public Task CommitManifestAsync(long checkpointId, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _written, manifest.Length);
            return inner.CommitManifestAsync(checkpointId, manifest, cancellationToken);
        }

        public async Task WriteSharedAsync(string name, Stream content, CancellationToken cancellationToken = default)
        {
            var start = content.Position;
            await inner.WriteSharedAsync(name, content, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _written, content.Position - start);
        }

        public Task<IReadOnlyList<long>> ListCompletedAsync(CancellationToken cancellationToken = default) => inner.ListCompletedAsync(cancellationToken);

        public Task<byte[]> ReadManifestAsync(long checkpointId, CancellationToken cancellationToken = default) => inner.ReadManifestAsync(checkpointId, cancellationToken);

        public Task<byte[]> ReadBlobAsync(long checkpointId, string name, CancellationToken cancellationToken = default) => inner.ReadBlobAsync(checkpointId, name, cancellationToken);

        public Task DeleteAsync(long checkpointId, CancellationToken cancellationToken = default) => inner.DeleteAsync(checkpointId, cancellationToken);

        public Task<IReadOnlyList<long>> ListIncompleteAsync(CancellationToken cancellationToken = default) => inner.ListIncompleteAsync(cancellationToken);

        public Task<Stream> OpenSharedAsync(string name, CancellationToken cancellationToken = default) => inner.OpenSharedAsync(name, cancellationToken);

        public Task DeleteSharedAsync(string name, CancellationToken cancellationToken = default) => inner.DeleteSharedAsync(name, cancellationToken);

        public Task<IReadOnlyList<string>> ListSharedAsync(CancellationToken cancellationToken = default) => inner.ListSharedAsync(cancellationToken);
    }
}
