using System.Globalization;
using System.Text.Json.Nodes;

namespace Sluice.SchemaRegistry.Compatibility;

/// <summary>Objects (properties, required, content model) and numeric/string/size bounds.</summary>
internal sealed partial class JsonSchemaCompatibility
{
    /// <summary>Upper bounds: the reader must not add one, nor lower the writer's.</summary>
    private static readonly (string Keyword, string Code)[] s_upperBounds =
    [
        ("maxLength", "MAX_LENGTH"), ("maximum", "MAXIMUM"), ("exclusiveMaximum", "EXCLUSIVE_MAXIMUM"),
        ("maxItems", "MAX_ITEMS"), ("maxProperties", "MAX_PROPERTIES"),
    ];

    /// <summary>Lower bounds: the reader must not add one, nor raise the writer's.</summary>
    private static readonly (string Keyword, string Code)[] s_lowerBounds =
    [
        ("minLength", "MIN_LENGTH"), ("minimum", "MINIMUM"), ("exclusiveMinimum", "EXCLUSIVE_MINIMUM"),
        ("minItems", "MIN_ITEMS"), ("minProperties", "MIN_PROPERTIES"),
    ];

    private bool CompareBounds(JsonObject writer, JsonObject reader, List<SchemaIncompatibility> issues)
    {
        var compatible = true;
        foreach (var (keyword, code) in s_upperBounds)
        {
            compatible &= CompareBound(writer, reader, keyword, code, upper: true, issues);
        }
        foreach (var (keyword, code) in s_lowerBounds)
        {
            compatible &= CompareBound(writer, reader, keyword, code, upper: false, issues);
        }
        var readerPattern = reader["pattern"]?.ToString();
        var writerPattern = writer["pattern"]?.ToString();
        if (readerPattern is not null && readerPattern != writerPattern)
        {
            compatible = writerPattern is null
                ? AddAt("pattern", issues, "PATTERN_ADDED", $"the reader adds the pattern '{readerPattern}'")
                : AddAt("pattern", issues, "PATTERN_CHANGED", $"the reader's pattern '{readerPattern}' differs from the writer's '{writerPattern}'");
        }
        var readerMultiple = NumberOf(reader["multipleOf"]);
        var writerMultiple = NumberOf(writer["multipleOf"]);
        if (readerMultiple is { } r)
        {
            if (writerMultiple is not { } w)
            {
                compatible = AddAt("multipleOf", issues, "MULTIPLE_OF_ADDED", $"the reader requires multiples of {r} where the writer did not");
            }
            else if (w % r != 0)
            {
                // r divides w: "reduced", every multiple of w is one of r. Otherwise some writer value is rejected.
                compatible = r % w == 0
                    ? AddAt("multipleOf", issues, "MULTIPLE_OF_EXPANDED", $"the reader requires multiples of {r}, a multiple of the writer's {w}")
                    : AddAt("multipleOf", issues, "MULTIPLE_OF_CHANGED", $"the reader requires multiples of {r} where the writer required multiples of {w}");
            }
        }
        return compatible;
    }

    private bool CompareBound(JsonObject writer, JsonObject reader, string keyword, string code, bool upper, List<SchemaIncompatibility> issues)
    {
        if (NumberOf(reader[keyword]) is not { } r)
        {
            return true; // absent or removed: loosened
        }
        if (NumberOf(writer[keyword]) is not { } w)
        {
            return AddAt(keyword, issues, code + "_ADDED", $"the reader adds {keyword} {Format(r)}, which the writer did not have");
        }
        if (upper ? r < w : r > w)
        {
            var change = upper ? "_DECREASED" : "_INCREASED";
            return AddAt(keyword, issues, code + change, $"the reader's {keyword} {Format(r)} is tighter than the writer's {Format(w)}");
        }
        return true;
    }

    private bool CompareObjects(JsonObject writer, JsonObject reader, List<SchemaIncompatibility> issues)
    {
        var compatible = true;
        var writerProperties = writer["properties"] as JsonObject ?? [];
        var readerProperties = reader["properties"] as JsonObject ?? [];
        var writerAdditional = writer["additionalProperties"];
        var readerAdditional = reader["additionalProperties"];
        var writerRequired = RequiredOf(writer);
        var readerRequired = RequiredOf(reader);

        foreach (var (name, readerProperty) in readerProperties)
        {
            _location.Add("properties");
            _location.Add(Escape(name));
            if (writerProperties.TryGetPropertyValue(name, out var writerProperty))
            {
                compatible &= Compare(writerProperty, readerProperty, issues);
            }
            else if (IsFalse(writerAdditional))
            {
                // A closed writer never wrote the property: only a reader that requires it (without default) fails.
                if (readerRequired.Contains(name) && !HasDefault(readerProperty))
                {
                    compatible = Add(issues, "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", $"the reader requires the new property '{name}' without a default, which the writer's closed content model never wrote");
                }
            }
            else if (IsTrue(writerAdditional))
            {
                if (!IsTrue(readerProperty))
                {
                    compatible = Add(issues, "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", $"the reader adds the property '{name}' with a schema, but the writer's open content model accepted any value under that name");
                }
            }
            else if (!Compare(writerAdditional, readerProperty, []))
            {
                compatible = Add(issues, "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", $"the reader's new property '{name}' does not accept everything the writer's additionalProperties accepted");
            }
            _location.RemoveRange(_location.Count - 2, 2);
        }

        foreach (var (name, writerProperty) in writerProperties)
        {
            if (readerProperties.ContainsKey(name) || IsTrue(readerAdditional) || IsFalse(writerProperty))
            {
                continue; // kept, or read by an open reader, or never written
            }
            _location.Add("properties");
            _location.Add(Escape(name));
            if (IsFalse(readerAdditional))
            {
                compatible = Add(issues, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", $"the reader removes the property '{name}' but its closed content model rejects the values the writer wrote there");
            }
            else if (!Compare(writerProperty, readerAdditional, []))
            {
                compatible = Add(issues, "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", $"the reader removes the property '{name}' and its additionalProperties does not accept everything the writer wrote there");
            }
            _location.RemoveRange(_location.Count - 2, 2);
        }

        foreach (var name in readerRequired)
        {
            if (writerRequired.Contains(name) || (readerProperties[name] is { } property && HasDefault(property)))
            {
                continue;
            }
            if (IsFalse(writerAdditional) && !writerProperties.ContainsKey(name) && readerProperties.ContainsKey(name))
            {
                continue; // reported above as REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
            }
            compatible = AddAt("required", issues, "REQUIRED_ATTRIBUTE_ADDED", $"the reader requires '{name}' without a default, which the writer did not require");
        }

        if (IsTrue(readerAdditional) || IsFalse(writerAdditional))
        {
            return compatible;
        }
        if (IsFalse(readerAdditional))
        {
            return AddAt("additionalProperties", issues, "ADDITIONAL_PROPERTIES_REMOVED", "the reader closes the content model (additionalProperties false) that the writer left open");
        }
        if (IsTrue(writerAdditional))
        {
            return AddAt("additionalProperties", issues, "ADDITIONAL_PROPERTIES_NARROWED", "the reader constrains additional properties that the writer left free");
        }
        _location.Add("additionalProperties");
        if (!Compare(writerAdditional, readerAdditional, []))
        {
            compatible = Add(issues, "ADDITIONAL_PROPERTIES_NARROWED", "the reader's additionalProperties does not accept everything the writer's accepted");
        }
        _location.RemoveAt(_location.Count - 1);
        return compatible;
    }

    private static HashSet<string> RequiredOf(JsonObject schema) =>
        schema["required"] is JsonArray names ? names.Select(n => n?.ToString() ?? "").ToHashSet(StringComparer.Ordinal) : [];

    private static bool HasDefault(JsonNode? property) => property is JsonObject o && o.ContainsKey("default");

    private static decimal? NumberOf(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<decimal>(out var number) ? number : null;

    private static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A property name as a JSON pointer segment.</summary>
    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
