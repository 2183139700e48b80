using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Sluice.Log;
using Sluice.SchemaRegistry.Storage;

namespace Sluice.Server.Ingest;

/// <summary>
/// HTTP ingest (<c>POST /ingest/{topic}</c>, docs/server.md "HTTP ingest"): reads a request's body, parses it into
/// records (<see cref="IngestParser"/>), hands them to the partitions' <see cref="PartitionAppender"/>s (group commit)
/// and answers once they are durable. Idempotency-Keys are checked against the topic's <see cref="IdempotencyIndex"/>;
/// load is bounded by the <see cref="Gate"/>. With <c>?format=avro-confluent|json-registry</c> each record is checked
/// and encoded with the latest schema of <c>&lt;topic&gt;-value</c> in the server's registry (<see cref="Schemas"/>).
/// A singleton of the server; thread-safe.
/// </summary>
internal sealed class IngestService(ServerContext server, SchemaStore registry) : IAsyncDisposable
{
    /// <summary>The request header naming an idempotent request.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Longest Idempotency-Key accepted (characters).</summary>
    public const int MaxKeyLength = 255;

    private readonly ConcurrentDictionary<PartitionLog, PartitionAppender> _appenders = new();
    private readonly ConcurrentDictionary<TopicLog, Lazy<Task<IdempotencyIndex>>> _indexes = new();
    private readonly TimeProvider _time = server.Log.Options.TimeProvider;

    /// <summary>The topics' record validators (none by default; schema checks come with <c>?format=</c>, see <see cref="Schemas"/>).</summary>
    public IngestValidators Validators { get; } = new();

    /// <summary>The record encoders of the registry formats, per topic.</summary>
    public IngestSchemas Schemas { get; } = new(registry);

    /// <summary>The bound on work in flight: 1024 requests and 256 MiB of bodies (at least one largest body).</summary>
    public IngestGate Gate { get; } = new(1024, Math.Max(256L << 20, server.Options.MaxRequestBodyBytes));

    /// <summary>Handles one request; never throws for a client's mistake (every refusal is a problem document).</summary>
    public async Task<IResult> IngestAsync(HttpContext http, string topic)
    {
        var request = http.Request;
        var query = IngestQuery.Parse(request.Query, topic, out var queryError);
        if (queryError is not null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid ingest option", queryError);
        }
        var key = request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length > 0 && !IsValidKey(key))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key", $"The Idempotency-Key header must be 1 to {MaxKeyLength} visible ASCII characters; got {key.Length} characters.");
        }
        if (ResolveTopic(topic, query) is not { } log)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown topic", $"Topic '{topic}' does not exist: create it with 'sluice log topics create {topic}' or POST /ingest/{topic}?create=true.");
        }
        IRecordEncoder? encoder = null;
        if (query.ValueFormat != IngestValueFormat.Json && (encoder = Schemas.EncoderFor(log.Name, query.ValueFormat, out var schemaError)) is null)
        {
            return Problem(schemaError!.Status, schemaError.Title, schemaError.Detail);
        }
        if (!Gate.TryEnterRequest())
        {
            return TooBusy(http, $"The server is ingesting {Gate.MaxRequests} requests already: retry topic '{topic}' after the Retry-After delay.");
        }
        long bytesTaken = 0;
        var batch = new IngestBatch((int)Math.Min(request.ContentLength ?? 16 * 1024, server.Options.MaxRequestBodyBytes));
        try
        {
            if (request.ContentLength is { } announced)
            {
                if (announced > server.Options.MaxRequestBodyBytes)
                {
                    return TooLarge(topic);
                }
                if (!Gate.TryTakeBytes(announced))
                {
                    return TooBusy(http, $"The server holds {Gate.Bytes} bytes of ingest bodies already: retry topic '{topic}' after the Retry-After delay.");
                }
                bytesTaken = announced;
            }
            if (await ReadBodyAsync(http, batch, topic).ConfigureAwait(false) is { } readError)
            {
                return readError;
            }
            if (bytesTaken == 0)
            {
                // A chunked body (no Content-Length) is counted once it has arrived.
                if (!Gate.TryTakeBytes(batch.BodyLength))
                {
                    return TooBusy(http, $"The server holds {Gate.Bytes} bytes of ingest bodies already: retry topic '{topic}' after the Retry-After delay.");
                }
                bytesTaken = batch.BodyLength;
            }
            return await IngestBodyAsync(http, log, query, key, batch, encoder).ConfigureAwait(false);
        }
        finally
        {
            Gate.ReturnBytes(bytesTaken);
            Gate.ExitRequest();
            batch.Dispose();
        }
    }

    private async Task<IResult> IngestBodyAsync(HttpContext http, TopicLog log, IngestQuery query, string key, IngestBatch batch, IRecordEncoder? encoder)
    {
        IdempotencyIndex? index = null;
        IdempotencyAnswer? resumed = null;
        UInt128 hash = default;
        var receivedMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (key.Length > 0)
        {
            hash = HashRequest(batch.Body, query.ValueFormat);
            index = await IndexOf(log).ConfigureAwait(false);
            var lookup = index.Begin(key, hash, receivedMs);
            switch (lookup.State)
            {
                case IdempotencyState.Done:
                    http.Response.Headers["Idempotent-Replayed"] = "true";
                    return Answer(log.Name, lookup.Answer.Parts, lookup.Answer.DeadLettered);
                case IdempotencyState.Mismatch:
                    return Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused", $"Idempotency-Key '{key}' was used for another body or format on topic '{log.Name}' within 24 h: use a new key for a new request.");
                case IdempotencyState.Pending:
                    http.Response.Headers.RetryAfter = "1";
                    return Problem(StatusCodes.Status409Conflict, "Request in progress", $"A request with Idempotency-Key '{key}' on topic '{log.Name}' is still running: retry after it answered.");
                case IdempotencyState.Resume:
                    resumed = lookup.Answer;
                    receivedMs = resumed.ReceivedMs;
                    break;
            }
        }

        var written = new List<PartitionRange>();
        var partitions = 0;
        var deadLettered = 0;
        try
        {
            var error = IngestParser.Parse(batch, query.Format(http.Request.ContentType), query.Fields, Validators.For(log.Name), query.DeadLetter, encoder);
            if (error is not null)
            {
                return Problem(StatusCodes.Status400BadRequest, "Malformed record", error.Message, error.Line, error.Field);
            }
            deadLettered = batch.Rejected.Count;
            if (batch.Count == 0 && deadLettered == 0)
            {
                return Problem(StatusCodes.Status400BadRequest, "No records", $"The body for topic '{log.Name}' holds no records (only blank lines).");
            }
            IdempotencyMark? mark = key.Length == 0 ? null : new IdempotencyMark(key, hash, receivedMs, 0, 0, deadLettered);
            var parts = IngestPartitioning.Split(batch, log, mark, out partitions);
            foreach (var part in parts)
            {
                if (part.Part.EncodedBytes > IngestPart.MaxBatchBytes - 1024)
                {
                    return Problem(StatusCodes.Status413PayloadTooLarge, "Too many records", $"The records for topic '{log.Name}' partition {part.Partition} encode to more than one record batch ({IngestPart.MaxBatchBytes} bytes): send them in smaller requests.");
                }
            }
            if (deadLettered > 0 && resumed is null)
            {
                // Dead letters first: once any record of the request is in the topic, its dead letters are durable too,
                // so a retry that resumes a partial request never writes them twice.
                var dlq = AppenderFor(DeadLetterTopicOf(log.Name).GetPartition(0));
                var part = new DeadLetterPart(batch, log.Name);
                dlq.Enqueue(part);
                await part.Appended.ConfigureAwait(false);
            }
            var pending = new List<Task<PartitionRange>>(parts.Count);
            foreach (var (partition, part) in parts)
            {
                if (resumed is not null && Array.Exists(resumed.Parts, p => p.Partition == partition))
                {
                    continue;
                }
                AppenderFor(log.GetPartition(partition)).Enqueue(part);
                pending.Add(part.Appended);
            }
            Exception? failure = null;
            foreach (var task in pending)
            {
                try
                {
                    written.Add(await task.ConfigureAwait(false));
                }
                catch (Exception e) when (e is LogException or IOException or ObjectDisposedException)
                {
                    failure ??= e;
                }
            }
            if (failure is not null)
            {
                return Problem(StatusCodes.Status500InternalServerError, "Append failed", $"Appending to topic '{log.Name}' failed: {failure.Message}");
            }
            if (resumed is not null)
            {
                written.AddRange(resumed.Parts);
            }
            written.Sort(static (a, b) => a.Partition.CompareTo(b.Partition));
            return Answer(log.Name, [.. written], deadLettered);
        }
        finally
        {
            index?.End(key, written, partitions, deadLettered);
        }
    }

    private async Task<IResult?> ReadBodyAsync(HttpContext http, IngestBatch batch, string topic)
    {
        var reader = http.Request.BodyReader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(http.RequestAborted).ConfigureAwait(false);
                foreach (var segment in read.Buffer)
                {
                    segment.Span.CopyTo(batch.GetBodySpan(segment.Length));
                    batch.AdvanceBody(segment.Length);
                }
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(topic);
        }
        catch (BadHttpRequestException e)
        {
            return Problem(e.StatusCode, "Body not received", $"The body for topic '{topic}' was not received: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            return Problem(499, "Client closed the request", $"The client closed the request for topic '{topic}' before its body arrived.");
        }
    }

    private TopicLog? ResolveTopic(string topic, IngestQuery query)
    {
        if (server.Log.TryGetTopic(topic, out var log))
        {
            return log;
        }
        if (!query.Create)
        {
            return null;
        }
        try
        {
            return server.Log.CreateTopic(topic, new TopicConfig { Partitions = query.Partitions });
        }
        catch (InvalidOperationException) when (server.Log.TryGetTopic(topic, out var raced))
        {
            return raced;
        }
    }

    private TopicLog DeadLetterTopicOf(string topic)
    {
        var name = DeadLetters.TopicFor(topic);
        if (server.Log.TryGetTopic(name, out var log))
        {
            return log;
        }
        try
        {
            return server.Log.CreateTopic(name, new TopicConfig { Partitions = 1 });
        }
        catch (InvalidOperationException) when (server.Log.TryGetTopic(name, out var raced))
        {
            return raced;
        }
    }

    private PartitionAppender AppenderFor(PartitionLog partition)
    {
        if (_appenders.TryGetValue(partition, out var appender))
        {
            return appender;
        }
        lock (_appenders)
        {
            return _appenders.TryGetValue(partition, out appender) ? appender : _appenders[partition] = new PartitionAppender(partition, _time);
        }
    }

    private Task<IdempotencyIndex> IndexOf(TopicLog log) =>
        _indexes.GetOrAdd(log, static (l, time) => new Lazy<Task<IdempotencyIndex>>(() => Task.Run(() => IdempotencyIndex.Rebuild(l, time.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None))), _time).Value;

    /// <summary>
    /// What makes two requests with one Idempotency-Key the same request: the body and the value format it is stored as
    /// (the same JSON sent as plain JSON and as avro-confluent appends different records). The default format hashes the
    /// body alone, as before the formats existed, so keys recorded by an older server still match their retries; another
    /// format prefixes its name and a NUL byte, which no JSON body starts with.
    /// </summary>
    private static UInt128 HashRequest(ReadOnlySpan<byte> body, IngestValueFormat format)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var prefix = format switch
        {
            IngestValueFormat.Json => ""u8,
            IngestValueFormat.AvroConfluent => "avro-confluent\0"u8,
            IngestValueFormat.JsonRegistry => "json-registry\0"u8,
            _ => throw new UnreachableException($"Unknown ingest value format {format}."),
        };
        if (prefix.IsEmpty)
        {
            SHA256.HashData(body, digest);
        }
        else
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(prefix);
            hash.AppendData(body);
            hash.GetHashAndReset(digest);
        }
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    private static bool IsValidKey(string key)
    {
        if (key.Length > MaxKeyLength)
        {
            return false;
        }
        foreach (var c in key)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }
        return true;
    }

    private static IResult Answer(string topic, PartitionRange[] parts, int deadLettered)
    {
        var offsets = new IngestOffsets[parts.Length];
        long accepted = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            offsets[i] = new IngestOffsets(parts[i].Partition, parts[i].First, parts[i].Last);
            accepted += parts[i].Last - parts[i].First + 1;
        }
        return TypedResults.Json(new IngestAnswer(topic, offsets, accepted, deadLettered), IngestJsonContext.Default.IngestAnswer, statusCode: StatusCodes.Status202Accepted);
    }

    private IResult TooLarge(string topic) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", string.Create(CultureInfo.InvariantCulture, $"The body for topic '{topic}' is larger than the server's limit of {server.Options.MaxRequestBodyBytes} bytes: split it into smaller requests."));

    private static IResult TooBusy(HttpContext http, string detail)
    {
        http.Response.Headers.RetryAfter = "1";
        return Problem(StatusCodes.Status429TooManyRequests, "Ingest busy", detail);
    }

    private static IResult Problem(int status, string title, string detail, int? line = null, string? field = null)
    {
        Dictionary<string, object?>? extensions = null;
        if (line is { } l)
        {
            extensions = new() { ["line"] = l };
            if (field is not null)
            {
                extensions["field"] = field;
            }
        }
        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    /// <summary>Stops the appenders after they appended what was queued.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var appender in _appenders.Values)
        {
            await appender.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>The 202 answer of <c>POST /ingest/{topic}</c>.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Offsets">The offsets the records got, per partition (contiguous in each).</param>
/// <param name="Accepted">Records appended to the topic.</param>
/// <param name="DeadLettered">Records sent to the topic's dead-letter topic (<c>?dlq=true</c>).</param>
internal sealed record IngestAnswer(string Topic, IngestOffsets[] Offsets, long Accepted, int DeadLettered);

/// <summary>Offsets <paramref name="First"/>..<paramref name="Last"/> (inclusive) of <paramref name="Partition"/>.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="First">First offset.</param>
/// <param name="Last">Last offset.</param>
internal sealed record IngestOffsets(int Partition, long First, long Last);

/// <summary>Source-generated JSON of the ingest answer (camelCase, as the web defaults).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IngestAnswer))]
internal sealed partial class IngestJsonContext : JsonSerializerContext;
