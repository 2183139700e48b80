using System.Globalization;
using Confluent.Kafka;
using Sluice.Formats;
using Sluice.Sources;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>
/// Closing a reader's consumer while another thread commits: librdkafka aborts the whole process
/// (<c>rd_kafka_cgrp_terminated: assert: !rd_kafka_assignment_in_progress</c>) when a commit reaches the group after
/// the close has finished its last assignment step, and a commit sent during the close may never return. The reader
/// lets no commit run alongside the close.
/// </summary>
/// <remarks>
/// Before the fix a run of 200 rounds never got through (it aborted or hung within a few dozen rounds); the suite runs
/// a few rounds to stay fast; set <c>SLUICE_KAFKA_CLOSE_STRESS</c> to a round count to stress it (docs/connectors/kafka.md).
/// </remarks>
public sealed class KafkaSourceCloseTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private static int Rounds =>
        int.TryParse(Environment.GetEnvironmentVariable("SLUICE_KAFKA_CLOSE_STRESS"), NumberStyles.None, CultureInfo.InvariantCulture, out var rounds) && rounds > 0 ? rounds : 3;

    [Fact]
    public void Dispose_WhileAnotherThreadCommits_ClosesTheConsumerAndRefusesLaterCommits()
    {
        for (var round = 0; round < Rounds; round++)
        {
            DisposeWhileCommitting(round);
        }
    }

    private void DisposeWhileCommitting(int round)
    {
        var topic = kafka.NewTopic(4);
        var source = new KafkaSource<string>(kafka.Connection, new KafkaSourceOptions { Topics = [topic], GroupId = kafka.NewGroup() }, MessageDeserializers.Utf8String());
        var changed = new Condition();
        source.AssignmentChanged += _ => changed.Signal();
        var reader = (KafkaSourceReader<string>)source.CreateReader(new SourceReaderContext(0, 1, TimeProvider.System, static () => { }, 64));
        List<TopicPartitionOffset> offsets = [.. Enumerable.Range(0, 4).Select(p => new TopicPartitionOffset(topic, p, 0))];
        changed.WaitUntil(() => reader.Assignment.Count == 4, $"round {round}: the reader to own all 4 partitions");

        var committed = 0;
        Exception? unexpected = null;
        var committer = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    try
                    {
                        reader.CommitOffsets(offsets);
                        Interlocked.Increment(ref committed);
                        changed.Signal();
                    }
                    catch (KafkaSourceException)
                    {
                        // The group refused this one (e.g. it is leaving); the next attempt decides.
                    }
                }
            }
            catch (ObjectDisposedException)
            {
                // The reader is closing or closed: the end of this thread's work.
            }
            catch (Exception e)
            {
                unexpected = e;
            }
        })
        { IsBackground = true, Name = $"committer-{round}" };
        committer.Start();
        changed.WaitUntil(() => Volatile.Read(ref committed) > 0 || !committer.IsAlive, $"round {round}: the first commit");

        reader.Dispose();

        committer.Join(s_timeout).ShouldBeTrue($"round {round}: a commit racing Dispose must return, not hang");
        unexpected.ShouldBeNull($"round {round}: the committer failed: {unexpected}");
        committed.ShouldBeGreaterThan(0, $"round {round}: commits must succeed while the reader is open");
        Should.Throw<ObjectDisposedException>(() => reader.CommitOffsets(offsets), $"round {round}: a commit after Dispose");
        reader.GetPositions().ShouldBeEmpty($"round {round}: the reader handed nothing to the engine");
    }
}
