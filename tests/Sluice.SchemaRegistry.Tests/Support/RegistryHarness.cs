using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.SchemaRegistry.Server;

namespace Sluice.SchemaRegistry.Tests.Support;

/// <summary>A real standalone registry on a free loopback port over a temporary data directory, with a raw HTTP client.</summary>
public sealed class RegistryHarness : IAsyncDisposable
{
    public const string ContentType = "application/vnd.schemaregistry.v1+json";

    private readonly TempDirectory? _ownedDirectory;

    private RegistryHarness(SchemaRegistryServer server, string dataDirectory, TempDirectory? owned)
    {
        Server = server;
        DataDirectory = dataDirectory;
        _ownedDirectory = owned;
        Http = new HttpClient { BaseAddress = server.BaseAddress };
    }

    public SchemaRegistryServer Server { get; }

    public string DataDirectory { get; }

    public HttpClient Http { get; }

    public string Url => Server.BaseAddress.ToString().TrimEnd('/');

    public static async Task<RegistryHarness> StartAsync(string? dataDirectory = null, string? token = null)
    {
        TempDirectory? owned = dataDirectory is null ? new TempDirectory() : null;
        string directory = dataDirectory ?? owned!.Path;
        var server = await SchemaRegistryServer.StartAsync(new SchemaRegistryServerOptions { DataDirectory = directory, Port = 0, Token = token });
        return new RegistryHarness(server, directory, owned);
    }

    /// <summary>Stops this registry and starts another on the same data directory (which this harness then no longer deletes).</summary>
    public async Task<RegistryHarness> RestartAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        return await StartAsync(DataDirectory);
    }

    public static string SchemaBody(string schema, string? type = null, string? references = null)
    {
        var body = new JsonObject { ["schema"] = schema };
        if (type is not null)
        {
            body["schemaType"] = type;
        }
        if (references is not null)
        {
            body["references"] = JsonNode.Parse(references);
        }
        return body.ToJsonString();
    }

    public Task<(int Status, JsonNode? Body)> PostAsync(string path, string body, string contentType = ContentType) =>
        SendAsync(HttpMethod.Post, path, body, contentType);

    public Task<(int Status, JsonNode? Body)> PutAsync(string path, string body) => SendAsync(HttpMethod.Put, path, body, ContentType);

    public Task<(int Status, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null, null);

    public Task<(int Status, JsonNode? Body)> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null, null);

    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string? body, string? contentType, string? authorization = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? ContentType);
        }
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<int> RegisterAsync(string subject, string schema, string? type = null, string? references = null)
    {
        var (status, body) = await PostAsync($"/subjects/{subject}/versions", SchemaBody(schema, type, references));
        status.ShouldBe(200, body?.ToJsonString());
        return body!["id"]!.GetValue<int>();
    }

    public static int ErrorCode(JsonNode? body) => body!["error_code"]!.GetValue<int>();

    public static string Message(JsonNode? body) => body!["message"]!.GetValue<string>();

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        _ownedDirectory?.Dispose();
    }
}
