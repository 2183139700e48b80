using Sluice.Checkpoints;
using Sluice.Runtime.State;
using Sluice.Runtime.Tests.Support;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Tests.State;

/// <summary>The backend contract on RocksDB, plus what only RocksDB has: its directory, key layout and I/O errors.</summary>
public sealed class RocksDbKeyedStateBackendTests : KeyedStateBackendContract
{
    public override BackendKind Kind => BackendKind.RocksDb;

    protected override bool IncrementalCheckpoints => true;

    [Fact]
    public void Directory_IsCreatedOnOpenAndDeletedOnClose()
    {
        var directory = Path.Combine(TestBackends.Root, "lifecycle", Guid.NewGuid().ToString("N"));
        var backend = new RocksDbKeyedStateBackend<string>("op", directory, new RocksDbStateBackend(), Clock, KeyHasher.For<string>(), KeyGroupCount, new KeyGroupRange(0, 15));
        Directory.Exists(directory).ShouldBeTrue();
        backend.SetCurrentKey("a");
        backend.GetState(new ValueStateDescriptor<int>("v")).Update(1);
        backend.Dispose();
        Directory.Exists(directory).ShouldBeFalse();
        backend.EntryCount.ShouldBe(0);
        backend.Dispose();
    }

    [Fact]
    public void Keys_StartWithTheirKeyGroupBigEndian_SoAKeyGroupIsOneContiguousScan()
    {
        var backend = (RocksDbKeyedStateBackend<string>)CreateBackend();
        var map = backend.GetMapState(new MapStateDescriptor<int, int>("m"));
        var keys = Enumerable.Range(0, 30).Select(i => $"k{i}").ToList();
        foreach (var key in keys)
        {
            backend.SetCurrentKey(key);
            map.Put(1, 1);
            map.Put(2, 2);
        }
        var groups = new List<int>();
        using var iterator = backend.Db.NewIterator(backend.Db.GetColumnFamily("state:m"));
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
        {
            var key = iterator.GetKeySpan();
            groups.Add((key[0] << 8) | key[1]);
        }
        groups.Count.ShouldBe(60);
        groups.ShouldBe(groups.Order().ToList(), "entries are sorted by key group");
        groups.Distinct().Order().ShouldBe(keys.Select(k => KeyGroups.Assign(KeyHasher.For<string>().Hash(k), KeyGroupCount)).Distinct().Order());
    }

    [Fact]
    public void DirectoryThatCannotBeCreated_FailsNamingThePathAndTheOsError()
    {
        Directory.CreateDirectory(TestBackends.Root);
        var file = Path.Combine(TestBackends.Root, $"a-file-{Guid.NewGuid():N}");
        File.WriteAllText(file, "not a directory");
        try
        {
            var directory = Path.Combine(file, "db");
            var error = Should.Throw<IOException>(() =>
                new RocksDbKeyedStateBackend<string>("op", directory, new RocksDbStateBackend(), Clock, KeyHasher.For<string>(), KeyGroupCount, new KeyGroupRange(0, 15)));
            error.Message.ShouldContain(directory);
            error.Message.ShouldContain("'op'");
            error.InnerException.ShouldNotBeNull();
            error.Message.ShouldEndWith(error.InnerException!.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Job_WithAnUncreatableRocksDbDirectory_FailsNamingThePath()
    {
        Directory.CreateDirectory(TestBackends.Root);
        var file = Path.Combine(TestBackends.Root, $"a-file-{Guid.NewGuid():N}");
        File.WriteAllText(file, "not a directory");
        try
        {
            var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, StateBackend = new RocksDbStateBackend { Directory = file } });
            env.FromCollection(new[] { new Ev("a", 1) }).KeyBy(e => e.Key).Process(new Counter()).Collect();
            var error = await Should.ThrowAsync<Exception>(() => env.ExecuteAsync().OrTimeout());
            error.ToString().ShouldContain(file);
            error.ToString().ShouldContain("cannot create its directory");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Options_AreValidated()
    {
        Should.Throw<ArgumentException>(() => new JobOptions { StateBackend = new RocksDbStateBackend { Directory = " " } }.Validate()).Message.ShouldContain("Directory");
        Should.Throw<ArgumentOutOfRangeException>(() => new JobOptions { StateBackend = new RocksDbStateBackend { WriteBufferSize = 1000 } }.Validate()).Message.ShouldContain("WriteBufferSize");
        Should.Throw<ArgumentNullException>(() => new JobOptions { StateBackend = null! }.Validate());
        new JobOptions().StateBackend.ShouldBeOfType<HeapStateBackend>();
        new RocksDbStateBackend { Directory = "rel" }.ResolvedDirectory.ShouldBe(Path.GetFullPath("rel"));
    }

    [Fact]
    public void SubtaskDirectories_AreNamedByJobOperatorAndSubtask()
    {
        var options = new RocksDbStateBackend { Directory = "/data/state" };
        var path = KeyedStateBackends.RocksDbDirectory(options, "my job", "count/by-key", 2);
        Path.GetDirectoryName(path).ShouldBe("/data/state/my_job");
        Path.GetFileName(path).ShouldStartWith("count_by-key-2-");
        KeyedStateBackends.RocksDbDirectory(options, "my job", "count/by-key", 2).ShouldNotBe(path, "two instances never share a database");
    }

    private RocksDbKeyedStateBackend<string> CreateFull(ICheckpointStore store)
    {
        var directory = Path.Combine(TestBackends.Root, "full", Guid.NewGuid().ToString("N"));
        var options = new RocksDbStateBackend { IncrementalCheckpoints = false, WriteBufferSize = 1 << 20 };
        return Track(new RocksDbKeyedStateBackend<string>("op", directory, options, Clock, KeyHasher.For<string>(), KeyGroupCount, new KeyGroupRange(0, 15), checkpointStore: store));
    }

    [Fact]
    public void IncrementalCheckpoint_RestoredIntoTheHeap_FailsSayingHowToMoveBackends()
    {
        var backend = CreateBackend(store: Store);
        ((RocksDbKeyedStateBackend<string>)backend).IsIncremental.ShouldBeTrue();
        backend.SetCurrentKey("a");
        backend.GetState(new ValueStateDescriptor<int>("v")).Update(1);
        var snapshot = Checkpoint(backend, 1);

        var error = Should.Throw<StateFormatException>(() => Restored([snapshot], kind: BackendKind.Heap, store: Store));
        error.Message.ShouldContain("'op'");
        error.Message.ShouldContain("checkpointed incrementally by the RocksDB backend");
        error.Message.ShouldContain("IncrementalCheckpoints = false");
    }

    [Fact]
    public async Task IncrementalCheckpointsOff_WithAStore_WriteFullSnapshotsThatTheHeapRestores()
    {
        var backend = CreateFull(Store);
        backend.IsIncremental.ShouldBeFalse();
        backend.SetCurrentKey("a");
        backend.GetState(new ValueStateDescriptor<int>("v")).Update(3);
        var snapshot = Checkpoint(backend, 1);

        snapshot.SharedFiles.ShouldBeEmpty();
        (await Store.ListSharedAsync()).ShouldBeEmpty();
        var heap = Restored([snapshot], kind: BackendKind.Heap);
        heap.SetCurrentKey("a");
        heap.GetState(new ValueStateDescriptor<int>("v")).Value.ShouldBe(3);
    }

    [Fact]
    public void FullSnapshot_AfterRestoringAnIncrementalCheckpoint_KeepsStatesNotCreatedAgain_ButNotMapStateItCannotType()
    {
        var incremental = CreateBackend(store: Store);
        incremental.SetCurrentKey("a");
        incremental.GetState(new ValueStateDescriptor<int>("v")).Update(4);
        incremental.GetListState(new ListStateDescriptor<string>("l")).Add("kept");
        var first = Checkpoint(incremental, 1);

        // Incremental checkpoints turned off (to move the job to the heap): the restored files become a full snapshot.
        var full = CreateFull(Store);
        full.Restore(TestBackends.RestoreFor<string>([first], 0, 1, KeyGroupCount)!);
        full.GetState(new ValueStateDescriptor<int>("v")); // the list state is not created in this run
        var second = Checkpoint(full, 2);
        second.SharedFiles.ShouldBeEmpty();
        var heap = Restored([second], kind: BackendKind.Heap);
        heap.SetCurrentKey("a");
        heap.GetState(new ValueStateDescriptor<int>("v")).Value.ShouldBe(4);
        heap.GetListState(new ListStateDescriptor<string>("l")).Get().ShouldBe(["kept"]);

        incremental.GetMapState(new MapStateDescriptor<string, int>("m")).Put("x", 1);
        var withMap = Checkpoint(incremental, 3);
        var fullAgain = CreateFull(Store);
        fullAgain.Restore(TestBackends.RestoreFor<string>([withMap], 0, 1, KeyGroupCount, checkpointId: 3)!);
        var error = Should.Throw<StateFormatException>(() => Checkpoint(fullAgain, 4));
        error.Message.ShouldContain("Map state 'm'");
        error.Message.ShouldContain("Create the state in Open");
    }

    [Fact]
    public void IncrementalRestore_OfAStateWrittenWithAnotherFormatVersion_IsRefusedNamingIt()
    {
        var descriptor = new ValueStateDescriptor<VersionedPoint>("point");
        var backend = CreateBackend(store: Store);
        backend.SetCurrentKey("a");
        backend.GetState(descriptor).Update(new VersionedPoint(3));
        var snapshot = Checkpoint(backend, 1);

        // As if an earlier release (format version 1) wrote it: the files hold its bytes, which version 2 must not misread.
        var restore = TestBackends.RestoreFor<string>([snapshot], 0, 1, KeyGroupCount)!;
        var header = restore.States.Single().Header;
        restore.States[0] = new RestoredKeyedState(header with { ValueFormat = header.ValueFormat with { Version = 1 } });
        var restored = Track(TestBackends.Create<string>(Kind, Clock, KeyGroupCount, store: Store));
        restored.Restore(restore);

        var error = Should.Throw<StateFormatException>(() => restored.GetState(descriptor));
        error.Message.ShouldContain("State 'point' of operator 'op'");
        error.Message.ShouldContain("value 1");
        error.Message.ShouldContain("value 2");
        error.Message.ShouldContain("IncrementalCheckpoints = false");
    }

    static RocksDbKeyedStateBackendTests() => StateSerializers.Register(new VersionedPointSerializer());

    /// <summary>A value whose serializer is at format version 2.</summary>
    public sealed record VersionedPoint(int X);

    private sealed class VersionedPointSerializer : IStateSerializer<VersionedPoint>
    {
        public string FormatId => "test-versioned-point";

        public int Version => 2;

        public void Write(StateWriter output, VersionedPoint value) => output.WriteInt32(value.X);

        public VersionedPoint Read(StateReader input, int version) => new(input.ReadInt32());
    }

    private sealed class Counter : KeyedProcessFunction<string, Ev, int>
    {
        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<int> output) => output.Collect(1);
    }
}
