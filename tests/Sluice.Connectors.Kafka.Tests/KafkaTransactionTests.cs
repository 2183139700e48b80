using System.Text;
using Confluent.Kafka;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>
/// The transactional flow against the mock cluster. The mock accepts every transactional call and fences older
/// producer epochs, but it neither hides aborted records from read-committed consumers nor stores offsets sent in a
/// transaction: those two properties need a real cluster (docs/connectors/kafka.md).
/// </summary>
public sealed class KafkaTransactionTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static Message<byte[]?, byte[]?> Text(string value) => new() { Key = null, Value = Encoding.UTF8.GetBytes(value) };

    [Fact]
    public void Flow_InitBeginProduceSendOffsetsPreCommitCommitThenAbort_Succeeds()
    {
        var topic = kafka.NewTopic(2);
        var group = kafka.NewGroup();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.Cluster.BootstrapServers, GroupId = group }).Build();
        using var writer = new KafkaTransactionalWriter(kafka.Connection, $"{topic}-sink-3");
        writer.TransactionalId.ShouldBe($"{topic}-sink-3");

        writer.InitTransactions();
        writer.BeginTransaction();
        writer.InTransaction.ShouldBeTrue();
        writer.Produce(topic, Text("committed-1"));
        writer.Produce(topic, Text("committed-2"));
        writer.SendOffsets([new TopicPartitionOffset(topic, 0, 42)], consumer.ConsumerGroupMetadata);
        writer.PreCommit(checkpointId: 7);
        writer.PendingCheckpointId.ShouldBe(7);
        writer.Commit();
        writer.InTransaction.ShouldBeFalse();
        writer.PendingCheckpointId.ShouldBeNull();

        writer.BeginTransaction();
        writer.Produce(topic, Text("aborted"));
        writer.PreCommit(checkpointId: 8);
        writer.Abort();
        writer.InTransaction.ShouldBeFalse();

        // Read-uncommitted sees all three; a real cluster hides "aborted" from read-committed consumers.
        kafka.ReadAll(topic, 2).Select(r => Encoding.UTF8.GetString(r.Message.Value!)).Order().ShouldBe(["aborted", "committed-1", "committed-2"]);
    }

    [Fact]
    public void Restart_SameTransactionalId_NewWriterInitializesAndTheFencedOldOneRaises()
    {
        // The mock hands every InitProducerId a new producer id instead of bumping the epoch of the transactional id,
        // so it never fences by itself: the test injects the coordinator's PRODUCER_FENCED answer to the old writer's
        // EndTxn. A real cluster is needed to see the epoch bump fence the old writer and abort its transaction.
        using var cluster = new Testing.KafkaMockCluster(1);
        cluster.CreateTopic("out", 1);
        var connection = new KafkaConnectionOptions { BootstrapServers = cluster.BootstrapServers };
        using var old = new KafkaTransactionalWriter(connection, "job-sink-0");
        old.InitTransactions();
        old.BeginTransaction();
        old.Produce("out", Text("from-old"));
        old.PreCommit(1);

        using var restarted = new KafkaTransactionalWriter(connection, "job-sink-0");
        restarted.TransactionalId.ShouldBe(old.TransactionalId);
        restarted.InitTransactions();
        cluster.FailNextRequests(EndTxnApiKey, ErrorCode.ProducerFenced);

        var e = Should.Throw<KafkaSinkException>(old.Commit);
        old.IsFenced.ShouldBeTrue(e.ToString());
        e.Message.ShouldContain("job-sink-0");
        e.Message.ShouldContain("took over");
        restarted.BeginTransaction();
        restarted.Produce("out", Text("from-new"));
        restarted.PreCommit(2);
        restarted.Commit();
    }

    private const short EndTxnApiKey = 26;

    [Fact]
    public void BeginTransaction_BeforeInit_ThrowsWithTheFix()
    {
        using var writer = new KafkaTransactionalWriter(kafka.Connection, "never-initialized");

        Should.Throw<InvalidOperationException>(writer.BeginTransaction).Message.ShouldContain("InitTransactions");
    }
}
