using Sluice.Configuration;
using Sluice.Schemas;
using static Sluice.Formats.Tests.FormatTestSupport;

namespace Sluice.Formats.Tests;

public class FormatOptionTests
{
    [Fact]
    public void Validate_UnknownKey_NamesKeyAndValidKeys()
    {
        var e = Should.Throw<ConfigOptionsException>(() => RowFormats.Json.Validate(Options(("json.ignore-errors", "true"))));

        e.Key.ShouldBe("json.ignore-errors");
        e.Owner.ShouldBe("json");
        e.Message.ShouldBe("Format 'json' has no option 'json.ignore-errors'; its options are: json.encode.decimal-as-plain-number, json.fail-on-missing-field, "
            + "json.ignore-parse-errors, json.map-null-key.literal, json.map-null-key.mode, json.timestamp-format.standard.");
    }

    [Fact]
    public void Validate_BadChoice_NamesValueAndChoices()
    {
        var e = Should.Throw<ConfigOptionsException>(() => RowFormats.Json.Validate(Options(("json.timestamp-format.standard", "RFC"))));

        e.Message.ShouldBe("Option 'json.timestamp-format.standard' of format 'json' must be one of 'SQL', 'ISO-8601' (got 'RFC').");
    }

    [Fact]
    public void Validate_BadBoolean_NamesValue()
    {
        var e = Should.Throw<ConfigOptionsException>(() => RowFormats.Csv.Validate(Options(("csv.allow-comments", "yes"))));

        e.Message.ShouldBe("Option 'csv.allow-comments' of format 'csv' must be 'true' or 'false' (got 'yes').");
    }

    [Fact]
    public void Validate_LongCharacter_NamesValue()
    {
        var e = Should.Throw<ConfigOptionsException>(() => RowFormats.Csv.Validate(Options(("csv.field-delimiter", "||"))));

        e.Message.ShouldBe("Option 'csv.field-delimiter' of format 'csv' must be exactly one character or an escape such as '\\t' (got '||').");
    }

    [Fact]
    public void Validate_FailOnMissingAndIgnoreParseErrors_Rejected()
    {
        var e = Should.Throw<ConfigOptionsException>(() => RowFormats.Json.Validate(Options(("json.fail-on-missing-field", "true"), ("json.ignore-parse-errors", "TRUE"))));

        e.Key.ShouldBe("json.ignore-parse-errors");
    }

    [Fact]
    public void Validate_DefaultsAndValidValues_Accepted()
    {
        RowFormats.Json.Validate(null);
        RowFormats.Csv.Validate(Options(("csv.field-delimiter", "\\t"), ("csv.null-literal", "n/a"), ("csv.escape-character", "\\\\")));
        RowFormats.Raw.Validate(Options(("raw.charset", "utf-16le"), ("raw.endianness", "little-endian")));

        RowFormats.Get("JSON").ShouldBeSameAs(RowFormats.Json);
    }

    [Fact]
    public void Get_UnknownIdentifier_ListsFormats()
    {
        var e = Should.Throw<ConfigOptionsException>(() => RowFormats.Get("avro"));

        e.Message.ShouldBe("Option 'format' must be one of 'json', 'csv', 'raw' (got 'avro').");
    }

    [Fact]
    public void Options_DescribeFlinkKeysWithDefaults()
    {
        var json = RowFormats.Json.Options.ToDictionary(o => o.Key);
        json["json.timestamp-format.standard"].DefaultValue.ShouldBe("SQL");
        json["json.timestamp-format.standard"].AllowedValues.ShouldBe(["SQL", "ISO-8601"]);
        json["json.ignore-parse-errors"].Type.ShouldBe(ConfigOptionType.Boolean);
        json["json.ignore-parse-errors"].DefaultValue.ShouldBe("false");
        json["json.map-null-key.mode"].DefaultValue.ShouldBe("FAIL");

        var csv = RowFormats.Csv.Options.ToDictionary(o => o.Key);
        csv["csv.field-delimiter"].DefaultValue.ShouldBe(",");
        csv["csv.quote-character"].DefaultValue.ShouldBe("\"");
        csv["csv.array-element-delimiter"].DefaultValue.ShouldBe(";");
        csv["csv.escape-character"].DefaultValue.ShouldBeNull();
        csv["csv.null-literal"].DefaultValue.ShouldBeNull();

        RowFormats.Raw.Options.Single(o => o.Key == "raw.charset").DefaultValue.ShouldBe("UTF-8");
    }

    [Fact]
    public void CreateDeserializer_CsvWithNestedRow_RejectedNamingField()
    {
        var schema = Schema.Parse("id INT, address ROW<zip STRING>");

        var e = Should.Throw<ConfigOptionsException>(() => RowFormats.Csv.CreateDeserializer(schema));

        e.Message.ShouldBe("Field 'address' is ROW<zip VARCHAR>, which format 'csv' cannot hold: csv supports scalar fields and arrays of scalars only; use format 'json' for nested data.");
    }

    [Fact]
    public void CreateSerializer_RawWithTwoFields_Rejected()
    {
        var schema = Schema.Parse("a STRING, b STRING");

        var e = Should.Throw<ConfigOptionsException>(() => RowFormats.Raw.CreateSerializer(schema));

        e.Message.ShouldBe("Format 'raw' needs a schema of exactly one VARCHAR or BYTES field, but the schema is ROW<a VARCHAR, b VARCHAR>.");
    }
}
