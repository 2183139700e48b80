using Sluice.Configuration;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// The <c>json</c> format: one JSON object per record, field names matching the schema exactly (unknown fields are
/// ignored), nested ROW as objects, ARRAY as arrays, MAP as objects whose names are the keys' text, BYTES as base64,
/// dates and times as strings. Flink's options (see <see cref="RowFormat.Options"/>); read and written with
/// System.Text.Json's <c>Utf8JsonReader</c>/<c>Utf8JsonWriter</c>, no reflection.
/// </summary>
public sealed class JsonFormat : RowFormat
{
    /// <summary><c>json.fail-on-missing-field</c>: a missing field fails the record instead of becoming null.</summary>
    public const string FailOnMissingField = "json.fail-on-missing-field";

    /// <summary><c>json.ignore-parse-errors</c>: a bad value of a nullable field becomes null (counted) instead of failing the record.</summary>
    public const string IgnoreParseErrors = "json.ignore-parse-errors";

    /// <summary><c>json.timestamp-format.standard</c>: <c>SQL</c> or <c>ISO-8601</c>.</summary>
    public const string TimestampFormatStandard = "json.timestamp-format.standard";

    /// <summary><c>json.map-null-key.mode</c>: <c>FAIL</c>, <c>DROP</c> or <c>LITERAL</c>.</summary>
    public const string MapNullKeyMode = "json.map-null-key.mode";

    /// <summary><c>json.map-null-key.literal</c>: the key written for a null map key under <c>LITERAL</c>.</summary>
    public const string MapNullKeyLiteral = "json.map-null-key.literal";

    /// <summary><c>json.encode.decimal-as-plain-number</c>: write decimals without scientific notation.</summary>
    public const string EncodeDecimalAsPlainNumber = "json.encode.decimal-as-plain-number";

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Optional(FailOnMissingField, ConfigOptionType.Boolean, "Fail the record (it goes to the dead letters) when a field of the schema is missing, instead of setting it to null.", "false"),
        ConfigOption.Optional(IgnoreParseErrors, ConfigOptionType.Boolean,
            "Set a nullable field whose value does not parse to null instead of failing the record; each such value is counted. A record that is not JSON at all, or a bad NOT NULL field, still fails.", "false"),
        ConfigOption.Choice(TimestampFormatStandard,
            "How TIMESTAMP and TIMESTAMP_LTZ are written and read: 'SQL' is 'yyyy-MM-dd HH:mm:ss.s{precision}', 'ISO-8601' is 'yyyy-MM-ddTHH:mm:ss.s{precision}'; TIMESTAMP_LTZ ends with 'Z'.",
            "SQL", "SQL", "ISO-8601"),
        ConfigOption.Choice(MapNullKeyMode,
            "What to do when writing a map entry whose key is null: 'FAIL' throws, 'DROP' leaves the entry out, 'LITERAL' writes the key as json.map-null-key.literal.",
            "FAIL", "FAIL", "DROP", "LITERAL"),
        ConfigOption.Optional(MapNullKeyLiteral, ConfigOptionType.String, "The key text written for a null map key when json.map-null-key.mode is 'LITERAL'.", "null"),
        ConfigOption.Optional(EncodeDecimalAsPlainNumber, ConfigOptionType.Boolean,
            "Write DECIMAL values without scientific notation. Sluice's decimals are always written plainly (with their scale), so both values give the same text.", "false"),
    ];

    internal JsonFormat()
    {
    }

    /// <inheritdoc />
    public override string Identifier => "json";

    /// <inheritdoc />
    public override IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    protected override void ValidateCombination(ConfigOptions options)
    {
        if (options.GetBoolean(FailOnMissingField) is true && options.GetBoolean(IgnoreParseErrors) is true)
        {
            throw new ConfigOptionsException(
                $"Options '{FailOnMissingField}' and '{IgnoreParseErrors}' are both 'true', but a missing field cannot both fail the record and be ignored; set one of them to 'false'.",
                Identifier, IgnoreParseErrors);
        }
    }

    /// <inheritdoc />
    protected override IRowDeserializer CreateDeserializerCore(Schema schema, ConfigOptions options) =>
        new JsonRowDeserializer(schema, options.GetBoolean(FailOnMissingField) is true, options.GetBoolean(IgnoreParseErrors) is true, Standard(options));

    /// <inheritdoc />
    protected override IRowSerializer CreateSerializerCore(Schema schema, ConfigOptions options) =>
        new JsonRowSerializer(schema, Standard(options), options.GetChoice(MapNullKeyMode) switch
        {
            "DROP" => MapNullKeyHandling.Drop,
            "LITERAL" => MapNullKeyHandling.Literal,
            _ => MapNullKeyHandling.Fail,
        }, options.GetString(MapNullKeyLiteral) ?? "null");

    private static TimestampStandard Standard(ConfigOptions options) =>
        options.GetChoice(TimestampFormatStandard) == "ISO-8601" ? TimestampStandard.Iso8601 : TimestampStandard.Sql;
}

/// <summary>What the json serializer does with a null map key.</summary>
internal enum MapNullKeyHandling
{
    Fail,
    Drop,
    Literal,
}
