using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Sluice.Server.Metrics;

/// <summary>Prometheus metrics at /metrics and tracing: not built yet.</summary>
internal static class MetricsEndpoints
{
    /// <summary>Registers this feature's services.</summary>
    public static void AddServices(IServiceCollection services, ServerContext server)
    {
        _ = services;
        _ = server;
    }

    /// <summary>Maps this feature's endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints) => _ = endpoints;
}
