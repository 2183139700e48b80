using Sluice.Configuration;
using Sluice.Formats.Registry.Internal;
using Sluice.Schemas;

namespace Sluice.Formats.Registry;

/// <summary>
/// The <c>json-registry</c> format: JSON records on Confluent's wire format (magic byte 0, the writer's JSON Schema
/// id, then the JSON text), as Confluent's <c>JsonSerializer</c> writes them. The body is read and written by the
/// <c>json</c> format; the writer's JSON Schema is fetched once per id, and records are validated against it only with
/// <c>json-registry.validate</c> (a full JSON Schema evaluation per record: several times the cost of decoding).
/// Writing registers (or looks up) a JSON Schema derived from the table under the subject. Thread-safe.
/// </summary>
public sealed class JsonRegistryFormat : RowFormat
{
    /// <summary>The identifier.</summary>
    public const string Name = "json-registry";

    /// <summary><c>json-registry.validate</c>: validate each record against its writer's JSON Schema.</summary>
    public const string ValidateOption = Name + ".validate";

    private static readonly ConfigOption[] s_options =
    [
        .. RegistryOptions.Shared(Name),
        ConfigOption.Optional(ValidateOption, ConfigOptionType.Boolean,
            "Validate each record against the JSON Schema its id names (JsonSchema.Net); a record that fails goes to the dead letters naming the failing location. Costs a full schema evaluation per record.", "false"),
    ];

    /// <summary>The body's json options: timestamps in ISO-8601, as JSON Schema's date-time.</summary>
    private static readonly Dictionary<string, string> s_jsonOptions = new(StringComparer.Ordinal) { [JsonFormat.TimestampFormatStandard] = "ISO-8601" };

    /// <summary>Creates the format; it is registered on <see cref="RowFormats"/> by this assembly's <see cref="RowFormatsAttribute"/>.</summary>
    public JsonRegistryFormat()
    {
    }

    /// <inheritdoc />
    public override string Identifier => Name;

    /// <inheritdoc />
    public override IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    protected override IRowDeserializer CreateDeserializerCore(Schema schema, ConfigOptions options)
    {
        var settings = RegistryOptions.Read(options, Name);
        var json = RowFormats.Json.CreateDeserializer(schema, s_jsonOptions);
        return new JsonRegistryRowDeserializer(json, options.GetBoolean(ValidateOption) is true, new RegistryClient(settings, Name));
    }

    /// <inheritdoc />
    protected override IRowSerializer CreateSerializerCore(Schema schema, ConfigOptions options)
    {
        var settings = RegistryOptions.Read(options, Name);
        if (settings.Subject is null)
        {
            throw new ConfigOptionsException(
                $"Format '{Name}' needs option '{Name}.subject' to write (the subject its schema is registered under); the kafka and sluice-log connectors default it to '<topic>-value'.", Name, Name + ".subject");
        }
        var json = RowFormats.Json.CreateSerializer(schema, s_jsonOptions);
        return new JsonRegistryRowSerializer(json, JsonSchemaMapping.ToJsonSchema(schema), settings, new RegistryClient(settings, Name));
    }
}
