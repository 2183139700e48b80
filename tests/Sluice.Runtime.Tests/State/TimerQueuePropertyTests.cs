using CsCheck;
using Sluice.Runtime.State;

namespace Sluice.Runtime.Tests.State;

/// <summary>
/// <see cref="TimerQueue{TKey, TNamespace}"/> against a brute-force model: random registrations, deletions, single
/// pops (so a timer can be registered again right after it fired, at the very time being fired) and frozen views
/// taken and checked at random points. Timers must pop in (time, latest registration) order, each at most once, a
/// deleted one never, and a frozen view must list exactly the timers live at its moment, whatever happened since. A
/// popped timer carries the OR of the hints of its registrations since it was last registered anew.
/// </summary>
public class TimerQueuePropertyTests
{
    /// <summary>One operation: 0 register, 1 delete, 2 pop one due timer up to Time, 3 freeze, 4 check and drop a frozen view, 5 next time.</summary>
    public readonly record struct Op(int Kind, int Key, int Namespace, long Time, int Pick);

    private static readonly Gen<Op> s_op = Gen.Select(
        Gen.Frequency((40, Gen.Const(0)), (10, Gen.Const(1)), (30, Gen.Const(2)), (2, Gen.Const(3)), (2, Gen.Const(4)), (3, Gen.Const(5))),
        Gen.Int[0, 60],
        Gen.Int[0, 2],
        Gen.Long[0, 40],
        Gen.Int[0, 100],
        (kind, key, ns, time, pick) => new Op(kind, key, ns, time, pick));

    /// <summary>Few keys and times, many deletions: the same timers deleted and registered again and again (timeouts re-armed), so buckets are dropped and compacted.</summary>
    private static readonly Gen<Op> s_churn = Gen.Select(
        Gen.Frequency((40, Gen.Const(0)), (35, Gen.Const(1)), (10, Gen.Const(2)), (2, Gen.Const(3)), (2, Gen.Const(4)), (3, Gen.Const(5))),
        Gen.Int[0, 12],
        Gen.Int[0, 1],
        Gen.Long[0, 6],
        Gen.Int[0, 100],
        (kind, key, ns, time, pick) => new Op(kind, key, ns, time, pick));

    /// <summary>
    /// Two keys, namespaces and times: most registrations repeat the newest timer of their time (found without a hash),
    /// often right after it fired or was deleted, when it must count as new again.
    /// </summary>
    private static readonly Gen<Op> s_repeats = Gen.Select(
        Gen.Frequency((50, Gen.Const(0)), (15, Gen.Const(1)), (25, Gen.Const(2)), (2, Gen.Const(3)), (2, Gen.Const(4)), (3, Gen.Const(5))),
        Gen.Int[0, 1],
        Gen.Int[0, 1],
        Gen.Long[0, 1],
        Gen.Int[0, 100],
        (kind, key, ns, time, pick) => new Op(kind, key, ns, time, pick));

    [Fact]
    public void Register_NewestTimerAgain_IsADuplicateUntilItFiresOrIsDeleted()
    {
        var queue = new TimerQueue<int, int>();
        queue.Register(1, 0, 5).ShouldBeTrue();
        queue.Register(1, 0, 5).ShouldBeFalse();
        queue.Register(1, 1, 5).ShouldBeTrue("another namespace is another timer");
        queue.Register(1, 1, 5).ShouldBeFalse();
        queue.Register(2, 1, 5).ShouldBeTrue("another key is another timer");
        queue.Count.ShouldBe(3);

        queue.Delete(2, 1, 5).ShouldBeTrue();
        queue.Register(2, 1, 5).ShouldBeTrue("a deleted timer is registered anew");
        queue.TryPopDue(5, out var first).ShouldBeTrue();
        first.ShouldBe(new TimerQueue<int, int>.Timer(1, 0, 5, TimerQueue<int, int>.NoHint));
        queue.TryPopDue(5, out _).ShouldBeTrue();
        queue.TryPopDue(5, out var third).ShouldBeTrue();
        third.ShouldBe(new TimerQueue<int, int>.Timer(2, 1, 5, TimerQueue<int, int>.NoHint));
        queue.Register(2, 1, 5).ShouldBeTrue("a fired timer is registered anew, even at the time being fired");
        queue.Register(2, 1, 5).ShouldBeFalse();
        queue.Count.ShouldBe(1);
    }

    [Fact]
    public void Register_Again_OrsTheHint_UntilTheTimerFiresOrIsDeleted()
    {
        var queue = new TimerQueue<int, int>();
        queue.Register(0, 0, 5).ShouldBeTrue("registered before its time's first hint");
        queue.Register(0, 0, 5, 0b001).ShouldBeFalse();
        queue.Register(1, 0, 5, 0b001).ShouldBeTrue();
        queue.Register(2, 0, 5, 0b100).ShouldBeTrue();
        queue.Register(1, 0, 5, 0b010).ShouldBeFalse("found through the index (not the newest entry)");
        queue.Register(2, 0, 5, 0b001).ShouldBeFalse("found as the newest entry");
        queue.Register(3, 0, 5, 0b001).ShouldBeTrue();
        queue.Delete(3, 0, 5).ShouldBeTrue();
        queue.Register(3, 0, 5, 0b100).ShouldBeTrue("a deleted timer is registered anew, without its old hint");
        queue.Register(4, 0, 5).ShouldBeTrue();
        queue.Register(4, 0, 5, 0b1).ShouldBeFalse();

        queue.TryPopDue(5, out var zeroth).ShouldBeTrue();
        zeroth.ShouldBe(new TimerQueue<int, int>.Timer(0, 0, 5, TimerQueue<int, int>.NoHint));
        queue.TryPopDue(5, out var first).ShouldBeTrue();
        first.ShouldBe(new TimerQueue<int, int>.Timer(1, 0, 5, 0b011));
        queue.TryPopDue(5, out var second).ShouldBeTrue();
        second.ShouldBe(new TimerQueue<int, int>.Timer(2, 0, 5, 0b101));
        queue.TryPopDue(5, out var third).ShouldBeTrue();
        third.ShouldBe(new TimerQueue<int, int>.Timer(3, 0, 5, 0b100));
        queue.TryPopDue(5, out var fourth).ShouldBeTrue();
        fourth.Hint.ShouldBe(TimerQueue<int, int>.NoHint, "a timer registered without a hint has every bit set");
        queue.Register(1, 0, 5, 0b1000).ShouldBeTrue("a fired timer is registered anew, without its old hint");
        queue.TryPopDue(5, out var again).ShouldBeTrue();
        again.Hint.ShouldBe(0b1000UL);
    }

    [Fact]
    public void RepeatedRegistrationsOfFewTimers_MatchAModel_AndFrozenViewsNeverChange() =>
        s_repeats.Array[1, 2_000].Sample(Run, iter: 30, threads: 1, print: ops => $"{ops.Length} ops");

    [Fact]
    public void RandomOperations_MatchAModel_AndFrozenViewsNeverChange() =>
        s_op.Array[1, 4_000].Sample(Run, iter: 30, threads: 1, print: ops => $"{ops.Length} ops");

    [Fact]
    public void DeleteAndRegisterChurn_MatchesAModel_AndFrozenViewsNeverChange() =>
        s_churn.Array[1, 4_000].Sample(Run, iter: 30, threads: 1, print: ops => $"{ops.Length} ops");

    private static void Run(Op[] ops)
    {
        var queue = new TimerQueue<int, int>();
        var live = new Dictionary<(int Key, int Ns, long Time), (long Sequence, ulong Hint)>(); // timer → registration sequence, hint
        var frozen = new List<(TimerQueue<int, int>.FrozenTimers View, HashSet<(int, int, long)> Expected)>();
        long sequence = 0;
        foreach (var op in ops)
        {
            var timer = (op.Key, op.Namespace, op.Time);
            switch (op.Kind)
            {
                case 0:
                    var hint = op.Pick % 10 == 0 ? TimerQueue<int, int>.NoHint : 1UL << (op.Pick % 64);
                    var added = !live.TryGetValue(timer, out var was);
                    live[timer] = added ? (sequence++, hint) : (was.Sequence, was.Hint | hint);
                    queue.Register(op.Key, op.Namespace, op.Time, hint).ShouldBe(added);
                    break;
                case 1:
                    queue.Delete(op.Key, op.Namespace, op.Time).ShouldBe(live.Remove(timer));
                    break;
                case 2:
                    var due = live.Where(t => t.Key.Time <= op.Time).OrderBy(t => t.Key.Time).ThenBy(t => t.Value.Sequence).Select(t => t.Key).ToList();
                    if (due.Count == 0)
                    {
                        queue.TryPopDue(op.Time, out _).ShouldBeFalse();
                        break;
                    }
                    queue.TryPopDue(op.Time, out var popped).ShouldBeTrue();
                    (popped.Key, popped.Namespace, popped.Time).ShouldBe(due[0]);
                    popped.Hint.ShouldBe(live[due[0]].Hint);
                    live.Remove(due[0]);
                    break;
                case 3:
                    frozen.Add((queue.Freeze(), live.Keys.ToHashSet()));
                    break;
                case 4 when frozen.Count > 0:
                    var victim = frozen[op.Pick % frozen.Count];
                    Contents(victim.View).ShouldBe(victim.Expected, ignoreOrder: true);
                    frozen.Remove(victim);
                    break;
                case 5:
                    queue.NextTime.ShouldBe(live.Count == 0 ? long.MaxValue : live.Keys.Min(t => t.Time));
                    break;
            }
            queue.Count.ShouldBe(live.Count);
        }
        foreach (var (view, expected) in frozen)
        {
            Contents(view).ShouldBe(expected, ignoreOrder: true);
        }
        Contents(queue.Freeze()).ShouldBe(live.Keys, ignoreOrder: true);
    }

    private static List<(int, int, long)> Contents(TimerQueue<int, int>.FrozenTimers view)
    {
        var collector = new Collector([]);
        view.ForEach(ref collector);
        collector.Timers.Count.ShouldBe(collector.Timers.Distinct().Count(), "a frozen view lists a timer once");
        return collector.Timers;
    }

    private readonly struct Collector(List<(int, int, long)> timers) : TimerQueue<int, int>.IVisitor
    {
        public List<(int, int, long)> Timers { get; } = timers;

        public void Visit(int key, int ns, long time) => Timers.Add((key, ns, time));
    }
}
