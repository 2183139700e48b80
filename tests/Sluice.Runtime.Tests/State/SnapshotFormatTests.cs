using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Operators;
using Sluice.Runtime.State;
using Sluice.Runtime.Tasks;
using Sluice.Runtime.Tests.Support;
using Sluice.Runtime.Tests.Windows;
using Sluice.State;
using Sluice.State.Serialization;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// Pins the snapshot envelope (SLOS version 2) and the keyed-state layout (format 2) byte for byte, and the
/// redistribution of named operator state. The expected bytes were written by hand from the format descriptions in
/// <c>OperatorSnapshot</c> and <c>KeyedStateSnapshot</c> (little-endian fixed widths, LEB128 lengths, UTF-8), not
/// produced by the code under test. If one fails, a format changed: bump its version and keep reading this one.
/// Version-1 snapshots are pinned by the golden checkpoints in <c>Golden/checkpoints-v1</c>.
/// </summary>
public class SnapshotFormatTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private static OperatorContext Context(int subtask = 0, int parallelism = 1, TimeProvider? time = null) =>
        new("op", subtask, parallelism, new JobOptions { TimeProvider = time ?? TimeProvider.System }, new ProcessingTimeService(time ?? TimeProvider.System, static () => { }));

    [Fact]
    public void Envelope_Version2_IsPinned()
    {
        var snapshot = new OperatorSnapshot("op", 1, 2, [0xAA], new SortedDictionary<int, byte[]> { [5] = [0xBB, 0xCC] }, committable: null,
            [new OperatorStateSection("s", OperatorStateMode.UnionList, new SerializerDescriptor("int64", 1), [new byte[] { 1, 0, 0, 0, 0, 0, 0, 0 }])]);

        const string expected =
            "53 4F 4C 53  02  02 6F 70  01  02  01 AA  00" + // magic, version, uid "op", subtask, parallelism, raw section, no committable
            " 01  01 73  01  05 69 6E 74 36 34 01  01  08 01 00 00 00 00 00 00 00" + // one named state "s": union, int64 v1, one element
            " 01  05  02 BB CC"; // one key group: 5
        Convert.ToHexString(snapshot.Encode()).ShouldBe(expected.Replace(" ", "", StringComparison.Ordinal));

        var back = OperatorSnapshot.Decode(Hex(expected), "golden");
        (back.Uid, back.Subtask, back.Parallelism).ShouldBe(("op", 1, 2));
        back.OperatorState.ShouldBe(new byte[] { 0xAA });
        back.OperatorStates.Single().Name.ShouldBe("s");
        back.OperatorStates.Single().Mode.ShouldBe(OperatorStateMode.UnionList);
        back.OperatorStates.Single().Elements.Single().ToArray().ShouldBe(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0 });
        back.KeyGroups[5].ShouldBe(new byte[] { 0xBB, 0xCC });
    }

    [Fact]
    public void Envelope_CorruptBytes_NameTheSource()
    {
        var bytes = Hex("53 4F 4C 53  02  02 6F 70  01  02  01 AA  00  01  01 73  09");
        var error = Should.Throw<StateFormatException>(() => OperatorSnapshot.Decode(bytes, "ckpt/#3/blob-7"));
        error.Message.ShouldContain("ckpt/#3/blob-7");
    }

    [Fact]
    public void KeyedState_Format2_IsPinned_AndRestores()
    {
        var backend = new HeapKeyedStateBackend<string>("op", TimeProvider.System, KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127));
        var timers = new TimerServiceManager<string>(backend, static _ => { });
        var target = new RecordingTarget();
        var service = timers.GetTimerService(KeyedStateSnapshot.DefaultTimerService, VoidNamespace.Serializer, target);
        var count = backend.GetState(new ValueStateDescriptor<long>("count"));
        backend.SetCurrentKey("a");
        count.Update(7);
        service.RegisterEventTimeTimer(VoidNamespace.Instance, 1000);

        var context = new SnapshotContext(1, Context());
        var headers = new KeyedSnapshotWriter(StateSerializers.Describe<string>(), watermark: 1000);
        using (var state = backend.Snapshot(1))
        using (var timerSnapshot = timers.Snapshot())
        {
            state.Write(headers, context);
            timerSnapshot.Write(headers, context);
        }
        headers.WriteHeader(context.OperatorState);
        var snapshot = context.Build("op");

        const string header =
            "02  04 75 74 66 38 01  E8 03 00 00 00 00 00 00" + // version, key format utf8 v1, watermark 1000
            " 01  05 63 6F 75 6E 74  05 76 61 6C 75 65  04 76 6F 69 64 01  05 69 6E 74 36 34 01" + // state "count": value, void v1, int64 v1
            " 01  06 74 69 6D 65 72 73  04 76 6F 69 64 01" + // timer service "timers": void v1
            " 0A 6B 65 79 2D 67 72 6F 75 70 73  00"; // layout "key-groups", no layout data
        const string section =
            "03 00 0B  01 61  00  07 00 00 00 00 00 00 00" + // entry of state 0: key "a", stamp 0, value 7
            " 04 00 04  01 61  D0 0F"; // event timer of service 0: key "a", time 1000 (zig-zag 2000)
        Convert.ToHexString(snapshot.OperatorState).ShouldBe(header.Replace(" ", "", StringComparison.Ordinal));
        var group = backend.KeyGroupOf("a");
        snapshot.KeyGroups.Keys.ShouldBe([group]);
        Convert.ToHexString(snapshot.KeyGroups[group]).ShouldBe(section.Replace(" ", "", StringComparison.Ordinal));

        // The pinned bytes restore: the value and the timer come back.
        var restore = new RestoreContext(1, [Hex(header)], [(group, Hex(section))]);
        var parsed = KeyedStateSnapshot.Parse(restore, StateSerializers.For<string>(), "op")!;
        parsed.Watermark.ShouldBe(1000);
        var restored = new HeapKeyedStateBackend<string>("op", TimeProvider.System, KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127));
        restored.Restore(parsed);
        var restoredTimers = new TimerServiceManager<string>(restored, static _ => { });
        restoredTimers.Restore(parsed);
        var restoredTarget = new RecordingTarget();
        restoredTimers.GetTimerService(KeyedStateSnapshot.DefaultTimerService, VoidNamespace.Serializer, restoredTarget);
        var restoredCount = restored.GetState(new ValueStateDescriptor<long>("count"));
        restored.SetCurrentKey("a");
        restoredCount.Value.ShouldBe(7);
        restoredTimers.AdvanceWatermark(999);
        restoredTarget.Fired.ShouldBeEmpty();
        restoredTimers.AdvanceWatermark(1000);
        restoredTarget.Fired.ShouldBe([("a", 1000L)]);
    }

    [Fact]
    public void MapState_EntriesInlineOrInADictionary_ArePinned_AndRestore()
    {
        // The heap backend holds a key's single map entry inline and two or more in a dictionary: both write the same
        // layout (count, then key, stamp and value per entry in insertion order).
        var backend = new HeapKeyedStateBackend<string>("op", TimeProvider.System, KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127));
        var map = backend.GetMapState(new MapStateDescriptor<string, long>("m"));
        backend.SetCurrentKey("a");
        map.Put("x", 5);
        backend.SetCurrentKey("b");
        map.Put("x", 1);
        map.Put("y", 2);
        map.Put("x", 3);

        var context = new SnapshotContext(1, Context());
        var headers = new KeyedSnapshotWriter(StateSerializers.Describe<string>(), 0);
        using (var state = backend.Snapshot(1))
        {
            state.Write(headers, context);
        }
        headers.WriteHeader(context.OperatorState);
        var snapshot = context.Build("op");

        const string one =
            "03 00 0F  01 61  00" + // entry of state 0: key "a", stamp 0, 15 bytes
            " 01  01 78  00  05 00 00 00 00 00 00 00"; // one map entry: "x", stamp 0, 5
        const string two =
            "03 00 1A  01 62  00" + // key "b", 26 bytes
            " 02  01 78  00  03 00 00 00 00 00 00 00  01 79  00  02 00 00 00 00 00 00 00"; // "x" → 3 (replaced in place), "y" → 2
        var groupA = backend.KeyGroupOf("a");
        var groupB = backend.KeyGroupOf("b");
        groupA.ShouldNotBe(groupB, "the test needs the keys in two key groups");
        snapshot.KeyGroups.Keys.Order().ShouldBe(new[] { groupA, groupB }.Order());
        Convert.ToHexString(snapshot.KeyGroups[groupA]).ShouldBe(one.Replace(" ", "", StringComparison.Ordinal));
        Convert.ToHexString(snapshot.KeyGroups[groupB]).ShouldBe(two.Replace(" ", "", StringComparison.Ordinal));

        var restore = new RestoreContext(1, [snapshot.OperatorState], [(groupA, Hex(one)), (groupB, Hex(two))]);
        var restored = new HeapKeyedStateBackend<string>("op", TimeProvider.System, KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127));
        restored.Restore(KeyedStateSnapshot.Parse(restore, StateSerializers.For<string>(), "op")!);
        var restoredMap = restored.GetMapState(new MapStateDescriptor<string, long>("m"));
        restored.SetCurrentKey("a");
        restoredMap.Entries.ShouldBe([new KeyValuePair<string, long>("x", 5)]);
        restored.SetCurrentKey("b");
        restoredMap.Entries.ShouldBe([new KeyValuePair<string, long>("x", 3), new KeyValuePair<string, long>("y", 2)]);
    }

    [Fact]
    public void WindowTrailer_Version2PerKeyGroupTimes_IsPinned_AndRestores()
    {
        // Key groups 0–63 fired up to 9 and 64–127 up to 29 (two old subtasks), restored at parallelism 1: until the
        // time passes 29 the trailer after the keyed header holds a time per run of key groups.
        var options = new JobOptions { Parallelism = 1 };
        using var merged = WindowRescaleTests.Driver(options);
        merged.InitializeState(WindowRescaleTests.SubtasksAtDifferentTimes(options));
        const string perGroup = "02  02  12 00 40  3A 40 40"; // version 2, two runs: time 9 (zig-zag 18), groups 0 +64; time 29 (58), groups 64 +64
        var checkpoint = merged.Snapshot();
        WindowTrailer(checkpoint).ShouldBe(perGroup.Replace(" ", "", StringComparison.Ordinal));

        merged.ProcessWatermark(19);
        const string caughtUp = "02  02  26 00 40  3A 40 40"; // groups behind the time (19, zig-zag 38) write the time
        WindowTrailer(merged.Snapshot()).ShouldBe(caughtUp.Replace(" ", "", StringComparison.Ordinal));

        // Once the time reaches 29 every key group is at it: version 1, one time for the owned range.
        merged.ProcessWatermark(29);
        const string oneTime = "01  3A  00 80 01"; // version 1, time 29, groups 0 +128
        WindowTrailer(merged.Snapshot()).ShouldBe(oneTime.Replace(" ", "", StringComparison.Ordinal));

        // Hand-written version-2 bytes restore, each run's time to its key groups: groups 0–63 at 29, 64–127 at 9 (the
        // other way round from the checkpoint they replace), so the behind key's record at 15 is late and the ahead
        // key's is not. The behind key's restored pane [10, 20) still fires with its one record.
        var swapped = ReplaceWindowTrailer(checkpoint, Hex("02  02  3A 00 40  12 40 40"));
        using var restored = WindowRescaleTests.Driver(options);
        var late = restored.SideOutput(WindowRescaleTests.LateTag);
        restored.InitializeState(swapped);
        restored.ProcessElement(new Ev(WindowRescaleTests.Behind, 15), 15)
            .ProcessElement(new Ev(WindowRescaleTests.Ahead, 15), 15)
            .ProcessWatermark(29);
        late.TimestampedItems.ShouldBe([(new Ev(WindowRescaleTests.Behind, 15), 15L)]);
        restored.Output.ShouldBe([(new Win(WindowRescaleTests.Behind, 10, 20, 1), 19L), (new Win(WindowRescaleTests.Ahead, 10, 20, 1), 19L)], ignoreOrder: true);
    }

    /// <summary>The window operator's trailer (after its keyed header) in <paramref name="snapshot"/>, as hex.</summary>
    private static string WindowTrailer(TestSnapshot snapshot)
    {
        var window = snapshot.ToRestoredCheckpoint().Snapshots.Single(s => s.Uid == WindowRescaleTests.WindowUid);
        var parsed = KeyedStateSnapshot.Parse(new RestoreContext(1, [window.OperatorState], []), StateSerializers.For<string>(), "windows")!;
        return Convert.ToHexString(parsed.Trailers.Single().Span);
    }

    /// <summary><paramref name="snapshot"/> with the window operator's trailer replaced by <paramref name="trailer"/>.</summary>
    private static TestSnapshot ReplaceWindowTrailer(TestSnapshot snapshot, byte[] trailer) =>
        new(snapshot.CheckpointId, snapshot.KeyGroupCount, snapshot.ProcessingTime, snapshot.ToRestoredCheckpoint().Snapshots.Select(s =>
        {
            if (s.Uid != WindowRescaleTests.WindowUid)
            {
                return s;
            }
            var old = KeyedStateSnapshot.Parse(new RestoreContext(1, [s.OperatorState], []), StateSerializers.For<string>(), "windows")!.Trailers.Single();
            byte[] state = [.. s.OperatorState.AsSpan(0, s.OperatorState.Length - old.Length), .. trailer];
            return new OperatorSnapshot(s.Uid, s.Subtask, s.Parallelism, state, s.KeyGroups, s.Committable, s.OperatorStates, s.SharedFiles);
        }));

    [Fact]
    public void KeyedState_NamespacesAreIsolated_AndMerge()
    {
        var backend = new HeapKeyedStateBackend<string>("op", TimeProvider.System, KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127));
        var sums = backend.GetReducingState(new ReducingStateDescriptor<long>("sum", static (a, b) => a + b), new WindowSerializer());
        backend.SetCurrentKey("k");
        sums.SetCurrentNamespace(new TimeWindow(0, 10));
        sums.Add(1);
        sums.SetCurrentNamespace(new TimeWindow(10, 20));
        sums.Add(2);
        sums.Add(3);
        backend.SetCurrentKey("other");
        sums.SetCurrentNamespace(new TimeWindow(0, 10));
        sums.Add(100);

        backend.SetCurrentKey("k");
        sums.SetCurrentNamespace(new TimeWindow(0, 10));
        sums.TryGet(out var first).ShouldBeTrue();
        first.ShouldBe(1);
        sums.MergeNamespaces(new TimeWindow(0, 20), [new TimeWindow(0, 10), new TimeWindow(10, 20)]);
        sums.TryGet(out _).ShouldBeFalse("merged sources are cleared");
        sums.SetCurrentNamespace(new TimeWindow(0, 20));
        sums.TryGet(out var merged).ShouldBeTrue();
        merged.ShouldBe(6);
        backend.SetCurrentKey("other");
        sums.SetCurrentNamespace(new TimeWindow(0, 10));
        sums.TryGet(out var otherKey).ShouldBeTrue();
        otherKey.ShouldBe(100);
    }

    [Fact]
    public void KeyedState_SnapshotHoldsTheStateAtItsMark_WhileWritesGoOn()
    {
        var backend = new HeapKeyedStateBackend<string>("op", TimeProvider.System, KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127));
        var value = backend.GetState(new ValueStateDescriptor<long>("value"));
        var list = backend.GetListState(new ListStateDescriptor<string>("list"));
        var map = backend.GetMapState(new MapStateDescriptor<string, long>("map"));
        foreach (var key in new[] { "a", "b", "c" })
        {
            backend.SetCurrentKey(key);
            value.Update(1);
            list.Add("x");
            map.Put("m", 1);
        }

        using var snapshot = backend.Snapshot(1);
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            backend.SetCurrentKey(key);
            value.Update(2);
            list.Add("y");
            map.Put("m", 2);
            map.Put("n", 2);
        }
        backend.SetCurrentKey("b");
        value.Clear();

        var context = new SnapshotContext(1, Context());
        var headers = new KeyedSnapshotWriter(StateSerializers.Describe<string>(), 0);
        snapshot.Write(headers, context);
        headers.WriteHeader(context.OperatorState);
        var built = context.Build("op");
        var restored = new HeapKeyedStateBackend<string>("op", TimeProvider.System, KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127));
        restored.Restore(KeyedStateSnapshot.Parse(new RestoreContext(1, [built.OperatorState], [.. built.KeyGroups.Select(g => (g.Key, g.Value))]), StateSerializers.For<string>(), "op")!);
        var rValue = restored.GetState(new ValueStateDescriptor<long>("value"));
        var rList = restored.GetListState(new ListStateDescriptor<string>("list"));
        var rMap = restored.GetMapState(new MapStateDescriptor<string, long>("map"));
        foreach (var key in new[] { "a", "b", "c" })
        {
            restored.SetCurrentKey(key);
            rValue.Value.ShouldBe(1, $"value of {key} at the mark");
            rList.Get().ShouldBe(["x"], $"list of {key} at the mark");
            rMap.Entries.ShouldBe([new KeyValuePair<string, long>("m", 1)], $"map of {key} at the mark");
        }
        restored.SetCurrentKey("d");
        rValue.TryGet(out _).ShouldBeFalse("d was written after the mark");

        // The live state has every later write.
        backend.SetCurrentKey("a");
        value.Value.ShouldBe(2);
        list.Get().ShouldBe(["x", "y"]);
        map.Entries.OrderBy(e => e.Key).ShouldBe([new("m", 2L), new("n", 2L)]);
        backend.SetCurrentKey("b");
        value.TryGet(out _).ShouldBeFalse();
    }

    [Fact]
    public void KeyedState_SameNameWithAnotherType_NamesOperatorAndState()
    {
        var backend = new HeapKeyedStateBackend<string>("my-op", TimeProvider.System, KeyHasher.For<string>(), 128, new KeyGroupRange(0, 127));
        backend.GetState(new ValueStateDescriptor<long>("count"));
        var error = Should.Throw<StateFormatException>(() => backend.GetListState(new ListStateDescriptor<long>("count")));
        error.Message.ShouldContain("my-op");
        error.Message.ShouldContain("'count'");
    }

    [Theory]
    [InlineData(0, 2, new[] { "a", "b", "c" })]
    [InlineData(1, 2, new[] { "d", "e", "f" })]
    [InlineData(0, 4, new[] { "a" })]
    [InlineData(3, 4, new[] { "e", "f" })]
    [InlineData(0, 1, new[] { "a", "b", "c", "d", "e", "f" })]
    public void OperatorState_SplitList_IsCutIntoEvenContiguousShares(int subtask, int parallelism, string[] expected)
    {
        // Old subtasks (listed out of order, as a manifest may list them) held [a, b], [c], [d, e, f].
        var checkpoint = RestoredCheckpoint.FromSnapshots(1, 128, [Old(2, "d", "e", "f"), Old(0, "a", "b"), Old(1, "c")]);

        var share = checkpoint.For("op", subtask, parallelism).NamedStates["items"];

        share.Elements.Select(e => StateSerializers.For<string>().Read(new StateReader(e), 1)).ShouldBe(expected);

        static OperatorSnapshot Old(int subtask, params string[] items) => new("op", subtask, 3, [], [], null,
            [new OperatorStateSection("items", OperatorStateMode.SplitList, StateSerializers.Describe<string>(), [.. items.Select(Encode)])]);
    }

    [Fact]
    public void OperatorState_UnionGoesWhole_BroadcastFromSubtaskZero_AndRoundTripsThroughTheStore()
    {
        var old = Enumerable.Range(0, 3).Select(subtask =>
        {
            var store = new OperatorStateBackend("op", restore: null);
            store.GetUnionListState(new ListStateDescriptor<string>("union")).Add($"u{subtask}");
            var rules = store.GetBroadcastState(new MapStateDescriptor<string, long>("rules"));
            rules.Put("limit", subtask == 0 ? 10 : 99); // only subtask 0's copy is restored
            var context = new SnapshotContext(1, Context(subtask, 3));
            store.Snapshot(context, subtask);
            return OperatorSnapshot.Decode(context.Build("op").Encode(), $"subtask {subtask}");
        }).ToList();
        var checkpoint = RestoredCheckpoint.FromSnapshots(1, 128, old);

        for (var subtask = 0; subtask < 2; subtask++)
        {
            var store = new OperatorStateBackend("op", checkpoint.For("op", subtask, 2));
            store.GetUnionListState(new ListStateDescriptor<string>("union")).Get().ShouldBe(["u0", "u1", "u2"]);
            var rules = store.GetBroadcastState(new MapStateDescriptor<string, long>("rules"));
            rules.Entries.ShouldBe([new KeyValuePair<string, long>("limit", 10)]);
        }
    }

    [Fact]
    public void OperatorState_RestoredAsAnotherKind_IsRefusedWithTheName()
    {
        var store = new OperatorStateBackend("op", restore: null);
        store.GetListState(new ListStateDescriptor<string>("buffer")).Add("x");
        var context = new SnapshotContext(1, Context());
        store.Snapshot(context, 0);
        var checkpoint = RestoredCheckpoint.FromSnapshots(1, 128, [context.Build("op")]);

        var restored = new OperatorStateBackend("op", checkpoint.For("op", 0, 1));
        var error = Should.Throw<StateFormatException>(() => restored.GetUnionListState(new ListStateDescriptor<string>("buffer")));
        error.Message.ShouldContain("'buffer'");
        Should.Throw<InvalidOperationException>(() => new OperatorStateBackend("op", null).GetListState(new ListStateDescriptor<string>("t") { Ttl = new StateTtlConfig(TimeSpan.FromSeconds(1)) }));
    }

    private static ReadOnlyMemory<byte> Encode(string value)
    {
        var writer = new StateWriter();
        StateSerializers.For<string>().Write(writer, value);
        return writer.WrittenSpan.ToArray();
    }

    private sealed class RecordingTarget : ITimerTarget<string, VoidNamespace>
    {
        public List<(string Key, long Time)> Fired { get; } = [];

        public void OnEventTime(string key, VoidNamespace ns, long time) => Fired.Add((key, time));

        public void OnProcessingTime(string key, VoidNamespace ns, long time) => Fired.Add((key, time));
    }

    private sealed class WindowSerializer : IStateSerializer<TimeWindow>
    {
        public string FormatId => "test-window";

        public int Version => 1;

        public void Write(StateWriter output, TimeWindow value)
        {
            output.WriteZigZagInt64(value.Start);
            output.WriteZigZagInt64(value.End);
        }

        public TimeWindow Read(StateReader input, int version) => new(input.ReadZigZagInt64(), input.ReadZigZagInt64());
    }
}
