using Sluice.Connectors.Kafka;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>Reading <c>consumer_lag</c> out of librdkafka's statistics JSON (no broker needed).</summary>
public sealed class KafkaConsumerLagTests
{
    // Trimmed from the shape librdkafka documents (STATISTICS.md): partition -1 is internal, -1 lag is unknown.
    private const string Statistics = """
        {
          "name": "rdkafka#consumer-1", "type": "consumer", "ts": 1234,
          "brokers": { "localhost:9092/1": { "name": "localhost:9092/1" } },
          "topics": {
            "clicks": {
              "topic": "clicks",
              "partitions": {
                "0": { "partition": 0, "hi_offset": 120, "committed_offset": 100, "consumer_lag": 20 },
                "1": { "partition": 1, "hi_offset": 50, "committed_offset": -1001, "consumer_lag": -1 },
                "-1": { "partition": -1, "consumer_lag": -1 }
              }
            },
            "orders": { "topic": "orders", "partitions": { "3": { "partition": 3, "consumer_lag": 0 } } }
          }
        }
        """;

    [Fact]
    public void Parse_StatisticsDocument_TakesEveryKnownPartitionLag()
    {
        var lags = KafkaConsumerLag.Parse(Statistics);

        lags.ShouldBe([new("clicks", 0, 20), new("orders", 3, 0)]);
    }

    [Fact]
    public void OnStatistics_MalformedDocument_KeepsTheLastFigures()
    {
        var lag = new KafkaConsumerLag("job", JobId.New(), "source", 0, "group");
        lag.OnStatistics(Statistics);

        lag.OnStatistics("{ not json");

        lag.Latest.Count.ShouldBe(2);
    }

    [Fact]
    public void Parse_NoTopicsYet_IsEmpty()
    {
        KafkaConsumerLag.Parse("""{ "name": "rdkafka#consumer-1", "topics": {} }""").ShouldBe([]);
    }
}
