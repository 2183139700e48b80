using System.Globalization;
using Sluice.Formats;
using Sluice.Sources;
using Sluice.Tests.Shared.Contracts;

namespace Sluice.Connectors.Kafka.Tests.Contracts;

/// <summary>The source contract for <see cref="KafkaSource{T}"/> on the librdkafka mock cluster: a topic of two partitions, one split each.</summary>
public sealed class KafkaSourceContractTests(KafkaTestCluster kafka) : SourceContractTests, IClassFixture<KafkaTestCluster>
{
    private readonly string _topic = kafka.NewTopic(2);
    private readonly long[] _nextOffset = new long[2];

    protected override int SplitCount => 2;

    protected override void Append(int split, IReadOnlyList<long> values)
    {
        kafka.ProduceText(_topic, values.Select(v => ((string?)null, v.ToString(CultureInfo.InvariantCulture), (int?)split, (long?)null)));
        _nextOffset[split] += values.Count;
    }

    protected override string AppendMalformed(int split)
    {
        kafka.ProduceText(_topic, [(null, "{not json", split, null)]);
        return $"{_topic}/{split}/{_nextOffset[split]++}";
    }

    protected override string DeadLetterSource => "kafka:" + _topic;

    protected override ISource<long> CreateSource() =>
        new KafkaSource<long>(kafka.Connection,
            new KafkaSourceOptions { Topics = [_topic], GroupId = kafka.NewGroup(), StartingPosition = KafkaStartingPosition.Earliest, Bounded = true, MaxRecordsPerPoll = 7 },
            MessageDeserializers.Json<long>());
}
