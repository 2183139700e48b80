using Sluice.Runtime.State;
using Sluice.Runtime.Tests.Support;
using Sluice.State;

namespace Sluice.Runtime.Tests.State;

/// <summary>The backend contract on RocksDB, plus what only RocksDB has: its directory, key layout and I/O errors.</summary>
public sealed class RocksDbKeyedStateBackendTests : KeyedStateBackendContract
{
    public override BackendKind Kind => BackendKind.RocksDb;

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

    private sealed class Counter : KeyedProcessFunction<string, Ev, int>
    {
        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<int> output) => output.Collect(1);
    }
}
