using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.SchemaRegistry.Schemas;
using Sluice.SchemaRegistry.Storage;

namespace Sluice.SchemaRegistry.Api;

/// <summary>
/// A registry answer: a JSON body written with <see cref="Utf8JsonWriter"/> (no reflection) under Confluent's content
/// type <c>application/vnd.schemaregistry.v1+json</c>.
/// </summary>
internal sealed class RegistryResult(int status, Action<Utf8JsonWriter> write) : IResult
{
    /// <summary>Confluent's response content type.</summary>
    public const string ContentType = "application/vnd.schemaregistry.v1+json";

    /// <summary>A 200 answer.</summary>
    public static RegistryResult Ok(Action<Utf8JsonWriter> write) => new(StatusCodes.Status200OK, write);

    /// <summary>Confluent's error body <c>{"error_code":…,"message":…}</c> with the code's HTTP status.</summary>
    public static RegistryResult Error(int httpStatus, int errorCode, string message) => new(httpStatus, json =>
    {
        json.WriteStartObject();
        json.WriteNumber("error_code", errorCode);
        json.WriteString("message", message);
        json.WriteEndObject();
    });

    /// <summary>The error body of <paramref name="error"/>.</summary>
    public static RegistryResult Error(RegistryException error) => Error(error.HttpStatus, error.ErrorCode, error.Message);

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        await using var json = new Utf8JsonWriter(response.Body);
        write(json);
        await json.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>Reading request bodies and writing the registry's JSON shapes.</summary>
internal static class RegistryJson
{
    private const int MaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Reads a schema body, <c>{"schema":"…","schemaType":"JSON","references":[…],"id":7,"version":2}</c> (type AVRO
    /// when absent). Any content type is accepted: Confluent's, <c>application/json</c>, or none.
    /// </summary>
    /// <exception cref="RegistryException">42201: the body is not such an object, or 42201 for PROTOBUF or an unknown type.</exception>
    public static async Task<SchemaRequest> ReadSchemaRequestAsync(HttpRequest request)
    {
        using var document = await ReadBodyAsync(request).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String)
        {
            throw RegistryException.InvalidRequest("The request body must be a JSON object with a string field 'schema' (and optionally 'schemaType' and 'references').");
        }
        var type = SchemaType.Avro;
        if (root.TryGetProperty("schemaType", out var typeElement) && typeElement.ValueKind == JsonValueKind.String)
        {
            type = SchemaTypeNames.Parse(typeElement.GetString())
                ?? throw RegistryException.InvalidSchema($"Invalid schema type '{typeElement.GetString()}': use AVRO or JSON.");
        }
        if (type == SchemaType.Protobuf)
        {
            throw RegistryException.InvalidSchema("Schema type PROTOBUF is not supported by this registry; use AVRO or JSON.");
        }
        var references = new List<SchemaReference>();
        if (root.TryGetProperty("references", out var refs) && refs.ValueKind == JsonValueKind.Array)
        {
            int index = 0;
            foreach (var r in refs.EnumerateArray())
            {
                if (r.ValueKind != JsonValueKind.Object
                    || !r.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                    || !r.TryGetProperty("subject", out var subject) || subject.ValueKind != JsonValueKind.String
                    || !r.TryGetProperty("version", out var version) || !version.TryGetInt32(out int v))
                {
                    throw RegistryException.InvalidSchema($"Invalid schema: references[{index}] must be an object with string 'name', string 'subject' and integer 'version'.");
                }
                references.Add(new SchemaReference(name.GetString()!, subject.GetString()!, v));
                index++;
            }
        }
        return new SchemaRequest(type, schema.GetString()!, references, OptionalInt(root, "id"), OptionalInt(root, "version"));
    }

    /// <summary>Reads one string field of a JSON object body (<c>{"compatibility":"FULL"}</c>); null when absent.</summary>
    /// <exception cref="RegistryException">42201: the body is not a JSON object.</exception>
    public static async Task<string?> ReadStringFieldAsync(HttpRequest request, string field)
    {
        using var document = await ReadBodyAsync(request).ConfigureAwait(false);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw RegistryException.InvalidRequest($"The request body must be a JSON object with a string field '{field}'.");
        }
        return document.RootElement.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>Writes a version: <c>{"subject","version","id","schemaType"?,"references"?,"schema"}</c>.</summary>
    public static void WriteVersion(Utf8JsonWriter json, SchemaVersionRecord record)
    {
        json.WriteStartObject();
        json.WriteString("subject", record.Subject);
        json.WriteNumber("version", record.Version);
        json.WriteNumber("id", record.Id);
        WriteSchemaFields(json, record.Type, record.References, record.Schema);
        if (record.Deleted)
        {
            json.WriteBoolean("deleted", true);
        }
        json.WriteEndObject();
    }

    /// <summary>Writes <c>"schemaType"</c> (left out for AVRO, as Confluent does), <c>"references"</c> (when any) and <c>"schema"</c>.</summary>
    public static void WriteSchemaFields(Utf8JsonWriter json, SchemaType type, IReadOnlyList<SchemaReference> references, string schema)
    {
        if (type != SchemaType.Avro)
        {
            json.WriteString("schemaType", SchemaTypeNames.Name(type));
        }
        if (references.Count > 0)
        {
            json.WriteStartArray("references");
            foreach (var reference in references)
            {
                json.WriteStartObject();
                json.WriteString("name", reference.Name);
                json.WriteString("subject", reference.Subject);
                json.WriteNumber("version", reference.Version);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteString("schema", schema);
    }

    /// <summary>Writes a schema text as the JSON value it is (Confluent's <c>…/schema</c> endpoints), or as a string when it is not JSON.</summary>
    public static void WriteRawSchema(Utf8JsonWriter json, string schema)
    {
        try
        {
            using var document = JsonDocument.Parse(schema);
            document.RootElement.WriteTo(json);
        }
        catch (JsonException)
        {
            json.WriteStringValue(schema);
        }
    }

    /// <summary>Writes a JSON array of strings.</summary>
    public static void WriteStrings(Utf8JsonWriter json, IEnumerable<string> values)
    {
        json.WriteStartArray();
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    /// <summary>Writes a JSON array of numbers.</summary>
    public static void WriteNumbers(Utf8JsonWriter json, IEnumerable<int> values)
    {
        json.WriteStartArray();
        foreach (var value in values)
        {
            json.WriteNumberValue(value);
        }
        json.WriteEndArray();
    }

    /// <summary>Writes <c>{"name":value}</c>.</summary>
    public static void WriteObject(Utf8JsonWriter json, string name, string value)
    {
        json.WriteStartObject();
        json.WriteString(name, value);
        json.WriteEndObject();
    }

    private static async Task<JsonDocument> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw RegistryException.InvalidRequest($"The request body ({request.ContentLength} bytes) is larger than the registry accepts ({MaxBodyBytes} bytes).");
        }
        try
        {
            return await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw RegistryException.InvalidRequest($"The request body is not JSON: {e.Message}");
        }
    }

    private static int? OptionalInt(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out int value) && value > 0 ? value : null;
}
