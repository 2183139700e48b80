using Sluice.Checkpoints;
using Sluice.Runtime.State;
using Sluice.Runtime.Tests.Support;
using Sluice.State;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// A RocksDB working directory on a disk that fills up while the job runs (<see cref="RocksDbDiskFaults"/>: real
/// ENOSPC from the kernel through /dev/full, not an injected exception): the failure names the directory and carries
/// RocksDB's and the OS's error text, the job fails, and no checkpoint completes after the failure — also when the disk
/// fills exactly when an incremental checkpoint flushes the memtables (a native call outside the no-slowdown writes).
/// </summary>
public sealed class RocksDbDiskFailureTests : IDisposable
{
    private const string NoSpace = "No space left on device";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly string _root = Path.Combine(TestBackends.Root, "disk-failure-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private RocksDbKeyedStateBackend<string> OpenBackend() =>
        new("op", Path.Combine(_root, "db"), new RocksDbStateBackend { WriteBufferSize = 1 << 20 }, TimeProvider.System, KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127));

    [Fact]
    public void Write_AfterAFlushFailedOnAFullDisk_FailsNamingTheDirectoryAndTheOsError()
    {
        var backend = OpenBackend();
        var state = backend.GetState(new ValueStateDescriptor<byte[]>("v"));
        backend.SetCurrentKey("a");
        state.Update(new byte[1000]);
        RocksDbDiskFaults.FillDisk(backend.Directory);

        RocksDbDiskFaults.FlushNow(backend, "v").ShouldNotBeNull().ShouldContain(NoSpace);
        backend.SetCurrentKey("b");
        var error = Should.Throw<IOException>(() => state.Update(new byte[1000]));

        error.Message.ShouldContain($"operator 'op' failed to write in '{backend.Directory}'");
        error.Message.ShouldContain(NoSpace);
        error.InnerException.ShouldBeOfType<RocksDbSharp.RocksDbException>();
        backend.Dispose();
        Directory.Exists(backend.Directory).ShouldBeFalse();
    }

    [Fact]
    public void Snapshot_AfterAFlushFailedOnAFullDisk_IsRefusedNamingTheCheckpointAndTheDirectory()
    {
        using var backend = OpenBackend();
        var state = backend.GetState(new ValueStateDescriptor<byte[]>("v"));
        backend.SetCurrentKey("a");
        state.Update(new byte[1000]);
        backend.Snapshot(6).Dispose();
        RocksDbDiskFaults.FillDisk(backend.Directory);

        RocksDbDiskFaults.FlushNow(backend, "v").ShouldNotBeNull().ShouldContain(NoSpace);
        var error = Should.Throw<IOException>(() => backend.Snapshot(7));

        error.Message.ShouldContain("checkpoint 7");
        error.Message.ShouldContain(backend.Directory);
        error.Message.ShouldContain(NoSpace);
    }

    [Fact]
    public async Task Job_DiskFullWhileRunning_FailsNamingTheDirectoryAndTheOsError_AndCompletesNoFurtherCheckpoint()
    {
        var checkpoints = Path.Combine(_root, "checkpoints");
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 100 };
        var env = StreamEnvironment.Create(Options(checkpoints));
        env.FromSource(source, name: "Range").Uid("range").KeyBy(v => v).Process(new BlobWriter()).Uid("blobs").Collect("Sink");
        var client = await source.StartAndCheckpointAtPauseAsync(env);
        var database = Directory.GetDirectories(Path.Combine(_root, "state", "disk-full")).ShouldHaveSingleItem();

        RocksDbDiskFaults.FillDisk(database);
        source.PauseAt = long.MaxValue; // 16 KiB per record: the 1 MiB memtable fills, its flush fails, then the next write.

        var error = await Should.ThrowAsync<JobExecutionException>(() => client.Completion.WaitAsync(s_timeout));
        error.Message.ShouldContain($"failed to write in '{database}'");
        error.Message.ShouldContain(NoSpace);
        (await new LocalCheckpointStore(checkpoints).ListCompletedAsync()).ShouldBe([1L]);
        Directory.Exists(database).ShouldBeFalse("the failed attempt's working copy is deleted when its operator closes");
    }

    [Fact]
    public async Task Job_CheckpointAfterAFailedWriteThatUserCodeSwallowed_FailsTheJobAndCommitsNoManifest()
    {
        var checkpoints = Path.Combine(_root, "checkpoints");
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 100 };
        var writer = new BlobWriter { SwallowFailures = true };
        var env = StreamEnvironment.Create(Options(checkpoints));
        env.FromSource(source, name: "Range").Uid("range").KeyBy(v => v).Process(writer).Uid("blobs").Collect("Sink");
        var client = await source.StartAndCheckpointAtPauseAsync(env);
        var database = Directory.GetDirectories(Path.Combine(_root, "state", "disk-full")).ShouldHaveSingleItem();
        RocksDbDiskFaults.FillDisk(database);
        source.PauseAt = long.MaxValue;
        writer.Swallowed.Wait(s_timeout).ShouldBeTrue("a write should fail once the flush failed");

        var id = client.TriggerCheckpoint();

        id.ShouldBe(2);
        var error = await Should.ThrowAsync<JobExecutionException>(() => client.Completion.WaitAsync(s_timeout));
        error.Message.ShouldContain("cannot take checkpoint 2");
        error.Message.ShouldContain(database);
        error.Message.ShouldContain(NoSpace);
        var store = new LocalCheckpointStore(checkpoints);
        (await store.ListCompletedAsync()).ShouldBe([1L]);
        File.Exists(Path.Combine(store.PathOf(2), "_manifest")).ShouldBeFalse();
    }

    [Fact]
    public async Task IncrementalSnapshot_WhoseFlushHitsAFullDisk_FailsPromptlyNamingTheDirectoryAndTheOsError_AndLaterSnapshotsAreRefused()
    {
        var store = new LocalCheckpointStore(Path.Combine(_root, "checkpoints"));
        var backend = new RocksDbKeyedStateBackend<string>("op", Path.Combine(_root, "db"), new RocksDbStateBackend { WriteBufferSize = 1 << 20 }, TimeProvider.System,
            KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127), checkpointStore: store);
        backend.IsIncremental.ShouldBeTrue();
        var state = backend.GetState(new ValueStateDescriptor<byte[]>("v"));
        backend.SetCurrentKey("a");
        state.Update(new byte[1000]);
        KeyedStateBackendContract.Checkpoint(backend, 1).SharedFiles.ShouldNotBeEmpty();
        backend.SetCurrentKey("b");
        state.Update(new byte[1000]); // only in the memtable: the checkpoint's flush writes the next SST file
        RocksDbDiskFaults.FillDisk(backend.Directory);

        // On another thread, so that a flush blocked in RocksDB fails the test instead of hanging it.
        var attempt = Task.Run(() => backend.Snapshot(2));
        var error = await Should.ThrowAsync<IOException>(() => attempt.WaitAsync(s_timeout));

        error.Message.ShouldContain("operator 'op' failed to take checkpoint 2");
        error.Message.ShouldContain($"'{backend.Directory}'");
        error.Message.ShouldContain(NoSpace);
        error.InnerException.ShouldBeOfType<RocksDbSharp.RocksDbException>();
        Directory.GetDirectories(_root, "db.snapshot-*").ShouldBeEmpty("the failed checkpoint's directory is deleted");
        var refused = Should.Throw<IOException>(() => backend.Snapshot(3));
        refused.Message.ShouldContain("cannot take checkpoint 3");
        refused.Message.ShouldContain(backend.Directory);
        refused.Message.ShouldContain(NoSpace);
        backend.SetCurrentKey("c");
        Should.Throw<IOException>(() => state.Update(new byte[1000])).Message.ShouldContain(NoSpace);
        backend.Dispose();
        Directory.Exists(backend.Directory).ShouldBeFalse();
    }

    [Fact]
    public async Task IncrementalSnapshot_WhileTheFlushOfAFullMemtableFailsOnAFullDisk_FailsPromptlyNamingTheDirectoryAndTheOsError()
    {
        var store = new LocalCheckpointStore(Path.Combine(_root, "checkpoints"));
        var backend = new RocksDbKeyedStateBackend<string>("op", Path.Combine(_root, "db"), new RocksDbStateBackend { WriteBufferSize = 1 << 20 }, TimeProvider.System,
            KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127), checkpointStore: store);
        var state = backend.GetState(new ValueStateDescriptor<byte[]>("v"));
        RocksDbDiskFaults.FillDisk(backend.Directory);
        var family = backend.Db.GetColumnFamily("state:v");
        // Until the 1 MiB memtable is full and handed to a background flush, which fails; the snapshot comes at once,
        // before or while that flush fails: either way it must fail, not wait for RocksDB's recovery.
        for (var i = 0; backend.Db.GetProperty("rocksdb.num-immutable-mem-table", family) == "0"; i++)
        {
            i.ShouldBeLessThan(10_000);
            backend.SetCurrentKey($"k{i}");
            state.Update(new byte[1000]);
        }

        var attempt = Task.Run(() => backend.Snapshot(2));
        var error = await Should.ThrowAsync<IOException>(() => attempt.WaitAsync(s_timeout));

        error.Message.ShouldContain("checkpoint 2");
        error.Message.ShouldContain($"'{backend.Directory}'");
        error.Message.ShouldContain(NoSpace);
        Should.Throw<IOException>(() => backend.Snapshot(3)).Message.ShouldContain("cannot take checkpoint 3");
        backend.Dispose();
        Directory.GetDirectories(_root, "db*").ShouldBeEmpty("the database and the failed checkpoint's directory are deleted");
    }

    [Fact]
    public async Task Job_DiskFullWhenAnIncrementalCheckpointFlushes_FailsNamingTheDirectoryAndTheOsError_AndThatCheckpointGetsNoManifest()
    {
        var checkpoints = Path.Combine(_root, "checkpoints");
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 10 };
        var env = StreamEnvironment.Create(Options(checkpoints));
        env.FromSource(source, name: "Range").Uid("range").KeyBy(v => v).Process(new BlobWriter()).Uid("blobs").Collect("Sink");
        var client = await source.StartAndCheckpointAtPauseAsync(env);
        var store = new LocalCheckpointStore(checkpoints);
        (await store.ListSharedAsync()).ShouldNotBeEmpty("checkpoint 1 is incremental: it uploaded the flushed SST files");
        var database = Directory.GetDirectories(Path.Combine(_root, "state", "disk-full")).ShouldHaveSingleItem();
        source.AdvanceTo(20); // 10 × 16 KiB more: in the 1 MiB memtable, no flush until the checkpoint's

        RocksDbDiskFaults.FillDisk(database);
        client.TriggerCheckpoint().ShouldBe(2);

        var error = await Should.ThrowAsync<JobExecutionException>(() => client.Completion.WaitAsync(s_timeout));
        error.Message.ShouldContain("checkpoint 2");
        error.Message.ShouldContain($"'{database}'");
        error.Message.ShouldContain(NoSpace);
        (await store.ListCompletedAsync()).ShouldBe([1L]);
        File.Exists(Path.Combine(store.PathOf(2), "_manifest")).ShouldBeFalse();
        Directory.Exists(database).ShouldBeFalse("the failed attempt's working copy is deleted when its operator closes");
    }

    private JobOptions Options(string checkpoints) => new()
    {
        JobName = "disk-full",
        Parallelism = 1,
        StateBackend = new RocksDbStateBackend { Directory = Path.Combine(_root, "state"), WriteBufferSize = 1 << 20 },
        Checkpoints = CheckpointOptions.InDirectory(checkpoints, TimeSpan.FromHours(1)),
    };

    /// <summary>Stores 16 KiB per key; optionally swallows state failures (as careless user code would), signalling the first.</summary>
    private sealed class BlobWriter : KeyedProcessFunction<long, long, long>
    {
        private static readonly byte[] s_blob = new byte[16 * 1024];
        private IValueState<byte[]> _blob = null!;

        public bool SwallowFailures { get; init; }

        public ManualResetEventSlim Swallowed { get; } = new();

        public override void Open(IRuntimeContext context) => _blob = context.State.GetState(new ValueStateDescriptor<byte[]>("blob"));

        public override void ProcessElement(long value, KeyedProcessContext<long> context, ICollector<long> output)
        {
            try
            {
                _blob.Update(s_blob);
            }
            catch (IOException) when (SwallowFailures)
            {
                Swallowed.Set();
            }
        }
    }
}
