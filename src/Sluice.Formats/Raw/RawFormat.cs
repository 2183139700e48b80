using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Sluice.Configuration;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// The <c>raw</c> format: the whole message is the value of the schema's one field, VARCHAR (text in
/// <c>raw.charset</c>) or BYTES (as is). A null field is written as no value (a tombstone). Flink's raw format also
/// encodes single numeric fields (where <c>raw.endianness</c> matters); Sluice supports VARCHAR and BYTES only, and
/// accepts <c>raw.endianness</c> for compatibility without using it.
/// </summary>
public sealed class RawFormat : RowFormat
{
    /// <summary><c>raw.charset</c> (default <c>UTF-8</c>).</summary>
    public const string Charset = "raw.charset";

    /// <summary><c>raw.endianness</c> (default <c>big-endian</c>; unused for VARCHAR and BYTES).</summary>
    public const string Endianness = "raw.endianness";

    private static readonly string[] s_charsets = ["UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "UTF-32", "US-ASCII", "ISO-8859-1"];

    private static readonly ConfigOption[] s_options =
    [
        ConfigOption.Choice(Charset, "The character set of a VARCHAR field's text.", "UTF-8", s_charsets),
        ConfigOption.Choice(Endianness, "The byte order of numeric fields; unused, as Sluice's raw format holds VARCHAR and BYTES only.", "big-endian", "big-endian", "little-endian"),
    ];

    internal RawFormat()
    {
    }

    /// <inheritdoc />
    public override string Identifier => "raw";

    /// <inheritdoc />
    public override IReadOnlyList<ConfigOption> Options => s_options;

    /// <inheritdoc />
    protected override IRowDeserializer CreateDeserializerCore(Schema schema, ConfigOptions options) => new RawRowCodec(CheckSchema(schema), Encoding(options));

    /// <inheritdoc />
    protected override IRowSerializer CreateSerializerCore(Schema schema, ConfigOptions options) => new RawRowCodec(CheckSchema(schema), Encoding(options));

    private static Encoding Encoding(ConfigOptions options) => options.GetChoice(Charset) switch
    {
        "UTF-16" => new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true),
        "UTF-16BE" => new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true),
        "UTF-16LE" => new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true),
        "UTF-32" => new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true),
        "US-ASCII" => System.Text.Encoding.GetEncoding("us-ascii", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback),
        "ISO-8859-1" => System.Text.Encoding.Latin1,
        _ => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true),
    };

    private static Schema CheckSchema(Schema schema)
    {
        if (schema.Count != 1 || schema[0].Type.Kind is not (DataTypeKind.Varchar or DataTypeKind.Bytes))
        {
            throw new ConfigOptionsException(
                $"Format 'raw' needs a schema of exactly one VARCHAR or BYTES field, but the schema is {schema}.", "raw");
        }
        return schema;
    }
}

/// <summary>The <c>raw</c> format's serializer and deserializer (see <see cref="RawFormat"/>). Thread-safe.</summary>
internal sealed class RawRowCodec(Schema schema, Encoding encoding) : IRowDeserializer, IRowSerializer
{
    private readonly bool _text = schema[0].Type.Kind == DataTypeKind.Varchar;

    public Schema Schema => schema;

    public long IgnoredErrorCount => 0;

    public bool TryDeserialize(ReadOnlySpan<byte> data, out Row? row, [NotNullWhen(false)] out FormatError? error)
    {
        var decoded = new Row(schema);
        if (_text)
        {
            try
            {
                decoded.SetString(0, encoding.GetString(data));
            }
            catch (DecoderFallbackException)
            {
                row = null;
                error = new FormatError($"The bytes are not valid {encoding.WebName} text.", schema[0].Name);
                return false;
            }
        }
        else
        {
            decoded.SetBytes(0, data.ToArray());
        }
        row = decoded;
        error = null;
        return true;
    }

    public bool Serialize(Row row, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(destination);
        if (row.IsNull(0))
        {
            return false;
        }
        if (_text)
        {
            var text = row.GetString(0)!;
            var span = destination.GetSpan(encoding.GetMaxByteCount(text.Length));
            destination.Advance(encoding.GetBytes(text, span));
        }
        else
        {
            destination.Write(row.GetBytes(0));
        }
        return true;
    }
}
