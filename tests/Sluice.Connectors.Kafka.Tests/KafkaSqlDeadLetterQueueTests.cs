using System.Text;
using Confluent.Kafka;
using Sluice.Formats;
using Sluice.Sql.Session;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>
/// SQL jobs over 'kafka' tables: a record the source cannot decode and a row a CHECK constraint with ON VIOLATION DLQ
/// refuses both land in <c>&lt;source topic&gt;.dlq</c> in the cluster, in the one envelope. A table over several
/// topics has no dead-letter topic.
/// </summary>
public sealed class KafkaSqlDeadLetterQueueTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromMinutes(1);

    private SqlSession Session(string bids, string cheap, string group)
    {
        var session = SqlSession.Create(new SqlSessionOptions { Connectors = new ConnectorRegistry().AddAssembly(typeof(KafkaConnectorFactory).Assembly) });
        var properties = $"'properties.bootstrap.servers' = '{kafka.Cluster.BootstrapServers}', 'properties.session.timeout.ms' = '2000'";
        session.Execute($"""
            CREATE TABLE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'kafka', 'topic' = '{bids}', {properties},
              'properties.group.id' = '{group}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')
            """);
        session.Execute($"""
            CREATE TABLE cheap (auction BIGINT, price BIGINT,
              CONSTRAINT price_low CHECK (price < 100) ON VIOLATION DLQ
            ) WITH ('connector' = 'kafka', 'topic' = '{cheap}', {properties}, 'format' = 'json')
            """);
        return session;
    }

    [Fact]
    public async Task Insert_ParseAndCheckFailures_LandInSourceDotDlqInTheCluster()
    {
        var bids = kafka.NewTopic(1, "bids");
        var cheap = kafka.NewTopic(1, "cheap");
        kafka.ProduceText(bids,
        [
            (null, """{"auction":1,"price":10}""", 0, 100), (null, """{"auction":2,"price":500}""", 0, 101),
            ("k", "{oops", 0, 102), (null, """{"auction":3,"price":20}""", 0, 103),
        ]);
        kafka.Cluster.CreateTopic(bids + ".dlq", 1);
        var session = Session(bids, cheap, kafka.NewGroup());

        var job = session.Execute("INSERT INTO cheap SELECT auction, price FROM bids").ShouldHaveSingleItem().ShouldBeOfType<SqlJobResult>();
        await job.Job.Completion.WaitAsync(s_jobTimeout);

        kafka.ReadAll(cheap, 1).Select(r => Encoding.UTF8.GetString(r.Message.Value!)).ShouldBe(["""{"auction":1,"price":10}""", """{"auction":3,"price":20}"""]);
        string Header(Message<byte[]?, byte[]?> letter, string name) => Encoding.UTF8.GetString(letter.Headers.GetLastBytes(name));
        // The source's and the CHECK's letters reach the one dead-letter sink through a union: in either order.
        var letters = kafka.ReadAll(bids + ".dlq", 1, IsolationLevel.ReadCommitted).Select(r => r.Message)
            .OrderBy(l => Header(l, DeadLetterEnvelope.KindHeader), StringComparer.Ordinal).ToList();
        letters.Select(l => Header(l, DeadLetterEnvelope.KindHeader)).ShouldBe(["parse", "rule"]);
        letters.Select(l => (Header(l, DeadLetterEnvelope.OriginHeader), Header(l, DeadLetterEnvelope.OriginTopicHeader))).ShouldBe([("insert-into_cheap", bids), ("insert-into_cheap", bids)]);
        var parse = letters[0];
        (Encoding.UTF8.GetString(parse.Value!), Encoding.UTF8.GetString(parse.Key!), Header(parse, DeadLetterEnvelope.OriginOffsetHeader)).ShouldBe(("{oops", "k", "2"));
        (Header(letters[1], DeadLetterEnvelope.RuleHeader), Header(letters[1], DeadLetterEnvelope.FieldHeader)).ShouldBe(("price_low", "price"));
    }

    [Fact]
    public void DeadLetterTopic_OneTopic_IsBesideIt_SeveralTopics_None()
    {
        var factory = new KafkaConnectorFactory();
        ConnectorContext Context(string topic) => new("t", Sluice.Schemas.Schema.Parse("a INT"),
            Sluice.Configuration.ConfigOptions.Validate(Sluice.Configuration.OptionOwnerKind.Connector, "kafka", factory.Options,
                new Dictionary<string, string> { ["topic"] = topic, ["properties.bootstrap.servers"] = "localhost:1" }));

        factory.DeadLetterTopic(Context("orders")).ShouldBe("orders.dlq");
        factory.DeadLetterTopic(Context("orders;refunds")).ShouldBeNull();
    }

    [Fact]
    public void CreateDeadLetterSink_TwoTablesOverOneTopic_GetTheirOwnTransactionalIds()
    {
        var factory = new KafkaConnectorFactory();
        ConnectorContext Context(string table) => new(table, Sluice.Schemas.Schema.Parse("a INT"),
            Sluice.Configuration.ConfigOptions.Validate(Sluice.Configuration.OptionOwnerKind.Connector, "kafka", factory.Options,
                new Dictionary<string, string> { ["topic"] = "orders", ["properties.bootstrap.servers"] = kafka.Cluster.BootstrapServers }));
        var job = new JobOptions { JobName = "j", Checkpoints = Sluice.Checkpoints.CheckpointOptions.InDirectory(Path.GetTempPath(), TimeSpan.FromHours(1)) };

        var first = factory.CreateDeadLetterSink(Context("orders_a"), job).ShouldBeOfType<KafkaSink<DeadLetter>>();
        var second = factory.CreateDeadLetterSink(Context("orders_b"), job).ShouldBeOfType<KafkaSink<DeadLetter>>();

        // One prefix per table: equal prefixes would make the two sinks' producers fence each other's transactions.
        (first.Options.Topic, second.Options.Topic).ShouldBe(("orders.dlq", "orders.dlq"));
        first.Options.DeliveryGuarantee.ShouldBe(KafkaDeliveryGuarantee.ExactlyOnce);
        first.Options.TransactionalIdPrefix.ShouldBe("j/orders_a/orders.dlq");
        second.Options.TransactionalIdPrefix.ShouldBe("j/orders_b/orders.dlq");
    }
}
