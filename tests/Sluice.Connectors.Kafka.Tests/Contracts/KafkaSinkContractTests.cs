using System.Globalization;
using System.Text;
using Sluice.Formats;
using Sluice.Sinks;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Connectors.Kafka.Tests.Contracts;

/// <summary>
/// The two-phase sink contract for the exactly-once <see cref="KafkaSink{T}"/> on the librdkafka mock cluster. The
/// mock shows aborted and open transactional records to every consumer, so this fixture declares
/// <see cref="ReadsOnlyCommitted"/> false: the suite asserts no loss and duplicates only from aborted transactions
/// (the transaction counters are pinned by <see cref="KafkaExactlyOnceSinkTests"/>). A new process cannot commit an
/// earlier process's prepared transaction (docs/connectors/kafka.md, "the one window").
/// </summary>
public sealed class KafkaSinkContractTests(KafkaTestCluster kafka) : TwoPhaseSinkContractTests<long>, IClassFixture<KafkaTestCluster>
{
    private const int Partitions = 2;
    private readonly string _topic = kafka.NewTopic(Partitions);

    protected override bool ReadsOnlyCommitted => false;

    protected override bool CommitsPreparedTransactionsOfAnEarlierProcess => false;

    protected override ITwoPhaseSink<long> CreateSink() =>
        new KafkaSink<long>(kafka.Connection,
            new KafkaSinkOptions { Topic = _topic, DeliveryGuarantee = KafkaDeliveryGuarantee.ExactlyOnce, TransactionalIdPrefix = $"{_topic}-tx" },
            MessageSerializers.Create<long>(v => Encoding.UTF8.GetBytes(v.ToString(CultureInfo.InvariantCulture)), v => [(byte)(v % 7)]));

    protected override long ToRecord(long value) => value;

    protected override IReadOnlyList<long> ReadCommitted() =>
        [.. kafka.ReadAll(_topic, Partitions).Select(r => long.Parse(Encoding.UTF8.GetString(r.Message.Value!), CultureInfo.InvariantCulture))];
}
