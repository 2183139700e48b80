using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.SchemaRegistry.Schemas;

/// <summary>
/// Parses registered schema texts. Stateless and thread-safe. Referenced schemas are resolved through a callback, so
/// the parser knows nothing of storage.
/// </summary>
public static class SchemaParser
{
    /// <summary>Parses <paramref name="text"/> as a schema of <paramref name="type"/>.</summary>
    /// <param name="type">The schema's kind.</param>
    /// <param name="text">The schema text.</param>
    /// <param name="references">The schema's references (empty for none).</param>
    /// <param name="resolve">Finds a referenced schema; null when it is not registered.</param>
    /// <exception cref="InvalidSchemaException">The text is not a valid schema of that kind, a reference does not
    /// resolve, or the kind is not supported; the message says where and why.</exception>
    public static ParsedSchema Parse(SchemaType type, string text, IReadOnlyList<SchemaReference>? references = null, Func<SchemaReference, ParsedSchema?>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        references ??= [];
        return type switch
        {
            SchemaType.Avro => ParseAvro(text, references),
            SchemaType.Json => ParseJson(text, references),
            _ => throw new InvalidSchemaException($"Schema type {type.ToString().ToUpperInvariant()} is not supported; use AVRO or JSON."),
        };
    }

    private static AvroSchema ParseAvro(string text, IReadOnlyList<SchemaReference> references)
    {
        if (references.Count > 0)
        {
            throw new InvalidSchemaException("Avro schema references are not supported yet.");
        }
        Avro.Schema schema;
        try
        {
            schema = Avro.Schema.Parse(text);
        }
        catch (Exception e) when (e is Avro.AvroException or Newtonsoft.Json.JsonException or ArgumentException)
        {
            throw new InvalidSchemaException($"Invalid Avro schema: {e.Message}", e);
        }
        return new AvroSchema(text, references, schema, schema.ToString());
    }

    private static JsonSchemaDocument ParseJson(string text, IReadOnlyList<SchemaReference> references)
    {
        if (references.Count > 0)
        {
            throw new InvalidSchemaException("JSON Schema references are not supported yet.");
        }
        JsonNode? document;
        Json.Schema.JsonSchema schema;
        try
        {
            document = JsonNode.Parse(text);
            schema = Json.Schema.JsonSchema.FromText(text);
        }
        catch (JsonException e)
        {
            throw new InvalidSchemaException($"Invalid JSON Schema: {e.Message}", e);
        }
        if (document is null)
        {
            throw new InvalidSchemaException("Invalid JSON Schema: the text is JSON null, not a schema.");
        }
        return new JsonSchemaDocument(text, references, document, schema, document.ToJsonString());
    }
}
