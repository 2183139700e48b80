using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sluice.Server.Dashboard;

/// <summary>
/// The dead-letter API the dashboard's browser uses: <c>GET /api/dlq</c> (topics and counts by reason),
/// <c>GET /api/dlq/{topic}</c> (a filtered page of records) and <c>POST /api/dlq/{topic}/replay</c> (append chosen
/// records to their origin topic; needs the token, like every POST). Errors are problem documents naming the topic,
/// record or parameter.
/// </summary>
internal static class DeadLetterEndpoints
{
    /// <summary>Maps the endpoints under <c>/api/dlq</c>.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/dlq").WithTags("Dead letters");

        group.MapGet("/", (DeadLetterBrowser browser) => Results.Ok(browser.ListTopics()))
            .WithSummary("Lists the dead-letter topics with their record counts and counts by reason.")
            .Produces<DeadLetterTopicList>();

        group.MapGet("/{topic}", (DeadLetterBrowser browser, string topic, string? reason, string? from, string? limit, string? partition) =>
            Answer(() =>
            {
                var page = browser.ReadPage(
                    topic,
                    reason,
                    ParseQuery(from, "from", 0L, long.TryParse),
                    ParseQuery(limit, "limit", DeadLetterBrowser.DefaultLimit, int.TryParse),
                    partition is null ? null : ParseQuery(partition, "partition", 0, int.TryParse));
                return Results.Ok(page);
            }))
            .WithSummary("Reads dead letters: each partition from offset 'from', keeping those whose reason contains 'reason', up to 'limit' records.")
            .Produces<DeadLetterPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{topic}/replay", async (DeadLetterBrowser browser, string topic, HttpRequest request) =>
        {
            ReplayRequest? body;
            try
            {
                body = await request.ReadFromJsonAsync<ReplayRequest>(request.HttpContext.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                return Problem(StatusCodes.Status400BadRequest, $"The replay request body is not valid JSON at {e.Path ?? "$"} (line {e.LineNumber + 1}): send {{\"records\":[{{\"partition\":0,\"offset\":17}}]}}.");
            }
            catch (InvalidOperationException)
            {
                return Problem(StatusCodes.Status415UnsupportedMediaType, "The replay request must be JSON: send it with Content-Type: application/json.");
            }
            return Answer(() => Results.Ok(browser.Replay(topic, body ?? new ReplayRequest(null))));
        })
            .WithSummary("Appends the original key and payload of the chosen dead letters to their origin topic and answers with the new offsets.")
            .Accepts<ReplayRequest>("application/json")
            .Produces<ReplayResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private delegate bool TryParse<T>(string text, out T value);

    private static T ParseQuery<T>(string? text, string name, T fallback, TryParse<T> parse) =>
        text is null ? fallback
        : parse(text, out var value) ? value
        : throw new DeadLetterRequestException(StatusCodes.Status400BadRequest, $"The query parameter {name}='{text}' is not a whole number.");

    private static IResult Answer(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (DeadLetterRequestException e)
        {
            return Problem(e.StatusCode, e.Message);
        }
    }

    private static IResult Problem(int status, string detail) => Results.Problem(statusCode: status, detail: detail);
}
