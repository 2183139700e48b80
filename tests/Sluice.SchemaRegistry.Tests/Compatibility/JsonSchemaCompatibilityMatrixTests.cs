using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Tests.Compatibility;

/// <summary>
/// The compatibility matrix for JSON Schema, written by hand from Confluent's JSON Schema rules: BACKWARD holds when the
/// new schema accepts every document the old one accepted, FORWARD when the old one accepts every document the new one
/// accepts. Under an open content model (<c>additionalProperties</c> absent) an old document may hold any value under
/// a name the new schema starts to describe; under a closed one (<c>false</c>) it holds nothing undeclared.
/// </summary>
public sealed class JsonSchemaCompatibilityMatrixTests
{
    private static readonly CompatibilityLevel[] s_modes =
    [
        CompatibilityLevel.None, CompatibilityLevel.Backward, CompatibilityLevel.BackwardTransitive, CompatibilityLevel.Forward,
        CompatibilityLevel.ForwardTransitive, CompatibilityLevel.Full, CompatibilityLevel.FullTransitive,
    ];

    /// <summary>Case, v1, v2, verdicts for NONE BACKWARD BACKWARD_TRANSITIVE FORWARD FORWARD_TRANSITIVE FULL
    /// FULL_TRANSITIVE (Y compatible, N not).</summary>
    public static TheoryData<string, string, string, string> Matrix => new()
    {
        { "open: add optional property", Open("\"a\":{\"type\":\"string\"}"), Open("\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}"), "YNNYYNN" },
        { "open: add property with empty schema", Open("\"a\":{\"type\":\"string\"}"), Open("\"a\":{\"type\":\"string\"},\"b\":{}"), "YYYYYYY" },
        { "open: remove property", Open("\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}"), Open("\"a\":{\"type\":\"string\"}"), "YYYNNNN" },
        { "closed: add optional property", Closed("\"a\":{\"type\":\"string\"}"), Closed("\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}"), "YYYNNNN" },
        { "closed: add required property", Closed("\"a\":{\"type\":\"string\"}"), Closed("\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}", "\"b\""), "YNNNNNN" },
        { "closed: add required property with default", Closed("\"a\":{\"type\":\"string\"}"), Closed("\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\",\"default\":\"x\"}", "\"b\""), "YYYNNNN" },
        { "closed: require a name no property declares", Closed("\"a\":{\"type\":\"string\"}"), Closed("\"a\":{\"type\":\"string\"}", "\"b\""), "YNNYYNN" },
        { "closed: remove optional property", Closed("\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}"), Closed("\"a\":{\"type\":\"string\"}"), "YNNYYNN" },
        { "open to closed", Open("\"a\":{\"type\":\"string\"}"), Closed("\"a\":{\"type\":\"string\"}"), "YNNYYNN" },
        { "require an existing property", Open("\"a\":{\"type\":\"string\"}"), Open("\"a\":{\"type\":\"string\"}", "\"a\""), "YNNYYNN" },
        { "stop requiring a property", Open("\"a\":{\"type\":\"string\"}", "\"a\""), Open("\"a\":{\"type\":\"string\"}"), "YYYNNNN" },
        { "integer to number", Open("\"a\":{\"type\":\"integer\"}"), Open("\"a\":{\"type\":\"number\"}"), "YYYNNNN" },
        { "string to integer", Open("\"a\":{\"type\":\"string\"}"), Open("\"a\":{\"type\":\"integer\"}"), "YNNNNNN" },
        { "string to string or null", Open("\"a\":{\"type\":\"string\"}"), Open("\"a\":{\"type\":[\"string\",\"null\"]}"), "YYYNNNN" },
        { "add enum value", Open("\"a\":{\"enum\":[\"x\",\"y\"]}"), Open("\"a\":{\"enum\":[\"x\",\"y\",\"z\"]}"), "YYYNNNN" },
        { "remove enum value", Open("\"a\":{\"enum\":[\"x\",\"y\",\"z\"]}"), Open("\"a\":{\"enum\":[\"x\",\"y\"]}"), "YNNYYNN" },
        { "maxLength decreased", Open("\"a\":{\"type\":\"string\",\"maxLength\":10}"), Open("\"a\":{\"type\":\"string\",\"maxLength\":5}"), "YNNYYNN" },
        { "minimum added", Open("\"a\":{\"type\":\"integer\"}"), Open("\"a\":{\"type\":\"integer\",\"minimum\":0}"), "YNNYYNN" },
        { "pattern changed", Open("\"a\":{\"type\":\"string\",\"pattern\":\"^a\"}"), Open("\"a\":{\"type\":\"string\",\"pattern\":\"^b\"}"), "YNNNNNN" },
        { "array items integer to number", Open("\"a\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}"), Open("\"a\":{\"type\":\"array\",\"items\":{\"type\":\"number\"}}"), "YYYNNNN" },
        { "nested closed object gains optional property", Open("\"o\":" + Closed("\"x\":{\"type\":\"string\"}")), Open("\"o\":" + Closed("\"x\":{\"type\":\"string\"},\"y\":{\"type\":\"integer\"}")), "YYYNNNN" },
        { "referenced definition narrowed", Ref("number"), Ref("integer"), "YNNYYNN" },
        { "oneOf gains a branch", Open("\"a\":{\"oneOf\":[{\"type\":\"string\"}]}"), Open("\"a\":{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}"), "YYYNNNN" },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Check_Evolution_MatchesTheHandWrittenVerdictOfEveryMode(string evolution, string v1, string v2, string verdicts)
    {
        verdicts.Length.ShouldBe(s_modes.Length, evolution);
        var previous = Json(v1);
        var candidate = Json(v2);
        for (var i = 0; i < s_modes.Length; i++)
        {
            var reasons = CompatibilityChecker.Check(s_modes[i], candidate, [(1, previous)]);
            (reasons.Count == 0).ShouldBe(verdicts[i] == 'Y', $"{evolution} under {s_modes[i]}: {string.Join(" | ", reasons)}");
        }
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}}}""", """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}}}""", "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL at '#/properties/b': the reader adds the property 'b' with a schema, but the writer's open content model accepted any value under that name")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}""", """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""", "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at '#/properties/b': the reader removes the property 'b' but its closed content model rejects the values the writer wrote there")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}}}""", """{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}""", "REQUIRED_ATTRIBUTE_ADDED at '#/required': the reader requires 'a' without a default, which the writer did not require")]
    [InlineData("""{"type":"object","properties":{"o":{"type":"object","properties":{"n":{"type":"number"}}}}}""", """{"type":"object","properties":{"o":{"type":"object","properties":{"n":{"type":"integer"}}}}}""", "TYPE_NARROWED at '#/properties/o/properties/n': the reader's types [integer] do not include the writer's [number]")]
    [InlineData("""{"type":"string","maxLength":10}""", """{"type":"string","maxLength":5}""", "MAX_LENGTH_DECREASED at '#/maxLength': the reader's maxLength 5 is tighter than the writer's 10")]
    [InlineData("""{"type":"string"}""", """{"type":"boolean"}""", "TYPE_CHANGED at '#': the reader's types [boolean] do not include the writer's [string]")]
    [InlineData("""{"enum":["x","y"]}""", """{"enum":["x"]}""", "ENUM_ARRAY_NARROWED at '#/enum': the reader's enum lacks the writer's values [\"y\"]")]
    public void Check_Incompatibility_NamesTypeLocationAndChange(string v1, string v2, string expected)
    {
        var reasons = CompatibilityChecker.Check(CompatibilityLevel.Backward, Json(v2), [(1, Json(v1))]);

        reasons.ShouldHaveSingleItem().ShouldBe($"BACKWARD check against version 1 (the new schema reading data written with version 1): {expected}.");
    }

    [Fact]
    public void Check_RecursiveReference_Terminates()
    {
        const string tree = """{"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"#/$defs/node"}}}}},"$ref":"#/$defs/node"}""";
        const string narrowed = """{"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer","minimum":0},"kids":{"type":"array","items":{"$ref":"#/$defs/node"}}}}},"$ref":"#/$defs/node"}""";

        CompatibilityChecker.Check(CompatibilityLevel.FullTransitive, Json(tree), [(1, Json(tree))]).ShouldBeEmpty();
        CompatibilityChecker.Check(CompatibilityLevel.Backward, Json(narrowed), [(1, Json(tree))]).ShouldHaveSingleItem().ShouldContain("MINIMUM_ADDED at '#/properties/v/minimum'");
    }

    private static ParsedSchema Json(string text) => SchemaParser.Parse(SchemaType.Json, text);

    private static string Open(string properties, string required = "") =>
        "{\"type\":\"object\",\"properties\":{" + properties + "}" + (required.Length > 0 ? ",\"required\":[" + required + "]" : "") + "}";

    private static string Closed(string properties, string required = "") =>
        "{\"type\":\"object\",\"properties\":{" + properties + "}" + (required.Length > 0 ? ",\"required\":[" + required + "]" : "") + ",\"additionalProperties\":false}";

    /// <summary>A draft-7 object whose property <c>a</c> refers to a definition of the given type.</summary>
    private static string Ref(string type) =>
        "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\",\"definitions\":{\"t\":{\"type\":\"" + type + "\"}},\"properties\":{\"a\":{\"$ref\":\"#/definitions/t\"}}}";
}
