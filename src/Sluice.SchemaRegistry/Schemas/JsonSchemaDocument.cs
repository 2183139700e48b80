using System.Text.Json.Nodes;

namespace Sluice.SchemaRegistry.Schemas;

/// <summary>A parsed JSON Schema (draft 7 or later): its JSON document and JsonSchema.Net's evaluator.</summary>
public sealed class JsonSchemaDocument : ParsedSchema
{
    internal JsonSchemaDocument(string text, IReadOnlyList<SchemaReference> references, JsonNode document, Json.Schema.JsonSchema schema, string canonicalText)
        : base(text, references)
    {
        Document = document;
        Schema = schema;
        CanonicalText = canonicalText;
    }

    /// <inheritdoc/>
    public override SchemaType Type => SchemaType.Json;

    /// <summary>The schema's JSON document as evaluated (do not modify it): the text as given, except that a draft-04 schema is
    /// rewritten into its draft-06 equivalent (see <see cref="Sluice.Formats.Json.JsonSchemaDraft4"/>).</summary>
    public JsonNode Document { get; }

    /// <summary>The schema as JsonSchema.Net parsed it, for validating instances.</summary>
    public Json.Schema.JsonSchema Schema { get; }

    /// <inheritdoc/>
    public override string CanonicalText { get; }
}
