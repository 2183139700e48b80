using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Tests.Compatibility;

/// <summary>
/// Properties of the JSON Schema checker over generated object schemas (properties with types, bounds and enums,
/// required lists, open and closed content models), and agreement with JsonSchema.Net's validator: when the checker
/// says a new schema is BACKWARD compatible, every generated document the old schema accepts, the new one accepts.
/// </summary>
public sealed class JsonSchemaCompatibilityPropertyTests
{
    private static readonly string[] s_names = ["a", "b", "c"];

    private static readonly Gen<JsonNode?> s_genValue = Gen.OneOf(
        Gen.Int[-2, 12].Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Int[0, 1].Select(_ => (JsonNode?)JsonValue.Create(1.5)),
        Gen.String[Gen.Char['x', 'z'], 0, 6].Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Int[0, 1].Select(_ => (JsonNode?)null));

    /// <summary>A flat object holding each name three times in four, each with a value of any JSON type.</summary>
    private static readonly Gen<string> s_genDocument =
        Gen.Select(Gen.Int[0, 3], s_genValue).Array[s_names.Length].Select(values =>
        {
            var document = new JsonObject();
            for (var i = 0; i < s_names.Length; i++)
            {
                if (values[i].Item1 != 0)
                {
                    document[s_names[i]] = values[i].Item2;
                }
            }
            return document.ToJsonString();
        });

    private static readonly Gen<JsonObject> s_genPropertySchema = Gen.Select(
        Gen.OneOf<string?>(null, null, "string", "integer", "number", "boolean", "null", "string|null", "integer|number"),
        Sometimes(0, 6),
        Sometimes(-2, 12),
        Sometimes(-2, 12),
        Gen.Bool).Select((type, maxLength, minimum, maximum, withEnum) =>
        {
            var schema = new JsonObject();
            if (type is not null)
            {
                schema["type"] = type.Contains('|', StringComparison.Ordinal)
                    ? new JsonArray([.. type.Split('|').Select(t => (JsonNode)JsonValue.Create(t))])
                    : JsonValue.Create(type);
            }
            var texts = type is null or "string" or "string|null";
            var numbers = type is null or "integer" or "number" or "integer|number";
            if (maxLength is { } length && texts)
            {
                schema["maxLength"] = length;
            }
            if (minimum is { } min && numbers)
            {
                schema["minimum"] = min;
            }
            if (maximum is { } max && numbers)
            {
                schema["maximum"] = max;
            }
            if (withEnum && type is null)
            {
                schema["enum"] = new JsonArray("", "x", 1, true);
            }
            return schema;
        });

    /// <summary>One name's part of an object schema: absent (null schema), or a property schema and whether it is required.</summary>
    private sealed record PropertySpec(JsonObject? Schema, bool Required);

    private static readonly Gen<PropertySpec> s_genProperty =
        Gen.Select(s_genPropertySchema, Gen.Bool, Gen.Int[0, 3]).Select((schema, required, presence) => new PropertySpec(presence == 0 ? null : schema, required));

    private static readonly Gen<bool?> s_genAdditional = Gen.OneOf<bool?>(null, true, false);

    /// <summary>
    /// A writer object schema and a reader derived from it: each name's part kept, redrawn, or changed in one keyword
    /// (a bound moved, the type replaced, required toggled, the property dropped); the content model kept or redrawn.
    /// </summary>
    private static readonly Gen<(string Writer, string Reader)> s_genPair =
        Gen.Select(s_genProperty.Array[s_names.Length], s_genAdditional, s_genProperty.Array[s_names.Length], Gen.Int[0, 9].Array[s_names.Length], Gen.Int[-2, 2].Array[s_names.Length])
            .SelectMany(t => Gen.Select(s_genAdditional, Gen.Int[0, 3]).Select((freshAdditional, keepAdditional) =>
            {
                var (writer, writerAdditional, fresh, operations, deltas) = t;
                var reader = writer.Select((p, i) => Change(p, operations[i], deltas[i], fresh[i])).ToArray();
                return (ObjectSchema(writer, writerAdditional), ObjectSchema(reader, keepAdditional == 0 ? freshAdditional : writerAdditional));
            }));

    private static PropertySpec Change(PropertySpec property, int operation, int delta, PropertySpec fresh)
    {
        if (operation <= 2)
        {
            return property;
        }
        if (property.Schema is null || operation == 3)
        {
            return fresh;
        }
        var schema = (JsonObject)property.Schema.DeepClone();
        switch (operation)
        {
            case 4:
                Move(schema, "maxLength", delta, 3);
                break;
            case 5:
                Move(schema, "minimum", delta, 4);
                break;
            case 6:
                Move(schema, "maximum", delta, 8);
                break;
            case 7:
                return property with { Required = !property.Required };
            case 8:
                return property with { Schema = null };
            default:
                schema.Remove("type");
                if (fresh.Schema?["type"] is { } type)
                {
                    schema["type"] = type.DeepClone();
                }
                break;
        }
        return property with { Schema = schema };
    }

    /// <summary>Moves a bound by <paramref name="delta"/> (adding it at <paramref name="initial"/>); a zero delta removes it.</summary>
    private static void Move(JsonObject schema, string keyword, int delta, int initial)
    {
        if (delta == 0)
        {
            schema.Remove(keyword);
            return;
        }
        schema[keyword] = Math.Max(0, (schema[keyword]?.GetValue<int>() ?? initial) + delta);
    }

    private static string ObjectSchema(PropertySpec[] properties, bool? additional)
    {
        var schema = new JsonObject { ["type"] = "object" };
        var props = new JsonObject();
        var requiredNames = new JsonArray();
        for (var i = 0; i < s_names.Length; i++)
        {
            if (properties[i].Schema is { } property)
            {
                props[s_names[i]] = property.DeepClone();
            }
            if (properties[i].Required)
            {
                requiredNames.Add(s_names[i]);
            }
        }
        schema["properties"] = props;
        if (requiredNames.Count > 0)
        {
            schema["required"] = requiredNames;
        }
        if (additional is { } open)
        {
            schema["additionalProperties"] = open;
        }
        return schema.ToJsonString();
    }

    /// <summary>A number in [low, high] four times in ten, else null (the keyword absent).</summary>
    private static Gen<int?> Sometimes(int low, int high) =>
        Gen.Select(Gen.Int[0, 9], Gen.Int[low, high]).Select((coin, value) => coin < 6 ? (int?)null : value);

    [Fact]
    public void BackwardCompatibleReader_AcceptsEveryDocumentTheWriterAccepts()
    {
        var judgedCompatible = 0;
        var documentsChecked = 0;
        Gen.Select(s_genPair, s_genDocument.Array[50]).Sample((pair, documents) =>
        {
            var (writerText, readerText) = pair;
            var writer = (JsonSchemaDocument)Parse(writerText);
            var reader = (JsonSchemaDocument)Parse(readerText);
            if (CompatibilityChecker.Check(CompatibilityLevel.Backward, reader, [(1, writer)]).Count > 0)
            {
                return;
            }
            Interlocked.Increment(ref judgedCompatible);
            foreach (var text in documents)
            {
                using var document = JsonDocument.Parse(text);
                if (writer.Schema.Evaluate(document.RootElement).IsValid)
                {
                    Interlocked.Increment(ref documentsChecked);
                    reader.Schema.Evaluate(document.RootElement).IsValid.ShouldBeTrue($"{text} is valid under {writerText} but not under {readerText}");
                }
            }
        }, iter: 1000);
        judgedCompatible.ShouldBeGreaterThan(100);
        documentsChecked.ShouldBeGreaterThan(150); // typically 350–500: the writers do accept some of the documents
    }

    [Fact]
    public void Full_IsBackwardAndForward_AndEverySchemaIsFullyCompatibleWithItself()
    {
        s_genPair.Sample(pair =>
        {
            var (a, b) = pair;
            var previous = Parse(a);
            var candidate = Parse(b);
            var backward = CompatibilityChecker.Check(CompatibilityLevel.Backward, candidate, [(1, previous)]).Count == 0;
            var forward = CompatibilityChecker.Check(CompatibilityLevel.Forward, candidate, [(1, previous)]).Count == 0;
            (CompatibilityChecker.Check(CompatibilityLevel.Full, candidate, [(1, previous)]).Count == 0).ShouldBe(backward && forward);
            CompatibilityChecker.Check(CompatibilityLevel.FullTransitive, candidate, [(1, candidate)]).ShouldBeEmpty();
        }, iter: 300);
    }

    private static ParsedSchema Parse(string text) => SchemaParser.Parse(SchemaType.Json, text);
}
