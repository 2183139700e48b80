using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.SchemaRegistry.Compatibility;

/// <summary>
/// Whether a JSON Schema (the reader, or "update") accepts every document another (the writer, or "original")
/// accepted, by the rules of Confluent's JSON Schema diff (<c>SchemaDiff</c>): each change between the two is
/// classified as one of Confluent's <c>Difference.Type</c>s and only the incompatible ones are reported. Modelled:
/// <list type="bullet">
/// <item><c>type</c>: widened (a type added, or <c>integer</c> → <c>number</c>) is compatible; narrowed
/// (<c>TYPE_NARROWED</c>) or replaced (<c>TYPE_CHANGED</c>) is not. An absent <c>type</c> allows every type.</item>
/// <item>objects: a property added under an open content model (<c>additionalProperties</c> absent or true) with a
/// non-empty schema (<c>PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL</c>), a property removed under a closed reader
/// (<c>PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL</c>), a required property without default added to a closed
/// writer (<c>REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL</c>), a property added or removed that the other side's
/// <c>additionalProperties</c> schema does not cover (<c>PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL</c>,
/// <c>PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL</c>), <c>required</c> gaining a name without a
/// default (<c>REQUIRED_ATTRIBUTE_ADDED</c>), <c>additionalProperties</c> closed or narrowed
/// (<c>ADDITIONAL_PROPERTIES_REMOVED</c>, <c>ADDITIONAL_PROPERTIES_NARROWED</c>); common properties recursively.</item>
/// <item>arrays: <c>items</c> (one schema) recursively, items constrained where they were free
/// (<c>ITEM_ADDED_TO_OPEN_CONTENT_MODEL</c>), <c>uniqueItems</c> added.</item>
/// <item><c>enum</c>: values removed (<c>ENUM_ARRAY_NARROWED</c>) or replaced (<c>ENUM_ARRAY_CHANGED</c>); added is
/// compatible. An <c>enum</c> added where there was none counts as narrowed.</item>
/// <item>bounds: <c>maxLength</c>, <c>minLength</c>, <c>maximum</c>, <c>minimum</c>, <c>exclusiveMaximum</c>,
/// <c>exclusiveMinimum</c> (numeric, draft 6+), <c>maxItems</c>, <c>minItems</c>, <c>maxProperties</c>,
/// <c>minProperties</c>: added or tightened is incompatible (<c>MAX_LENGTH_ADDED</c>, <c>MAX_LENGTH_DECREASED</c>,
/// <c>MINIMUM_INCREASED</c>, …), removed or loosened is compatible; <c>pattern</c> added or changed; <c>multipleOf</c>
/// added, expanded or changed.</item>
/// <item><c>anyOf</c>/<c>oneOf</c>: every writer branch must be accepted by some reader branch
/// (<c>SUM_TYPE_NARROWED</c>); <c>allOf</c> gaining a branch is <c>PRODUCT_TYPE_EXTENDED</c>, and common branches are
/// compared in order; a combinator changed or added is <c>COMBINED_TYPE_CHANGED</c>.</item>
/// <item><c>$ref</c> to <c>#…</c> JSON pointers within the same document (<c>definitions</c>, <c>$defs</c>) is
/// followed; a pair of schemas already being compared counts as compatible, so recursive schemas terminate.</item>
/// <item>Boolean schemas: <c>true</c> is the empty schema; a writer of <c>false</c> accepts nothing, so any reader
/// reads it.</item>
/// </list>
/// Not modelled (a change there is not reported): <c>const</c>, <c>not</c>, <c>patternProperties</c>,
/// <c>dependencies</c>/<c>dependentRequired</c>/<c>dependentSchemas</c>, <c>if</c>/<c>then</c>/<c>else</c>,
/// <c>propertyNames</c>, <c>contains</c>, tuple <c>items</c>/<c>prefixItems</c>/<c>additionalItems</c>,
/// <c>format</c>, <c>$ref</c> to other documents (two different external references are reported as
/// <c>TYPE_CHANGED</c>), and <c>unevaluatedProperties</c>/<c>unevaluatedItems</c>. Not thread-safe: one instance
/// per check.
/// </summary>
internal sealed partial class JsonSchemaCompatibility
{
    private readonly JsonNode _writerRoot;
    private readonly JsonNode _readerRoot;
    private readonly HashSet<(JsonNode? Writer, JsonNode? Reader)> _inProgress = new(PairComparer.Instance);
    private readonly List<string> _location = ["#"];

    private JsonSchemaCompatibility(JsonNode writerRoot, JsonNode readerRoot)
    {
        _writerRoot = writerRoot;
        _readerRoot = readerRoot;
    }

    /// <summary>The reasons <paramref name="reader"/> rejects some document <paramref name="writer"/> accepts; empty when
    /// it accepts all of them (for what is modelled).</summary>
    public static IReadOnlyList<SchemaIncompatibility> Check(JsonNode reader, JsonNode writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        var issues = new List<SchemaIncompatibility>();
        new JsonSchemaCompatibility(writer, reader).Compare(writer, reader, issues);
        return issues;
    }

    /// <summary>Compares a writer (original) schema with a reader (update) schema at the current location.</summary>
    /// <returns>Whether the reader accepts everything the writer accepts (for what is modelled).</returns>
    private bool Compare(JsonNode? writer, JsonNode? reader, List<SchemaIncompatibility> issues)
    {
        var writerRef = RefOf(writer);
        var readerRef = RefOf(reader);
        if (writerRef is not null || readerRef is not null)
        {
            var resolvedWriter = writerRef is null ? writer : Resolve(_writerRoot, writerRef);
            var resolvedReader = readerRef is null ? reader : Resolve(_readerRoot, readerRef);
            if ((writerRef is not null && resolvedWriter is null) || (readerRef is not null && resolvedReader is null))
            {
                // A reference outside the document: only the same reference on both sides is known to be compatible.
                return writerRef == readerRef
                    || Add(issues, "TYPE_CHANGED", $"the reader's reference '{readerRef ?? "(none)"}' differs from the writer's '{writerRef ?? "(none)"}', which is outside the document and not compared");
            }
            writer = resolvedWriter;
            reader = resolvedReader;
        }
        if (IsFalse(writer) || IsTrue(reader))
        {
            return true; // the writer accepts nothing, or the reader accepts everything
        }
        if (!_inProgress.Add((writer, reader)))
        {
            return true;
        }
        try
        {
            var writerObject = AsObject(writer) ?? [];
            var readerObject = AsObject(reader);
            if (readerObject is null)
            {
                return Add(issues, "TYPE_NARROWED", "the reader is the schema false, which rejects every document the writer accepts");
            }
            var compatible = CompareTypes(writerObject, readerObject, issues);
            compatible &= CompareEnums(writerObject, readerObject, issues);
            compatible &= CompareBounds(writerObject, readerObject, issues);
            compatible &= CompareObjects(writerObject, readerObject, issues);
            compatible &= CompareArrays(writerObject, readerObject, issues);
            compatible &= CompareCombined(writerObject, readerObject, issues);
            return compatible;
        }
        finally
        {
            _inProgress.Remove((writer, reader));
        }
    }

    private bool CompareTypes(JsonObject writer, JsonObject reader, List<SchemaIncompatibility> issues)
    {
        var readerTypes = TypesOf(reader);
        if (readerTypes is null)
        {
            return true; // the reader allows every type
        }
        var writerTypes = TypesOf(writer);
        if (writerTypes is null)
        {
            return Add(issues, "TYPE_NARROWED", $"the reader allows only the types [{string.Join(", ", readerTypes)}] where the writer allowed any type");
        }
        var uncovered = writerTypes.Where(t => !Covers(readerTypes, t)).ToList();
        if (uncovered.Count == 0)
        {
            return true;
        }
        // number read as integer keeps the writer's integers: narrowed, as a dropped type is, not changed.
        var narrowed = uncovered.Count < writerTypes.Count || (uncovered.Contains("number") && readerTypes.Contains("integer"));
        return Add(issues, narrowed ? "TYPE_NARROWED" : "TYPE_CHANGED", $"the reader's types [{string.Join(", ", readerTypes)}] do not include the writer's [{string.Join(", ", uncovered)}]");
    }

    private bool CompareEnums(JsonObject writer, JsonObject reader, List<SchemaIncompatibility> issues)
    {
        if (reader["enum"] is not JsonArray readerValues)
        {
            return true;
        }
        if (writer["enum"] is not JsonArray writerValues)
        {
            return AddAt("enum", issues, "ENUM_ARRAY_NARROWED", "the reader restricts values to an enum where the writer had none");
        }
        var missing = writerValues.Where(w => !readerValues.Any(r => JsonNode.DeepEquals(w, r))).Select(v => v?.ToJsonString() ?? "null").ToList();
        if (missing.Count == 0)
        {
            return true;
        }
        var kind = missing.Count < writerValues.Count ? "ENUM_ARRAY_NARROWED" : "ENUM_ARRAY_CHANGED";
        return AddAt("enum", issues, kind, $"the reader's enum lacks the writer's values [{string.Join(", ", missing)}]");
    }

    private bool CompareArrays(JsonObject writer, JsonObject reader, List<SchemaIncompatibility> issues)
    {
        var compatible = true;
        var readerItems = reader["items"];
        var writerItems = writer["items"];
        if (readerItems is JsonObject or JsonValue && !IsTrue(readerItems))
        {
            if (writerItems is null)
            {
                compatible = AddAt("items", issues, "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "the reader constrains array items that the writer left free");
            }
            else if (writerItems is JsonObject or JsonValue)
            {
                _location.Add("items");
                compatible = Compare(writerItems, readerItems, issues);
                _location.RemoveAt(_location.Count - 1);
            }
        }
        if (IsTrueValue(reader["uniqueItems"]) && !IsTrueValue(writer["uniqueItems"]))
        {
            compatible = AddAt("uniqueItems", issues, "UNIQUE_ITEMS_ADDED", "the reader requires unique array items where the writer did not");
        }
        return compatible;
    }

    private bool CompareCombined(JsonObject writer, JsonObject reader, List<SchemaIncompatibility> issues)
    {
        var compatible = true;
        foreach (var keyword in (string[])["anyOf", "oneOf", "allOf"])
        {
            var readerBranches = reader[keyword] as JsonArray;
            var writerBranches = writer[keyword] as JsonArray;
            if (readerBranches is null)
            {
                continue; // dropping a combinator only removes constraints
            }
            if (writerBranches is null)
            {
                var other = Array.Find((string[])["anyOf", "oneOf", "allOf"], k => k != keyword && writer[k] is JsonArray);
                // A writer "oneOf" read by a reader "anyOf" (or the reverse) compares branch by branch as sums do.
                if (other is not null && keyword != "allOf" && other != "allOf")
                {
                    writerBranches = (JsonArray)writer[other]!;
                }
                else
                {
                    compatible = AddAt(keyword, issues, "COMBINED_TYPE_CHANGED", $"the reader adds the combinator '{keyword}' that the writer did not have");
                    continue;
                }
            }
            if (keyword == "allOf")
            {
                if (readerBranches.Count > writerBranches.Count)
                {
                    compatible = AddAt(keyword, issues, "PRODUCT_TYPE_EXTENDED", $"the reader's allOf has {readerBranches.Count} schemas where the writer's had {writerBranches.Count}");
                    continue;
                }
                _location.Add(keyword);
                for (var i = 0; i < readerBranches.Count; i++)
                {
                    _location.Add(i.ToString(CultureInfo.InvariantCulture));
                    compatible &= Compare(writerBranches[i], readerBranches[i], issues);
                    _location.RemoveAt(_location.Count - 1);
                }
                _location.RemoveAt(_location.Count - 1);
                continue;
            }
            for (var i = 0; i < writerBranches.Count; i++)
            {
                var writerBranch = writerBranches[i];
                if (!readerBranches.Any(r => Compare(writerBranch, r, [])))
                {
                    compatible = AddAt($"{keyword}/{i}", issues, "SUM_TYPE_NARROWED", $"no branch of the reader's {keyword} accepts everything the writer's branch {i} accepts");
                }
            }
        }
        return compatible;
    }

    /// <summary>Records an incompatibility at the current location; always false, for <c>return Add(…)</c>.</summary>
    private bool Add(List<SchemaIncompatibility> issues, string type, string description)
    {
        issues.Add(new SchemaIncompatibility(type, string.Join('/', _location), description));
        return false;
    }

    /// <summary>Records an incompatibility at <paramref name="segment"/> below the current location; always false.</summary>
    private bool AddAt(string segment, List<SchemaIncompatibility> issues, string type, string description)
    {
        issues.Add(new SchemaIncompatibility(type, string.Join('/', _location) + "/" + segment, description));
        return false;
    }

    private static string? RefOf(JsonNode? schema) =>
        schema is JsonObject o && o["$ref"] is JsonValue v && v.TryGetValue<string>(out var reference) ? reference : null;

    /// <summary>The node a <c>#</c> JSON pointer names in <paramref name="root"/>; null when it is not such a pointer or
    /// names nothing.</summary>
    private static JsonNode? Resolve(JsonNode root, string reference)
    {
        if (!reference.StartsWith('#'))
        {
            return null;
        }
        var node = root;
        foreach (var raw in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject o => o[token],
                JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }
        return node;
    }

    private static JsonObject? AsObject(JsonNode? schema) => schema switch
    {
        JsonObject o => o,
        null => [],
        _ when IsTrue(schema) => [],
        _ => null,
    };

    /// <summary>Whether a schema accepts every document: <c>true</c>, <c>{}</c> or absent.</summary>
    private static bool IsTrue(JsonNode? schema) => schema switch
    {
        null => true,
        JsonObject o => o.All(p => s_annotations.Contains(p.Key)),
        JsonValue v => v.GetValueKind() == JsonValueKind.True,
        _ => false,
    };

    /// <summary>Keywords that constrain nothing: a schema of only these accepts every document.</summary>
    private static readonly HashSet<string> s_annotations =
    [
        "title", "description", "default", "examples", "$comment", "$id", "$schema", "$anchor", "readOnly", "writeOnly",
        "deprecated", "definitions", "$defs",
    ];

    private static bool IsFalse(JsonNode? schema) => schema is JsonValue v && v.GetValueKind() == JsonValueKind.False;

    private static bool IsTrueValue(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    /// <summary>The schema's <c>type</c> as a list; null when absent (every type).</summary>
    private static List<string>? TypesOf(JsonObject schema) => schema["type"] switch
    {
        JsonValue v when v.TryGetValue<string>(out var single) => [single],
        JsonArray a => a.Select(t => t?.GetValue<string>() ?? "null").ToList(),
        _ => null,
    };

    /// <summary>Whether a reader's types accept every value of a writer's type: <c>number</c> covers <c>integer</c>.</summary>
    private static bool Covers(List<string> readerTypes, string writerType) =>
        readerTypes.Contains(writerType) || (writerType == "integer" && readerTypes.Contains("number"));

    /// <summary>Pairs of schema nodes compared by reference, for the recursion guard.</summary>
    private sealed class PairComparer : IEqualityComparer<(JsonNode? Writer, JsonNode? Reader)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((JsonNode? Writer, JsonNode? Reader) x, (JsonNode? Writer, JsonNode? Reader) y) =>
            ReferenceEquals(x.Writer, y.Writer) && ReferenceEquals(x.Reader, y.Reader);

        public int GetHashCode((JsonNode? Writer, JsonNode? Reader) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Writer), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Reader));
    }
}
