using Sluice.Formats;

namespace Sluice.Connectors.Kafka.Tests;

/// <summary>The Kafka source and sink name their topics for lineage as <c>kafka://{first broker}</c> / topic, without the broker's user info.</summary>
public sealed class KafkaLineageTests
{
    private static readonly KafkaConnectionOptions s_connection = new() { BootstrapServers = "SASL_SSL://alice:s3cret@Broker-1.Example:9093, broker-2.example:9093" };

    [Fact]
    public void GetLineageDatasets_SourceOfTwoTopics_NamesEachOnTheFirstBrokerWithoutUserInfo()
    {
        var source = new KafkaSource<string>(s_connection, new KafkaSourceOptions { Topics = ["orders", "refunds"], GroupId = "g" }, MessageDeserializers.Utf8String());

        var datasets = source.GetLineageDatasets();

        datasets.Select(d => (d.Namespace, d.Name)).ShouldBe([("kafka://broker-1.example:9093", "orders"), ("kafka://broker-1.example:9093", "refunds")]);
        datasets.ShouldAllBe(d => !d.Namespace.Contains("alice") && !d.Namespace.Contains("s3cret"));
    }

    [Fact]
    public void GetLineageDatasets_SourceOfATopicPattern_NamesNothing()
    {
        var source = new KafkaSource<string>(s_connection, new KafkaSourceOptions { TopicPattern = "orders-.*", GroupId = "g" }, MessageDeserializers.Utf8String());

        source.GetLineageDatasets().ShouldBeEmpty();
    }

    [Fact]
    public void GetLineageDatasets_Sink_NamesItsTopic()
    {
        var sink = new KafkaSink<string>(new KafkaConnectionOptions { BootstrapServers = "localhost" }, new KafkaSinkOptions { Topic = "out" }, MessageSerializers.Utf8String());

        sink.GetLineageDatasets().Select(d => (d.Namespace, d.Name)).ShouldBe([("kafka://localhost:9092", "out")]);
    }
}
