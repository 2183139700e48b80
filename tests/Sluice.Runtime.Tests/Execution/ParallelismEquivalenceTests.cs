using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>
/// The same keyed, windowed job at parallelism 1 and 4 gives the same output. Every test has keyed state, so each
/// runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.
/// </summary>
public abstract class ParallelismEquivalenceTests : BackendSuite
{
    private static readonly OutputTag<string> s_odd = new("odd");
    private static readonly OutputTag<Ev> s_late = new("late");

    public static TheoryData<ExecutionMode> Modes => [ExecutionMode.Parallel, ExecutionMode.Deterministic];

    private static List<Ev> Clicks(int seed, int count, string prefix)
    {
        var random = new Random(seed);
        // Timestamps wander within 3 s of a rising clock: within the 5 s out-of-orderness bound, so nothing is late.
        return [.. Enumerable.Range(0, count).Select(i => new Ev($"{prefix}{random.Next(13)}", (i * 50L) + random.Next(0, 3_000), random.Next(100)))];
    }

    private async Task<(List<string> Main, List<string> Side)> RunUnionJob(int parallelism, ExecutionMode mode, List<Ev> a, List<Ev> b)
    {
        var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = parallelism, Mode = mode, BatchSize = 32, ChannelCapacity = 2 }));
        var strategy = WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(5)).WithTimestampAssigner(e => e.Ts);
        var routed = env.FromCollection(a, strategy).Union(env.FromCollection(b, strategy))
            .Process(new OddToSide());
        var windows = routed
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(2)))
            .Aggregate(new SumAggregate(), (k, w, sum) => $"{k}@{w.Start}={sum}")
            .Collect();
        var side = routed.GetSideOutput(s_odd).Collect();
        await env.ExecuteAsync().OrTimeout();
        return ([.. windows.Items.Order()], [.. side.Items.Order()]);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task UnionKeyByWindowSideOutput_P1AndP4_GiveSameMultisetAsModel(ExecutionMode mode)
    {
        var a = Clicks(1, 3_000, "x");
        var b = Clicks(2, 2_000, "y");
        var p1 = await RunUnionJob(1, mode, a, b);
        var p4 = await RunUnionJob(4, mode, a, b);

        var all = a.Concat(b).ToList();
        var expectedMain = all.Where(e => e.Value % 2 == 0).GroupBy(e => (e.Key, e.Ts / 2_000 * 2_000))
            .Select(g => $"{g.Key.Key}@{g.Key.Item2}={g.Sum(e => e.Value)}").Order().ToList();
        var expectedSide = all.Where(e => e.Value % 2 == 1).Select(e => $"odd {e.Key} {e.Value}").Order().ToList();
        p1.Main.ShouldBe(expectedMain);
        p1.Side.ShouldBe(expectedSide);
        p4.Main.ShouldBe(p1.Main);
        p4.Side.ShouldBe(p1.Side);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task LateDataFromNonParallelSource_P1AndP4_SameMainAndLateOutput(ExecutionMode mode)
    {
        // One non-parallel source: every window subtask sees records and watermarks in source order, so which
        // records are late does not depend on parallelism. Every 10th record is 20 s behind: late for a 5 s bound.
        var events = Enumerable.Range(0, 2_000)
            .Select(i => new Ev($"k{i % 9}", i % 10 == 9 ? Math.Max(0, (i * 100L) - 20_000) : i * 100L, i)).ToList();

        async Task<(List<string>, List<string>, long)> Run(int parallelism)
        {
            var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = parallelism, Mode = mode, BatchSize = 16 }));
            var windows = env.FromCollection(events, WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(5)).WithTimestampAssigner(e => e.Ts))
                .KeyBy(e => e.Key)
                .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
                .SideOutputLateData(s_late)
                .Aggregate(new CountAggregate<Ev>(), (k, w, c) => $"{k}@{w.Start}={c}");
            var main = windows.Collect();
            var late = windows.GetSideOutput(s_late).Collect();
            var result = await env.ExecuteAsync().OrTimeout();
            return ([.. main.Items.Order()], [.. late.Items.Select(e => $"{e.Key}@{e.Ts}#{e.Value}").Order()], result.LateRecords);
        }

        var (main1, late1, count1) = await Run(1);
        var (main4, late4, count4) = await Run(4);
        late1.Count.ShouldBeGreaterThan(0);
        count1.ShouldBe(late1.Count);
        main4.ShouldBe(main1);
        late4.ShouldBe(late1);
        count4.ShouldBe(count1);
        // Nothing is lost: every record is either counted in a window or late.
        main1.Sum(s => long.Parse(s[(s.IndexOf('=') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(events.Count - late1.Count);
    }

    [Fact]
    public async Task DeterministicMode_SameJobTwice_SameOutputInSameOrder()
    {
        var events = Clicks(5, 1_000, "z");
        async Task<IReadOnlyList<string>> Run()
        {
            var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = 3, Mode = ExecutionMode.Deterministic, BatchSize = 8 }));
            var sink = env.FromCollection(events, WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(5)).WithTimestampAssigner(e => e.Ts))
                .KeyBy(e => e.Key)
                .Window(SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1)))
                .Aggregate(new SumAggregate(), (k, w, sum) => $"{k}@{w.Start}={sum}")
                .Collect();
            await env.ExecuteAsync().OrTimeout();
            return sink.Items;
        }

        var first = await Run();
        var second = await Run();
        first.Count.ShouldBeGreaterThan(0);
        second.ShouldBe(first);
    }

    private sealed class OddToSide : ProcessFunction<Ev, Ev>
    {
        public override void ProcessElement(Ev value, ProcessContext context, ICollector<Ev> output)
        {
            if (value.Value % 2 == 1)
            {
                context.Output(s_odd, $"odd {value.Key} {value.Value}");
            }
            else
            {
                output.Collect(value);
            }
        }
    }

    public sealed class Heap : ParallelismEquivalenceTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : ParallelismEquivalenceTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
