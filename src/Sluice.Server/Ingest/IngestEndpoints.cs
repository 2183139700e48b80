using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sluice.SchemaRegistry.Storage;

namespace Sluice.Server.Ingest;

/// <summary>HTTP ingest at <c>POST /ingest/{topic}</c> (docs/server.md, "HTTP ingest"); the work is <see cref="IngestService"/>'s.</summary>
internal static class IngestEndpoints
{
    /// <summary>Registers this feature's services: the ingest service (a singleton disposed with the host, which
    /// lets its appenders finish what was queued), encoding <c>?format=</c> requests with <paramref name="registry"/>'s schemas.</summary>
    public static void AddServices(IServiceCollection services, ServerContext server, SchemaStore registry) =>
        services.AddSingleton(_ => new IngestService(server, registry));

    /// <summary>Maps this feature's endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/ingest/{topic}", static (HttpContext http, string topic, IngestService ingest) => ingest.IngestAsync(http, topic))
            .WithTags("Ingest")
            .WithSummary("Append JSON records (one object, an array of objects, or NDJSON) to a topic of the embedded log, as sent or (?format=avro-confluent|json-registry) encoded with the latest schema of subject '<topic>-value'; answers 202 with their offsets once they are durable.")
            .Accepts<object>("application/json", "application/x-ndjson")
            .Produces<IngestAnswer>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
