using Sluice.Windowing;

namespace Sluice.Runtime.Tests;

public class SmokeTests
{
    private sealed record Click(string Page, long Ts);

    [Theory]
    [InlineData(1, ExecutionMode.Parallel)]
    [InlineData(4, ExecutionMode.Parallel)]
    [InlineData(1, ExecutionMode.Deterministic)]
    [InlineData(3, ExecutionMode.Deterministic)]
    public async Task TumblingCount_AnyParallelism_CountsPerPageAndMinute(int parallelism, ExecutionMode mode)
    {
        var clicks = Enumerable.Range(0, 10_000).Select(i => new Click($"p{i % 7}", i * 100L)).ToList();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = parallelism, Mode = mode, BatchSize = 64 });
        var sink = env.FromCollection(clicks, WatermarkStrategy<Click>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(5)).WithTimestampAssigner(c => c.Ts))
            .Filter(c => c.Page != "p6")
            .KeyBy(c => c.Page)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .Aggregate(new CountAggregate<Click>(), (page, window, count) => (page, window.Start, count))
            .Collect();
        var result = await env.ExecuteAsync();
        var expected = clicks.Where(c => c.Page != "p6").GroupBy(c => (c.Page, c.Ts / 60_000 * 60_000)).Select(g => (g.Key.Page, g.Key.Item2, (long)g.Count())).OrderBy(x => x).ToList();
        sink.Items.OrderBy(x => x).ToList().ShouldBe(expected);
        result.SourceRecords.ShouldBe(10_000);
    }

    private sealed class CountAggregate<T> : IAggregateFunction<T, long, long>
    {
        public long CreateAccumulator() => 0;
        public long Add(long accumulator, T value) => accumulator + 1;
        public long GetResult(long accumulator) => accumulator;
        public long Merge(long a, long b) => a + b;
    }
}
