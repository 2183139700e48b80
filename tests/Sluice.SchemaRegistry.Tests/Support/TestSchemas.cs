namespace Sluice.SchemaRegistry.Tests.Support;

/// <summary>Schema texts the tests register.</summary>
public static class TestSchemas
{
    public const string OrderV1 = """{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"amount","type":"double"}]}""";

    public const string OrderV2 = """{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"amount","type":"double"},{"name":"note","type":["null","string"],"default":null}]}""";

    public const string OrderV3 = """{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"amount","type":"double"},{"name":"note","type":["null","string"],"default":null},{"name":"tag","type":["null","string"],"default":null}]}""";

    public const string Customer = """{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"name","type":"string"}]}""";

    public const string JsonPerson = """{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"name":{"type":"string"}}}""";
}
