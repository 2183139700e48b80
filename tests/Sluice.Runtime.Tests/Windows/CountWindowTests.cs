using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Windows;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class CountWindowTests : BackendSuite
{
    private static readonly OutputTag<Ev> s_late = new("late");

    private OperatorTestDriver<Ev, string> Driver(long count) =>
        new(s => s.KeyBy(e => e.Key)
            .Window(GlobalWindows.OfCount(count))
            .SideOutputLateData(s_late)
            .Process(new Joiner()), Options());

    [Fact]
    public void Process_EveryNRecordsPerKey_FiresAndPurges()
    {
        using var driver = Driver(3);
        driver.ProcessElement(new Ev("a", 1, 1), 1)
            .ProcessElement(new Ev("b", 2, 10), 2)
            .ProcessElement(new Ev("a", 3, 2), 3)
            .ProcessElement(new Ev("a", 4, 3), 4)
            .ProcessElement(new Ev("a", 5, 4), 5)
            .ProcessElement(new Ev("b", 6, 11), 6)
            .ProcessElement(new Ev("a", 7, 5), 7)
            .ProcessElement(new Ev("a", 8, 6), 8);
        // Each firing carries the timestamp of the record that completed the count.
        driver.Output.ShouldBe([("a:1,2,3", 4L), ("a:4,5,6", 8L)]);
    }

    [Fact]
    public void Process_PartialWindowAtEndOfInput_NeverFires()
    {
        using var driver = Driver(3);
        driver.ProcessElement(new Ev("a", 1, 1), 1).ProcessElement(new Ev("a", 2, 2), 2)
            .ProcessElement(new Ev("b", 3, 3), 3).ProcessWatermark(1_000).Finish();
        driver.Output.ShouldBeEmpty();
    }

    [Fact]
    public void Process_OutOfOrderAndOldTimestamps_AreNeverLate()
    {
        using var driver = Driver(2);
        var late = driver.SideOutput(s_late);
        driver.ProcessElement(new Ev("a", 50, 1), 50).ProcessWatermark(1_000)
            .ProcessElement(new Ev("a", 3, 2), 3)
            .ProcessElement(new Ev("a", 2, 3), 2)
            .ProcessElement(new Ev("a", 1, 4), 1);
        driver.Output.ShouldBe([("a:1,2", 3L), ("a:3,4", 1L)]);
        late.Count.ShouldBe(0);
    }

    [Fact]
    public void Aggregate_CountOfOne_FiresPerRecord()
    {
        using var driver = new OperatorTestDriver<Ev, long>(s => s.KeyBy(e => e.Key).Window(GlobalWindows.OfCount(1)).Aggregate(new SumAggregate()), Options());
        driver.ProcessElement(new Ev("a", 1, 5), 1).ProcessElement(new Ev("a", 2, 7), 2);
        driver.Output.ShouldBe([(5L, 1L), (7L, 2L)]);
    }

    [Fact]
    public void AllowedLateness_OnCountWindow_Throws()
    {
        var env = StreamEnvironment.Create();
        var windowed = env.FromCollection(new[] { new Ev("a", 1) }).KeyBy(e => e.Key).Window(GlobalWindows.OfCount(2));
        Should.Throw<InvalidOperationException>(() => windowed.AllowedLateness(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Execute_CountWindowsAtParallelism4_MatchModel()
    {
        var events = Enumerable.Range(0, 1_000).Select(i => new Ev($"k{i % 7}", i, i)).ToList();
        var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = 4, BatchSize = 16 }));
        var sink = env.FromCollection(events, WatermarkStrategy<Ev>.ForMonotonousTimestamps().WithTimestampAssigner(e => e.Ts))
            .KeyBy(e => e.Key)
            .Window(GlobalWindows.OfCount(10))
            .Aggregate(new SumAggregate(), (k, _, sum) => (k, sum))
            .Collect();
        await env.ExecuteAsync().OrTimeout();
        // A non-parallel source keeps each key's order, so the n-th firing of a key sums its records 10n..10n+9.
        var expected = events.GroupBy(e => e.Key)
            .SelectMany(g => g.Select((e, i) => (e, i)).GroupBy(x => x.i / 10).Where(c => c.Count() == 10)
                .Select(c => (g.Key, (long)c.Sum(x => x.e.Value))))
            .OrderBy(x => x).ToList();
        sink.Items.OrderBy(x => x).ToList().ShouldBe(expected);
    }

    private sealed class Joiner : ProcessWindowFunction<string, Ev, string>
    {
        public override void Process(string key, TimeWindow window, IReadOnlyList<Ev> elements, ICollector<string> output) =>
            output.Collect($"{key}:{string.Join(",", elements.Select(e => e.Value))}");
    }

    public sealed class Heap : CountWindowTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : CountWindowTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
