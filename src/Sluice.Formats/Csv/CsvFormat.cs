using Sluice.Configuration;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// The <c>csv</c> format: one record per message or line, fields in schema order, separated by
/// <c>csv.field-delimiter</c>. Scalars as text (BYTES as base64, timestamps as <c>yyyy-MM-dd HH:mm:ss[.fraction]</c>),
/// ARRAY of scalars as elements joined by <c>csv.array-element-delimiter</c>. ROW, MAP and nested arrays are not
/// supported: creating a serializer or deserializer for such a schema fails naming the field, as in Flink.
/// </summary>
/// <remarks>
/// Null and empty text: a null field is written as <c>csv.null-literal</c>, or as nothing when none is set; an empty
/// string is written quoted (<c>""</c>) so that it reads back as an empty string, not null. With
/// <c>csv.disable-quote-character</c> an empty string reads back as null.
/// </remarks>
public sealed class CsvFormat : RowFormat
{
    /// <summary><c>csv.field-delimiter</c> (default <c>,</c>).</summary>
    public const string FieldDelimiter = "csv.field-delimiter";

    /// <summary><c>csv.quote-character</c> (default <c>"</c>).</summary>
    public const string QuoteCharacter = "csv.quote-character";

    /// <summary><c>csv.disable-quote-character</c> (default false).</summary>
    public const string DisableQuoteCharacter = "csv.disable-quote-character";

    /// <summary><c>csv.allow-comments</c> (default false).</summary>
    public const string AllowComments = "csv.allow-comments";

    /// <summary><c>csv.ignore-parse-errors</c> (default false).</summary>
    public const string IgnoreParseErrors = "csv.ignore-parse-errors";

    /// <summary><c>csv.array-element-delimiter</c> (default <c>;</c>).</summary>
    public const string ArrayElementDelimiter = "csv.array-element-delimiter";

    /// <summary><c>csv.escape-character</c> (default none).</summary>
    public const string EscapeCharacter = "csv.escape-character";

    /// <summary><c>csv.null-literal</c> (default none).</summary>
    public const string NullLiteral = "csv.null-literal";

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Optional(FieldDelimiter, ConfigOptionType.Character, "The character between fields (one ASCII character; '\\t' for tab).", ","),
        ConfigOption.Optional(QuoteCharacter, ConfigOptionType.Character, "The character that encloses a field holding the delimiter, the quote, a line break or nothing (an empty string).", "\""),
        ConfigOption.Optional(DisableQuoteCharacter, ConfigOptionType.Boolean, "Never quote fields; a delimiter inside a value must then be escaped with csv.escape-character.", "false"),
        ConfigOption.Optional(AllowComments, ConfigOptionType.Boolean, "Treat a record starting with '#' as a comment: it holds no row.", "false"),
        ConfigOption.Optional(IgnoreParseErrors, ConfigOptionType.Boolean,
            "Set a nullable field whose text does not parse to null instead of failing the record; each such value is counted. A record with the wrong number of fields, or a bad NOT NULL field, still fails.", "false"),
        ConfigOption.Optional(ArrayElementDelimiter, ConfigOptionType.String, "The text between the elements of an ARRAY field.", ";"),
        ConfigOption.Optional(EscapeCharacter, ConfigOptionType.Character, "The character that escapes the next one (the delimiter, the quote or itself); none by default."),
        ConfigOption.Optional(NullLiteral, ConfigOptionType.String, "The text that stands for null (for example 'n/a'); by default an empty unquoted field is null."),
    ];

    internal CsvFormat()
    {
    }

    /// <inheritdoc />
    public override string Identifier => "csv";

    /// <inheritdoc />
    public override IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    protected override void ValidateCombination(ConfigOptions options) => _ = Read(options);

    /// <inheritdoc />
    protected override IRowDeserializer CreateDeserializerCore(Schema schema, ConfigOptions options)
    {
        CheckSchema(schema);
        return new CsvRowDeserializer(schema, Read(options));
    }

    /// <inheritdoc />
    protected override IRowSerializer CreateSerializerCore(Schema schema, ConfigOptions options)
    {
        CheckSchema(schema);
        return new CsvRowSerializer(schema, Read(options));
    }

    private static CsvSettings Read(ConfigOptions options)
    {
        var delimiter = Ascii(options, FieldDelimiter);
        var quote = Ascii(options, QuoteCharacter);
        byte? escape = options.GetCharacter(EscapeCharacter) is null ? null : Ascii(options, EscapeCharacter);
        if (delimiter == quote || delimiter == escape)
        {
            throw options.Invalid(FieldDelimiter, "must differ from the quote and escape characters, so choose different characters");
        }
        var arrayDelimiter = options.GetString(ArrayElementDelimiter)!;
        if (arrayDelimiter.Length == 0)
        {
            throw options.Invalid(ArrayElementDelimiter, "must not be empty");
        }
        return new CsvSettings(delimiter, quote, options.GetBoolean(DisableQuoteCharacter) is true, escape, options.GetBoolean(AllowComments) is true,
            options.GetBoolean(IgnoreParseErrors) is true, System.Text.Encoding.UTF8.GetBytes(arrayDelimiter),
            options.GetString(NullLiteral) is { } literal ? System.Text.Encoding.UTF8.GetBytes(literal) : null);
    }

    private static byte Ascii(ConfigOptions options, string key)
    {
        var c = options.GetCharacter(key)!.Value;
        if (c > 127 || c is '\r' or '\n')
        {
            throw options.Invalid(key, "must be one ASCII character other than a line break");
        }
        return (byte)c;
    }

    private static void CheckSchema(Schema schema)
    {
        foreach (var field in schema)
        {
            var type = field.Type;
            if (type.Kind is DataTypeKind.Row or DataTypeKind.Map
                || (type.Kind == DataTypeKind.Array && !ScalarText.IsScalar(type.ElementType!.Kind)))
            {
                throw new ConfigOptionsException(
                    $"Field '{field.Name}' is {type}, which format 'csv' cannot hold: csv supports scalar fields and arrays of scalars only; use format 'json' for nested data.", "csv");
            }
        }
    }
}

/// <summary>The csv options, read and checked.</summary>
internal sealed record CsvSettings(
    byte Delimiter,
    byte Quote,
    bool DisableQuote,
    byte? Escape,
    bool AllowComments,
    bool IgnoreParseErrors,
    byte[] ArrayDelimiter,
    byte[]? NullLiteral);
