using Sluice.Runtime.Tests.Support;
using Sluice.State;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.State;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class StateTtlTests : BackendSuite
{
    private const int Read = 0;

    private OperatorTestDriver<Ev, string> Driver(KeyedProcessFunction<string, Ev, string> function) =>
        new(s => s.KeyBy(e => e.Key).Process(function), Options());

    private static TimeSpan Ms(long ms) => TimeSpan.FromMilliseconds(ms);

    [Theory]
    [InlineData(StateTtlUpdate.OnCreateAndWrite)]
    [InlineData(StateTtlUpdate.OnReadAndWrite)]
    public void ValueState_ExactlyAtTtl_IsInvisibleAtOnce(StateTtlUpdate update)
    {
        using var driver = Driver(new TtlValue(100, update));
        driver.ProcessElement(new Ev("a", 0, 5));
        driver.AdvanceProcessingTime(Ms(99));
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.Values.ShouldBe(["a=5"]);
        // OnReadAndWrite: the read at 99 restarted the TTL, so wait a whole TTL after it.
        driver.AdvanceProcessingTime(Ms(update == StateTtlUpdate.OnReadAndWrite ? 100 : 1));
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.Values.ShouldBe(["a=5", "a=none"]);
    }

    [Fact]
    public void ValueState_OnCreateAndWrite_ReadsDoNotExtendTtl()
    {
        using var driver = Driver(new TtlValue(100, StateTtlUpdate.OnCreateAndWrite));
        driver.ProcessElement(new Ev("a", 0, 5));
        driver.AdvanceProcessingTime(Ms(60));
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.AdvanceProcessingTime(Ms(60)); // 120 ms after the write
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.Values.ShouldBe(["a=5", "a=none"]);
    }

    [Fact]
    public void ValueState_OnReadAndWrite_ReadsExtendTtl()
    {
        using var driver = Driver(new TtlValue(100, StateTtlUpdate.OnReadAndWrite));
        driver.ProcessElement(new Ev("a", 0, 5));
        driver.AdvanceProcessingTime(Ms(60));
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.AdvanceProcessingTime(Ms(60)); // 60 ms after the read
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.AdvanceProcessingTime(Ms(100)); // 100 ms after the last read
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.Values.ShouldBe(["a=5", "a=5", "a=none"]);
    }

    [Fact]
    public void ValueState_WriteRestartsTtl()
    {
        using var driver = Driver(new TtlValue(100, StateTtlUpdate.OnCreateAndWrite));
        driver.ProcessElement(new Ev("a", 0, 5));
        driver.AdvanceProcessingTime(Ms(80));
        driver.ProcessElement(new Ev("a", 0, 6));
        driver.AdvanceProcessingTime(Ms(80));
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.Values.ShouldBe(["a=6"]);
    }

    [Fact]
    public void ListState_AnyWriteRestartsTtlOfWholeList()
    {
        using var driver = Driver(new TtlList(100));
        driver.ProcessElement(new Ev("a", 0, 1));
        driver.AdvanceProcessingTime(Ms(80));
        driver.ProcessElement(new Ev("a", 0, 2));
        driver.AdvanceProcessingTime(Ms(80));
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.AdvanceProcessingTime(Ms(20));
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.Values.ShouldBe(["a:1,2", "a:"]);
    }

    [Fact]
    public void MapState_TtlPerEntry()
    {
        using var driver = Driver(new TtlMap(100));
        driver.ProcessElement(new Ev("a", 0, 1));
        driver.AdvanceProcessingTime(Ms(60));
        driver.ProcessElement(new Ev("a", 0, 2));
        driver.AdvanceProcessingTime(Ms(40)); // entry 1 is 100 ms old, entry 2 is 40 ms old
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.AdvanceProcessingTime(Ms(60));
        driver.ProcessElement(new Ev("a", 0, Read));
        driver.Values.ShouldBe(["a:2 has1=False has2=True", "a:empty has1=False has2=False"]);
    }

    [Fact]
    public void ReducingAndAggregatingState_ExpireAndRestartFromScratch()
    {
        using var driver = Driver(new TtlReducing(100));
        driver.ProcessElement(new Ev("a", 0, 3)).ProcessElement(new Ev("a", 0, 4));
        driver.AdvanceProcessingTime(Ms(100));
        driver.ProcessElement(new Ev("a", 0, 5));
        driver.Values.ShouldBe(["a:3/3", "a:7/7", "a:5/5"]);
    }

    [Fact]
    public void ExpiredEntries_AreCleanedUpEventually()
    {
        using var driver = Driver(new TtlValue(100, StateTtlUpdate.OnCreateAndWrite));
        for (var i = 0; i < 50; i++)
        {
            driver.ProcessElement(new Ev($"k{i}", 0, 1));
        }
        driver.KeyedStateSize().StateEntries.ShouldBe(50);
        driver.AdvanceProcessingTime(Ms(250));
        // No key is read again; progress (a watermark) must be enough for the incremental sweep.
        driver.ProcessWatermark(1);
        driver.KeyedStateSize().StateEntries.ShouldBe(0);
    }

    [Fact]
    public void ExpiredEntries_AreCleanedUpByTrafficOfOtherKeys()
    {
        using var driver = Driver(new TtlValue(100, StateTtlUpdate.OnCreateAndWrite));
        for (var i = 0; i < 50; i++)
        {
            driver.ProcessElement(new Ev($"k{i}", 0, 1));
        }
        driver.AdvanceProcessingTime(Ms(250));
        for (var i = 0; i < 10_000; i++)
        {
            driver.ProcessElement(new Ev("hot", 0, 1));
        }
        driver.KeyedStateSize().StateEntries.ShouldBe(1);
    }

    private sealed class TtlValue(long ttlMs, StateTtlUpdate update) : KeyedProcessFunction<string, Ev, string>
    {
        private IValueState<int> _value = null!;

        public override void Open(IRuntimeContext context) => _value = context.State.GetState(
            new ValueStateDescriptor<int>("v") { Ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(ttlMs), update) });

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            if (value.Value == Read)
            {
                output.Collect(_value.TryGet(out var v) ? $"{context.CurrentKey}={v}" : $"{context.CurrentKey}=none");
            }
            else
            {
                _value.Update(value.Value);
            }
        }
    }

    private sealed class TtlList(long ttlMs) : KeyedProcessFunction<string, Ev, string>
    {
        private IListState<int> _list = null!;

        public override void Open(IRuntimeContext context) => _list = context.State.GetListState(
            new ListStateDescriptor<int>("l") { Ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(ttlMs)) });

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            if (value.Value == Read)
            {
                output.Collect($"{context.CurrentKey}:{string.Join(",", _list.Get())}");
            }
            else
            {
                _list.Add(value.Value);
            }
        }
    }

    private sealed class TtlMap(long ttlMs) : KeyedProcessFunction<string, Ev, string>
    {
        private IMapState<int, int> _map = null!;

        public override void Open(IRuntimeContext context) => _map = context.State.GetMapState(
            new MapStateDescriptor<int, int>("m") { Ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(ttlMs)) });

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            if (value.Value == Read)
            {
                var entries = _map.IsEmpty ? "empty" : string.Join(",", _map.Entries.Select(e => e.Key).Order());
                output.Collect($"{context.CurrentKey}:{entries} has1={_map.TryGetValue(1, out _)} has2={_map.TryGetValue(2, out _)}");
            }
            else
            {
                _map.Put(value.Value, value.Value);
            }
        }
    }

    private sealed class TtlReducing(long ttlMs) : KeyedProcessFunction<string, Ev, string>
    {
        private IReducingState<int> _sum = null!;
        private IAggregatingState<int, long> _count = null!;

        public override void Open(IRuntimeContext context)
        {
            var ttl = new StateTtlConfig(TimeSpan.FromMilliseconds(ttlMs));
            _sum = context.State.GetReducingState(new ReducingStateDescriptor<int>("sum", (a, b) => a + b) { Ttl = ttl });
            _count = context.State.GetAggregatingState(new AggregatingStateDescriptor<int, long, long>("agg", new LongSum()) { Ttl = ttl });
        }

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            _sum.Add(value.Value);
            _count.Add(value.Value);
            _sum.TryGet(out var sum);
            _count.TryGet(out var total);
            output.Collect($"{context.CurrentKey}:{sum}/{total}");
        }
    }

    private sealed class LongSum : IAggregateFunction<int, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, int value) => accumulator + value;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }

    public sealed class Heap : StateTtlTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : StateTtlTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
