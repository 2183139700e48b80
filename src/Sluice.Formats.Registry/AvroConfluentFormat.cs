using Sluice.Configuration;
using Sluice.Formats.Registry.Avro;
using Sluice.Formats.Registry.Internal;
using Sluice.Schemas;

[assembly: Sluice.Formats.RowFormats(typeof(Sluice.Formats.Registry.AvroConfluentFormat), typeof(Sluice.Formats.Registry.JsonRegistryFormat))]

namespace Sluice.Formats.Registry;

/// <summary>
/// The <c>avro-confluent</c> format: Avro binary records on Confluent's wire format (magic byte 0, the writer
/// schema's 4-byte big-endian id, then the body), as Confluent's <c>AvroSerializer</c> writes them. Reading fetches each
/// writer schema once by id and resolves it into the table's schema (defaults fill missing fields, extra fields are
/// skipped, Avro's promotions apply); writing registers (or looks up) the table's schema as an Avro record under the
/// subject. Options as Flink's (see docs/formats.md, "avro-confluent"). Thread-safe.
/// </summary>
/// <remarks>Found by <see cref="RowFormats"/> as soon as this assembly is loaded, so connectors name it by identifier only.</remarks>
public sealed class AvroConfluentFormat : RowFormat
{
    /// <summary>The identifier, as in Flink.</summary>
    public const string Name = "avro-confluent";

    /// <summary><c>avro-confluent.schema</c>: an explicit Avro record schema, the reader's (defaults, aliases) and the writer's.</summary>
    public const string SchemaOption = Name + ".schema";

    private static readonly ConfigOption[] s_options =
    [
        .. RegistryOptions.Shared(Name),
        new(SchemaOption, ConfigOptionType.String,
            "An Avro record schema (JSON) used instead of the one derived from the table: the reader schema (its defaults fill fields a writer lacks, its aliases match renamed fields) and the schema a serializer registers. Its fields must match the table's columns by name."),
    ];

    /// <summary>Creates the format; it is registered on <see cref="RowFormats"/> by this assembly's <see cref="RowFormatsAttribute"/>.</summary>
    public AvroConfluentFormat()
    {
    }

    /// <inheritdoc />
    public override string Identifier => Name;

    /// <inheritdoc />
    public override IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    protected override void ValidateCombination(ConfigOptions options)
    {
        if (options.GetString(SchemaOption) is { } text)
        {
            _ = ParseSchema(text);
        }
    }

    /// <inheritdoc />
    protected override IRowDeserializer CreateDeserializerCore(Schema schema, ConfigOptions options)
    {
        var settings = RegistryOptions.Read(options, Name);
        var readerAvro = ReaderAvro(schema, options);
        return new AvroConfluentRowDeserializer(schema, readerAvro, settings, new RegistryClient(settings, Name));
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
        var text = options.GetString(SchemaOption) ?? AvroSchemaMapping.ToAvroJson(schema, Name);
        var plan = AvroRowEncoder.Compile(schema, ParseSchema(text), Name);
        return new AvroConfluentRowSerializer(schema, text, plan, settings, new RegistryClient(settings, Name));
    }

    private static global::Avro.Schema ReaderAvro(Schema schema, ConfigOptions options) =>
        options.GetString(SchemaOption) is { } text ? ParseSchema(text) : AvroSchemaMapping.ToAvro(schema, Name);

    private static global::Avro.Schema ParseSchema(string text)
    {
        try
        {
            var parsed = global::Avro.Schema.Parse(text);
            return parsed is global::Avro.RecordSchema
                ? parsed
                : throw new ConfigOptionsException($"Option '{SchemaOption}' must be an Avro record schema, but it is a {parsed.Tag}.", Name, SchemaOption);
        }
        catch (Exception e) when (e is global::Avro.AvroException or Newtonsoft.Json.JsonException)
        {
            throw new ConfigOptionsException($"Option '{SchemaOption}' is not a valid Avro schema: {e.Message}", Name, SchemaOption);
        }
    }
}
