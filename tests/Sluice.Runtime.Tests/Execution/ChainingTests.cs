using Sluice.Runtime.Tests.Support;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Execution;

public class ChainingTests
{
    private static StreamEnvironment BuildJob(JobOptions options, List<Ev> events, out Sluice.Sinks.CollectSink<string> sink)
    {
        var env = StreamEnvironment.Create(options);
        sink = env.FromCollection(events, WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(1)).WithTimestampAssigner(e => e.Ts))
            .Map(e => e with { Value = e.Value * 2 }, "Double")
            .Filter(e => e.Value % 3 != 0, "NotTriple")
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)))
            .Aggregate(new SumAggregate(), (k, w, s) => $"{k}@{w.Start}={s}", "Sum")
            .Map(s => s.ToUpperInvariant(), "Upper")
            .Collect("Out");
        return env;
    }

    private static List<Ev> Events() => [.. Enumerable.Range(0, 1_000).Select(i => new Ev($"k{i % 4}", i * 3L, i))];

    [Fact]
    public void Explain_ForwardEdgesWithEqualParallelism_AreChainedIntoOneTask()
    {
        var env = BuildJob(new JobOptions { Parallelism = 2 }, Events(), out _);
        var plan = env.Explain();
        // The non-parallel source feeds the 2x map by rebalancing; map and filter chain; the keyed window starts a task
        // that chains the following map and sink.
        plan.ShouldContain("task [1x] Collection\n");
        plan.ShouldContain("task [2x] Double -> NotTriple\n  <- Collection via rebalance");
        plan.ShouldContain("-> Upper -> Out\n  <- NotTriple via hash");
        plan.Split('\n').Count(l => l.StartsWith("task ", StringComparison.Ordinal)).ShouldBe(3);
    }

    [Fact]
    public void Explain_ChainingDisabled_EveryOperatorIsItsOwnTask()
    {
        var env = BuildJob(new JobOptions { Parallelism = 2, ChainingEnabled = false }, Events(), out _);
        var plan = env.Explain();
        plan.ShouldNotContain(" -> ");
        plan.Split('\n').Count(l => l.StartsWith("task ", StringComparison.Ordinal)).ShouldBe(6);
        plan.ShouldContain("via forward");
        plan.ShouldContain("via rebalance");
    }

    [Theory]
    [InlineData(ExecutionMode.Parallel)]
    [InlineData(ExecutionMode.Deterministic)]
    public async Task ChainingDisabled_GivesSameResultsAsChained(ExecutionMode mode)
    {
        var events = Events();
        var chainedEnv = BuildJob(new JobOptions { Parallelism = 2, Mode = mode, BatchSize = 16 }, events, out var chained);
        var unchainedEnv = BuildJob(new JobOptions { Parallelism = 2, Mode = mode, BatchSize = 16, ChainingEnabled = false }, events, out var unchained);
        await chainedEnv.ExecuteAsync().OrTimeout();
        await unchainedEnv.ExecuteAsync().OrTimeout();
        var expected = events.Select(e => e with { Value = e.Value * 2 }).Where(e => e.Value % 3 != 0)
            .GroupBy(e => (e.Key, e.Ts / 100 * 100)).Select(g => $"{g.Key.Key}@{g.Key.Item2}={g.Sum(e => e.Value)}".ToUpperInvariant())
            .Order().ToList();
        chained.Items.Order().ShouldBe(expected);
        unchained.Items.Order().ShouldBe(expected);
    }

    [Fact]
    public void Explain_SideOutputConsumer_IsChainedAsSecondBranchWithItsTag()
    {
        var tag = new OutputTag<int>("neg");
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        var main = env.FromCollection(new[] { 1, -1 }).Map(i => i, "Pass").SetParallelism(2);
        main.Collect("Main");
        main.GetSideOutput(tag).Collect("Side");
        env.Explain().ShouldContain("task [2x] Pass -> {Main, [neg] Side}");
    }
}
