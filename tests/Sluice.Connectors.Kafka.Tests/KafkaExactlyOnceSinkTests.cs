using System.Globalization;
using System.Text;
using Sluice.Checkpoints;
using Sluice.Formats;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>
/// The exactly-once <see cref="KafkaSink{T}"/> driven by checkpoints: one transaction per checkpoint and subtask,
/// committed when the checkpoint completes; restarts abort what was open. The mock cluster shows aborted records to
/// every consumer, so these tests assert the transaction protocol (counts, which records could be duplicated) rather
/// than what a read-committed consumer sees (docs/connectors/kafka.md, "What is verified where").
/// </summary>
public sealed class KafkaExactlyOnceSinkTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>, IDisposable
{
    private const int Count = 100;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-kafka-eos-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static KafkaSinkOptions ExactlyOnce(string topic) =>
        new() { Topic = topic, DeliveryGuarantee = KafkaDeliveryGuarantee.ExactlyOnce, TransactionalIdPrefix = $"{topic}-tx" };

    private static IMessageSerializer<long> Serializer =>
        MessageSerializers.Create<long>(v => Encoding.UTF8.GetBytes(v.ToString(CultureInfo.InvariantCulture)), v => [(byte)(v % 7)]);

    private List<long> Written(string topic) =>
        kafka.ReadAll(topic, 2).Select(r => long.Parse(Encoding.UTF8.GetString(r.Message.Value!), CultureInfo.InvariantCulture)).ToList();

    private JobOptions Options(RestartStrategy? restart = null) => new()
    {
        Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)),
        Restart = restart ?? RestartStrategy.None,
    };

    [Fact]
    public async Task Checkpoints_EachCommitsTheTransactionOfTheRecordsBeforeItsBarrier_WhenItCompletes()
    {
        var topic = kafka.NewTopic(2);
        var source = new PausableRangeSource(Count) { PauseAt = 40 };
        var env = StreamEnvironment.Create(Options());
        var sink = new KafkaSink<long>(kafka.Connection, ExactlyOnce(topic), Serializer);
        env.FromSource(source).Uid("range").SinkTo(sink).Uid("sink");
        var client = env.Start();
        var completed = new SemaphoreSlim(0);
        client.CheckpointCompleted += _ => completed.Release();
        var arrived = new Condition();

        source.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        arrived.WaitUntil(() => Written(topic).Count == 40, "the first 40 records to reach the cluster");
        sink.CommittedTransactions.ShouldBe(0, "records before the first barrier wait in an open transaction");

        client.TriggerCheckpoint().ShouldBeGreaterThan(0);
        (await completed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
        sink.CommittedTransactions.ShouldBe(1);

        source.AdvanceTo(70);
        arrived.WaitUntil(() => Written(topic).Count == 70, "records 40..69 to reach the cluster");
        sink.CommittedTransactions.ShouldBe(1, "records after the barrier belong to the next checkpoint's transaction");
        client.TriggerCheckpoint().ShouldBeGreaterThan(0);
        (await completed.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
        sink.CommittedTransactions.ShouldBe(2);

        source.PauseAt = long.MaxValue;
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        sink.CommittedTransactions.ShouldBe(3, "the final checkpoint at the end of input commits the rest");
        sink.AbortedTransactions.ShouldBe(0);
        Written(topic).Order().ShouldBe(Enumerable.Range(0, Count).Select(i => (long)i));
    }

    [Fact]
    public async Task TaskFailure_AbortsTheOpenTransaction_AndTheRestartWritesEveryRecordOnce_DuplicatesOnlyInTheAbortedOne()
    {
        var topic = kafka.NewTopic(2);
        var source = new PausableRangeSource(Count) { PauseAt = 40 };
        var env = StreamEnvironment.Create(Options(RestartStrategy.FixedDelay(1, TimeSpan.Zero)));
        var sink = new KafkaSink<long>(kafka.Connection, ExactlyOnce(topic), Serializer);
        var failed = 0;
        env.FromSource(source).Uid("range")
            .Map(v => v == 70 && Interlocked.Exchange(ref failed, 1) == 0 ? throw new InvalidOperationException("injected failure at 70") : v).Uid("map")
            .SinkTo(sink).Uid("sink");

        var client = await source.StartAndCheckpointAtPauseAsync(env);
        source.AdvanceTo(70);
        new Condition().WaitUntil(() => Written(topic).Count == 70, "records 40..69 to reach the cluster in checkpoint 2's transaction");
        source.PauseAt = long.MaxValue;
        var result = await client.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        result.Restarts.ShouldBe(1);
        sink.AbortedTransactions.ShouldBe(1, "the transaction open at the failure (records 40..69) is aborted");
        sink.CommittedTransactions.ShouldBe(2, "checkpoint 1 and the final checkpoint");
        var written = Written(topic);
        written.Distinct().Order().ShouldBe(Enumerable.Range(0, Count).Select(i => (long)i));
        // The mock keeps aborted records visible: only the aborted transaction's records may appear twice.
        written.GroupBy(v => v).Where(g => g.Count() > 1).Select(g => g.Key).Order().ShouldBe(Enumerable.Range(40, 30).Select(i => (long)i));
    }

    [Fact]
    public async Task RestoreInANewJob_FencesTheEarlierJobsTransactions_AndContinuesAfterTheCheckpoint()
    {
        var topic = kafka.NewTopic(2);
        var source1 = new PausableRangeSource(Count) { PauseAt = 40 };
        var env1 = StreamEnvironment.Create(Options());
        var sink1 = new KafkaSink<long>(kafka.Connection, ExactlyOnce(topic), Serializer);
        env1.FromSource(source1).Uid("range").SinkTo(sink1).Uid("sink");
        var run1 = await source1.StartAndCheckpointAtPauseAsync(env1);
        await PausableRangeSource.CrashAsync(run1);
        sink1.CommittedTransactions.ShouldBe(1);

        // A new sink object stands for a new process: it has no live producer for the restored transaction.
        var env2 = StreamEnvironment.Create(Options());
        var sink2 = new KafkaSink<long>(kafka.Connection, ExactlyOnce(topic), Serializer);
        env2.FromSource(new PausableRangeSource(Count)).Uid("range").SinkTo(sink2).Uid("sink");
        var result = await env2.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60));

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        sink2.TransactionsNotResumed.ShouldBe(1, "checkpoint 1's transaction belonged to the first job");
        sink2.CommittedTransactions.ShouldBe(1);
        Written(topic).Order().ShouldBe(Enumerable.Range(0, Count).Select(i => (long)i));
    }

    [Fact]
    public async Task Barrier_WhileTheBrokerRefusesRecords_FailsTheJobAndAbortsTheTransaction()
    {
        // Its own cluster: injected errors apply to every client of a cluster.
        using var cluster = new Testing.KafkaMockCluster(1);
        cluster.CreateTopic("refused", 1);
        var source = new PausableRangeSource(Count) { PauseAt = 10 };
        var env = StreamEnvironment.Create(Options());
        var sink = new KafkaSink<long>(new KafkaConnectionOptions { BootstrapServers = cluster.BootstrapServers }, ExactlyOnce("refused"), Serializer);
        env.FromSource(source).Uid("range").SinkTo(sink).Uid("sink");
        cluster.FailNextRequests(0, Confluent.Kafka.ErrorCode.TopicAuthorizationFailed, 50);
        var client = env.Start();
        source.Paused.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();

        client.TriggerCheckpoint().ShouldBeGreaterThan(0);
        var e = await Should.ThrowAsync<JobExecutionException>(client.Completion.WaitAsync(TimeSpan.FromSeconds(60)));

        e.ToString().ShouldContain("TopicAuthorizationFailed");
        sink.AbortedTransactions.ShouldBe(1, "a transaction that failed at the barrier is aborted, not left open to hold back the last stable offset");
        sink.CommittedTransactions.ShouldBe(0);
    }

    [Fact]
    public void Pool_TransactionAfterABarrier_UsesASecondProducerWhileTheFirstAwaitsItsCommit()
    {
        var topic = kafka.NewTopic(1);
        var pool = new KafkaTransactionPool("pool-a", (id, _) => new KafkaTransactionalWriter(kafka.Connection, id));
        pool.WriterOpened();

        var first = pool.Begin(subtask: 4);
        first.Writer.TransactionalId.ShouldBe("pool-a-4-0");
        first.Writer.Produce(topic, Text("a"));
        pool.Prepare(first, sequence: 1);
        var second = pool.Begin(subtask: 4);
        second.Writer.TransactionalId.ShouldBe("pool-a-4-1");
        second.Writer.Produce(topic, Text("b"));
        pool.Prepare(second, sequence: 2);
        var committable = pool.Committable(4);
        KafkaTransactionPool.DecodeCommittable(committable).ShouldBe([("pool-a-4-0", 1L), ("pool-a-4-1", 2L)]);

        pool.Commit(1, committable);
        pool.Committed.ShouldBe(1, "checkpoint 2's transaction waits for checkpoint 2");
        pool.AbortPending(restoredCheckpointId: 1);
        pool.Aborted.ShouldBe(1);
        pool.Commit(2, committable);
        pool.Committed.ShouldBe(1, "an aborted transaction is not committed by a replayed committable");

        var reused = pool.Begin(subtask: 4);
        reused.Writer.TransactionalId.ShouldBe("pool-a-4-0");
        pool.WriterClosed(reused);
    }

    [Fact]
    public void Pool_AbandonedCheckpoint_ItsTransactionIsCommittedWithTheNextOne()
    {
        var topic = kafka.NewTopic(1);
        var pool = new KafkaTransactionPool("pool-b", (id, _) => new KafkaTransactionalWriter(kafka.Connection, id));
        pool.WriterOpened();
        var abandoned = pool.Begin(0);
        abandoned.Writer.Produce(topic, Text("x"));
        pool.Prepare(abandoned, 5);
        var next = pool.Begin(0);
        next.Writer.Produce(topic, Text("y"));
        pool.Prepare(next, 6);

        pool.Commit(6, pool.Committable(0));

        pool.Committed.ShouldBe(2);
        pool.WriterClosed(null);
    }

    [Fact]
    public void Pool_RestoringACommittableOfAnEarlierProcess_FencesEachIdOnce()
    {
        var pool = new KafkaTransactionPool("pool-c", (id, _) => new KafkaTransactionalWriter(kafka.Connection, id));
        var committable = KafkaTransactionPool.EncodeCommittable([("pool-c-2-0", 3), ("pool-c-2-1", -1)]);
        var logs = new CollectingLoggerFactory();
        var job = JobId.New();
        pool.Open(new Sinks.CommitterContext("orders-out", "orders", job, logs));

        pool.AbortPending(restoredCheckpointId: 3);
        pool.Commit(3, committable);
        pool.Commit(3, committable);

        pool.FencedCount.ShouldBe(2);
        pool.TransactionsNotResumed.ShouldBe(1, "one prepared transaction, reported once");
        pool.Committed.ShouldBe(0);
        var warning = logs.WithEventId(2002).ShouldHaveSingleItem();
        (warning.Category, warning.Level).ShouldBe(("Sluice.Connectors.Kafka", Microsoft.Extensions.Logging.LogLevel.Warning));
        warning.Message.ShouldStartWith($"Kafka sink 'orders-out' of job 'orders' ({job}), subtask 2: transaction 'pool-c-2-0' (sequence 3) of restored checkpoint 3 ");
    }

    [Fact]
    public void Pool_SubtaskThatWroteNothing_ListsTheIdsItMayUse_AndOnlyARestoreFencesUnknownIds()
    {
        var writing = new KafkaTransactionPool("pool-d", (id, _) => new KafkaTransactionalWriter(kafka.Connection, id));
        writing.WriterOpened();
        var committable = writing.Committable(subtask: 5);
        KafkaTransactionPool.DecodeCommittable(committable).ShouldBe([("pool-d-5-0", -1L), ("pool-d-5-1", -1L)]);

        // The same job, running: its writers may be about to initialize these ids, so a commit must not fence them.
        writing.Commit(1, committable);
        writing.FencedCount.ShouldBe(0);

        // A new process restoring that checkpoint: the earlier process may have opened transactions with them since.
        var restoring = new KafkaTransactionPool("pool-d", (id, _) => new KafkaTransactionalWriter(kafka.Connection, id));
        restoring.AbortPending(restoredCheckpointId: 1);
        restoring.Commit(1, committable);
        restoring.FencedCount.ShouldBe(2);
        restoring.TransactionsNotResumed.ShouldBe(0, "nothing was prepared");
    }

    [Fact]
    public void Committable_Version1_IsPinned()
    {
        // version 1 · count (int32 LE) · per entry: id length (int32 LE), UTF-8 id, prepared checkpoint (int64 LE, -1 = none)
        byte[] golden =
        [
            1, 2, 0, 0, 0,
            5, 0, 0, 0, (byte)'t', (byte)'-', (byte)'3', (byte)'-', (byte)'0', 7, 0, 0, 0, 0, 0, 0, 0,
            1, 0, 0, 0, (byte)'u', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ];

        KafkaTransactionPool.EncodeCommittable([("t-3-0", 7), ("u", -1)]).ShouldBe(golden);
        KafkaTransactionPool.DecodeCommittable(golden).ShouldBe([("t-3-0", 7L), ("u", -1L)]);
        golden[0] = 2;
        Should.Throw<InvalidDataException>(() => KafkaTransactionPool.DecodeCommittable(golden)).Message.ShouldContain("version 2");
        Should.Throw<InvalidDataException>(() => KafkaTransactionPool.DecodeCommittable([1, 1, 0, 0, 0, 9, 0])).Message.ShouldContain("truncated");
    }

    private static Confluent.Kafka.Message<byte[]?, byte[]?> Text(string value) => new() { Value = Encoding.UTF8.GetBytes(value) };
}
