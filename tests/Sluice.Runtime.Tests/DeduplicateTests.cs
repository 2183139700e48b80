using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;

namespace Sluice.Runtime.Tests;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class DeduplicateTests : BackendSuite
{
    private static readonly OutputTag<Ev> s_duplicates = new("duplicates");

    private OperatorTestDriver<Ev, Ev> Driver(long horizonMs, bool sideOutput = true) =>
        new(s => s.KeyBy(e => e.Key).Deduplicate(TimeSpan.FromMilliseconds(horizonMs), sideOutput ? s_duplicates : null), Options());

    [Fact]
    public void Deduplicate_RepeatsWithinHorizon_GoToSideOutput()
    {
        using var driver = Driver(10);
        var duplicates = driver.SideOutput(s_duplicates);
        driver.ProcessElement(new Ev("a", 0, 1), 0)
            .ProcessElement(new Ev("b", 1, 1), 1)
            .ProcessElement(new Ev("a", 5, 2), 5)
            .ProcessElement(new Ev("a", 3, 3), 3)
            .ProcessElement(new Ev("b", 2, 2), 2);
        driver.Output.ShouldBe([(new Ev("a", 0, 1), 0L), (new Ev("b", 1, 1), 1L)]);
        duplicates.TimestampedItems.ShouldBe([(new Ev("a", 5, 2), 5L), (new Ev("a", 3, 3), 3L), (new Ev("b", 2, 2), 2L)]);
    }

    [Fact]
    public void Deduplicate_KeyForgottenOnlyWhenWatermarkPassesFirstPlusHorizon()
    {
        using var driver = Driver(10);
        var duplicates = driver.SideOutput(s_duplicates);
        driver.ProcessElement(new Ev("a", 0, 1), 0).ProcessWatermark(9)
            .ProcessElement(new Ev("a", 12, 2), 12); // after first + horizon in event time, but the watermark has not passed 10 yet
        duplicates.Count.ShouldBe(1);
        driver.ProcessWatermark(10).ProcessElement(new Ev("a", 13, 3), 13);
        driver.Output.ShouldBe([(new Ev("a", 0, 1), 0L), (new Ev("a", 13, 3), 13L)]);
        // The horizon restarts from the new first record (13): forgotten at watermark 23.
        driver.ProcessWatermark(22).ProcessElement(new Ev("a", 24, 4), 24);
        driver.ProcessWatermark(23).ProcessElement(new Ev("a", 25, 5), 25);
        driver.Values.Select(e => e.Value).ShouldBe([1, 3, 5]);
        duplicates.Items.Select(e => e.Value).ShouldBe([2, 4]);
    }

    [Fact]
    public void Deduplicate_WithoutSideOutput_DropsRepeats()
    {
        using var driver = Driver(10, sideOutput: false);
        driver.ProcessElement(new Ev("a", 0, 1), 0).ProcessElement(new Ev("a", 1, 2), 1).ProcessElement(new Ev("c", 1, 3), 1).Finish();
        driver.Values.ShouldBe([new Ev("a", 0, 1), new Ev("c", 1, 3)]);
    }

    [Fact]
    public void Deduplicate_AfterHorizon_StateAndTimersAreGone()
    {
        using var driver = Driver(10);
        for (var i = 0; i < 20; i++)
        {
            driver.ProcessElement(new Ev($"k{i}", i), i);
        }
        driver.KeyedStateSize().ShouldBe((20, 20));
        driver.ProcessWatermark(19);
        driver.KeyedStateSize().ShouldBe((10, 10));
        driver.ProcessWatermark(29);
        driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void Deduplicate_RecordsWithoutTimestamp_UseProcessingTimeHorizon()
    {
        using var driver = Driver(100);
        var duplicates = driver.SideOutput(s_duplicates);
        driver.ProcessElement(new Ev("a", 0, 1));
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(99));
        driver.ProcessElement(new Ev("a", 0, 2));
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1));
        driver.ProcessElement(new Ev("a", 0, 3));
        driver.Values.Select(e => e.Value).ShouldBe([1, 3]);
        duplicates.Items.Select(e => e.Value).ShouldBe([2]);
    }

    [Fact]
    public async Task Deduplicate_AtParallelism4_KeepsFirstPerKey()
    {
        var events = Enumerable.Range(0, 3_000).Select(i => new Ev($"k{i % 100}", i, i)).ToList();
        var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = 4, BatchSize = 16 }));
        var deduped = env.FromCollection(events, WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.FromMinutes(1)).WithTimestampAssigner(e => e.Ts))
            .KeyBy(e => e.Key)
            .Deduplicate(TimeSpan.FromHours(1), s_duplicates);
        var main = deduped.Collect();
        var dups = deduped.GetSideOutput(s_duplicates).Collect();
        await env.ExecuteAsync().OrTimeout();
        main.Items.OrderBy(e => e.Value).ShouldBe(events.GroupBy(e => e.Key).Select(g => g.First()).OrderBy(e => e.Value));
        dups.Count.ShouldBe(events.Count - 100);
    }

    [Fact]
    public void Deduplicate_NonPositiveHorizon_Throws()
    {
        var env = StreamEnvironment.Create();
        var keyed = env.FromCollection(new[] { new Ev("a", 1) }).KeyBy(e => e.Key);
        Should.Throw<ArgumentOutOfRangeException>(() => keyed.Deduplicate(TimeSpan.Zero));
    }

    public sealed class Heap : DeduplicateTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : DeduplicateTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
