using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Sluice.Server.Lineage;

/// <summary><c>GET /api/lineage</c>: the lineage graph of the server's jobs (read-only; see docs/lineage.md).</summary>
internal static class LineageEndpoints
{
    public static void AddServices(IServiceCollection services) => services.AddSingleton<ServerLineage>();

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/lineage", (ServerLineage lineage) => Results.Ok(lineage.Graph()))
            .WithTags("lineage")
            .WithSummary("The lineage graph of the server's jobs: job and dataset nodes, read and write edges, each job's last run state.");
}
