using System.Collections.Concurrent;
using Sluice.Formats;
using Sluice.Sinks;
using Sluice.Windowing;

namespace Sluice.Connectors.Kafka.Tests;

public sealed class KafkaRebalanceTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    [Fact]
    public async Task TwoJobInstances_SameGroup_SplitPartitionsAndReadEveryRecordOnce()
    {
        var topic = kafka.NewTopic(4);
        var group = kafka.NewGroup();
        var changed = new Condition();
        var seen = new ConcurrentQueue<(string Instance, string Value)>();
        var first = Start("a", topic, group, changed, seen, out var sourceA);
        try
        {
            changed.WaitUntil(() => Owned(sourceA) == 4, "instance a to own all 4 partitions");
            kafka.ProduceText(topic, Enumerable.Range(0, 200).Select(i => ((string?)$"k{i}", $"v{i}", (int?)null, (long?)null)));
            changed.WaitUntil(() => seen.Count >= 200, "instance a to read the first 200 records");
            // Stands in for "checkpoint complete" (issue 4): commits a's positions, where b continues. (Commits from
            // the revocation callback are refused by the mock coordinator during the rebalance; see the docs.)
            sourceA.Readers.Single().CommitOffsets();

            var second = Start("b", topic, group, changed, seen, out var sourceB);
            try
            {
                changed.WaitUntil(() => Owned(sourceA) > 0 && Owned(sourceB) > 0 && Owned(sourceA) + Owned(sourceB) == 4, "the group to split the partitions between a and b");
                kafka.ProduceText(topic, Enumerable.Range(200, 200).Select(i => ((string?)$"k{i}", $"v{i}", (int?)null, (long?)null)));
                changed.WaitUntil(() => seen.Count >= 400, "both instances to read the next 200 records");

                seen.Select(s => s.Value).Order().ShouldBe(Enumerable.Range(0, 400).Select(i => $"v{i}").Order());
                seen.Where(s => s.Instance == "b").ShouldNotBeEmpty();
                seen.Skip(200).Where(s => s.Instance == "a").ShouldNotBeEmpty();
            }
            finally
            {
                await Stop(second);
            }
        }
        finally
        {
            await Stop(first);
        }
    }

    [Fact]
    public async Task TwoJobInstances_PartitionsOwnedElsewhere_DoNotHoldBackTheWatermark()
    {
        // Each instance owns 2 of the 4 slots; without idleness in the strategy, the slots it does not own must be
        // finished, or its event-time windows would never fire while the job runs.
        var topic = kafka.NewTopic(4);
        var group = kafka.NewGroup();
        var changed = new Condition();
        var windows = new ConcurrentQueue<(string Instance, string Key, long End)>();
        var a = StartWindowed("a", topic, group, changed, windows, out var sourceA);
        var b = StartWindowed("b", topic, group, changed, windows, out var sourceB);
        try
        {
            changed.WaitUntil(() => Owned(sourceA) == 2 && Owned(sourceB) == 2, "the group to give each instance 2 partitions");
            // Per partition: two records in window [0, 10 s), then one at 20 s that moves the partition's watermark past it.
            var records = new List<(string?, string, int?, long?)>();
            for (var p = 0; p < 4; p++)
            {
                records.Add(($"p{p}", "x", p, 1_000));
                records.Add(($"p{p}", "y", p, 2_000));
                records.Add(($"p{p}", "z", p, 20_000));
            }
            kafka.ProduceText(topic, records);

            changed.WaitUntil(() => windows.Count >= 4, "both instances to fire the [0, 10 s) window of every partition");

            windows.Select(w => w.End).ShouldAllBe(end => end == 10_000);
            windows.Select(w => w.Instance).Distinct().Order().ShouldBe(["a", "b"]);
        }
        finally
        {
            await Stop(b);
            await Stop(a);
        }
    }

    private JobClient StartWindowed(string instance, string topic, string group, Condition changed, ConcurrentQueue<(string, string, long)> windows, out KafkaSource<ConsumedMessage<string>> source)
    {
        var env = StreamEnvironment.Create(new JobOptions { JobName = $"windowed-{instance}" });
        source = new KafkaSource<ConsumedMessage<string>>(kafka.Connection, new KafkaSourceOptions { Topics = [topic], GroupId = group },
            MessageDeserializers.WithMetadata(MessageDeserializers.Utf8String()));
        source.AssignmentChanged += _ => changed.Signal();
        env.FromSource(source, WatermarkStrategy<ConsumedMessage<string>>.ForMonotonousTimestamps())
            .KeyBy(r => r.Partition)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)))
            .Reduce((x, _) => x, (partition, window, _) => ($"p{partition}", window.End))
            .SinkTo(new CallbackSink<(string Key, long End)>(w =>
            {
                windows.Enqueue((instance, w.Key, w.End));
                changed.Signal();
            }));
        return env.Start();
    }

    private static int Owned(KafkaSource<ConsumedMessage<string>> source) => source.Readers.Sum(r => r.Assignment.Count);

    private static async Task Stop(JobClient job)
    {
        job.Cancel();
        var e = await Should.ThrowAsync<Exception>(job.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        e.ShouldBeAssignableTo<OperationCanceledException>(e.ToString());
    }

    private static int Owned(KafkaSource<string> source) => source.Readers.Sum(r => r.Assignment.Count);

    private JobClient Start(string instance, string topic, string group, Condition changed, ConcurrentQueue<(string, string)> seen, out KafkaSource<string> source)
    {
        var env = StreamEnvironment.Create(new JobOptions { JobName = $"instance-{instance}" });
        source = new KafkaSource<string>(kafka.Connection, new KafkaSourceOptions { Topics = [topic], GroupId = group }, MessageDeserializers.Utf8String());
        source.AssignmentChanged += _ => changed.Signal();
        env.FromSource(source).SinkTo(new CallbackSink<string>(v =>
        {
            seen.Enqueue((instance, v));
            changed.Signal();
        }));
        return env.Start();
    }
}
