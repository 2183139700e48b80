using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sluice.Connectors.Log;
using Sluice.Formats;

namespace Sluice.Server.Dashboard;

/// <summary>
/// The dead-letter API the dashboard's browser and <c>sluice dlq --server</c> use, over the shared
/// <see cref="DeadLetterQueue"/>: <c>GET /api/dlq</c> (topics and counts by reason, kind and rule),
/// <c>GET /api/dlq/{topic}</c> (a filtered page of records), <c>GET /api/dlq/{topic}/stats</c> (counts by reason, kind,
/// rule and hour) and <c>POST /api/dlq/{topic}/replay</c> (append chosen records to their origin topic, idempotently;
/// needs the token, like every POST). Errors are problem documents naming the topic, record or parameter.
/// </summary>
internal static class DeadLetterEndpoints
{
    /// <summary>The most records one replay request may name.</summary>
    public const int MaxReplay = 1000;

    /// <summary>Maps the endpoints under <c>/api/dlq</c>.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/dlq").WithTags("Dead letters");

        group.MapGet("/", (DeadLetterQueue queue) => Results.Ok(queue.ListTopics()))
            .WithSummary("Lists the dead-letter topics with their record counts and counts by reason, kind and rule.")
            .Produces<DeadLetterTopicList>();

        group.MapGet("/{topic}", (DeadLetterQueue queue, string topic, string? reason, string? kind, string? rule, string? fromTime, string? toTime, string? from, string? limit, string? partition) =>
            Answer(() => Results.Ok(queue.ReadPage(
                topic,
                Filter(reason, kind, rule, fromTime, toTime),
                ParseQuery(from, "from", 0L, long.TryParse),
                ParseQuery(limit, "limit", DeadLetterQueue.DefaultLimit, int.TryParse),
                partition is null ? null : ParseQuery(partition, "partition", 0, int.TryParse)))))
            .WithSummary("Reads dead letters: each partition from offset 'from', keeping those that match reason, kind, rule and the time range [fromTime, toTime) (Unix ms), up to 'limit' records.")
            .Produces<DeadLetterPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{topic}/stats", (DeadLetterQueue queue, string topic, string? reason, string? kind, string? rule, string? fromTime, string? toTime) =>
            Answer(() => Results.Ok(queue.Stats(topic, Filter(reason, kind, rule, fromTime, toTime)))))
            .WithSummary("Counts the matching dead letters by reason, kind, rule and hour.")
            .Produces<DeadLetterStats>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{topic}/replay", async (DeadLetterQueue queue, string topic, HttpRequest request) =>
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
            return Answer(() =>
            {
                var records = body?.Records;
                if (records is null || records.Count == 0)
                {
                    throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, $"The replay of '{topic}' names no records: send {{\"records\":[{{\"partition\":0,\"offset\":17}}]}}.");
                }
                if (records.Count > MaxReplay)
                {
                    throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, $"The replay of '{topic}' names {records.Count} records; replay at most {MaxReplay} at a time.");
                }
                return Results.Ok(queue.Replay(topic, records, body!.To, body.DryRun));
            });
        })
            .WithSummary("Appends the original key and payload of the chosen dead letters to their origin topic (or 'to'), each at most once (a record an earlier replay appended is skipped), and answers with the new offsets; 'dryRun' appends nothing.")
            .Accepts<ReplayRequest>("application/json")
            .Produces<ReplayResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private delegate bool TryParse<T>(string text, out T value);

    private static DeadLetterFilter Filter(string? reason, string? kind, string? rule, string? fromTime, string? toTime)
    {
        DeadLetterKind? parsedKind = null;
        if (kind is not null)
        {
            parsedKind = DeadLetterEnvelope.TryKind(kind, out var k)
                ? k
                : throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, $"The query parameter kind='{kind}' names no dead-letter kind: give parse, schema, rule, sink, late or processing.");
        }
        return new DeadLetterFilter
        {
            Reason = reason,
            Kind = parsedKind,
            Rule = rule,
            FromMs = fromTime is null ? null : ParseQuery(fromTime, "fromTime", 0L, long.TryParse),
            ToMs = toTime is null ? null : ParseQuery(toTime, "toTime", 0L, long.TryParse),
        };
    }

    private static T ParseQuery<T>(string? text, string name, T fallback, TryParse<T> parse) =>
        text is null ? fallback
        : parse(text, out var value) ? value
        : throw new DeadLetterQueueException(DeadLetterQueueError.BadRequest, string.Create(CultureInfo.InvariantCulture, $"The query parameter {name}='{text}' is not a whole number."));

    private static IResult Answer(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (DeadLetterQueueException e)
        {
            return Problem(e.Error switch
            {
                DeadLetterQueueError.NotFound => StatusCodes.Status404NotFound,
                DeadLetterQueueError.Conflict => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status400BadRequest,
            }, e.Message);
        }
    }

    private static IResult Problem(int status, string detail) => Results.Problem(statusCode: status, detail: detail);
}
