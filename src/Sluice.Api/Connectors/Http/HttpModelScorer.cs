using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Sluice.Schemas;

namespace Sluice.Connectors.Http;

/// <summary>
/// A model served over HTTP as an async lookup source: a batch of feature rows is one <c>POST</c> of
/// <c>{"instances": [[f1, f2, …], …]}</c> to the model's URL, and the answer <c>{"predictions": [s1, s2, …]}</c> gives one
/// score per row, in order (the TensorFlow Serving / KServe v1 REST protocol). Use it with
/// <see cref="DataStream{T}.LookupAsync{TOut}"/>: the key is the feature row, the single result row holds the score
/// (<see cref="Schema"/> = <c>score DOUBLE</c>); batching, capacity, timeout, retries with backoff and the timeout policy
/// come from <see cref="AsyncLookupOptions"/>, so a slow or failing service never hangs the job.
/// </summary>
/// <remarks>
/// <para>Failures: a network error, a 5xx or a 429 answer is an <see cref="IOException"/> (retried); any other non-2xx
/// answer is an <see cref="InvalidOperationException"/> naming the URL and status (the request is wrong: the job fails
/// without retrying); an answer that is not the protocol's JSON, or holds another number of predictions, is an
/// <see cref="IOException"/> naming the URL. The bearer token is sent, never put in a message.</para>
/// <para>Threading: one instance per subtask; <see cref="LookupBatchAsync"/> calls may overlap (one shared
/// <see cref="HttpClient"/>, no other shared state).</para>
/// </remarks>
public sealed class HttpModelScorer : IAsyncLookupSource
{
    private static readonly Schema s_scoreSchema = new([new Field("score", DataType.Double)]);
    private readonly Uri _endpoint;
    private readonly string _shown; // the endpoint in messages: without user info or query, which may hold credentials
    private readonly string? _bearerToken;
    private readonly HttpMessageHandler? _handler;
    private HttpClient? _client;

    /// <summary>A scorer of rows of <paramref name="features"/> by the model at <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The model's predict URL (http or https), e.g. <c>http://127.0.0.1:8501/v1/models/fraud:predict</c>.</param>
    /// <param name="features">The feature columns, in the order the model expects them; numbers, booleans and strings.</param>
    /// <param name="bearerToken">Sent as <c>Authorization: Bearer …</c> when given; never logged or put in a message.</param>
    /// <param name="handler">The HTTP handler to send with (its lifetime is the caller's); null for a new <see cref="SocketsHttpHandler"/> per instance.</param>
    /// <exception cref="ArgumentException">The URL is not absolute http(s), or a feature column is not a scalar type.</exception>
    public HttpModelScorer(Uri endpoint, Schema features, string? bearerToken = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(features);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The model URL '{endpoint}' must be an absolute http:// or https:// URL.", nameof(endpoint));
        }
        foreach (var field in features)
        {
            if (field.Type.Kind is DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Bytes)
            {
                throw new ArgumentException($"Feature '{field.Name}' is {field.Type}; a model's features are numbers, booleans or strings.", nameof(features));
            }
        }
        _endpoint = endpoint;
        _shown = endpoint.IsAbsoluteUri ? new UriBuilder(endpoint) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri.ToString() : endpoint.ToString();
        _bearerToken = bearerToken;
        _handler = handler;
        KeySchema = features;
    }

    /// <summary>The feature columns: the key of each lookup.</summary>
    public Schema KeySchema { get; }

    /// <summary>One column, <c>score DOUBLE</c>: every feature row gets exactly one row holding its prediction.</summary>
    public Schema Schema => s_scoreSchema;

    /// <summary>Creates the HTTP client; connects lazily on the first request.</summary>
    public void Open(LookupContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _client = _handler is null ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) : new HttpClient(_handler, disposeHandler: false);
        _client.Timeout = Timeout.InfiniteTimeSpan; // the operator's AsyncLookupOptions.Timeout bounds each attempt
        if (_bearerToken is not null)
        {
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _bearerToken);
        }
    }

    /// <summary>Scores <paramref name="keys"/> (feature rows) with one POST; element <c>i</c> holds the one row (score) of <c>keys[i]</c>.</summary>
    /// <exception cref="IOException">The request failed, the service is unavailable (5xx, 429), or the answer is not one prediction per row.</exception>
    /// <exception cref="InvalidOperationException">The service refused the request (another 4xx); not worth retrying.</exception>
    public async Task<IReadOnlyList<IReadOnlyList<Row>>> LookupBatchAsync(IReadOnlyList<Row> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var client = _client ?? throw new InvalidOperationException($"The model scorer of {_shown} was not opened: call Open first.");
        var body = new ArrayBufferWriter<byte>(64 * keys.Count + 32);
        WriteInstances(body, keys);
        using var content = new ReadOnlyMemoryContent(body.WrittenMemory);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage response;
        try
        {
            response = await client.PostAsync(_endpoint, content, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"The model service at {_shown} could not be reached: {e.Message}", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var message = $"The model service at {_shown} answered {(int)response.StatusCode} {response.ReasonPhrase} to a batch of {keys.Count} row(s): {Excerpt(text)}";
                throw (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests
                    ? new IOException(message)
                    : new InvalidOperationException(message);
            }
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return ReadPredictions(answer, keys.Count);
        }
    }

    /// <summary>Releases the HTTP client (not a handler passed in).</summary>
    public void Dispose() => _client?.Dispose();

    private void WriteInstances(IBufferWriter<byte> body, IReadOnlyList<Row> keys)
    {
        using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        json.WriteStartArray("instances");
        foreach (var row in keys)
        {
            json.WriteStartArray();
            for (var i = 0; i < KeySchema.Count; i++)
            {
                WriteValue(json, row, i, KeySchema[i].Type.Kind);
            }
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, Row row, int index, DataTypeKind kind)
    {
        if (row.IsNull(index))
        {
            json.WriteNullValue();
            return;
        }
        switch (kind)
        {
            case DataTypeKind.Boolean:
                json.WriteBooleanValue(row.GetBoolean(index));
                break;
            case DataTypeKind.Int:
                json.WriteNumberValue(row.GetInt32(index));
                break;
            case DataTypeKind.BigInt:
                json.WriteNumberValue(row.GetInt64(index));
                break;
            case DataTypeKind.Float:
                json.WriteNumberValue(row.GetSingle(index));
                break;
            case DataTypeKind.Double:
                json.WriteNumberValue(row.GetDouble(index));
                break;
            case DataTypeKind.Decimal:
                json.WriteNumberValue(row.GetDecimal(index));
                break;
            default:
                json.WriteStringValue(Convert.ToString(row.GetValue(index), CultureInfo.InvariantCulture));
                break;
        }
    }

    private IReadOnlyList<IReadOnlyList<Row>> ReadPredictions(byte[] answer, int expected)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            if (!document.RootElement.TryGetProperty("predictions", out var predictions) || predictions.ValueKind != JsonValueKind.Array)
            {
                throw new IOException($"The model service at {_shown} answered without a \"predictions\" array: {Excerpt(System.Text.Encoding.UTF8.GetString(answer))}");
            }
            if (predictions.GetArrayLength() != expected)
            {
                throw new IOException($"The model service at {_shown} answered {predictions.GetArrayLength()} prediction(s) for a batch of {expected} row(s); it must answer one per row, in order.");
            }
            var results = new IReadOnlyList<Row>[expected];
            var i = 0;
            foreach (var prediction in predictions.EnumerateArray())
            {
                // A model with one output per row may answer [s] instead of s (TensorFlow Serving does).
                var value = prediction.ValueKind == JsonValueKind.Array && prediction.GetArrayLength() == 1 ? prediction[0] : prediction;
                if (value.ValueKind != JsonValueKind.Number)
                {
                    throw new IOException($"The model service at {_shown} answered prediction {i} as {value.ValueKind}, not a number.");
                }
                var score = new Row(s_scoreSchema);
                score.SetDouble(0, value.GetDouble());
                results[i++] = [score];
            }
            return results;
        }
        catch (JsonException e)
        {
            throw new IOException($"The model service at {_shown} answered with text that is not JSON: {e.Message}", e);
        }
    }

    private static string Excerpt(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}
