using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Cli.Jobs;

/// <summary>
/// The REST API of a running Sluice server, as the <c>sluice jobs</c> commands call it: one HttpClient over
/// <c>--server</c> with the token of <c>--token</c> or <c>SLUICE_TOKEN</c>. Every failure becomes a
/// <see cref="CommandFailedException"/> with one sentence: the server unreachable, the token missing or refused (401),
/// or the problem document's detail (400, 404, 409). Not thread-safe; one command uses one instance.
/// </summary>
internal sealed class ServerApi : IDisposable
{
    /// <summary>The server the commands call when <c>--server</c> is not given.</summary>
    public const string DefaultServer = "http://127.0.0.1:8081";

    /// <summary>The environment variable holding the token when <c>--token</c> is not given.</summary>
    public const string TokenVariable = "SLUICE_TOKEN";

    private readonly HttpClient _http;

    /// <summary>
    /// The <c>--data-dir</c> option of a command that reads the embedded log directly unless <c>--server</c> is given
    /// (<c>sluice dlq</c>, <c>sluice quality</c>), and the check of its <c>--server</c> option: an absolute http(s) URL.
    /// </summary>
    public static Option<string> LocalDataDirectoryOption() => new("--data-dir")
    {
        Description = $"Data directory of the embedded log (default {Sluice.Cli.Log.LogCommands.DefaultDataDirectory}); ignored with --server.",
        DefaultValueFactory = _ => Sluice.Cli.Log.LogCommands.DefaultDataDirectory,
        Recursive = true,
    };

    /// <summary>Adds the check that <paramref name="server"/>'s value, when given, is an absolute http(s) URL.</summary>
    public static void ValidateServerUrl(Option<string?> server) => server.Validators.Add(r =>
    {
        var text = r.GetValueOrDefault<string?>();
        if (text is not null && (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            r.AddError($"--server '{text}' is not an http(s) URL: give one such as {DefaultServer}.");
        }
    });

    public ServerApi(Uri server, string? token)
    {
        Server = server;
        _http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrWhiteSpace(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        }
    }

    /// <summary>The server's base address.</summary>
    public Uri Server { get; }

    /// <summary>GET <paramref name="path"/> and read the answer as <typeparamref name="T"/>.</summary>
    public Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    /// <summary>POST <paramref name="body"/> (JSON; none when null) to <paramref name="path"/> and read the answer.</summary>
    public Task<T> PostAsync<T>(string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: JsonSerializerOptions.Web) }, cancellationToken);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            // The relative path as the command gave it: the client makes the request's URI absolute when it sends it.
            var target = request.RequestUri!.OriginalString;
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new CommandFailedException($"The Sluice server at {Server} is unreachable ({e.Message.TrimEnd('.')}): start it with 'sluice server' or pass --server URL.", e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CommandFailedException($"The Sluice server at {Server} did not answer {request.Method} {target} within {_http.Timeout.TotalMinutes:0} minutes.", e);
            }
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    throw new CommandFailedException(_http.DefaultRequestHeaders.Authorization is null
                        ? $"The Sluice server at {Server} needs its API token for {request.Method} {target}: pass --token or set {TokenVariable} (the token is in server.token in the server's data directory)."
                        : $"The Sluice server at {Server} refused the API token: pass the one in server.token in the server's data directory (--token or {TokenVariable}).");
                }
                if (!response.IsSuccessStatusCode)
                {
                    throw new CommandFailedException(ProblemDetail(text) ?? $"The Sluice server at {Server} answered {(int)response.StatusCode} {response.ReasonPhrase} to {request.Method} {target}.");
                }
                try
                {
                    return JsonSerializer.Deserialize<T>(text, JsonSerializerOptions.Web)
                        ?? throw new CommandFailedException($"The Sluice server at {Server} answered {request.Method} {target} with null.");
                }
                catch (JsonException e)
                {
                    throw new CommandFailedException($"The answer of {Server} to {request.Method} {target} is not what a Sluice server sends ({e.Message.Split(". ")[0]}): is --server a Sluice server?", e);
                }
            }
        }
    }

    private static string? ProblemDetail(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String
                ? detail.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
