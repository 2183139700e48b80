using System.Runtime.CompilerServices;
using CsCheck;
using Sluice.Runtime.State;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// <see cref="HeapMapValue{TMapKey, TValue}"/>, the entries of one heap map state: one entry inline, then a dictionary —
/// it must behave exactly as the dictionary it replaced (contents, enumeration order, the key instance kept).
/// </summary>
public class HeapMapValueTests
{
    [Fact]
    public void OneEntry_IsHeldInline_AndASecondMovesBothIntoADictionaryInInsertionOrder()
    {
        var map = new HeapMapValue<string, int>();
        map.Count.ShouldBe(0);
        map.Pairs.ShouldBeEmpty();

        map.Set("a", new TtlEntry<int>(1, 10));

        map.Count.ShouldBe(1);
        map.Many.ShouldBeNull();
        map.TryGetSingle(out var single, out var singleEntry).ShouldBeTrue();
        single.ShouldBe("a");
        singleEntry.ShouldBe(new TtlEntry<int>(1, 10));
        map.Find("a").Value.ShouldBe(1);
        map.Find("a").Stamp.ShouldBe(10);
        Unsafe.IsNullRef(ref map.Find("b")).ShouldBeTrue();

        map.Set("b", new TtlEntry<int>(2, 20));

        map.Count.ShouldBe(2);
        map.Many.ShouldNotBeNull();
        map.TryGetSingle(out _, out _).ShouldBeFalse();
        map.Pairs.Select(p => $"{p.Key}={p.Value.Value}@{p.Value.Stamp}").ShouldBe(["a=1@10", "b=2@20"]);
        map.Keys.ShouldBe(["a", "b"]);
    }

    [Fact]
    public void NullKey_IsRefusedAtOnce_InlineAndInADictionary()
    {
        // As a dictionary refuses it: stored inline, a null key would fail later, at the snapshot or the second put.
        var inline = new HeapMapValue<string, int>();
        Should.Throw<ArgumentNullException>(() => inline.Set(null!, new TtlEntry<int>(1, 0)));
        inline.Count.ShouldBe(0);
        var many = new HeapMapValue<string, int>();
        many.Set("a", new TtlEntry<int>(1, 0));
        many.Set("b", new TtlEntry<int>(2, 0));
        Should.Throw<ArgumentNullException>(() => many.Set(null!, new TtlEntry<int>(3, 0)));
        Should.Throw<ArgumentNullException>(() => many.Remove(null!));
        many.Count.ShouldBe(2);
    }

    [Fact]
    public void Set_OfAnEqualKey_ReplacesTheValueButKeepsTheFirstKeyInstance()
    {
        // The SQL joins' decoded-row cache finds rows by the identity of the key string the state hands out.
        var first = new string('k', 3);
        var second = new string('k', 3);
        var inline = new HeapMapValue<string, int>();
        inline.Set(first, new TtlEntry<int>(1, 0));

        inline.Set(second, new TtlEntry<int>(2, 0));

        inline.TryGetSingle(out var kept, out _).ShouldBeTrue();
        ReferenceEquals(kept, first).ShouldBeTrue();
        inline.Find(second).Value.ShouldBe(2);

        var many = new HeapMapValue<string, int>();
        many.Set("x", new TtlEntry<int>(0, 0));
        many.Set(first, new TtlEntry<int>(1, 0));
        many.Set(second, new TtlEntry<int>(2, 0));
        ReferenceEquals(many.Keys.Single(k => k == "kkk"), first).ShouldBeTrue();
        many.Find("kkk").Value.ShouldBe(2);
    }

    [Fact]
    public void Find_ReturnsARefThatWritesThrough_InlineAndInTheDictionary()
    {
        var map = new HeapMapValue<string, int>();
        map.Set("a", new TtlEntry<int>(1, 10));
        map.Find("a").Stamp = 11;
        map.Find("a").Stamp.ShouldBe(11);
        map.Set("b", new TtlEntry<int>(2, 20));
        map.Find("a").Stamp = 12;
        map.Pairs.First().Value.Stamp.ShouldBe(12);
    }

    [Fact]
    public void Remove_WhileEnumeratingPairs_IsAllowed_InlineAndInTheDictionary()
    {
        var inline = new HeapMapValue<string, int>();
        inline.Set("a", new TtlEntry<int>(1, 0));
        foreach (var (key, _) in inline.Pairs)
        {
            inline.Remove(key).ShouldBeTrue();
        }
        inline.Count.ShouldBe(0);
        inline.Remove("a").ShouldBeFalse();

        var many = new HeapMapValue<string, int>(4);
        many.Many.ShouldNotBeNull("a capacity above one starts as a dictionary (a restored map of several entries)");
        foreach (var key in new[] { "a", "b", "c" })
        {
            many.Set(key, new TtlEntry<int>(key[0], 0));
        }
        foreach (var (key, entry) in many.Pairs)
        {
            if (entry.Value != 'b')
            {
                many.Remove(key).ShouldBeTrue();
            }
        }
        many.Pairs.Select(p => p.Key).ShouldBe(["b"]);
    }

    [Fact]
    public void Remove_OfTheInlineEntry_EmptiesTheMap_AndTheNextSetIsInlineAgain()
    {
        var map = new HeapMapValue<string, int>();
        map.Set("a", new TtlEntry<int>(1, 0));
        map.Remove("b").ShouldBeFalse();
        map.Remove("a").ShouldBeTrue();
        map.Count.ShouldBe(0);
        map.Keys.ShouldBeEmpty();

        map.Set("b", new TtlEntry<int>(2, 0));

        map.Many.ShouldBeNull();
        map.Pairs.Select(p => $"{p.Key}={p.Value.Value}").ShouldBe(["b=2"]);
    }

    /// <summary>One operation on a key of a small range: 0 set, 1 remove, 2 find.</summary>
    public readonly record struct Op(int Kind, int Key, int Value);

    [Fact]
    public void RandomOperations_MatchADictionary_InContentsAndOrder() =>
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 5], Gen.Int[0, 1_000], static (kind, key, value) => new Op(kind, key, value))
            .Array[0, 60]
            .Sample(ops =>
            {
                var map = new HeapMapValue<int, int>();
                var model = new Dictionary<int, TtlEntry<int>>();
                foreach (var op in ops)
                {
                    switch (op.Kind)
                    {
                        case 0:
                            map.Set(op.Key, new TtlEntry<int>(op.Value, op.Value));
                            model[op.Key] = new TtlEntry<int>(op.Value, op.Value);
                            break;
                        case 1:
                            map.Remove(op.Key).ShouldBe(model.Remove(op.Key));
                            break;
                        default:
                            ref var entry = ref map.Find(op.Key);
                            Unsafe.IsNullRef(ref entry).ShouldBe(!model.ContainsKey(op.Key));
                            if (!Unsafe.IsNullRef(ref entry))
                            {
                                entry.Value.ShouldBe(model[op.Key].Value);
                            }
                            break;
                    }
                    map.Count.ShouldBe(model.Count);
                    map.Pairs.Select(p => (p.Key, p.Value.Value, p.Value.Stamp)).ShouldBe(model.Select(p => (p.Key, p.Value.Value, p.Value.Stamp)));
                    map.Keys.ShouldBe(model.Keys);
                }
            }, iter: 2_000, threads: 1, print: ops => string.Join(' ', ops));
}
