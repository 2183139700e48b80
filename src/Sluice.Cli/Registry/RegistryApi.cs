using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.Cli.Registry;

/// <summary>
/// A schema registry's REST API (Sluice's, standalone or at a server's /registry, or Confluent's), as the
/// <c>sluice registry</c> commands call it. Every failure becomes a <see cref="CommandFailedException"/> of one
/// sentence: the registry unreachable, the token missing or refused, or the registry's own error message and code.
/// Not thread-safe; one command uses one instance.
/// </summary>
internal sealed class RegistryApi : IDisposable
{
    /// <summary>The registry the commands call when <c>--url</c> is not given (the standalone registry's default port).</summary>
    public const string DefaultUrl = "http://127.0.0.1:8082";

    private const string ContentType = "application/vnd.schemaregistry.v1+json";

    private readonly HttpClient _http;

    public RegistryApi(Uri url, string? token)
    {
        // A base address without a trailing slash would drop its last segment (/registry) from relative paths.
        Url = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        _http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromMinutes(1) };
        _http.DefaultRequestHeaders.Accept.ParseAdd(ContentType);
        if (!string.IsNullOrWhiteSpace(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        }
    }

    /// <summary>The registry's base address (ending in '/').</summary>
    public Uri Url { get; }

    /// <summary>GET <paramref name="path"/> (relative, no leading '/').</summary>
    public Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    /// <summary>POST a JSON body to <paramref name="path"/>.</summary>
    public Task<JsonNode> PostAsync(string path, JsonNode body, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, ContentType) }, cancellationToken);

    /// <summary>Escapes a subject for a path segment.</summary>
    public static string Segment(string subject) => Uri.EscapeDataString(subject);

    private async Task<JsonNode> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            var target = $"{request.Method} /{request.RequestUri!.OriginalString}";
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new CommandFailedException($"The schema registry at {Url} is unreachable ({e.Message.TrimEnd('.')}): start it with 'sluice registry' (or 'sluice server', then pass --url http://127.0.0.1:8081/registry).", e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CommandFailedException($"The schema registry at {Url} did not answer {target} within {_http.Timeout.TotalSeconds:0} seconds.", e);
            }
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    throw new CommandFailedException(_http.DefaultRequestHeaders.Authorization is null
                        ? $"The schema registry at {Url} needs a token for {target}: pass --token or set {Jobs.ServerApi.TokenVariable}."
                        : $"The schema registry at {Url} refused the token for {target}: pass the server's (server.token in its data directory) or the registry's --token-file.");
                }
                JsonNode? json;
                try
                {
                    json = text.Length == 0 ? null : JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    json = null;
                }
                if (!response.IsSuccessStatusCode)
                {
                    var message = json is JsonObject error && error["message"] is JsonValue m ? m.ToString() : null;
                    var code = json is JsonObject withCode && withCode["error_code"] is JsonValue c ? c.ToString() : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    throw new CommandFailedException(message is null
                        ? $"The schema registry at {Url} answered {(int)response.StatusCode} {response.ReasonPhrase} to {target}: is --url a schema registry?"
                        : $"{message.TrimEnd('.')} (error {code}).");
                }
                return json ?? throw new CommandFailedException($"The answer of {Url} to {target} is not JSON: is --url a schema registry?");
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
