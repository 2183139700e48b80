using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Json.Schema;
using Sluice.Formats.Json;
using Sluice.Formats.Registry.Internal;
using Sluice.Schemas;

namespace Sluice.Formats.Registry;

/// <summary>
/// The <c>json-registry</c> deserializer (see <see cref="JsonRegistryFormat"/>): checks the wire header and that the
/// id names a JSON Schema (once per id), optionally validates the body against it, then decodes the body with the
/// <c>json</c> format. Thread-safe.
/// </summary>
internal sealed class JsonRegistryRowDeserializer : IRowDeserializer, IDisposable
{
    private readonly IRowDeserializer _json;
    private readonly bool _validate;
    private readonly RegistryClient _registry;
    private readonly WriterSchemaCache<WriterEntry> _writers;

    public JsonRegistryRowDeserializer(IRowDeserializer json, bool validate, RegistryClient registry)
    {
        _json = json;
        _validate = validate;
        _registry = registry;
        _writers = new WriterSchemaCache<WriterEntry>(Compile);
    }

    /// <inheritdoc />
    public Schema Schema => _json.Schema;

    /// <inheritdoc />
    public long IgnoredErrorCount => _json.IgnoredErrorCount;

    /// <inheritdoc />
    public bool TryDeserialize(ReadOnlySpan<byte> data, out Row? row, [NotNullWhen(false)] out FormatError? error)
    {
        row = null;
        if (!WireFormat.TryRead(data, out var id, out var body, out error))
        {
            return false;
        }
        var entry = _writers.Get(id);
        if (entry.Error is { } reason)
        {
            error = new FormatError(reason);
            return false;
        }
        if (entry.Schema is { } schema && !TryValidate(schema, body, id, out error))
        {
            return false;
        }
        if (_json.TryDeserialize(body, out row, out error))
        {
            return true;
        }
        error = error with { Reason = string.Create(CultureInfo.InvariantCulture, $"{error.Reason} (writer schema id {id})") };
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _registry.Dispose();

    private static bool TryValidate(JsonSchema schema, ReadOnlySpan<byte> body, int id, [NotNullWhen(false)] out FormatError? error)
    {
        error = null;
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            error = new FormatError($"The record is not JSON: {e.Message}");
            return false;
        }
        using (document)
        {
            var results = schema.Evaluate(document.RootElement, JsonSchemaErrors.Options);
            if (results.IsValid)
            {
                return true;
            }
            var location = JsonSchemaErrors.FirstFailure(results, out var errors);
            error = errors.Count == 0
                ? new FormatError(string.Create(CultureInfo.InvariantCulture, $"The record does not match writer JSON Schema id {id}.")) { Kind = DeadLetterKind.Schema }
                : new FormatError(
                    string.Create(CultureInfo.InvariantCulture, $"The record does not match writer JSON Schema id {id} at '{(location.Length == 0 ? "/" : location)}': {string.Join("; ", errors.Values)}."),
                    JsonSchemaErrors.FieldOf(location))
                { Kind = DeadLetterKind.Schema };
            return false;
        }
    }

    private WriterEntry Compile(int id)
    {
        var registered = _registry.GetSchema(id, out var missing);
        if (registered is null)
        {
            return new WriterEntry(null, string.Create(CultureInfo.InvariantCulture, $"Unknown writer schema id {id}: {missing}."));
        }
        if (registered.SchemaType != Confluent.SchemaRegistry.SchemaType.Json)
        {
            return new WriterEntry(null, string.Create(CultureInfo.InvariantCulture,
                $"Writer schema id {id} is a {registered.SchemaType} schema, not a JSON Schema: the record was not written in the json-registry format."));
        }
        if (!_validate)
        {
            return new WriterEntry(null, null);
        }
        try
        {
            // As the registry reads it: no $schema means draft 7; draft 4 (what Confluent's serializers generate) is
            // rewritten into its draft-06 equivalent.
            var text = registered.SchemaString;
            if (System.Text.Json.Nodes.JsonNode.Parse(text) is System.Text.Json.Nodes.JsonObject document
                && document["$schema"] is System.Text.Json.Nodes.JsonValue dialect && dialect.TryGetValue(out string? uri) && JsonSchemaDraft4.Is(uri))
            {
                text = JsonSchemaDraft4.Upgrade(document).ToJsonString();
            }
            return new WriterEntry(JsonSchema.FromText(text, new BuildOptions { Dialect = Dialect.Draft07 }), null);
        }
        catch (Exception e) when (e is JsonException or JsonSchemaException or ArgumentException or InvalidOperationException)
        {
            return new WriterEntry(null, string.Create(CultureInfo.InvariantCulture, $"Writer schema id {id} is not a usable JSON Schema: {e.Message}"));
        }
    }

    /// <summary>A writer id's JSON Schema (when validating), or why the id cannot be read.</summary>
    private sealed record WriterEntry(JsonSchema? Schema, string? Error);
}
