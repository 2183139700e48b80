using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Sluice.Server.Log;

/// <summary>The log API under /api/topics and /api/groups: not built yet.</summary>
internal static class LogEndpoints
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
