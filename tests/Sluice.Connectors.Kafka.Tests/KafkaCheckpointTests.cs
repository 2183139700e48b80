using Sluice.Checkpoints;
using Sluice.Formats;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>The Kafka source's positions travel in checkpoints: a restored job resumes exactly at them.</summary>
public sealed class KafkaCheckpointTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-kafka-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static IEnumerable<(string?, string, int?, long?)> Texts(int from, int count, int partitions) =>
        Enumerable.Range(from, count).Select(i => ((string?)null, $"v{i}", (int?)(i % partitions), (long?)(1_000 + i)));

    [Fact]
    public async Task Restore_AfterCancel_ResumesAtTheCheckpointedOffsets()
    {
        var topic = kafka.NewTopic(3);
        var group = kafka.NewGroup();
        kafka.ProduceText(topic, Texts(0, 60, 3));

        // Run 1 (unbounded): read the 60 records, checkpoint, then crash.
        var all = new ManualResetEventSlim();
        var seen = 0;
        var env1 = StreamEnvironment.Create(new JobOptions { Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) });
        var source1 = new KafkaSource<string>(kafka.Connection,
            new KafkaSourceOptions { Topics = [topic], GroupId = group, StartingPosition = KafkaStartingPosition.Earliest }, MessageDeserializers.Utf8String());
        env1.FromSource(source1).Uid("kafka").ForEach(_ =>
        {
            if (Interlocked.Increment(ref seen) == 60)
            {
                all.Set();
            }
        }).Uid("count");
        var run1 = env1.Start();
        var checkpointed = new SemaphoreSlim(0);
        run1.CheckpointCompleted += _ => checkpointed.Release();
        all.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue("run 1 should read the first 60 records");
        run1.TriggerCheckpoint().ShouldBeGreaterThan(0);
        (await checkpointed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue("the checkpoint should complete");
        kafka.ProduceText(topic, Texts(60, 30, 3));
        run1.Cancel();
        await Should.ThrowAsync<OperationCanceledException>(() => run1.Completion.WaitAsync(TimeSpan.FromSeconds(30)));

        // Run 2 (bounded): its starting position says Latest, but the checkpoint's offsets win.
        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 2, Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) });
        var source2 = new KafkaSource<string>(kafka.Connection,
            new KafkaSourceOptions { Topics = [topic], GroupId = group, StartingPosition = KafkaStartingPosition.Latest, Bounded = true }, MessageDeserializers.Utf8String());
        var collect = env2.FromSource(source2).Uid("kafka").Collect();
        var result = await env2.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60));

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        collect.Items.Order(StringComparer.Ordinal).ShouldBe(Enumerable.Range(60, 30).Select(i => $"v{i}").Order(StringComparer.Ordinal));
    }
}
