using System.Text.Json.Nodes;

namespace Sluice.Formats.Json;

/// <summary>
/// Reads draft-04 JSON Schemas — what Confluent's own JSON serializers generate (NJsonSchema writes
/// <c>"$schema": "http://json-schema.org/draft-04/schema#"</c>) — by rewriting them into the draft-06 schema that means the
/// same (evaluate it as draft 7, a superset of those keywords), which JsonSchema.Net evaluates: <c>id</c> becomes <c>$id</c>, and the boolean <c>exclusiveMinimum</c> /
/// <c>exclusiveMaximum</c> modifiers become the numeric bounds of draft 6. The rewrite walks only schema positions, so a
/// property named <c>id</c> stays a property. The registered text is kept as given; only the evaluated document changes.
/// Shared by the schema registry and the <c>json-registry</c> format. Stateless and thread-safe.
/// </summary>
public static class JsonSchemaDraft4
{
    /// <summary>Whether <paramref name="dialect"/> (a <c>$schema</c> value) names draft 4.</summary>
    public static bool Is(string? dialect) => dialect is not null && dialect.Contains("draft-04", StringComparison.Ordinal);

    /// <summary>The draft-06 equivalent of the draft-04 <paramref name="document"/> (a new tree; the argument is not changed).</summary>
    public static JsonNode Upgrade(JsonNode document)
    {
        var copy = document.DeepClone();
        UpgradeSchema(copy);
        if (copy is JsonObject root)
        {
            root.Remove("$schema"); // evaluated as draft 7, the registry's default, which reads every draft-06 keyword alike
        }
        return copy;
    }

    private static void UpgradeSchema(JsonNode? node)
    {
        if (node is not JsonObject schema)
        {
            return; // true/false or a malformed position: the meta-schema check reports the latter.
        }
        if (schema["id"] is JsonValue id && id.TryGetValue(out string? text) && !schema.ContainsKey("$id"))
        {
            schema.Remove("id");
            schema["$id"] = text;
        }
        UpgradeBound(schema, "exclusiveMinimum", "minimum");
        UpgradeBound(schema, "exclusiveMaximum", "maximum");
        foreach (var keyword in (string[])["properties", "patternProperties", "definitions", "dependencies"])
        {
            if (schema[keyword] is JsonObject map)
            {
                foreach (var (_, child) in map)
                {
                    UpgradeSchema(child); // a dependency that is a property list (an array) is left as is
                }
            }
        }
        foreach (var keyword in (string[])["allOf", "anyOf", "oneOf", "items"])
        {
            if (schema[keyword] is JsonArray list)
            {
                foreach (var child in list)
                {
                    UpgradeSchema(child);
                }
            }
        }
        foreach (var keyword in (string[])["not", "additionalProperties", "additionalItems", "items"])
        {
            UpgradeSchema(schema[keyword]);
        }
    }

    /// <summary>Draft 4's <c>"exclusiveMinimum": true</c> beside <c>"minimum": x</c> is draft 6's <c>"exclusiveMinimum": x</c>.</summary>
    private static void UpgradeBound(JsonObject schema, string exclusive, string inclusive)
    {
        if (schema[exclusive] is not JsonValue flag || !flag.TryGetValue(out bool isExclusive))
        {
            return;
        }
        schema.Remove(exclusive);
        if (isExclusive && schema[inclusive] is JsonValue bound && bound.TryGetValue(out double value))
        {
            schema.Remove(inclusive);
            schema[exclusive] = value;
        }
    }
}
