using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Connectors.Log.Tests;

public class LogSourceWatermarkTests
{
    private static DataStream<Win> CountPerWindow(DataStream<Ev> stream, long sizeMs) =>
        stream.KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(sizeMs)))
            .Aggregate(new CountAggregate<Ev>(), (k, w, c) => new Win(k, w.Start, c));

    [Fact]
    public void PartitionFarAhead_WatermarkIsMinimumOverPartitions_NoRecordIsLate()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 2);
        temp.AppendTo("t", 0, Enumerable.Range(0, 1_000).Select(i => new Ev("slow", i, i)));
        temp.AppendTo("t", 1, Enumerable.Range(0, 1_000).Select(i => new Ev("fast", i, 1_000_000 + i)));

        using var driver = new JobTestDriver();
        var stream = driver.Environment.FromLog(temp.Log, "t", MessageDeserializers.Json<Ev>(),
            new LogSourceOptions { Bounded = true, MaxRecordsPerPoll = 10 },
            WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero));
        var sink = CountPerWindow(stream, 100).Collect();
        driver.RunToCompletion();

        driver.LateRecords.ShouldBe(0);
        sink.Items.Where(w => w.Key == "slow").ShouldBe(Enumerable.Range(0, 10).Select(i => new Win("slow", i * 100, 100)), ignoreOrder: true);
        sink.Items.Where(w => w.Key == "fast").Sum(w => w.Count).ShouldBe(1_000);
    }

    [Fact]
    public void IdlePartition_WithIdleness_StopsHoldingBackWindowsAfterTheTimeout()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 2);
        temp.AppendTo("t", 0, [new Ev("a", 1, 5), new Ev("a", 2, 15)]);

        using var driver = new JobTestDriver();
        var stream = driver.Environment.FromLog(temp.Log, "t", MessageDeserializers.Json<Ev>(), watermarks:
            WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero).WithIdleness(TimeSpan.FromMilliseconds(100)));
        var sink = CountPerWindow(stream, 10).Collect();

        driver.RunUntilIdle();
        sink.Items.ShouldBeEmpty(); // partition 1 has no records: it holds the watermark back
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(60));
        temp.AppendTo("t", 0, [new Ev("a", 3, 16)]); // partition 0 stays active
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(39));
        sink.Items.ShouldBeEmpty();
        driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1)); // partition 1 idle for 100 ms: watermark = 15
        sink.Items.ShouldBe([new Win("a", 0, 1)]);
    }

    [Fact]
    public void IdlePartition_WithoutIdleness_HoldsBackWindows()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 2);
        temp.AppendTo("t", 0, [new Ev("a", 1, 5), new Ev("a", 2, 15)]);

        using var driver = new JobTestDriver();
        var stream = driver.Environment.FromLog(temp.Log, "t", MessageDeserializers.Json<Ev>(), watermarks:
            WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero));
        var sink = CountPerWindow(stream, 10).Collect();
        driver.AdvanceProcessingTime(TimeSpan.FromSeconds(10));
        sink.Items.ShouldBeEmpty();

        temp.AppendTo("t", 1, [new Ev("b", 3, 12)]);
        driver.RunUntilIdle();
        sink.Items.ShouldBe([new Win("a", 0, 1)]);
    }

    [Fact]
    public async Task Unbounded_MoreSubtasksThanPartitions_EmptySubtasksDoNotHoldBackWindows()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 4);
        for (int p = 0; p < 4; p++)
        {
            temp.AppendTo("t", p, [new Ev($"p{p}", 0, 10), new Ev($"p{p}", 1, 20), new Ev($"p{p}", 2, 1_000)]);
        }

        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 6 });
        var stream = env.FromLog(temp.Log, "t", MessageDeserializers.Json<Ev>(), watermarks: WatermarkStrategy<Ev>.ForBoundedOutOfOrderness(TimeSpan.Zero));
        var sink = new SignalingSink<Win>();
        CountPerWindow(stream, 100).SinkTo(sink);
        var client = env.Start();
        try
        {
            // Fires only if the watermark passes 100 while the job runs, i.e. subtasks 4 and 5 (no partitions) do not hold it back.
            sink.WaitForCount(4);
            sink.Items.ShouldBe(Enumerable.Range(0, 4).Select(p => new Win($"p{p}", 0, 2)), ignoreOrder: true);
        }
        finally
        {
            client.Stop(drain: true);
        }
        await client.Completion.OrTimeout();
        sink.Items.Count.ShouldBe(8);
    }
}
