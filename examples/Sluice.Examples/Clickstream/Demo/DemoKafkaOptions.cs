using Sluice.Connectors.Kafka;
using Sluice.Connectors.Kafka.Testing;

namespace Sluice.Examples.Clickstream.Demo;

/// <summary>Where the demo's Kafka input lives (<see cref="DemoOptions.Kafka"/>). Immutable.</summary>
/// <param name="Connection">The cluster; used by the generator's admin client and producer and by the job's source.</param>
public sealed record DemoKafkaOptions(KafkaConnectionOptions Connection)
{
    /// <summary>Extra properties of the job's consumer only (not of the generator's clients). Default none.</summary>
    public IReadOnlyDictionary<string, string> ConsumerProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Settings for a <see cref="KafkaMockCluster"/>. Its group coordinator waits session.timeout.ms − 1 s for members
    /// to rejoin a rebalance (44 s with the default session), so the consumer uses a 2 s session. The mock cannot
    /// create topics through the admin API: create <see cref="DemoInput.Topic"/> with
    /// <see cref="KafkaMockCluster.CreateTopic"/> first.
    /// </summary>
    public static DemoKafkaOptions ForMock(KafkaMockCluster mock)
    {
        ArgumentNullException.ThrowIfNull(mock);
        return new DemoKafkaOptions(new KafkaConnectionOptions { BootstrapServers = mock.BootstrapServers, ClientId = "sluice-demo" })
        {
            ConsumerProperties = new Dictionary<string, string> { ["session.timeout.ms"] = "2000", ["heartbeat.interval.ms"] = "250" },
        };
    }
}
