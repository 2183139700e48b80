using System.Text.Json;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Tests;

public sealed class SchemaParserTests
{
    private const string Customer = """{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"name","type":"string"}]}""";
    private const string OrderUsingCustomer = """{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"customer","type":"shop.Customer"}]}""";
    private const string Address = """{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";
    private const string PersonUsingAddress = """{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"name":{"type":"string"},"address":{"$ref":"address.json"}}}""";

    [Fact]
    public void Avro_TwoTextsThatDifferInWhitespace_HaveOneCanonicalText()
    {
        var a = SchemaParser.Parse(SchemaType.Avro, """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
        var b = SchemaParser.Parse(SchemaType.Avro, """{ "type" : "record", "name" : "R", "fields" : [ { "name" : "a", "type" : "int" } ] }""");
        b.CanonicalText.ShouldBe(a.CanonicalText);
    }

    [Fact]
    public void Avro_UndefinedType_NamesTheFieldPath()
    {
        var error = Should.Throw<InvalidSchemaException>(() => SchemaParser.Parse(SchemaType.Avro, """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"nope"}]}"""));

        error.Message.ShouldBe("Invalid Avro schema: Undefined name: nope at 'fields[1].type'");
    }

    [Fact]
    public void Avro_BrokenJson_NamesLineAndPosition()
    {
        var error = Should.Throw<InvalidSchemaException>(() => SchemaParser.Parse(SchemaType.Avro, "{\"type\":\"record\",\n  \"name\":\"R\",,\n  \"fields\":[]}"));

        error.Message.ShouldStartWith("Invalid Avro schema: the text is not valid JSON at line 2, position 14: ");
    }

    [Fact]
    public void Avro_BarePrimitiveName_Parses()
    {
        SchemaParser.Parse(SchemaType.Avro, "string").ShouldBeOfType<AvroSchema>().Schema.Tag.ShouldBe(Avro.Schema.Type.String);
    }

    [Fact]
    public void Avro_Reference_ResolvesTheNamedTypeFromTheReferencedSchema()
    {
        var customer = SchemaParser.Parse(SchemaType.Avro, Customer);
        var reference = new SchemaReference("shop.Customer", "customers-value", 1);

        var order = (AvroSchema)SchemaParser.Parse(SchemaType.Avro, OrderUsingCustomer, [reference], r => r == reference ? customer : null);

        var field = ((Avro.RecordSchema)order.Schema).Fields[1];
        field.Schema.ShouldBeOfType<Avro.RecordSchema>().Fullname.ShouldBe("shop.Customer");
        order.References.ShouldBe([reference]);
    }

    [Fact]
    public void Avro_WithoutItsReference_IsInvalidNamingTheType()
    {
        var error = Should.Throw<InvalidSchemaException>(() => SchemaParser.Parse(SchemaType.Avro, OrderUsingCustomer));

        error.Message.ShouldBe("Invalid Avro schema: Undefined name: shop.Customer at 'fields[1].type'");
    }

    [Fact]
    public void Avro_ReferenceNotRegistered_NamesSubjectAndVersion()
    {
        var error = Should.Throw<InvalidSchemaException>(() =>
            SchemaParser.Parse(SchemaType.Avro, OrderUsingCustomer, [new SchemaReference("shop.Customer", "customers-value", 3)], _ => null));

        error.Message.ShouldBe("Invalid Avro schema: reference 'shop.Customer' names subject 'customers-value' version 3, which is not registered.");
    }

    [Fact]
    public void Json_NotMatchingTheMetaSchema_NamesThePointer()
    {
        var error = Should.Throw<InvalidSchemaException>(() => SchemaParser.Parse(SchemaType.Json, """{"type":"object","properties":{"age":{"minimum":"ten"}}}"""));

        error.Message.ShouldStartWith("Invalid JSON Schema at '/properties/age/minimum': ");
    }

    [Fact]
    public void Json_BrokenJson_NamesLineAndPosition()
    {
        var error = Should.Throw<InvalidSchemaException>(() => SchemaParser.Parse(SchemaType.Json, "{\n\"type\": \"object\"\n\"properties\": {}}"));

        error.Message.ShouldStartWith("Invalid JSON Schema: the text is not valid JSON at line 3, position 1: ");
    }

    [Fact]
    public void Json_Reference_ResolvesRefToTheReferenceName()
    {
        var address = SchemaParser.Parse(SchemaType.Json, Address);
        var reference = new SchemaReference("address.json", "addresses-value", 1);

        var person = (JsonSchemaDocument)SchemaParser.Parse(SchemaType.Json, PersonUsingAddress, [reference], r => r == reference ? address : null);

        using var good = JsonDocument.Parse("""{"name":"Ann","address":{"city":"Oslo"}}""");
        using var bad = JsonDocument.Parse("""{"name":"Ann","address":{"city":5}}""");
        person.Schema.Evaluate(good.RootElement).IsValid.ShouldBeTrue();
        person.Schema.Evaluate(bad.RootElement).IsValid.ShouldBeFalse();
    }

    [Fact]
    public void Json_NotAnObject_IsInvalid()
    {
        Should.Throw<InvalidSchemaException>(() => SchemaParser.Parse(SchemaType.Json, "[1,2]")).Message
            .ShouldBe("Invalid JSON Schema: a schema is an object or a boolean, not array.");
    }

    [Fact]
    public void Protobuf_IsNotSupported()
    {
        Should.Throw<InvalidSchemaException>(() => SchemaParser.Parse(SchemaType.Protobuf, "syntax = \"proto3\";")).Message
            .ShouldBe("Schema type PROTOBUF is not supported by this registry; use AVRO or JSON.");
    }
}
