using Sluice.Configuration;
using Sluice.Connectors;
using Sluice.Connectors.Kafka;
using Sluice.Schemas;

namespace Sluice.Formats.Registry.Tests;

/// <summary>The registry formats found by identifier, and their options through the connectors that do not reference them.</summary>
public class FormatDiscoveryTests
{
    private static readonly ConnectorRegistry s_connectors = ConnectorRegistry.FromLoadedAssemblies()
        .AddAssembly(typeof(KafkaConnectorFactory).Assembly)
        .AddAssembly(typeof(AvroConfluentFormat).Assembly);

    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING");

    /// <summary>Adds the format assembly as a host does (a test may run before anything else loaded it).</summary>
    public FormatDiscoveryTests() => RowFormats.AddAssembly(typeof(AvroConfluentFormat).Assembly);

    private static Dictionary<string, string> Kafka(params (string Key, string Value)[] more)
    {
        var options = new Dictionary<string, string>
        {
            ["connector"] = "kafka",
            ["topic"] = "orders",
            ["properties.bootstrap.servers"] = "127.0.0.1:1",
        };
        foreach (var (key, value) in more)
        {
            options[key] = value;
        }
        return options;
    }

    [Fact]
    public void Get_RegistryIdentifiers_FindTheRegistryFormats()
    {
        RowFormats.Get("avro-confluent").ShouldBeOfType<AvroConfluentFormat>();
        RowFormats.Get("JSON-REGISTRY").ShouldBeOfType<JsonRegistryFormat>();
        ConnectorFormats.Identifiers.ShouldBe(["json", "csv", "raw", "avro-confluent", "json-registry"]);
    }

    [Fact]
    public void CreateContext_UnknownFormat_ListsEveryKnownFormat()
    {
        Should.Throw<ConfigOptionsException>(() => s_connectors.CreateContext("t", s_schema, Kafka(("value.format", "avro")), ConnectorCapabilities.Source, out _))
            .Message.ShouldBe("Option 'value.format' of connector 'kafka' must be one of 'json', 'csv', 'raw', 'avro-confluent', 'json-registry' (got 'avro').");
    }

    [Fact]
    public void ResolveValueFormat_KafkaTopic_DefaultsTheSubjectToTopicValue()
    {
        var context = s_connectors.CreateContext("t", s_schema, Kafka(("value.format", "avro-confluent"), ("value.avro-confluent.url", "http://127.0.0.1:1")),
            ConnectorCapabilities.Sink, out _);

        var (format, options) = ConnectorFormats.ResolveValueFormat(context.Options);

        format.ShouldBeOfType<AvroConfluentFormat>();
        options["avro-confluent.subject"].ShouldBe("orders-value");
        options["avro-confluent.url"].ShouldBe("http://127.0.0.1:1");
    }

    [Fact]
    public void ResolveValueFormat_MissingUrl_NamesThePrefixedKey()
    {
        var context = s_connectors.CreateContext("t", s_schema, Kafka(("value.format", "avro-confluent")), ConnectorCapabilities.Source, out _);

        var e = Should.Throw<ConfigOptionsException>(() => ConnectorFormats.ResolveValueFormat(context.Options));

        e.Key.ShouldBe("value.avro-confluent.url");
    }

    [Fact]
    public void ResolveValueFormat_AnotherFormatsKey_IsRejected()
    {
        var context = s_connectors.CreateContext("t", s_schema,
            Kafka(("value.format", "avro-confluent"), ("value.avro-confluent.url", "http://127.0.0.1:1"), ("value.json-registry.validate", "true")),
            ConnectorCapabilities.Source, out _);

        Should.Throw<ConfigOptionsException>(() => ConnectorFormats.ResolveValueFormat(context.Options)).Message
            .ShouldBe("Option 'value.json-registry.validate' of connector 'kafka' is an option of the json-registry format, but 'value.format' is 'avro-confluent'; give it only with that format, so remove it (got 'true').");
    }

    [Fact]
    public void AvroSchemaOption_NotARecord_IsRejected()
    {
        Should.Throw<ConfigOptionsException>(() => RowFormats.Get("avro-confluent").Validate(
            new Dictionary<string, string> { ["avro-confluent.url"] = "http://127.0.0.1:1", ["avro-confluent.schema"] = "\"string\"" }))
            .Message.ShouldBe("Option 'avro-confluent.schema' must be an Avro record schema, but it is a String.");
    }

    [Theory]
    [InlineData("avro-confluent")]
    [InlineData("json-registry")]
    public void TryDeserialize_WrongMagicByteOrShortRecord_FailsWithoutAskingTheRegistry(string identifier)
    {
        // Port 1 on loopback: nothing listens, so any registry request would throw.
        var reader = RowFormats.Get(identifier).CreateDeserializer(s_schema, new Dictionary<string, string> { [identifier + ".url"] = "http://127.0.0.1:1" });

        reader.TryDeserialize([7, 0, 0, 0, 1, 2], out var row, out var error).ShouldBeFalse();
        row.ShouldBeNull();
        error!.Message.ShouldBe("The record starts with byte 7, not Confluent's magic byte 0: it was not written by a schema-registry serializer.");
        reader.TryDeserialize([0, 0, 1], out _, out error).ShouldBeFalse();
        error!.Message.ShouldBe("The record has 3 bytes, fewer than the 5 of Confluent's wire format header (magic byte 0, 4-byte schema id).");
    }

    [Fact]
    public void CreateSerializer_NoSubjectAndNoTopic_NamesTheOption()
    {
        Should.Throw<ConfigOptionsException>(() => RowFormats.Get("avro-confluent").CreateSerializer(s_schema, new Dictionary<string, string> { ["avro-confluent.url"] = "http://127.0.0.1:1" }))
            .Key.ShouldBe("avro-confluent.subject");
    }
}
