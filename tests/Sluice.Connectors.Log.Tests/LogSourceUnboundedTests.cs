using Sluice.Connectors.Log.Tests.Support;
using Sluice.Formats;

namespace Sluice.Connectors.Log.Tests;

public class LogSourceUnboundedTests
{
    [Fact]
    public async Task UnboundedSource_RecordsAppendedWhileRunning_AreDelivered_ThenStopDrains()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 4);
        temp.Produce("t", Enumerable.Range(0, 100).Select(i => new Ev($"k{i % 7}", i, i)));

        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        var sink = new SignalingSink<Ev>();
        env.FromLog(temp.Log, "t", MessageDeserializers.Json<Ev>()).SinkTo(sink);
        var client = env.Start();
        try
        {
            sink.WaitForCount(100);
            temp.Produce("t", Enumerable.Range(100, 50).Select(i => new Ev($"k{i % 7}", i, i)));
            sink.WaitForCount(150);
            temp.Produce("t", [new Ev("late", 150, 150)]);
            sink.WaitForCount(151);
        }
        finally
        {
            client.Stop(drain: true);
        }
        await client.Completion.OrTimeout();
        sink.Items.Select(e => e.Seq).Order().ShouldBe(Enumerable.Range(0, 151));
    }

    [Fact]
    public async Task UnboundedSource_WithConsumerGroup_CommitsPositionsWhenStopped()
    {
        using var temp = new TempLog();
        temp.CreateTopic("t", 3);
        temp.Produce("t", Enumerable.Range(0, 60).Select(i => new Ev($"k{i % 5}", i, i)));

        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 3 });
        var sink = new SignalingSink<Ev>();
        env.FromLog(temp.Log, "t", MessageDeserializers.Json<Ev>(), new LogSourceOptions { ConsumerGroup = "lag-tool" }).SinkTo(sink);
        var client = env.Start();
        try
        {
            sink.WaitForCount(60);
        }
        finally
        {
            client.Stop(drain: true);
        }
        await client.Completion.OrTimeout();
        var lag = temp.Log.DescribeGroup("lag-tool");
        lag.Count.ShouldBe(3);
        lag.ShouldAllBe(p => p.Lag == 0 && p.Committed == p.EndOffset);
    }
}
