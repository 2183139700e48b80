using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Sluice.Server.Dashboard;

/// <summary>The web dashboard at / and the dead-letter API: not built yet.</summary>
internal static class DashboardEndpoints
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
