using Sluice.Orchestration;

namespace Sluice.Server.Dags;

/// <summary>The host's <see cref="ITopicProbe"/>: Kafka when the sensor names bootstrap servers, else the embedded log.</summary>
internal sealed class TopicProbeRouter(ITopicProbe embeddedLog, ITopicProbe kafka) : ITopicProbe
{
    public Task<IReadOnlyList<TopicPartitionPosition>> ProbeAsync(TopicProbeRequest request, CancellationToken cancellationToken) =>
        (request.BootstrapServers is null ? embeddedLog : kafka).ProbeAsync(request, cancellationToken);
}
