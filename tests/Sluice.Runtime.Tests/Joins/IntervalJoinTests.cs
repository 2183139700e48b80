using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.Joins;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class IntervalJoinTests : BackendSuite
{
    private (JobTestDriver Driver, TestInput<Ev> Left, TestInput<Ev> Right, Sluice.Sinks.CollectSink<string> Sink) Build(long lowerMs, long upperMs)
    {
        var driver = new JobTestDriver(Options());
        var left = driver.CreateInput<Ev>(name: "Left");
        var right = driver.CreateInput<Ev>(name: "Right");
        var sink = left.Stream.KeyBy(e => e.Key)
            .IntervalJoin(right.Stream.KeyBy(e => e.Key))
            .Between(TimeSpan.FromMilliseconds(lowerMs), TimeSpan.FromMilliseconds(upperMs))
            .Process((l, r) => $"{l.Key}:{l.Ts}-{r.Ts}")
            .Collect();
        return (driver, left, right, sink);
    }

    /// <summary>Independent model: every same-key pair with l + lower ≤ r ≤ l + upper, timestamp max(l, r).</summary>
    private static List<(string, long)> Model(IEnumerable<Ev> left, IEnumerable<Ev> right, long lower, long upper) =>
        [.. (from l in left
             from r in right
             where l.Key == r.Key && r.Ts >= l.Ts + lower && r.Ts <= l.Ts + upper
             select ($"{l.Key}:{l.Ts}-{r.Ts}", Math.Max(l.Ts, r.Ts))).Order()];

    [Fact]
    public void Join_BoundsAreInclusive_AndOutputCarriesMaxTimestamp()
    {
        var (driver, left, right, sink) = Build(-3, 3);
        using (driver)
        {
            left.Push(new Ev("a", 10), 10);
            foreach (var t in new long[] { 6, 7, 10, 13, 14 })
            {
                right.Push(new Ev("a", t), t);
            }
            right.Push(new Ev("b", 10), 10);
            driver.RunUntilIdle();
            sink.TimestampedItems.Order().ToList().ShouldBe([("a:10-10", 10L), ("a:10-13", 13L), ("a:10-7", 10L)]);
        }
    }

    [Fact]
    public void Join_RightArrivesBeforeLeft_StillJoins()
    {
        var (driver, left, right, sink) = Build(0, 5);
        using (driver)
        {
            right.Push(new Ev("a", 12), 12).Push(new Ev("a", 16), 16);
            driver.RunUntilIdle();
            left.Push(new Ev("a", 10), 10).Push(new Ev("a", 11), 11);
            driver.RunUntilIdle();
            sink.TimestampedItems.Order().ToList().ShouldBe([("a:10-12", 12L), ("a:11-12", 12L), ("a:11-16", 16L)]);
        }
    }

    [Fact]
    public void Join_NegativeBounds_JoinOnlyEarlierRightRecords()
    {
        var (driver, left, right, sink) = Build(-5, -2);
        using (driver)
        {
            left.Push(new Ev("a", 10), 10);
            foreach (var t in new long[] { 4, 5, 8, 9, 10 })
            {
                right.Push(new Ev("a", t), t);
            }
            driver.RunUntilIdle();
            sink.TimestampedItems.Order().ToList().ShouldBe([("a:10-5", 10L), ("a:10-8", 10L)]);
        }
    }

    [Fact]
    public void Join_PositiveBounds_JoinOnlyLaterRightRecords()
    {
        var (driver, left, right, sink) = Build(2, 4);
        using (driver)
        {
            foreach (var t in new long[] { 11, 12, 14, 15 })
            {
                right.Push(new Ev("a", t), t);
            }
            left.Push(new Ev("a", 10), 10);
            driver.RunUntilIdle();
            sink.TimestampedItems.Order().ToList().ShouldBe([("a:10-12", 12L), ("a:10-14", 14L)]);
        }
    }

    [Theory]
    [InlineData(-7, 4)]
    [InlineData(-9, -3)]
    [InlineData(0, 0)]
    [InlineData(3, 11)]
    public void Join_RandomInputWithWatermarks_MatchesModelAndCleansUpState(long lower, long upper)
    {
        var random = new Random((int)(lower * 31 + upper));
        var (driver, left, right, sink) = Build(lower, upper);
        var lefts = new List<Ev>();
        var rights = new List<Ev>();
        using (driver)
        {
            var time = 100L;
            for (var i = 0; i < 400; i++)
            {
                time += random.Next(0, 3);
                // Out of order by at most 5 ms; watermarks trail the max by 6 so no record is late.
                var e = new Ev($"k{random.Next(3)}", time - random.Next(0, 6));
                if (random.Next(2) == 0)
                {
                    lefts.Add(e);
                    left.Push(e, e.Ts);
                }
                else
                {
                    rights.Add(e);
                    right.Push(e, e.Ts);
                }
                if (i % 10 == 0)
                {
                    left.PushWatermark(time - 6);
                    right.PushWatermark(time - 6);
                }
            }
            driver.RunUntilIdle();
            sink.TimestampedItems.Order().ToList().ShouldBe(Model(lefts, rights, lower, upper));

            left.PushWatermark(time + 1_000);
            right.PushWatermark(time + 1_000);
            driver.RunUntilIdle();
            driver.KeyedStateSize().ShouldBe((0, 0));
        }
    }

    [Fact]
    public void Join_AfterWatermarkPassesInterval_BufferedRecordsAreDropped()
    {
        var (driver, left, right, sink) = Build(-2, 3);
        using (driver)
        {
            left.Push(new Ev("a", 10), 10);
            right.Push(new Ev("a", 20), 20);
            driver.RunUntilIdle();
            driver.KeyedStateSize().StateEntries.ShouldBeGreaterThan(0);
            // Left at 10 can match rights up to 13; right at 20 can match lefts down to 17 (t' - upper).
            left.PushWatermark(25);
            right.PushWatermark(25);
            driver.RunUntilIdle();
            driver.KeyedStateSize().ShouldBe((0, 0));
            sink.Count.ShouldBe(0);
        }
    }

    [Fact]
    public async Task Join_AtParallelism4_MatchesModel()
    {
        var lefts = Enumerable.Range(0, 300).Select(i => new Ev($"k{i % 11}", i * 3L)).ToList();
        var rights = Enumerable.Range(0, 300).Select(i => new Ev($"k{i % 7}", i * 2L + 1)).ToList();
        var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = 4, BatchSize = 16 }));
        var strategy = WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(10)).WithTimestampAssigner(e => e.Ts);
        var sink = env.FromCollection(lefts, strategy).KeyBy(e => e.Key)
            .IntervalJoin(env.FromCollection(rights, strategy).KeyBy(e => e.Key))
            .Between(TimeSpan.FromMilliseconds(-20), TimeSpan.FromMilliseconds(15))
            .Process((l, r) => $"{l.Key}:{l.Ts}-{r.Ts}")
            .Collect();
        await env.ExecuteAsync().OrTimeout();
        sink.TimestampedItems.Order().ToList().ShouldBe(Model(lefts, rights, -20, 15));
    }

    public sealed class Heap : IntervalJoinTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : IntervalJoinTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
