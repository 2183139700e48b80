using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Connectors.Log;

namespace Sluice.Server.Dashboard;

/// <summary>
/// The web dashboard and the dead-letter API. The dashboard is a few static files (plain HTML, CSS and ES modules,
/// embedded in the assembly; see <see cref="DashboardAssets"/>) served at <c>/ui/{file}</c>; its pages <c>/</c> (jobs),
/// <c>/jobs/{id}</c>, <c>/topics</c>, <c>/dlq</c>, <c>/lineage</c>, <c>/dags</c> and <c>/dags/{id}</c> all answer
/// <c>index.html</c>, whose script routes on the path and reads the REST API. The dead-letter endpoints are in <see cref="DeadLetterEndpoints"/>.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>Registers the embedded files and the dead-letter browser.</summary>
    public static void AddServices(IServiceCollection services, ServerContext server)
    {
        services.AddSingleton(DashboardAssets.Load(typeof(DashboardEndpoints).Assembly));
        services.AddSingleton(new DeadLetterQueue(server.Log));
    }

    /// <summary>Maps the pages, the static files and the dead-letter API.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        foreach (var page in (string[])["/", "/jobs/{id}", "/topics", "/dlq", "/lineage", "/dags", "/dags/{id}"])
        {
            endpoints.MapGet(page, (DashboardAssets assets, HttpContext context) => Serve(assets, "index.html", context))
                .ExcludeFromDescription();
        }
        endpoints.MapGet("/ui/{file}", (DashboardAssets assets, string file, HttpContext context) => Serve(assets, file, context))
            .ExcludeFromDescription();
        DeadLetterEndpoints.Map(endpoints);
    }

    private static IResult Serve(DashboardAssets assets, string file, HttpContext context)
    {
        if (!assets.TryGet(file, out var asset))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"The dashboard has no file '{file}'.");
        }
        // Revalidate every time: a server upgrade changes the files behind the same names.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.ETag = asset.ETag;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
