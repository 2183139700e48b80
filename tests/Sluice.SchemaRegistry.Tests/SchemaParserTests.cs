using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Tests;

public sealed class SchemaParserTests
{
    [Fact]
    public void Avro_TwoTextsThatDifferInWhitespace_HaveOneCanonicalText()
    {
        var a = SchemaParser.Parse(SchemaType.Avro, """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
        var b = SchemaParser.Parse(SchemaType.Avro, """{ "type" : "record", "name" : "R", "fields" : [ { "name" : "a", "type" : "int" } ] }""");
        b.CanonicalText.ShouldBe(a.CanonicalText);
    }

    [Fact]
    public void Avro_Invalid_ThrowsInvalidSchema()
    {
        Should.Throw<InvalidSchemaException>(() => SchemaParser.Parse(SchemaType.Avro, """{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}"""));
    }
}
