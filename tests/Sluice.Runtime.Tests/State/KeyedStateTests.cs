using Sluice.Runtime.Tests.Support;
using Sluice.State;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.State;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class KeyedStateTests : BackendSuite
{
    private OperatorTestDriver<Ev, string> Driver(KeyedProcessFunction<string, Ev, string> function, JobOptions? options = null) =>
        new(s => s.KeyBy(e => e.Key).Process(function), Options(options));

    [Fact]
    public void ValueState_PerKey_KeepsIndependentValuesAndClears()
    {
        using var driver = Driver(new ValueCounter());
        driver.ProcessElement(new Ev("a", 1)).ProcessElement(new Ev("a", 2)).ProcessElement(new Ev("b", 3))
            .ProcessElement(new Ev("a", 4, Value: -1)) // clears a
            .ProcessElement(new Ev("a", 5)).ProcessElement(new Ev("b", 6));
        driver.Values.ShouldBe(["a=1", "a=2", "b=1", "a=cleared", "a=1", "b=2"]);
    }

    [Fact]
    public void ListState_AddUpdateGetClear_PerKey()
    {
        using var driver = Driver(new ListKeeper());
        driver.ProcessElement(new Ev("a", 1, 10)).ProcessElement(new Ev("b", 1, 20)).ProcessElement(new Ev("a", 1, 11))
            .ProcessElement(new Ev("a", 1, 0)) // update to [99]
            .ProcessElement(new Ev("a", 1, 12))
            .ProcessElement(new Ev("b", 1, -1)) // clear b
            .ProcessElement(new Ev("b", 1, 21));
        driver.Values.ShouldBe(["a:10", "b:20", "a:10,11", "a:99", "a:99,12", "b:", "b:21"]);
    }

    [Fact]
    public void MapState_PutGetRemoveEntries_PerKey()
    {
        using var driver = Driver(new MapCounter());
        driver.ProcessElement(new Ev("a", 1, 7)).ProcessElement(new Ev("a", 1, 7)).ProcessElement(new Ev("a", 1, 3))
            .ProcessElement(new Ev("b", 1, 7))
            .ProcessElement(new Ev("a", 1, -7)) // remove entry 7
            .ProcessElement(new Ev("a", 1, -8)) // remove missing entry
            .ProcessElement(new Ev("a", 1, -3)); // remove last entry: empty
        driver.Values.ShouldBe(["a:7=1", "a:7=2", "a:3=1,7=2", "b:7=1", "a:removed=True:3=1", "a:removed=False:3=1", "a:removed=True:empty"]);
    }

    [Fact]
    public void ReducingState_FoldsPerKey()
    {
        using var driver = Driver(new ReducingMax());
        driver.ProcessElement(new Ev("a", 1, 3)).ProcessElement(new Ev("a", 1, 9)).ProcessElement(new Ev("b", 1, 1))
            .ProcessElement(new Ev("a", 1, 4)).ProcessElement(new Ev("b", 1, 2));
        driver.Values.ShouldBe(["a:none->3", "a:3->9", "b:none->1", "a:9->9", "b:1->2"]);
    }

    [Fact]
    public void AggregatingState_AccumulatesPerKeyAndClears()
    {
        using var driver = Driver(new AveragingState());
        driver.ProcessElement(new Ev("a", 1, 2)).ProcessElement(new Ev("a", 1, 4)).ProcessElement(new Ev("b", 1, 10))
            .ProcessElement(new Ev("a", 1, 0)) // clear
            .ProcessElement(new Ev("a", 1, 6));
        driver.Values.ShouldBe(["a:2", "a:3", "b:10", "a:cleared", "a:6"]);
    }

    [Fact]
    public void GetState_SameNameDifferentKind_ThrowsOnOpen()
    {
        using var driver = Driver(new ConflictingNames());
        var error = Should.Throw<Exception>(() => driver.ProcessElement(new Ev("a", 1)));
        error.ToString().ShouldContain("dup");
    }

    [Fact]
    public void StateEntries_CountedPerKeyAndState()
    {
        using var driver = Driver(new ValueCounter());
        driver.ProcessElement(new Ev("a", 1)).ProcessElement(new Ev("b", 1)).ProcessElement(new Ev("c", 1)).ProcessElement(new Ev("a", 1));
        driver.KeyedStateSize().ShouldBe((3, 0));
        driver.ProcessElement(new Ev("a", 1, -1));
        driver.KeyedStateSize().ShouldBe((2, 0));
    }

    [Fact]
    public async Task ValueState_AtParallelism4_EachKeySeesOnlyItsOwnCount()
    {
        var events = Enumerable.Range(0, 2_000).Select(i => new Ev($"k{i % 37}", i)).ToList();
        var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = 4, BatchSize = 16 }));
        var sink = env.FromCollection(events).KeyBy(e => e.Key).Process(new ValueCounter()).Collect();
        await env.ExecuteAsync().OrTimeout();
        var expected = events.GroupBy(e => e.Key).SelectMany(g => Enumerable.Range(1, g.Count()).Select(n => $"{g.Key}={n}")).Order().ToList();
        sink.Items.Order().ToList().ShouldBe(expected);
    }

    [Fact]
    public async Task State_OnNonKeyedStream_FailsWithClearMessage()
    {
        var env = StreamEnvironment.Create(Options(new JobOptions { Mode = ExecutionMode.Deterministic }));
        env.FromCollection(new[] { 1 }).Process(new NonKeyedStateUser()).Collect();
        var error = await Should.ThrowAsync<Exception>(() => env.ExecuteAsync().OrTimeout());
        error.ToString().ShouldContain("not keyed");
    }

    private sealed class ValueCounter : KeyedProcessFunction<string, Ev, string>
    {
        private IValueState<int> _count = null!;

        public override void Open(IRuntimeContext context) => _count = context.State.GetState(new ValueStateDescriptor<int>("count"));

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            if (value.Value < 0)
            {
                _count.Clear();
                output.Collect($"{context.CurrentKey}={(_count.TryGet(out _) ? "still" : "cleared")}");
                return;
            }
            var next = _count.Value + 1;
            _count.Update(next);
            output.Collect($"{context.CurrentKey}={next}");
        }
    }

    private sealed class ListKeeper : KeyedProcessFunction<string, Ev, string>
    {
        private IListState<int> _list = null!;

        public override void Open(IRuntimeContext context) => _list = context.State.GetListState(new ListStateDescriptor<int>("list"));

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            if (value.Value < 0)
            {
                _list.Clear();
            }
            else if (value.Value == 0)
            {
                _list.Update([99]);
            }
            else
            {
                _list.Add(value.Value);
            }
            if (value.Value >= 0 || _list.Get().Count == 0)
            {
                output.Collect($"{context.CurrentKey}:{string.Join(",", _list.Get())}");
            }
        }
    }

    private sealed class MapCounter : KeyedProcessFunction<string, Ev, string>
    {
        private IMapState<int, int> _map = null!;

        public override void Open(IRuntimeContext context) => _map = context.State.GetMapState(new MapStateDescriptor<int, int>("map"));

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            var prefix = "";
            if (value.Value < 0)
            {
                prefix = $"removed={_map.Remove(-value.Value)}:";
            }
            else
            {
                _map.Put(value.Value, _map.TryGetValue(value.Value, out var n) ? n + 1 : 1);
            }
            var entries = _map.IsEmpty ? "empty" : string.Join(",", _map.Entries.OrderBy(e => e.Key).Select(e => $"{e.Key}={e.Value}"));
            output.Collect($"{context.CurrentKey}:{prefix}{entries}");
        }
    }

    private sealed class ReducingMax : KeyedProcessFunction<string, Ev, string>
    {
        private IReducingState<int> _max = null!;

        public override void Open(IRuntimeContext context) =>
            _max = context.State.GetReducingState(new ReducingStateDescriptor<int>("max", Math.Max));

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            var before = _max.TryGet(out var b) ? b.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
            _max.Add(value.Value);
            _max.TryGet(out var after).ShouldBeTrue();
            output.Collect($"{context.CurrentKey}:{before}->{after}");
        }
    }

    private sealed class Average : IAggregateFunction<int, (long Sum, long Count), long>
    {
        public (long Sum, long Count) CreateAccumulator() => (0, 0);

        public (long Sum, long Count) Add((long Sum, long Count) accumulator, int value) => (accumulator.Sum + value, accumulator.Count + 1);

        public long GetResult((long Sum, long Count) accumulator) => accumulator.Sum / accumulator.Count;

        public (long Sum, long Count) Merge((long Sum, long Count) a, (long Sum, long Count) b) => (a.Sum + b.Sum, a.Count + b.Count);
    }

    private sealed class AveragingState : KeyedProcessFunction<string, Ev, string>
    {
        private IAggregatingState<int, long> _avg = null!;

        public override void Open(IRuntimeContext context) =>
            _avg = context.State.GetAggregatingState(new AggregatingStateDescriptor<int, (long, long), long>("avg", new Average()));

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            if (value.Value == 0)
            {
                _avg.Clear();
                output.Collect($"{context.CurrentKey}:{(_avg.TryGet(out _) ? "still" : "cleared")}");
                return;
            }
            _avg.Add(value.Value);
            _avg.TryGet(out var avg).ShouldBeTrue();
            output.Collect($"{context.CurrentKey}:{avg}");
        }
    }

    private sealed class ConflictingNames : KeyedProcessFunction<string, Ev, string>
    {
        public override void Open(IRuntimeContext context)
        {
            context.State.GetState(new ValueStateDescriptor<int>("dup"));
            context.State.GetListState(new ListStateDescriptor<int>("dup"));
        }

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output) => output.Collect("unreachable");
    }

    private sealed class NonKeyedStateUser : ProcessFunction<int, int>
    {
        public override void Open(IRuntimeContext context) => context.State.GetState(new ValueStateDescriptor<int>("x"));

        public override void ProcessElement(int value, ProcessContext context, ICollector<int> output) => output.Collect(value);
    }

    public sealed class Heap : KeyedStateTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : KeyedStateTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
