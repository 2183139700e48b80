using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sluice.Server.Health;

/// <summary>
/// <c>/healthz</c> (liveness: 200 while the process serves requests) and <c>/readyz</c> (readiness: 200 once the
/// server opened its data directory and resumed its jobs, 503 before). Both are read-only and need no token from
/// loopback.
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok\n")).WithTags("health").WithSummary("Liveness: 200 while the server serves requests.");
        endpoints.MapGet("/readyz", (ServerContext server) => server.IsReady
                ? Results.Text("ready\n")
                : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: "The server is still starting: its jobs are being resumed."))
            .WithTags("health").WithSummary("Readiness: 200 once the server has resumed its jobs.");
    }
}
