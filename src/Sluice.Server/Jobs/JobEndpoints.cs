using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Sluice.Server.Jobs;

/// <summary>The job API under /api/jobs (submit, list, show, stop, savepoint, delete): not built yet.</summary>
internal static class JobEndpoints
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
