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
}
