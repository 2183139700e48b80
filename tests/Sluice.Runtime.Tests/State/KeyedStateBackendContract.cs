using Sluice.Checkpoints;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.Runtime.Tests.Support;
using Sluice.State;
using Sluice.State.Serialization;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// What every keyed state backend must do, run once per backend by its subclasses: every state kind with namespaces,
/// TTL, snapshot isolation, restore at another parallelism and into the other backend, timers, and format errors.
/// </summary>
public abstract partial class KeyedStateBackendContract : IDisposable
{
    protected const int KeyGroupCount = 16;

    private static readonly IStateSerializer<int> s_ints = StateSerializers.For<int>();
    private readonly List<IDisposable> _open = [];

    /// <summary>The virtual processing-time clock TTL reads (starts at 1,000,000 ms).</summary>
    protected ManualTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));

    /// <summary>The backend under test.</summary>
    public abstract BackendKind Kind { get; }

    /// <summary>The other backend, for cross restores.</summary>
    protected BackendKind Other => Kind == BackendKind.Heap ? BackendKind.RocksDb : BackendKind.Heap;

    internal IKeyedStateBackend<string> CreateBackend(int subtask = 0, int parallelism = 1, BackendKind? kind = null, ICheckpointStore? store = null) =>
        Track(TestBackends.Create<string>(kind ?? Kind, Clock, KeyGroupCount, subtask, parallelism, store));

    internal IKeyedStateBackend<string> Restored(IEnumerable<OperatorSnapshot> snapshots, int subtask = 0, int parallelism = 1, BackendKind? kind = null,
        ICheckpointStore? store = null, long checkpointId = 1) =>
        Track(TestBackends.Restored<string>(kind ?? Kind, Clock, snapshots, KeyGroupCount, subtask, parallelism, store, checkpointId));

    internal static OperatorSnapshot Snapshot(IKeyedStateBackend<string> backend, int subtask = 0, int parallelism = 1, TimerServiceManager<string>? timers = null) =>
        TestBackends.Snapshot(backend, timers, subtask, parallelism, KeyGroupCount);

    internal T Track<T>(T disposable) where T : IDisposable
    {
        _open.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        foreach (var item in _open)
        {
            item.Dispose();
        }
        if (_store is not null && Directory.Exists(_store.Directory))
        {
            Directory.Delete(_store.Directory, recursive: true);
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>The subtask of <paramref name="parallelism"/> owning <paramref name="key"/>'s key group.</summary>
    protected static int OwnerOf(string key, int parallelism) =>
        KeyGroups.OwnerOf(KeyGroups.Assign(KeyHasher.For<string>().Hash(key), KeyGroupCount), KeyGroupCount, parallelism);

    private static readonly ValueStateDescriptor<int> s_value = new("value");
    private static readonly ListStateDescriptor<string> s_list = new("list");
    private static readonly MapStateDescriptor<string, int> s_map = new("map");
    private static readonly ReducingStateDescriptor<long> s_sum = new("sum", (a, b) => a + b);
    private static readonly AggregatingStateDescriptor<int, long, long> s_count = new("count", new CountAggregate<int>());

    [Fact]
    public void ValueState_PutGetClear_PerKey()
    {
        var backend = CreateBackend();
        var value = backend.GetState(s_value);
        backend.SetCurrentKey("a");
        value.TryGet(out _).ShouldBeFalse();
        value.Value.ShouldBe(0);
        value.Update(5);
        backend.SetCurrentKey("b");
        value.TryGet(out _).ShouldBeFalse();
        value.Update(7);
        backend.SetCurrentKey("a");
        value.TryGet(out var a).ShouldBeTrue();
        a.ShouldBe(5);
        value.Update(6);
        value.Value.ShouldBe(6);
        value.Clear();
        value.TryGet(out _).ShouldBeFalse();
        backend.SetCurrentKey("b");
        value.Value.ShouldBe(7);
        backend.EntryCount.ShouldBe(1);
    }

    [Fact]
    public void ListState_AddGetUpdateClear_PerKey()
    {
        var backend = CreateBackend();
        var list = backend.GetListState(s_list);
        backend.SetCurrentKey("a");
        list.Get().ShouldBeEmpty();
        list.Add("x");
        list.Add("y");
        backend.SetCurrentKey("b");
        list.Add("z");
        backend.SetCurrentKey("a");
        list.Get().ShouldBe(["x", "y"]);
        list.Update(["p", "q", "r"]);
        list.Add("s");
        list.Get().ShouldBe(["p", "q", "r", "s"]);
        list.Update([]);
        list.Get().ShouldBeEmpty();
        list.Add("t");
        list.Get().ShouldBe(["t"]);
        list.Clear();
        list.Get().ShouldBeEmpty();
        backend.SetCurrentKey("b");
        list.Get().ShouldBe(["z"]);
    }

    [Fact]
    public void MapState_PutGetRemoveEntriesClear_PerKey()
    {
        var backend = CreateBackend();
        var map = backend.GetMapState(s_map);
        backend.SetCurrentKey("a");
        map.IsEmpty.ShouldBeTrue();
        map.Put("x", 1);
        map.Put("y", 2);
        map.Put("x", 3);
        backend.SetCurrentKey("b");
        map.IsEmpty.ShouldBeTrue();
        map.Put("x", 10);
        backend.SetCurrentKey("a");
        map.TryGetValue("x", out var x).ShouldBeTrue();
        x.ShouldBe(3);
        map.TryGetValue("z", out _).ShouldBeFalse();
        map.Entries.OrderBy(e => e.Key).Select(e => $"{e.Key}={e.Value}").ShouldBe(["x=3", "y=2"]);
        map.Remove("y").ShouldBeTrue();
        map.Remove("y").ShouldBeFalse();
        map.Entries.Select(e => $"{e.Key}={e.Value}").ShouldBe(["x=3"]);
        backend.EntryCount.ShouldBe(2);
        map.Clear();
        map.IsEmpty.ShouldBeTrue();
        backend.SetCurrentKey("b");
        map.Entries.Select(e => $"{e.Key}={e.Value}").ShouldBe(["x=10"]);
    }

    [Fact]
    public void ReducingAndAggregatingState_FoldPerKeyAndClear()
    {
        var backend = CreateBackend();
        var sum = backend.GetReducingState(s_sum);
        var count = backend.GetAggregatingState(s_count);
        backend.SetCurrentKey("a");
        sum.TryGet(out _).ShouldBeFalse();
        count.TryGet(out _).ShouldBeFalse();
        sum.Add(3);
        sum.Add(4);
        count.Add(9);
        count.Add(9);
        count.Add(9);
        backend.SetCurrentKey("b");
        sum.Add(100);
        backend.SetCurrentKey("a");
        sum.TryGet(out var s).ShouldBeTrue();
        s.ShouldBe(7);
        count.TryGet(out var c).ShouldBeTrue();
        c.ShouldBe(3);
        sum.Clear();
        count.Clear();
        sum.TryGet(out _).ShouldBeFalse();
        count.TryGet(out _).ShouldBeFalse();
        backend.SetCurrentKey("b");
        sum.TryGet(out var b).ShouldBeTrue();
        b.ShouldBe(100);
    }

    [Fact]
    public void Namespaces_AreIsolatedFromEachOtherAndFromOtherKeys()
    {
        var backend = CreateBackend();
        var value = backend.GetValueState(s_value, s_ints);
        var list = backend.GetListState(s_list, s_ints);
        var map = backend.GetMapState(s_map, s_ints);
        foreach (var key in new[] { "a", "b" })
        {
            backend.SetCurrentKey(key);
            foreach (var ns in new[] { 1, 2 })
            {
                value.SetCurrentNamespace(ns);
                list.SetCurrentNamespace(ns);
                map.SetCurrentNamespace(ns);
                value.Update(ns * 10 + key[0]);
                list.Add($"{key}{ns}");
                map.Put("m", ns);
            }
        }
        backend.SetCurrentKey("a");
        value.SetCurrentNamespace(2);
        value.Clear();
        map.SetCurrentNamespace(1);
        map.Clear();
        value.SetCurrentNamespace(1);
        value.Value.ShouldBe(10 + 'a');
        value.SetCurrentNamespace(2);
        value.TryGet(out _).ShouldBeFalse();
        value.SetCurrentNamespace(3);
        value.TryGet(out _).ShouldBeFalse();
        list.SetCurrentNamespace(2);
        list.Get().ShouldBe(["a2"]);
        map.SetCurrentNamespace(1);
        map.IsEmpty.ShouldBeTrue();
        map.SetCurrentNamespace(2);
        map.Entries.Select(e => $"{e.Key}={e.Value}").ShouldBe(["m=2"]);
        backend.SetCurrentKey("b");
        value.SetCurrentNamespace(2);
        value.Value.ShouldBe(20 + 'b');
        map.SetCurrentNamespace(1);
        map.Entries.Select(e => $"{e.Key}={e.Value}").ShouldBe(["m=1"]);
        list.SetCurrentNamespace(1);
        list.Get().ShouldBe(["b1"]);
    }

    [Fact]
    public void MergeNamespaces_FoldsSourcesIntoTargetAndClearsThem()
    {
        var backend = CreateBackend();
        var sum = backend.GetReducingState(s_sum, s_ints);
        var count = backend.GetAggregatingState(s_count, s_ints);
        backend.SetCurrentKey("a");
        foreach (var (ns, n) in new[] { (1, 1L), (2, 20L), (3, 300L) })
        {
            sum.SetCurrentNamespace(ns);
            sum.Add(n);
            count.SetCurrentNamespace(ns);
            for (var i = 0; i < n % 7; i++)
            {
                count.Add(0);
            }
        }
        backend.SetCurrentKey("b");
        sum.SetCurrentNamespace(2);
        sum.Add(5000);
        backend.SetCurrentKey("a");
        sum.MergeNamespaces(3, [1, 2, 3, 9]);
        count.MergeNamespaces(3, [1, 2, 9]);
        sum.SetCurrentNamespace(3);
        sum.TryGet(out var merged).ShouldBeTrue();
        merged.ShouldBe(321);
        count.SetCurrentNamespace(3);
        count.TryGet(out var counted).ShouldBeTrue();
        counted.ShouldBe(1 + 6 + 6); // 1 % 7, 20 % 7, 300 % 7 additions
        foreach (var ns in new[] { 1, 2 })
        {
            sum.SetCurrentNamespace(ns);
            sum.TryGet(out _).ShouldBeFalse();
            count.SetCurrentNamespace(ns);
            count.TryGet(out _).ShouldBeFalse();
        }
        // Merging into an absent target moves the value.
        sum.MergeNamespaces(4, [3]);
        sum.SetCurrentNamespace(4);
        sum.TryGet(out var moved).ShouldBeTrue();
        moved.ShouldBe(321);
        backend.SetCurrentKey("b");
        sum.SetCurrentNamespace(2);
        sum.TryGet(out var other).ShouldBeTrue();
        other.ShouldBe(5000);
    }

    [Fact]
    public void Ttl_OnCreateAndWrite_ExpiresEntriesAndReadsDoNotRefresh()
    {
        var backend = CreateBackend();
        var value = backend.GetState(new ValueStateDescriptor<int>("ttl-value") { Ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(100)) });
        var reducing = backend.GetReducingState(new ReducingStateDescriptor<long>("ttl-sum", (a, b) => a + b) { Ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(100)) });
        backend.SetCurrentKey("a");
        value.Update(1);
        reducing.Add(2);
        Clock.Advance(TimeSpan.FromMilliseconds(60));
        value.Value.ShouldBe(1);
        reducing.TryGet(out var r).ShouldBeTrue();
        r.ShouldBe(2);
        Clock.Advance(TimeSpan.FromMilliseconds(40));
        value.TryGet(out _).ShouldBeFalse();
        reducing.TryGet(out _).ShouldBeFalse();
        reducing.Add(5);
        reducing.TryGet(out var fresh).ShouldBeTrue();
        fresh.ShouldBe(5, "an expired value is not folded into");
        value.Update(2);
        Clock.Advance(TimeSpan.FromMilliseconds(99));
        value.Value.ShouldBe(2);
        value.Update(3);
        Clock.Advance(TimeSpan.FromMilliseconds(99));
        value.Value.ShouldBe(3, "a write restarts the TTL");
    }

    [Fact]
    public void Ttl_OnReadAndWrite_ReadsRefresh()
    {
        var backend = CreateBackend();
        var ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(100), StateTtlUpdate.OnReadAndWrite);
        var value = backend.GetState(new ValueStateDescriptor<int>("v") { Ttl = ttl });
        var list = backend.GetListState(new ListStateDescriptor<int>("l") { Ttl = ttl });
        backend.SetCurrentKey("a");
        value.Update(1);
        list.Add(1);
        for (var i = 0; i < 5; i++)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(90));
            value.Value.ShouldBe(1);
            list.Get().ShouldBe([1]);
        }
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        value.TryGet(out _).ShouldBeFalse();
        list.Get().ShouldBeEmpty();
    }

    [Fact]
    public void Ttl_ListAddRestartsTheWholeList()
    {
        var backend = CreateBackend();
        var list = backend.GetListState(new ListStateDescriptor<int>("l") { Ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(100)) });
        backend.SetCurrentKey("a");
        list.Add(1);
        Clock.Advance(TimeSpan.FromMilliseconds(80));
        list.Add(2);
        Clock.Advance(TimeSpan.FromMilliseconds(80));
        list.Get().ShouldBe([1, 2]);
        Clock.Advance(TimeSpan.FromMilliseconds(20));
        list.Get().ShouldBeEmpty();
        list.Add(3);
        list.Get().ShouldBe([3], "elements of an expired list are gone");
    }

    [Theory]
    [InlineData(StateTtlUpdate.OnCreateAndWrite)]
    [InlineData(StateTtlUpdate.OnReadAndWrite)]
    public void Ttl_MapExpiresPerEntry(StateTtlUpdate update)
    {
        var backend = CreateBackend();
        var map = backend.GetMapState(new MapStateDescriptor<string, int>("m") { Ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(100), update) });
        backend.SetCurrentKey("a");
        map.Put("old", 1);
        Clock.Advance(TimeSpan.FromMilliseconds(60));
        map.Put("new", 2);
        Clock.Advance(TimeSpan.FromMilliseconds(50)); // old: 110 ms, new: 50 ms
        map.TryGetValue("old", out _).ShouldBeFalse();
        map.Entries.Select(e => $"{e.Key}={e.Value}").ShouldBe(["new=2"]);
        Clock.Advance(TimeSpan.FromMilliseconds(60)); // new: 110 ms since written, 60 since read
        var expected = update == StateTtlUpdate.OnReadAndWrite ? new[] { "new=2" } : [];
        map.Entries.Select(e => $"{e.Key}={e.Value}").ShouldBe(expected);
        map.IsEmpty.ShouldBe(update == StateTtlUpdate.OnCreateAndWrite);
    }

    [Fact]
    public void Ttl_SweepRemovesExpiredEntries()
    {
        var backend = CreateBackend();
        var value = backend.GetState(new ValueStateDescriptor<int>("v") { Ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(100)) });
        var map = backend.GetMapState(new MapStateDescriptor<string, int>("m") { Ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(100)) });
        for (var i = 0; i < 20; i++)
        {
            backend.SetCurrentKey($"k{i}");
            value.Update(i);
            map.Put("a", i);
        }
        Clock.Advance(TimeSpan.FromMilliseconds(50));
        backend.SetCurrentKey("k0");
        map.Put("b", 0);
        backend.EntryCount.ShouldBe(41);
        Clock.Advance(TimeSpan.FromMilliseconds(60));
        backend.MaybeSweep();
        backend.EntryCount.ShouldBe(1, "only the map entry written 60 ms ago is left");
    }

    [Fact]
    public void Snapshot_IsFrozenAtTheMark()
    {
        var backend = CreateBackend();
        var value = backend.GetState(s_value);
        var list = backend.GetListState(s_list);
        var map = backend.GetMapState(s_map);
        backend.SetCurrentKey("a");
        value.Update(1);
        list.Add("x");
        map.Put("m", 1);
        backend.SetCurrentKey("b");
        value.Update(2);

        var marked = backend.Snapshot(1);
        backend.SetCurrentKey("a");
        value.Update(100);
        list.Add("after");
        map.Put("m", 100);
        map.Put("n", 100);
        backend.SetCurrentKey("b");
        value.Clear();
        backend.SetCurrentKey("c");
        value.Update(3);
        var snapshot = TestBackends.Write<string>(marked, null, 0, 1, KeyGroupCount);
        marked.Dispose();

        foreach (var kind in new[] { Kind, Other })
        {
            var restored = Restored([snapshot], kind: kind);
            var v = restored.GetState(s_value);
            var l = restored.GetListState(s_list);
            var m = restored.GetMapState(s_map);
            restored.SetCurrentKey("a");
            v.Value.ShouldBe(1);
            l.Get().ShouldBe(["x"]);
            m.Entries.Select(e => $"{e.Key}={e.Value}").ShouldBe(["m=1"]);
            restored.SetCurrentKey("b");
            v.Value.ShouldBe(2);
            restored.SetCurrentKey("c");
            v.TryGet(out _).ShouldBeFalse();
        }
        // The live state kept the later writes.
        backend.SetCurrentKey("a");
        value.Value.ShouldBe(100);
        list.Get().ShouldBe(["x", "after"]);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(3, 1)]
    [InlineData(2, 3)]
    public void Restore_AtAnotherParallelism_PutsEachKeyInTheSubtaskOwningItsKeyGroup(int from, int to)
    {
        var keys = Enumerable.Range(0, 40).Select(i => $"key-{i}").ToList();
        var snapshots = new List<OperatorSnapshot>();
        for (var subtask = 0; subtask < from; subtask++)
        {
            var backend = CreateBackend(subtask, from);
            var value = backend.GetState(s_value);
            var list = backend.GetListState(s_list);
            var map = backend.GetMapState(s_map);
            var sum = backend.GetReducingState(s_sum, s_ints);
            foreach (var key in keys.Where(k => OwnerOf(k, from) == subtask))
            {
                var n = int.Parse(key[4..], System.Globalization.CultureInfo.InvariantCulture);
                backend.SetCurrentKey(key);
                value.Update(n);
                list.Update([key, "second"]);
                map.Put("n", n);
                map.Put("twice", 2 * n);
                sum.SetCurrentNamespace(n % 3);
                sum.Add(n);
            }
            snapshots.Add(Snapshot(backend, subtask, from));
        }

        var seen = new Dictionary<string, int>();
        for (var subtask = 0; subtask < to; subtask++)
        {
            var backend = Restored(snapshots, subtask, to);
            var value = backend.GetState(s_value);
            var list = backend.GetListState(s_list);
            var map = backend.GetMapState(s_map);
            var sum = backend.GetReducingState(s_sum, s_ints);
            backend.EntryCount.ShouldBe(keys.Count(k => OwnerOf(k, to) == subtask) * 5L);
            foreach (var key in keys.Where(k => OwnerOf(k, to) == subtask))
            {
                var n = int.Parse(key[4..], System.Globalization.CultureInfo.InvariantCulture);
                backend.SetCurrentKey(key);
                value.Value.ShouldBe(n);
                list.Get().ShouldBe([key, "second"]);
                map.Entries.OrderBy(e => e.Key).Select(e => $"{e.Key}={e.Value}").ShouldBe([$"n={n}", $"twice={2 * n}"]);
                sum.SetCurrentNamespace(n % 3);
                sum.TryGet(out var s).ShouldBeTrue();
                s.ShouldBe(n);
                sum.SetCurrentNamespace((n + 1) % 3);
                sum.TryGet(out _).ShouldBeFalse();
                seen[key] = subtask;
            }
            foreach (var key in keys.Where(k => OwnerOf(k, to) != subtask))
            {
                // A key routed to the wrong subtask is refused at the latest when its key group is needed.
                Should.Throw<InvalidOperationException>(() =>
                {
                    backend.SetCurrentKey(key);
                    _ = backend.CurrentKeyGroup;
                }).Message.ShouldContain("outside its key groups");
            }
        }
        seen.Count.ShouldBe(keys.Count);
    }

    [Fact]
    public void Restore_IntoTheOtherBackendAndBack_KeepsEveryStateKind()
    {
        var original = CreateBackend();
        var value = original.GetState(s_value);
        var map = original.GetMapState(s_map);
        var count = original.GetAggregatingState(s_count, s_ints);
        original.SetCurrentKey("a");
        value.Update(11);
        map.Put("x", 1);
        map.Put("y", 2);
        count.SetCurrentNamespace(7);
        count.Add(1);
        count.Add(1);

        var there = Restored([Snapshot(original)], kind: Other);
        var back = Restored([Snapshot(there)]);
        foreach (var backend in new[] { there, back })
        {
            backend.SetCurrentKey("a");
            backend.GetState(s_value).Value.ShouldBe(11);
            backend.GetMapState(s_map).Entries.OrderBy(e => e.Key).Select(e => $"{e.Key}={e.Value}").ShouldBe(["x=1", "y=2"]);
            var restoredCount = backend.GetAggregatingState(s_count, s_ints);
            restoredCount.SetCurrentNamespace(7);
            restoredCount.TryGet(out var c).ShouldBeTrue();
            c.ShouldBe(2);
        }
    }

    [Fact]
    public void Restore_KeepsTtlStamps()
    {
        var original = CreateBackend();
        var descriptor = new ValueStateDescriptor<int>("v") { Ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(100)) };
        original.GetState(descriptor);
        original.SetCurrentKey("a");
        original.GetState(descriptor).Update(1);
        Clock.Advance(TimeSpan.FromMilliseconds(70));
        var snapshot = Snapshot(original);
        foreach (var kind in new[] { Kind, Other })
        {
            var restored = Restored([snapshot], kind: kind);
            var value = restored.GetState(descriptor);
            restored.SetCurrentKey("a");
            value.Value.ShouldBe(1);
        }
        Clock.Advance(TimeSpan.FromMilliseconds(30));
        foreach (var kind in new[] { Kind, Other })
        {
            var restored = Restored([snapshot], kind: kind);
            var value = restored.GetState(descriptor);
            restored.SetCurrentKey("a");
            value.TryGet(out _).ShouldBeFalse("the entry was written 100 ms ago, before the snapshot");
        }
    }

    [Fact]
    public void Restore_StatesNotCreatedAgain_AreCarriedIntoLaterSnapshots()
    {
        var original = CreateBackend();
        original.GetState(s_value);
        original.GetListState(s_list);
        original.SetCurrentKey("a");
        original.GetState(s_value).Update(4);
        original.GetListState(s_list).Add("kept");

        var middle = Restored([Snapshot(original)]);
        middle.GetState(s_value); // the list state is not created in this run
        var last = Restored([Snapshot(middle)], kind: Other);
        last.SetCurrentKey("a");
        last.GetListState(s_list).Get().ShouldBe(["kept"]);
        last.GetState(s_value).Value.ShouldBe(4);
    }

    [Fact]
    public void Timers_FireOnceInTimeOrder_AndRestoreAtAnotherParallelism()
    {
        var backend = CreateBackend();
        var fired = new List<string>();
        var target = new RecordingTarget(backend, fired);
        var requested = new List<long>();
        var manager = new TimerServiceManager<string>(backend, requested.Add);
        var service = manager.GetTimerService("timers", s_ints, target);
        var value = backend.GetState(s_value);
        foreach (var (key, time) in new[] { ("a", 30L), ("b", 10L), ("c", 20L), ("a", 10L) })
        {
            backend.SetCurrentKey(key);
            value.Update((int)time);
            service.RegisterEventTimeTimer(1, time).ShouldBeTrue();
        }
        backend.SetCurrentKey("a");
        service.RegisterEventTimeTimer(1, 30).ShouldBeFalse("a timer exists once");
        service.RegisterEventTimeTimer(2, 15).ShouldBeTrue();
        service.DeleteEventTimeTimer(2, 15).ShouldBeTrue();
        service.RegisterProcessingTimeTimer(1, 1_000_500).ShouldBeTrue();
        requested.ShouldBe([1_000_500]);

        manager.AdvanceWatermark(15);
        fired.ShouldBe(["event b/1@10 value=10", "event a/1@10 value=10"], "equal times fire in registration order");
        manager.AdvanceWatermark(15);
        fired.Count.ShouldBe(2, "a timer fires once");

        var snapshots = new[] { TestBackends.Snapshot(backend, manager, 0, 1, KeyGroupCount, watermark: 15) };
        var restoredFired = new List<string>();
        for (var subtask = 0; subtask < 2; subtask++)
        {
            var restored = Restored(snapshots, subtask, 2);
            var restoredManager = new TimerServiceManager<string>(restored, _ => { });
            if (TestBackends.RestoreFor<string>(snapshots, subtask, 2, KeyGroupCount) is { } restore)
            {
                restoredManager.Restore(restore);
            }
            restoredManager.CurrentWatermark.ShouldBe(15);
            restoredManager.GetTimerService("timers", s_ints, new RecordingTarget(restored, restoredFired));
            restoredManager.AdvanceWatermark(100);
            restoredManager.OnProcessingTime(1_000_500);
        }
        restoredFired.Order().ShouldBe(["event a/1@30 value=10", "event c/1@20 value=20", "processing a/1@1000500 value=10"]);
    }

    [Fact]
    public void ProcessingTimer_ReArmedInItsCallbackAtThePassTime_WaitsForTheClockToMove()
    {
        // Callbacks read the step's one clock reading as the current time. A timer re-armed later than the one firing
        // fires in the same pass (900 → 1000); one re-armed at or before it waits until the clock passes the pass's
        // time, so a pass ends and the task is not called back at once. Re-armed and then deleted, it never fires again.
        var backend = CreateBackend();
        var fired = new List<long>();
        var requested = new List<long>();
        var manager = new TimerServiceManager<string>(backend, requested.Add);
        InternalTimerService<string, int>? service = null;
        var target = new CallbackTarget((key, ns, time) =>
        {
            fired.Add(time);
            fired.Count.ShouldBeLessThan(10, "a pass that never ends");
            service!.RegisterProcessingTimeTimer(1, 1_000).ShouldBeTrue();
            if (fired.Count == 3)
            {
                service.DeleteProcessingTimeTimer(1, 1_000).ShouldBeTrue();
            }
        });
        service = manager.GetTimerService("timers", s_ints, target);
        backend.SetCurrentKey("a");
        service.RegisterProcessingTimeTimer(1, 900);

        manager.OnProcessingTime(1_000);
        fired.ShouldBe([900, 1_000]);
        requested[^1].ShouldBe(1_001, "the re-armed timer waits for the clock to pass 1000 ms");
        service.RegisterProcessingTimeTimer(2, 950).ShouldBeTrue();
        manager.OnProcessingTime(1_000);
        fired.ShouldBe([900, 1_000], "at the same reading every due timer waits");
        requested[^1].ShouldBe(1_001);
        service.DeleteProcessingTimeTimer(2, 950).ShouldBeTrue();
        manager.OnProcessingTime(1_001);
        fired.ShouldBe([900, 1_000, 1_000]);
        manager.OnProcessingTime(1_002);
        manager.OnProcessingTime(5_000);

        fired.ShouldBe([900, 1_000, 1_000]);
    }

    [Fact]
    public void ProcessingTimer_RegisteredInACallbackWhilePendingInThePass_FiresOnce()
    {
        // (a, 2, 1000) is pending in the pass that fires (a, 1, 1000): registering it again from that callback finds it.
        var backend = CreateBackend();
        var fired = new List<string>();
        var manager = new TimerServiceManager<string>(backend, _ => { });
        InternalTimerService<string, int>? service = null;
        var target = new CallbackTarget((key, ns, time) =>
        {
            fired.Add($"{key}/{ns}@{time}");
            if (ns == 1)
            {
                service!.RegisterProcessingTimeTimer(2, 1_000).ShouldBeFalse("it is pending");
            }
        });
        service = manager.GetTimerService("timers", s_ints, target);
        backend.SetCurrentKey("a");
        service.RegisterProcessingTimeTimer(1, 1_000);
        service.RegisterProcessingTimeTimer(2, 1_000);

        manager.OnProcessingTime(1_000);
        manager.OnProcessingTime(2_000);

        fired.ShouldBe(["a/1@1000", "a/2@1000"]);
    }

    private sealed class CallbackTarget(Action<string, int, long> onProcessingTime) : ITimerTarget<string, int>
    {
        public void OnEventTime(string key, int ns, long time) => throw new InvalidOperationException("No event-time timers here.");

        public void OnProcessingTime(string key, int ns, long time) => onProcessingTime(key, ns, time);
    }

    private sealed class RecordingTarget(IKeyedStateBackend<string> backend, List<string> fired) : ITimerTarget<string, int>
    {
        public void OnEventTime(string key, int ns, long time) => fired.Add($"event {key}/{ns}@{time} value={Value(key)}");

        public void OnProcessingTime(string key, int ns, long time) => fired.Add($"processing {key}/{ns}@{time} value={Value(key)}");

        private int Value(string key)
        {
            backend.CurrentKey.ShouldBe(key);
            return backend.GetState(s_value).Value;
        }
    }

    [Fact]
    public void RegisteringANameTwiceWithAnotherType_FailsNamingOperatorAndState()
    {
        var backend = CreateBackend();
        backend.GetState(new ValueStateDescriptor<int>("dup"));
        backend.GetState(new ValueStateDescriptor<int>("dup")).ShouldNotBeNull();
        var error = Should.Throw<StateFormatException>(() => backend.GetListState(new ListStateDescriptor<int>("dup")));
        error.Message.ShouldContain("'op'");
        error.Message.ShouldContain("'dup'");
        Should.Throw<StateFormatException>(() => backend.GetState(new ValueStateDescriptor<string>("dup"))).Message.ShouldContain("'dup'");
    }

    [Fact]
    public void RestoredStateOfAnotherFormatOrKind_FailsWithAClearError()
    {
        var original = CreateBackend();
        original.SetCurrentKey("a");
        original.GetState(new ValueStateDescriptor<int>("count")).Update(3);
        var snapshot = Snapshot(original);

        var retyped = Restored([snapshot]);
        var format = Should.Throw<StateFormatException>(() => retyped.GetState(new ValueStateDescriptor<string>("count")));
        format.Message.ShouldContain("op/count");
        format.Message.ShouldContain("int32");

        var rekinded = Restored([snapshot]);
        var kind = Should.Throw<StateFormatException>(() => rekinded.GetListState(new ListStateDescriptor<int>("count")));
        kind.Message.ShouldContain("checkpointed as value state but is now list state");
    }

    [Fact]
    public void CorruptRestoredEntry_FailsNamingStateOperatorAndKeyGroup()
    {
        var original = CreateBackend();
        original.SetCurrentKey("a");
        original.GetState(new ValueStateDescriptor<string>("name")).Update("a fine value");
        var good = Snapshot(original);
        var group = good.KeyGroups.Keys.Single();

        // A well-framed record whose payload is key "a" · stamp 0 · a string claiming 50 bytes but holding 3.
        var payload = new StateWriter();
        payload.WriteString("a");
        payload.WriteZigZagInt64(0);
        payload.WriteVarInt32(50);
        payload.WriteRaw("abc"u8);
        var section = new StateWriter();
        KeyedStateSnapshot.WriteRecord(section, KeyedStateSnapshot.StateEntryTag, 0, payload.WrittenSpan);
        var groups = new SortedDictionary<int, byte[]> { [group] = section.WrittenSpan.ToArray() };
        var corrupt = new OperatorSnapshot("uid", 0, 1, good.OperatorState, groups, null);

        var backend = Restored([corrupt]);
        var error = Should.Throw<StateFormatException>(() => backend.GetState(new ValueStateDescriptor<string>("name")));
        error.Message.ShouldContain("'name'");
        error.Message.ShouldContain("'op'");
        error.Message.ShouldContain($"key group {group}");
    }

    [Fact]
    public void CorruptSnapshotFile_FailsNamingTheFile()
    {
        var backend = CreateBackend();
        backend.SetCurrentKey("a");
        backend.GetState(s_value).Update(1);
        var bytes = Snapshot(backend).Encode();
        bytes[0] ^= 0xFF;
        Should.Throw<StateFormatException>(() => OperatorSnapshot.Decode(bytes, "chk-7/op-0.bin")).Message.ShouldContain("chk-7/op-0.bin");
        var truncated = Snapshot(backend).Encode()[..^3];
        Should.Throw<StateFormatException>(() => OperatorSnapshot.Decode(truncated, "chk-7/op-0.bin"));
    }

    [Fact]
    public void CorruptKeyGroupSection_FailsNamingOperatorAndKeyGroup()
    {
        var backend = CreateBackend();
        backend.SetCurrentKey("a");
        backend.GetState(s_value).Update(1);
        var good = Snapshot(backend);
        var group = good.KeyGroups.Keys.Single();
        var groups = new SortedDictionary<int, byte[]> { [group] = [KeyedStateSnapshot.StateEntryTag, 9, 0] };
        var corrupt = new OperatorSnapshot("uid", 0, 1, good.OperatorState, groups, null);
        var error = Should.Throw<StateFormatException>(() => TestBackends.RestoreFor<string>([corrupt], 0, 1, KeyGroupCount));
        error.Message.ShouldContain("'op'");
        error.Message.ShouldContain($"key group {group}");
    }
}

public sealed class HeapKeyedStateBackendTests : KeyedStateBackendContract
{
    public override BackendKind Kind => BackendKind.Heap;
}
