using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Tests;

public sealed class JsonSchemaDialectTests
{
    [Fact]
    public void Json_Draft7DefinitionsWithoutSchemaKeyword_ParsesAndResolvesTheRef()
    {
        // No $schema: Confluent reads it as draft 7, where 'definitions' is the place for local subschemas.
        const string text = """
            {"type":"object","properties":{"address":{"$ref":"#/definitions/address"}},
             "definitions":{"address":{"type":"object","properties":{"zip":{"type":"string"}},"required":["zip"]}}}
            """;

        var parsed = (JsonSchemaDocument)SchemaParser.Parse(SchemaType.Json, text);

        using var valid = System.Text.Json.JsonDocument.Parse("""{"address":{"zip":"1000"}}""");
        using var invalid = System.Text.Json.JsonDocument.Parse("""{"address":{"city":"Brussels"}}""");
        parsed.Schema.Evaluate(valid.RootElement).IsValid.ShouldBeTrue();
        parsed.Schema.Evaluate(invalid.RootElement).IsValid.ShouldBeFalse();
    }

    [Fact]
    public void Json_2020_12WithDefs_KeepsItsOwnDialect()
    {
        const string text = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
             "properties":{"tags":{"$ref":"#/$defs/tags"}},"$defs":{"tags":{"type":"array","prefixItems":[{"type":"string"}],"items":false}}}
            """;

        var parsed = (JsonSchemaDocument)SchemaParser.Parse(SchemaType.Json, text);

        using var valid = System.Text.Json.JsonDocument.Parse("""{"tags":["a"]}""");
        using var invalid = System.Text.Json.JsonDocument.Parse("""{"tags":["a","b"]}""");
        parsed.Schema.Evaluate(valid.RootElement).IsValid.ShouldBeTrue();
        parsed.Schema.Evaluate(invalid.RootElement).IsValid.ShouldBeFalse("2020-12's items:false after prefixItems allows one element only");
    }

    [Fact]
    public void Json_Draft04AsConfluentsSerializerWritesIt_ParsesWithItsBooleanExclusiveBounds()
    {
        // The shape NJsonSchema (under Confluent's JsonSerializer) generates: draft 4, boolean exclusive bounds, a property named 'id'.
        const string text = """
            {"$schema":"http://json-schema.org/draft-04/schema#","title":"Order","type":"object",
             "additionalProperties":false,"required":["id","amount"],
             "properties":{"id":{"type":"integer"},"amount":{"type":"number","minimum":0,"exclusiveMinimum":true},
                           "note":{"type":["null","string"]}},
             "definitions":{"unused":{"type":"string","maximum":5,"exclusiveMaximum":false}}}
            """;

        var parsed = (JsonSchemaDocument)SchemaParser.Parse(SchemaType.Json, text);

        parsed.Text.ShouldBe(text);
        parsed.CanonicalText.ShouldContain("\"exclusiveMinimum\":true", Case.Sensitive, "the canonical text is the schema as given");
        Valid(parsed, """{"id":1,"amount":0.5}""").ShouldBeTrue();
        Valid(parsed, """{"id":1,"amount":0}""").ShouldBeFalse("minimum 0 is exclusive");
        Valid(parsed, """{"amount":1}""").ShouldBeFalse("the property 'id' is required (it is not the draft-04 keyword)");
        Valid(parsed, """{"id":1,"amount":1,"extra":true}""").ShouldBeFalse();
    }

    private static bool Valid(JsonSchemaDocument schema, string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return schema.Schema.Evaluate(document.RootElement).IsValid;
    }
}
