using Sluice.Checkpoints;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Operators;
using Sluice.Runtime.State;
using Sluice.Runtime.Tasks;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Tests.State;

/// <summary>The keyed state backends every state suite runs on.</summary>
public enum BackendKind
{
    Heap,
    RocksDb,
}

/// <summary>Creates backends for tests, and snapshots and restores them the way checkpoints do.</summary>
internal static class TestBackends
{
    /// <summary>Where RocksDB test databases live (each in its own sub-directory, deleted on close).</summary>
    public static readonly string Root = Path.Combine(Path.GetTempPath(), "sluice-tests-rocksdb");

    public const string Operator = "op";

    /// <summary>The job option selecting <paramref name="kind"/>.</summary>
    public static StateBackendOptions Options(BackendKind kind) =>
        kind == BackendKind.Heap ? HeapStateBackend.Instance : new RocksDbStateBackend { Directory = Root, WriteBufferSize = 1 << 20 };

    /// <summary>
    /// A backend of <paramref name="kind"/> for subtask <paramref name="subtask"/> of <paramref name="parallelism"/>;
    /// with <paramref name="store"/>, as in a job checkpointing into it (RocksDB snapshots are then incremental).
    /// </summary>
    public static IKeyedStateBackend<TKey> Create<TKey>(BackendKind kind, TimeProvider time, int keyGroupCount, int subtask = 0, int parallelism = 1,
        ICheckpointStore? store = null) where TKey : notnull
    {
        var range = KeyGroups.RangeFor(subtask, keyGroupCount, parallelism);
        return kind switch
        {
            BackendKind.Heap => new HeapKeyedStateBackend<TKey>(Operator, time, KeyHasher.For<TKey>(), keyGroupCount, range),
            _ => new RocksDbKeyedStateBackend<TKey>(Operator, Path.Combine(Root, "contract", $"{subtask}-{Guid.NewGuid():N}"), (RocksDbStateBackend)Options(kind), time,
                KeyHasher.For<TKey>(), keyGroupCount, range, checkpointStore: store),
        };
    }

    /// <summary>Snapshots a backend (and its timers) as a keyed operator does, through the encoded checkpoint format.</summary>
    public static OperatorSnapshot Snapshot<TKey>(IKeyedStateBackend<TKey> backend, TimerServiceManager<TKey>? timers, int subtask, int parallelism, int keyGroupCount,
        long watermark = long.MinValue, long checkpointId = 1) where TKey : notnull
    {
        using var state = backend.Snapshot(checkpointId);
        using var timerSnapshot = timers?.Snapshot();
        return Write(state, timerSnapshot, subtask, parallelism, keyGroupCount, watermark, checkpointId);
    }

    /// <summary>
    /// Writes a marked snapshot and round-trips it through <see cref="OperatorSnapshot.Encode"/>/<see cref="OperatorSnapshot.Decode"/>;
    /// the shared files it uses (which the manifest, not the blob, records) are kept.
    /// </summary>
    public static OperatorSnapshot Write<TKey>(IKeyedStateSnapshot state, TimerServiceManager<TKey>.ITimerSnapshot? timers, int subtask, int parallelism, int keyGroupCount,
        long watermark = long.MinValue, long checkpointId = 1) where TKey : notnull
    {
        var options = new JobOptions { KeyGroupCount = keyGroupCount, Parallelism = parallelism };
        var context = new SnapshotContext(checkpointId, new OperatorContext(Operator, subtask, parallelism, options, new ProcessingTimeService(TimeProvider.System, static () => { })));
        var headers = new KeyedSnapshotWriter(StateSerializers.Describe<TKey>(), watermark);
        state.Write(headers, context);
        timers?.Write(headers, context);
        headers.WriteHeader(context.OperatorState);
        var built = context.Build("uid");
        var decoded = OperatorSnapshot.Decode(built.Encode(), "test-snapshot");
        return new OperatorSnapshot(decoded.Uid, decoded.Subtask, decoded.Parallelism, decoded.OperatorState, decoded.KeyGroups, decoded.Committable, decoded.OperatorStates,
            built.SharedFiles);
    }

    /// <summary>What subtask <paramref name="subtask"/> of <paramref name="parallelism"/> restores from <paramref name="snapshots"/> (as <see cref="RestoredCheckpoint.For"/> splits them).</summary>
    public static KeyedStateRestore? RestoreFor<TKey>(IEnumerable<OperatorSnapshot> snapshots, int subtask, int parallelism, int keyGroupCount, long checkpointId = 1)
    {
        var range = KeyGroups.RangeFor(subtask, keyGroupCount, parallelism);
        var operatorStates = new List<byte[]>();
        var groups = new List<(int, byte[])>();
        foreach (var snapshot in snapshots)
        {
            if (snapshot.OperatorState.Length > 0)
            {
                operatorStates.Add(snapshot.OperatorState);
            }
            groups.AddRange(snapshot.KeyGroups.Where(g => range.Contains(g.Key)).Select(g => (g.Key, g.Value)));
        }
        groups.Sort(static (a, b) => a.Item1.CompareTo(b.Item1));
        return KeyedStateSnapshot.Parse(new RestoreContext(checkpointId, operatorStates, groups), StateSerializers.For<TKey>(), Operator);
    }

    /// <summary>Creates a backend of <paramref name="kind"/> restored from <paramref name="snapshots"/>.</summary>
    public static IKeyedStateBackend<TKey> Restored<TKey>(BackendKind kind, TimeProvider time, IEnumerable<OperatorSnapshot> snapshots, int keyGroupCount, int subtask = 0,
        int parallelism = 1, ICheckpointStore? store = null, long checkpointId = 1) where TKey : notnull
    {
        var backend = Create<TKey>(kind, time, keyGroupCount, subtask, parallelism, store);
        try
        {
            if (RestoreFor<TKey>(snapshots, subtask, parallelism, keyGroupCount, checkpointId) is { } restore)
            {
                backend.Restore(restore);
            }
        }
        catch
        {
            backend.Dispose();
            throw;
        }
        return backend;
    }
}

/// <summary>Base of the operator-level state suites: each runs once per backend through nested subclasses.</summary>
public abstract class BackendSuite
{
    /// <summary>The backend this run uses.</summary>
    protected abstract BackendKind Kind { get; }

    /// <summary><paramref name="options"/> (or the defaults) with this run's state backend.</summary>
    protected JobOptions Options(JobOptions? options = null) => (options ?? new JobOptions()) with { StateBackend = TestBackends.Options(Kind) };
}
