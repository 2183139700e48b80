using System.Net.Http.Headers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Lineage;

/// <summary>
/// Posts each event as JSON to <c>{url}/api/v1/lineage</c> (the OpenLineage HTTP API, as Marquez serves it), from a
/// bounded in-memory queue drained by one background sender: <see cref="Emit"/> never waits for the network.
/// </summary>
/// <remarks>
/// <para>Thread-safe. Failures never reach the emitting job: a full queue drops the event; a timeout, 408, 429, 5xx answer or a
/// network error is retried (<see cref="HttpLineageOptions.MaxAttempts"/>, doubling delays) and then dropped; any other non-2xx answer (400, 401, 413…) is dropped at once. Every
/// dropped event is logged as a warning and counted in <c>sluice.lineage.events.failed</c>.</para>
/// <para>Secrets: the API key is sent as <c>Authorization: Bearer</c> and never logged; user info in the URL is sent as
/// basic authentication; a query of the URL is kept on every post. Logs and <see cref="Endpoint"/> show the URL
/// without user info or query (scheme, host, port and path only). <see cref="HttpLineageOptions.EndpointPath"/> must
/// be relative: an absolute one (that would send the key elsewhere) or one with a query is refused.</para>
/// <para><see cref="DisposeAsync"/> stops accepting events and waits up to <see cref="HttpLineageOptions.DrainTimeout"/>
/// for the queue to be sent; what is left then is dropped and counted.</para>
/// </remarks>
public sealed class HttpLineageEmitter : ILineageEmitter
{
    private readonly Channel<RunEvent> _queue;
    private readonly HttpClient _client;
    private readonly Uri _endpoint;
    private readonly HttpLineageOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private int _disposed;

    /// <summary>An emitter posting to <paramref name="options"/>' URL; starts its background sender.</summary>
    public HttpLineageEmitter(HttpLineageOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(LineageEmitters.LogCategory);
        var url = options.Url;
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The lineage URL '{RedactedUrl(url)}' is not an absolute http:// or https:// URL.", nameof(options));
        }
        var path = options.EndpointPath;
        if (string.IsNullOrWhiteSpace(path) || path.Contains('?', StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal)
            || path.StartsWith("//", StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal)
            || Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme is not "file")
        {
            // An absolute endpoint would send the events (and the API key) to another server than OPENLINEAGE_URL's.
            throw new ArgumentException($"The lineage endpoint path '{RedactedPath(path)}' is not a relative path without a query; set OPENLINEAGE_ENDPOINT to a path such as 'api/v1/lineage'.", nameof(options));
        }
        var joined = new Uri(new Uri(url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/') + "/"), path.TrimStart('/'));
        // A query of the base URL (some servers take a key there) is kept on the endpoint, never dropped; it is never logged.
        _endpoint = url.Query.Length > 0 ? new UriBuilder(joined) { Query = url.Query.TrimStart('?') }.Uri : joined;
        Endpoint = RedactedUrl(_endpoint);
        _client = new HttpClient { Timeout = options.RequestTimeout };
        if (options.ApiKey is { Length: > 0 } key)
        {
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        else if (url.UserInfo.Length > 0)
        {
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(url.UserInfo))));
        }
        _queue = Channel.CreateBounded<RunEvent>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails instead of waiting: the event is dropped and counted
        });
        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>Where events are posted, without credentials (safe to print).</summary>
    public string Endpoint { get; }

    /// <inheritdoc />
    public void Emit(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Drop(runEvent, "the emitter was disposed");
            return;
        }
        if (!_queue.Writer.TryWrite(runEvent))
        {
            Drop(runEvent, Volatile.Read(ref _disposed) != 0 ? "the emitter was disposed" : $"the queue is full ({_options.QueueCapacity} events)");
        }
    }

    /// <inheritdoc />
    /// <remarks>Idempotent: a second call returns at once.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _queue.Writer.TryComplete();
        _stop.CancelAfter(_options.DrainTimeout);
        await _sender.ConfigureAwait(false);
        _stop.Dispose();
        _client.Dispose();
    }

    /// <summary><paramref name="url"/> without user info, query or fragment: safe to log.</summary>
    internal static string RedactedUrl(Uri url) => url.IsAbsoluteUri
        ? url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
        : "(relative URL)";

    private static string RedactedPath(string path)
    {
        var cut = path.IndexOfAny(['?', '#']);
        return cut < 0 ? path : path[..cut] + "…";
    }

    /// <summary>Whether an answer with <paramref name="status"/> is worth another attempt: timeouts, throttling and server errors.</summary>
    internal static bool IsRetryable(System.Net.HttpStatusCode status) =>
        status is System.Net.HttpStatusCode.RequestTimeout or System.Net.HttpStatusCode.TooManyRequests || (int)status >= 500;

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var runEvent in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                await SendAsync(runEvent).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposal's drain timeout: what is still queued is dropped below.
        }
        while (_queue.Reader.TryRead(out var left))
        {
            Drop(left, $"the emitter was disposed before it could be sent (drain timeout {_options.DrainTimeout.TotalSeconds:0.#} s)");
        }
    }

    private async Task SendAsync(RunEvent runEvent)
    {
        try
        {
            await TrySendAsync(runEvent).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever goes wrong with one event (a facet that fails to serialize, a handler bug) costs that event,
            // never the sender loop. Only the type is logged: a message may echo the URL or a header.
            Drop(runEvent, $"unexpected {e.GetType().Name}");
        }
    }

    private async Task TrySendAsync(RunEvent runEvent)
    {
        var body = LineageJson.SerializeToUtf8(runEvent);
        var delay = _options.RetryDelay;
        string reason = "";
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _client.PostAsync(_endpoint, content, _stop.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    LineageMetrics.Delivered.Add(1, LineageMetrics.Transport("http"));
                    return;
                }
                reason = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                if (!IsRetryable(response.StatusCode))
                {
                    // 400, 401, 413…: the same request would get the same answer.
                    Drop(runEvent, $"the server refused it with {reason} (not retried)");
                    return;
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                Drop(runEvent, $"the emitter was disposed while sending (drain timeout {_options.DrainTimeout.TotalSeconds:0.#} s)");
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                reason = e is TaskCanceledException ? $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s" : e.Message;
            }
            if (attempt < _options.MaxAttempts)
            {
                try
                {
                    await Task.Delay(delay, _options.TimeProvider, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Drop(runEvent, $"the emitter was disposed while retrying after {reason}");
                    return;
                }
                delay *= 2;
            }
        }
        Drop(runEvent, $"{_options.MaxAttempts} attempts failed, the last with {reason}");
    }

    private void Drop(RunEvent runEvent, string reason)
    {
        LineageMetrics.Failed.Add(1, LineageMetrics.Transport("http"));
        _logger.LogWarning("Dropped the {EventType} lineage event of job {JobName} (run {RunId}) for {Endpoint}: {Reason}",
            runEvent.EventType, runEvent.Job.Name, runEvent.Run.RunId, Endpoint, reason);
    }
}

/// <summary>Settings of an <see cref="HttpLineageEmitter"/>.</summary>
public sealed record HttpLineageOptions
{
    /// <summary>The base URL of the OpenLineage API (e.g. <c>http://127.0.0.1:5000</c>, Marquez's); env <c>OPENLINEAGE_URL</c>.</summary>
    public required Uri Url { get; init; }

    /// <summary>The path events are posted to, relative to <see cref="Url"/>; env <c>OPENLINEAGE_ENDPOINT</c>.</summary>
    public string EndpointPath { get; init; } = "api/v1/lineage";

    /// <summary>Sent as <c>Authorization: Bearer</c> when set; env <c>OPENLINEAGE_API_KEY</c>. A secret: never logged.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Events queued at most (default 1,000); beyond, new events are dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 1000;

    /// <summary>Attempts per event (default 3), with <see cref="RetryDelay"/> doubling between them.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The delay before the second attempt (default 200 ms), doubled before each later one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one POST may take (default 5 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long disposal waits for the queue to be sent (default 5 s).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock of the retry delays.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
