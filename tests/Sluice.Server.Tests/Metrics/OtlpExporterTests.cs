using System.Net;
using Sluice.Server.Metrics;

namespace Sluice.Server.Tests.Metrics;

/// <summary>The OTLP exporter's configuration: off unless an endpoint is given; an unreachable collector never stops the server.</summary>
public sealed class OtlpExporterTests
{
    [Fact]
    public void OtlpEndpoint_ServerOption_WinsOverTheEnvironment()
    {
        var options = new SluiceServerOptions { DataDirectory = "unused", OtlpEndpoint = new Uri("http://collector.example:4317") };

        MetricsEndpoints.OtlpEndpoint(options).ShouldBe(new Uri("http://collector.example:4317"));
    }

    [Fact]
    public async Task StartAsync_OtlpEndpointWithoutCollector_ServesMetricsAnyway()
    {
        // Port 9 (discard) on loopback: nothing listens, so every export fails; the exporter retries in the background.
        await using var fixture = await ServerFixture.StartAsync(configure: o => o with { OtlpEndpoint = new Uri("http://127.0.0.1:9") });

        using var response = await fixture.Anonymous.GetAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
