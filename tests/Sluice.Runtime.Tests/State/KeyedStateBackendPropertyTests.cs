using CsCheck;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.State;
using Sluice.State.Serialization;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// Random operation sequences on value, list and map state over several keys and namespaces, with snapshot and
/// restore at random points and parallelisms, checked against a plain dictionary model, on each backend.
/// </summary>
public sealed class KeyedStateBackendPropertyTests
{
    private const int KeyGroupCount = 8;
    private static readonly IStateSerializer<int> s_ints = StateSerializers.For<int>();
    private static readonly ValueStateDescriptor<int> s_value = new("v");
    private static readonly ListStateDescriptor<int> s_list = new("l");
    private static readonly MapStateDescriptor<int, int> s_map = new("m");

    /// <summary>One operation: <c>Kind</c> 0–8 (see <see cref="Apply"/>), on key <c>k{Key}</c> and namespace <c>Ns</c>.</summary>
    public readonly record struct Op(int Kind, int Key, int Ns, int A, int B)
    {
        public override string ToString() => $"{Kind}:k{Key}/{Ns}({A},{B})";
    }

    private static readonly Gen<Op[]> s_ops = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 5], Gen.Int[0, 2], Gen.Int[0, 4], Gen.Int[1, 3], (kind, key, ns, a, b) => new Op(kind, key, ns, a, b))
        .Array[1, 60];

    [Theory]
    [InlineData(BackendKind.Heap)]
    [InlineData(BackendKind.RocksDb)]
    public void RandomOperations_WithSnapshotsAndRescaling_MatchAModel(BackendKind kind) =>
        s_ops.Sample(ops => Run(kind, ops), iter: 25, threads: 1, print: ops => string.Join(' ', ops));

    private sealed class Subtask(IKeyedStateBackend<string> backend)
    {
        public IKeyedStateBackend<string> Backend { get; } = backend;
        public IInternalValueState<int, int> Value { get; } = backend.GetValueState(s_value, s_ints);
        public IInternalListState<int, int> List { get; } = backend.GetListState(s_list, s_ints);
        public IInternalMapState<int, int, int> Map { get; } = backend.GetMapState(s_map, s_ints);
    }

    private static void Run(BackendKind kind, Op[] ops)
    {
        var clock = new ManualTimeProvider();
        var values = new Dictionary<(int, int), int>();
        var lists = new Dictionary<(int, int), List<int>>();
        var maps = new Dictionary<(int, int), SortedDictionary<int, int>>();
        var subtasks = new List<Subtask> { new(TestBackends.Create<string>(kind, clock, KeyGroupCount)) };
        try
        {
            foreach (var op in ops)
            {
                if (op.Kind == 8)
                {
                    subtasks = Rescale(kind, clock, subtasks, op.B);
                    continue;
                }
                var at = Owner(subtasks, op.Key);
                at.Backend.SetCurrentKey($"k{op.Key}");
                at.Value.SetCurrentNamespace(op.Ns);
                at.List.SetCurrentNamespace(op.Ns);
                at.Map.SetCurrentNamespace(op.Ns);
                var id = (op.Key, op.Ns);
                switch (op.Kind)
                {
                    case 0:
                        at.Value.Update(op.A);
                        values[id] = op.A;
                        break;
                    case 1:
                        at.Value.Clear();
                        values.Remove(id);
                        break;
                    case 2:
                        at.List.Add(op.A);
                        (lists.TryGetValue(id, out var list) ? list : lists[id] = []).Add(op.A);
                        break;
                    case 3:
                        at.List.Update([op.A, op.B]);
                        lists[id] = [op.A, op.B];
                        break;
                    case 4:
                        at.List.Clear();
                        lists.Remove(id);
                        break;
                    case 5:
                        at.Map.Put(op.A, op.B);
                        (maps.TryGetValue(id, out var map) ? map : maps[id] = [])[op.A] = op.B;
                        break;
                    case 6:
                        at.Map.Remove(op.A).ShouldBe(maps.TryGetValue(id, out var removeFrom) && removeFrom.Remove(op.A));
                        break;
                    case 7:
                        at.Map.Clear();
                        maps.Remove(id);
                        break;
                }
            }
            for (var key = 0; key <= 5; key++)
            {
                var at = Owner(subtasks, key);
                at.Backend.SetCurrentKey($"k{key}");
                for (var ns = 0; ns <= 2; ns++)
                {
                    var id = (key, ns);
                    at.Value.SetCurrentNamespace(ns);
                    at.List.SetCurrentNamespace(ns);
                    at.Map.SetCurrentNamespace(ns);
                    at.Value.TryGet(out var value).ShouldBe(values.ContainsKey(id), $"value k{key}/{ns}");
                    if (values.TryGetValue(id, out var expected))
                    {
                        value.ShouldBe(expected, $"value k{key}/{ns}");
                    }
                    at.List.Get().ShouldBe(lists.TryGetValue(id, out var list) ? list : [], $"list k{key}/{ns}");
                    at.Map.Entries.OrderBy(e => e.Key).Select(e => (e.Key, e.Value)).ShouldBe(
                        maps.TryGetValue(id, out var map) ? map.Select(e => (e.Key, e.Value)) : [], $"map k{key}/{ns}");
                }
            }
        }
        finally
        {
            foreach (var subtask in subtasks)
            {
                subtask.Backend.Dispose();
            }
        }
    }

    private static Subtask Owner(List<Subtask> subtasks, int key) =>
        subtasks[KeyGroups.OwnerOf(KeyGroups.Assign(KeyHasher.For<string>().Hash($"k{key}"), KeyGroupCount), KeyGroupCount, subtasks.Count)];

    /// <summary>Snapshots every subtask, then restores <paramref name="parallelism"/> new ones from the snapshots.</summary>
    private static List<Subtask> Rescale(BackendKind kind, TimeProvider clock, List<Subtask> subtasks, int parallelism)
    {
        var snapshots = new List<OperatorSnapshot>();
        for (var i = 0; i < subtasks.Count; i++)
        {
            snapshots.Add(TestBackends.Snapshot(subtasks[i].Backend, null, i, subtasks.Count, KeyGroupCount));
            subtasks[i].Backend.Dispose();
        }
        return [.. Enumerable.Range(0, parallelism).Select(i => new Subtask(TestBackends.Restored<string>(kind, clock, snapshots, KeyGroupCount, i, parallelism)))];
    }
}
