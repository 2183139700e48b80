using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Log;
using Sluice.Server.Ingest;

namespace Sluice.Server.Tests.Ingest;

/// <summary>Helpers of the ingest tests: the server's log and ingest service, posting bodies, reading a topic back.</summary>
internal static class IngestTestSupport
{
    public static PartitionedLog LogOf(ServerFixture fixture) => fixture.Server.Services.GetRequiredService<ServerContext>().Log;

    public static IngestService IngestOf(ServerFixture fixture) => fixture.Server.Services.GetRequiredService<IngestService>();

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string body, string? contentType = "application/x-ndjson", string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Every record of <paramref name="topic"/> partition <paramref name="partition"/>, in offset order.</summary>
    public static List<ConsumedRecord> Read(PartitionedLog log, string topic, int partition = 0)
    {
        var p = log.GetPartition(topic, partition);
        using var result = p.Fetch(p.LogStartOffset, new FetchOptions(MaxRecords: 100_000));
        return result.ToList();
    }

    public static string Utf8(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    public static string? Header(ConsumedRecord record, string name)
    {
        foreach (var h in record.Headers)
        {
            if (h.Key == name)
            {
                return h.Value is { } v ? Encoding.UTF8.GetString(v.Span) : null;
            }
        }
        return null;
    }
}
