using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Sluice.Server.Metrics;

/// <summary>
/// Prometheus metrics at <c>GET /metrics</c> (OpenTelemetry's Prometheus exporter over the <c>Sluice</c> meter, text
/// format 0.0.4) and traces of the <c>Sluice</c> activity source, sent over OTLP when
/// <see cref="SluiceServerOptions.OtlpEndpoint"/> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. See docs/server.md,
/// "Metrics".
/// </summary>
internal static class MetricsEndpoints
{
    /// <summary>The environment variable that turns the OTLP exporter on (the OpenTelemetry SDK's own).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Registers the OpenTelemetry meter and tracer providers, and the service that reports the server's log.</summary>
    public static void AddServices(IServiceCollection services, ServerContext server)
    {
        var otlp = OtlpEndpoint(server.Options);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("sluice-server"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SluiceMetrics.Meter.Name);
                metrics.AddPrometheusExporter(options =>
                {
                    // Every scrape collects afresh: the observable instruments read live counters.
                    options.ScrapeResponseCacheDurationMilliseconds = 0;
                    options.TargetInfoEnabled = false;
                    options.ScopeInfoEnabled = false;
                });
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(options => options.Endpoint = otlp);
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(SluiceTracing.Source.Name);
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(options => options.Endpoint = otlp);
                }
            });
        services.AddHostedService(_ => new LogLagRegistration(server));
    }

    /// <summary>Maps <c>GET /metrics</c>.</summary>
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint("/metrics")
            .WithTags("Metrics")
            .WithSummary("Prometheus metrics of the server's jobs, checkpoints, sources and embedded log (text format 0.0.4).");

    /// <summary>The OTLP endpoint: the server option, else the environment variable, else none (OTLP off).</summary>
    internal static Uri? OtlpEndpoint(SluiceServerOptions options)
    {
        if (options.OtlpEndpoint is { } endpoint)
        {
            return endpoint;
        }
        var variable = Environment.GetEnvironmentVariable(OtlpEndpointVariable);
        return string.IsNullOrWhiteSpace(variable) ? null
            : Uri.TryCreate(variable, UriKind.Absolute, out var parsed) ? parsed
            : throw new ArgumentException($"The environment variable {OtlpEndpointVariable} ('{variable}') is not an absolute URI: give one such as http://localhost:4317, or unset it.");
    }

    /// <summary>Reports the server's embedded log (consumer lag) while the server runs.</summary>
    private sealed class LogLagRegistration(ServerContext server) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogConsumerLagInstruments.Track(server.Log);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            LogConsumerLagInstruments.Untrack(server.Log);
            return Task.CompletedTask;
        }
    }
}
