using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// The <c>csv</c> format's serializer (see <see cref="CsvFormat"/>): writes one record without a line terminator
/// straight into the destination. A text is quoted when it is empty or holds the delimiter, the quote, the escape
/// character or a line break; quotes inside are doubled (or escaped when <c>csv.escape-character</c> is set). A row of
/// primitives allocates nothing. Thread-safe.
/// </summary>
internal sealed class CsvRowSerializer : IRowSerializer
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? s_arrayText;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? s_stringText;

    private readonly Schema _schema;
    private readonly CsvSettings _settings;
    private readonly SearchValues<byte> _special;

    public CsvRowSerializer(Schema schema, CsvSettings settings)
    {
        _schema = schema;
        _settings = settings;
        var special = new List<byte> { settings.Delimiter, (byte)'\r', (byte)'\n' };
        if (!settings.DisableQuote)
        {
            special.Add(settings.Quote);
        }
        if (settings.Escape is { } escape)
        {
            special.Add(escape);
        }
        _special = SearchValues.Create([.. special]);
    }

    public Schema Schema => _schema;

    public bool Serialize(Row row, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> text = stackalloc byte[ScalarText.MaxFixedLength];
        for (var i = 0; i < _schema.Count; i++)
        {
            if (i > 0)
            {
                WriteByte(destination, _settings.Delimiter);
            }
            if (row.IsNull(i))
            {
                if (_settings.NullLiteral is { } literal)
                {
                    destination.Write(literal);
                }
                continue;
            }
            var kind = _schema[i].Type.Kind;
            switch (kind)
            {
                case DataTypeKind.Varchar:
                    WriteString(destination, row.GetString(i)!, i);
                    break;
                case DataTypeKind.Bytes:
                    var bytes = row.GetBytes(i)!;
                    if (bytes.Length == 0 && !_settings.DisableQuote)
                    {
                        // Quoted, so that it reads back as no bytes, not null.
                        WriteByte(destination, _settings.Quote);
                        WriteByte(destination, _settings.Quote);
                    }
                    WriteBase64(destination, bytes);
                    break;
                case DataTypeKind.Array:
                    WriteArray(destination, row.GetArray(i)!, i);
                    break;
                default:
                    WriteText(destination, text[..ScalarText.FormatFixed(row, i, kind, TimestampStandard.Sql, text)], i);
                    break;
            }
        }
        return true;
    }

    private void WriteArray(IBufferWriter<byte> destination, IReadOnlyList<object?> elements, int field)
    {
        var kind = _schema[field].Type.ElementType!.Kind;
        if (elements.Count == 0)
        {
            if (_settings.DisableQuote)
            {
                throw new FormatException($"Field '{_schema[field].Name}' holds an empty array, which csv cannot tell from null when 'csv.disable-quote-character' is true.");
            }
            // Quoted, so that it reads back as an empty array, not null.
            WriteByte(destination, _settings.Quote);
            WriteByte(destination, _settings.Quote);
            return;
        }
        var text = s_arrayText ??= new ArrayBufferWriter<byte>(256);
        text.ResetWrittenCount();
        for (var i = 0; i < elements.Count; i++)
        {
            if (i > 0)
            {
                text.Write(_settings.ArrayDelimiter);
            }
            var start = text.WrittenCount;
            switch (elements[i])
            {
                case null:
                    if (_settings.NullLiteral is { } literal)
                    {
                        text.Write(literal);
                    }
                    continue;
                case string s:
                    if (s.Length == 0)
                    {
                        throw new FormatException($"Field '{_schema[field].Name}' holds an empty string at [{i}], which csv cannot tell from null inside an array.");
                    }
                    var span = text.GetSpan(Encoding.UTF8.GetMaxByteCount(s.Length));
                    text.Advance(Encoding.UTF8.GetBytes(s, span));
                    break;
                case byte[] bytes:
                    WriteBase64(text, bytes);
                    break;
                case { } value:
                    var fixedText = text.GetSpan(ScalarText.MaxFixedLength);
                    text.Advance(ScalarText.FormatFixed(value, kind, TimestampStandard.Sql, fixedText));
                    break;
            }
            if (text.WrittenSpan[start..].IndexOf(_settings.ArrayDelimiter) >= 0)
            {
                throw new FormatException(
                    $"Field '{_schema[field].Name}' holds an element at [{i}] containing the array element delimiter '{Encoding.UTF8.GetString(_settings.ArrayDelimiter)}'; choose another 'csv.array-element-delimiter'.");
            }
        }
        if (text.WrittenCount == 0 && elements.Count > 0)
        {
            throw new FormatException($"Field '{_schema[field].Name}' holds an array of one null element, which csv cannot tell from a null array.");
        }
        WriteText(destination, text.WrittenSpan, field);
    }

    private void WriteString(IBufferWriter<byte> destination, string value, int field)
    {
        if (value.Length > 0 && !NeedsQuote(value))
        {
            var span = destination.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
            destination.Advance(Encoding.UTF8.GetBytes(value, span));
            return;
        }
        if (value.Length == 0)
        {
            // Quoted so that it reads back as an empty string, not null (without quotes it cannot be told apart).
            if (!_settings.DisableQuote)
            {
                WriteByte(destination, _settings.Quote);
                WriteByte(destination, _settings.Quote);
            }
            return;
        }
        var scratch = s_stringText ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        scratch.Advance(Encoding.UTF8.GetBytes(value, scratch.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length))));
        if (_settings.DisableQuote)
        {
            WriteEscaped(destination, scratch.WrittenSpan, field);
        }
        else
        {
            WriteQuoted(destination, scratch.WrittenSpan);
        }
    }

    /// <summary>Whether a string's text must be quoted: it holds a special character, equals the null literal or starts a comment.</summary>
    private bool NeedsQuote(string value)
    {
        if (value.AsSpan().IndexOfAny((char)_settings.Delimiter, '\r', '\n') >= 0
            || (!_settings.DisableQuote && value.Contains((char)_settings.Quote, StringComparison.Ordinal))
            || (_settings.Escape is { } escape && value.Contains((char)escape, StringComparison.Ordinal))
            || (_settings.AllowComments && value[0] == '#'))
        {
            return true;
        }
        return _settings.NullLiteral is { } literal && value.Length == literal.Length && Encoding.UTF8.GetByteCount(value) == literal.Length && IsLiteral(value, literal);
    }

    private static bool IsLiteral(string value, byte[] literal)
    {
        Span<byte> buffer = stackalloc byte[literal.Length];
        return Encoding.UTF8.GetBytes(value, buffer) == literal.Length && buffer.SequenceEqual(literal);
    }

    /// <summary>Writes already-encoded text, quoting it when it holds a special character or equals the null literal.</summary>
    private void WriteText(IBufferWriter<byte> destination, ReadOnlySpan<byte> text, int field)
    {
        var needsQuote = text.IndexOfAny(_special) >= 0 || (_settings.NullLiteral is { } literal && text.SequenceEqual(literal));
        if (!needsQuote)
        {
            destination.Write(text);
            return;
        }
        if (_settings.DisableQuote)
        {
            WriteEscaped(destination, text, field);
            return;
        }
        WriteQuoted(destination, text);
    }

    private void WriteQuoted(IBufferWriter<byte> destination, ReadOnlySpan<byte> text)
    {
        var quote = _settings.Quote;
        WriteByte(destination, quote);
        foreach (var b in text)
        {
            if (b == quote || b == _settings.Escape)
            {
                WriteByte(destination, _settings.Escape ?? quote);
            }
            WriteByte(destination, b);
        }
        WriteByte(destination, quote);
    }

    private void WriteEscaped(IBufferWriter<byte> destination, ReadOnlySpan<byte> text, int field)
    {
        if (_settings.Escape is not { } escape)
        {
            throw new FormatException(
                $"Field '{_schema[field].Name}' holds the delimiter, a line break or the null literal, but 'csv.disable-quote-character' is true and no 'csv.escape-character' is set; set one.");
        }
        foreach (var b in text)
        {
            if (b == _settings.Delimiter || b == escape || b is (byte)'\r' or (byte)'\n')
            {
                WriteByte(destination, escape);
            }
            WriteByte(destination, b);
        }
    }

    private static void WriteBase64(IBufferWriter<byte> destination, byte[] bytes)
    {
        var span = destination.GetSpan(Base64.GetMaxEncodedToUtf8Length(bytes.Length));
        Base64.EncodeToUtf8(bytes, span, out _, out var written);
        destination.Advance(written);
    }

    private static void WriteByte(IBufferWriter<byte> destination, byte value)
    {
        destination.GetSpan(1)[0] = value;
        destination.Advance(1);
    }
}
