using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Sluice.Formats.Registry.Avro;
using Sluice.SchemaRegistry.Schemas;
using Sluice.SchemaRegistry.Storage;

namespace Sluice.Server.Ingest;

/// <summary>Why a request's <c>?format=</c> cannot be served: the HTTP status, a title and one sentence with the fix.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Title">The problem's title.</param>
/// <param name="Detail">What is wrong and how to fix it.</param>
internal sealed record IngestSchemaError(int Status, string Title, string Detail);

/// <summary>
/// The record encoders of <c>?format=avro-confluent</c> and <c>?format=json-registry</c>, from the server's own schema
/// registry: the latest live schema of subject <c>&lt;topic&gt;-value</c> (Confluent's TopicNameStrategy), compiled
/// once and cached per (subject, format). A cached encoder is used while the store's <see cref="SchemaStore.Changes"/>
/// is unchanged (one volatile read per request); after any registry write the next request asks the store for the
/// subject's latest version again, and recompiles only when its id changed — so a version registered while the server
/// runs is used from the next request on. Thread-safe.
/// </summary>
internal sealed class IngestSchemas(SchemaStore store)
{
    private readonly ConcurrentDictionary<(string Subject, IngestValueFormat Format), Entry> _entries = new();

    /// <summary>The subject whose latest schema encodes the values of <paramref name="topic"/>.</summary>
    public static string SubjectOf(string topic) => topic + "-value";

    /// <summary>The encoder of <paramref name="format"/> (not <see cref="IngestValueFormat.Json"/>) for
    /// <paramref name="topic"/>, or null with the reason (no subject, a schema of the other type, a schema that cannot
    /// be used).</summary>
    public IRecordEncoder? EncoderFor(string topic, IngestValueFormat format, out IngestSchemaError? error)
    {
        error = null;
        var subject = SubjectOf(topic);
        var changes = store.Changes;
        if (_entries.TryGetValue((subject, format), out var cached) && cached.Changes == changes)
        {
            return cached.Encoder;
        }
        LatestSchema? latest;
        try
        {
            latest = store.Latest(subject);
        }
        catch (InvalidSchemaException e)
        {
            error = Unusable(subject, format, e.Message);
            return null;
        }
        if (latest is null)
        {
            error = Missing(topic, subject, format);
            return null;
        }
        if (cached is not null && cached.Id == latest.Id)
        {
            // Something else changed in the registry: the subject's latest schema is the same one.
            _entries[(subject, format)] = cached with { Changes = changes };
            return cached.Encoder;
        }
        var encoder = Compile(latest, format, out error);
        if (encoder is not null)
        {
            // `changes` was read before the lookup: a registration racing with it only makes the next request look again.
            _entries[(subject, format)] = new Entry(changes, latest.Id, encoder);
        }
        return encoder;
    }

    private static IRecordEncoder? Compile(LatestSchema latest, IngestValueFormat format, out IngestSchemaError? error)
    {
        error = null;
        switch (format, latest.Schema)
        {
            case (IngestValueFormat.AvroConfluent, AvroSchema avro):
                try
                {
                    return new AvroRecordEncoder(latest.Id, AvroJsonEncoder.Compile(avro.Schema));
                }
                catch (NotSupportedException e)
                {
                    error = Unusable(latest.Subject, format, e.Message);
                    return null;
                }
            case (IngestValueFormat.JsonRegistry, JsonSchemaDocument json):
                return new JsonSchemaRecordEncoder(latest.Subject, latest.Version, latest.Id, json.Schema);
            default:
                var wanted = format == IngestValueFormat.AvroConfluent ? "AVRO" : "JSON";
                var other = latest.Schema.Type switch
                {
                    SchemaType.Avro => "avro-confluent",
                    SchemaType.Json => "json-registry",
                    _ => null,
                };
                error = new IngestSchemaError(StatusCodes.Status422UnprocessableEntity, "Schema type mismatch",
                    $"The latest schema of subject '{latest.Subject}' (version {latest.Version}, id {latest.Id}) is a {SchemaTypeNames.Name(latest.Schema.Type)} schema, not {wanted}: "
                    + (other is null ? $"register a {wanted} schema under '{latest.Subject}'." : $"ingest with ?format={other}, or register a {wanted} schema under '{latest.Subject}'."));
                return null;
        }
    }

    private static IngestSchemaError Missing(string topic, string subject, IngestValueFormat format)
    {
        var type = format == IngestValueFormat.AvroConfluent ? "AVRO" : "JSON";
        return new IngestSchemaError(StatusCodes.Status404NotFound, "Unknown subject",
            $"Subject '{subject}' has no schema in the server's registry, and ?format={Name(format)} encodes topic '{topic}' with its latest one: "
            + $"register it first, e.g. POST /registry/subjects/{subject}/versions with {{\"schemaType\": \"{type}\", \"schema\": \"…\"}} (the API token is needed), then retry.");
    }

    private static IngestSchemaError Unusable(string subject, IngestValueFormat format, string reason) =>
        new(StatusCodes.Status422UnprocessableEntity, "Schema not usable",
            $"The latest schema of subject '{subject}' cannot encode ?format={Name(format)} records: {reason}");

    private static string Name(IngestValueFormat format) => format == IngestValueFormat.AvroConfluent ? "avro-confluent" : "json-registry";

    /// <summary>A compiled encoder, the schema id it writes and the store's change count it was checked at.</summary>
    private sealed record Entry(long Changes, int Id, IRecordEncoder Encoder);
}
