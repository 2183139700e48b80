using CsCheck;
using Sluice.Runtime.State;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// <see cref="StateMap{TKey, TNamespace, TValue}"/> against a plain dictionary: random puts, removes, sweeps and reads
/// over thousands of (key, namespace) pairs (several pages, growth, free-list reuse), with snapshots frozen at random
/// points and released in random order — every frozen snapshot must still show exactly the entries of its moment,
/// whatever was written since.
/// </summary>
public class StateMapPropertyTests
{
    /// <summary>One operation: 0 put, 1 remove, 2 read, 3 freeze, 4 release a frozen snapshot, 5 sweep entries whose stamp is a multiple of 7.</summary>
    public readonly record struct Op(int Kind, int Key, int Namespace, long Value, int Pick);

    private static readonly Gen<Op> s_op = Gen.Select(
        Gen.Frequency((40, Gen.Const(0)), (12, Gen.Const(1)), (20, Gen.Const(2)), (2, Gen.Const(3)), (2, Gen.Const(4)), (1, Gen.Const(5))),
        Gen.Int[0, 2_500],
        Gen.Int[0, 3],
        Gen.Long[0, 1_000],
        Gen.Int[0, 100],
        (kind, key, ns, value, pick) => new Op(kind, key, ns, value, pick));

    [Fact]
    public void RandomOperations_MatchADictionary_AndFrozenSnapshotsNeverChange() =>
        s_op.Array[1, 6_000].Sample(ops => Run<int>(ops, static ns => ns), iter: 40, threads: 1, print: ops => $"{ops.Length} ops");

    [Fact]
    public void RandomOperations_InTheVoidNamespace_MatchADictionary() =>
        s_op.Array[1, 6_000].Sample(ops => Run<VoidNamespace>(ops, static _ => VoidNamespace.Instance), iter: 20, threads: 1, print: ops => $"{ops.Length} ops");

    private static void Run<TNamespace>(Op[] ops, Func<int, TNamespace> ns) where TNamespace : notnull
    {
        var map = new StateMap<int, TNamespace, long>();
        var model = new Dictionary<(int, TNamespace), long>();
        var frozen = new List<(FrozenStateMap<int, TNamespace, long> Map, Dictionary<(int, TNamespace), long> Expected)>();
        foreach (var op in ops)
        {
            var key = (op.Key, ns(op.Namespace));
            switch (op.Kind)
            {
                case 0:
                    ref var entry = ref map.GetOrAdd(key.Key, key.Item2, out var existed);
                    existed.ShouldBe(model.ContainsKey(key));
                    entry.Value = op.Value;
                    entry.Stamp = op.Value;
                    model[key] = op.Value;
                    break;
                case 1:
                    map.Remove(key.Key, key.Item2).ShouldBe(model.Remove(key));
                    break;
                case 2:
                    ref var current = ref map.Find(key.Key, key.Item2, out var found);
                    found.ShouldBe(model.TryGetValue(key, out var expected));
                    if (found)
                    {
                        current.Value.ShouldBe(expected);
                    }
                    break;
                case 3:
                    frozen.Add((map.Freeze(), new Dictionary<(int, TNamespace), long>(model)));
                    break;
                case 4 when frozen.Count > 0:
                    var victim = frozen[op.Pick % frozen.Count];
                    Contents(victim.Map).ShouldBe(victim.Expected, ignoreOrder: true);
                    victim.Map.Dispose();
                    frozen.Remove(victim);
                    break;
                case 5:
                    map.RemoveWhere(new MultipleOfSeven<TNamespace>());
                    foreach (var k in model.Where(e => e.Value % 7 == 0).Select(e => e.Key).ToList())
                    {
                        model.Remove(k);
                    }
                    break;
            }
            map.Count.ShouldBe(model.Count);
        }
        map.Entries.Select(e => new KeyValuePair<(int, TNamespace), long>((e.Key, e.Namespace), e.Value)).ShouldBe(model, ignoreOrder: true);
        foreach (var (snapshot, expected) in frozen)
        {
            Contents(snapshot).ShouldBe(expected, ignoreOrder: true);
            snapshot.Dispose();
        }
    }

    private static Dictionary<(int, TNamespace), long> Contents<TNamespace>(FrozenStateMap<int, TNamespace, long> frozen) where TNamespace : notnull
    {
        var collector = new Collector<TNamespace>([]);
        frozen.ForEach(ref collector);
        return collector.Entries;
    }

    private readonly struct Collector<TNamespace>(Dictionary<(int, TNamespace), long> entries) : FrozenStateMap<int, TNamespace, long>.IVisitor where TNamespace : notnull
    {
        public Dictionary<(int, TNamespace), long> Entries => entries;

        public void Visit(int key, TNamespace ns, long value, long stamp)
        {
            entries.ContainsKey((key, ns)).ShouldBeFalse("a frozen map lists every entry once");
            entries[(key, ns)] = value;
        }
    }

    private readonly struct MultipleOfSeven<TNamespace> : StateMap<int, TNamespace, long>.IEntryPredicate
    {
        public bool Matches(long stamp) => stamp % 7 == 0;
    }
}
