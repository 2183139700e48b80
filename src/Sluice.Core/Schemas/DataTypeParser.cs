using System.Globalization;

namespace Sluice.Schemas;

/// <summary>
/// Reads SQL type text, Flink's spellings included: <c>INTEGER</c>, <c>STRING</c>, <c>VARCHAR(n)</c>, <c>CHAR(n)</c>,
/// <c>VARBINARY(n)</c>, <c>DEC</c>/<c>NUMERIC</c>, <c>DOUBLE PRECISION</c>, <c>TIMESTAMP(p) WITHOUT TIME ZONE</c>,
/// <c>TIMESTAMP(p) WITH LOCAL TIME ZONE</c>, <c>ROW&lt;a INT&gt;</c> and <c>ROW(a INT)</c>, <c>NOT NULL</c>. Lengths of
/// character and binary types are accepted and not kept. Keywords are case-insensitive; field names are not.
/// </summary>
internal sealed class DataTypeParser
{
    // Deeper nesting is an error rather than a stack overflow on hostile text.
    private const int MaxNesting = 64;

    private readonly string _text;
    private int _position;
    private int _nesting;

    private DataTypeParser(string text) => _text = text;

    public static DataType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new DataTypeParser(text);
        var type = parser.ParseType();
        parser.ExpectEnd();
        return type;
    }

    /// <summary>
    /// Reads one type that starts at <paramref name="offset"/> and may be followed by other text, for parsers of
    /// larger languages (SQL DDL and CAST). On success <paramref name="end"/> is the offset just past the type (before
    /// any spaces after it); on failure it is the offset of the offending text and <paramref name="error"/> says what
    /// was expected there (a phrase such as <c>a number</c>) or, when <paramref name="expected"/> is false, what is
    /// wrong (a sentence).
    /// </summary>
    public static bool TryParsePrefix(string text, int offset, out DataType? type, out int end, out string? error, out bool expected)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, text.Length);
        var parser = new DataTypeParser(text) { _position = offset };
        try
        {
            type = parser.ParseType();
            end = parser._position;
            error = null;
            expected = false;
            return true;
        }
        catch (TypeSyntaxException e)
        {
            type = null;
            end = e.Offset;
            error = e.Detail;
            expected = e.IsExpectation;
            return false;
        }
    }

    public static Schema ParseSchema(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new DataTypeParser(text);
        Schema schema;
        if (parser.PeekWord() is { } word && word.Equals("ROW", StringComparison.OrdinalIgnoreCase) && parser.PeekAfterWord() is '<' or '(')
        {
            var row = parser.ParseType();
            schema = row.Fields!;
        }
        else
        {
            schema = new Schema(parser.ParseFields(closing: null));
        }
        parser.ExpectEnd();
        return schema;
    }

    private DataType ParseType()
    {
        if (++_nesting > MaxNesting)
        {
            var at = SkipSpaces();
            throw new TypeSyntaxException($"Invalid type at position {at} in '{_text}': types nest at most {MaxNesting} levels deep.", at, $"Types nest at most {MaxNesting} levels deep.", isExpectation: false);
        }
        try
        {
            return ParseTypeBody();
        }
        finally
        {
            _nesting--;
        }
    }

    private DataType ParseTypeBody()
    {
        var start = SkipSpaces();
        var word = ReadWord() ?? throw Error(start, "a type (BOOLEAN, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), VARCHAR, BYTES, DATE, TIME(p), TIMESTAMP(p), TIMESTAMP_LTZ(p), ROW<…>, ARRAY<…>, MAP<…, …>)");
        DataType type;
        switch (word.ToUpperInvariant())
        {
            case "BOOLEAN" or "BOOL":
                type = DataType.Boolean;
                break;
            case "INT" or "INTEGER":
                type = DataType.Int;
                break;
            case "BIGINT":
                type = DataType.BigInt;
                break;
            case "FLOAT" or "REAL":
                type = DataType.Float;
                break;
            case "DOUBLE":
                TryWord("PRECISION");
                type = DataType.Double;
                break;
            case "DECIMAL" or "DEC" or "NUMERIC":
                {
                    var precision = 10;
                    var scale = 0;
                    if (TryChar('('))
                    {
                        precision = ReadInt();
                        if (TryChar(','))
                        {
                            scale = ReadInt();
                        }
                        Expect(')');
                    }
                    type = Checked(start, () => DataType.Decimal(precision, scale));
                    break;
                }
            case "VARCHAR" or "CHAR" or "STRING":
                SkipLength();
                type = DataType.Varchar;
                break;
            case "BYTES" or "VARBINARY" or "BINARY":
                SkipLength();
                type = DataType.Bytes;
                break;
            case "DATE":
                type = DataType.Date;
                break;
            case "TIME":
                {
                    var precision = OptionalPrecision(0);
                    if (TryWord("WITHOUT"))
                    {
                        ExpectWord("TIME");
                        ExpectWord("ZONE");
                    }
                    type = Checked(start, () => DataType.Time(precision));
                    break;
                }
            case "TIMESTAMP":
                {
                    var precision = OptionalPrecision(DataType.DefaultTimestampPrecision);
                    var local = false;
                    if (TryWord("WITH"))
                    {
                        ExpectWord("LOCAL");
                        ExpectWord("TIME");
                        ExpectWord("ZONE");
                        local = true;
                    }
                    else if (TryWord("WITHOUT"))
                    {
                        ExpectWord("TIME");
                        ExpectWord("ZONE");
                    }
                    type = Checked(start, () => local ? DataType.TimestampLtz(precision) : DataType.Timestamp(precision));
                    break;
                }
            case "TIMESTAMP_LTZ":
                {
                    var precision = OptionalPrecision(DataType.DefaultTimestampPrecision);
                    type = Checked(start, () => DataType.TimestampLtz(precision));
                    break;
                }
            case "ARRAY":
                Expect('<');
                type = DataType.Array(ParseType());
                Expect('>');
                break;
            case "MAP":
                {
                    Expect('<');
                    var key = ParseType();
                    Expect(',');
                    var value = ParseType();
                    Expect('>');
                    type = DataType.Map(key, value);
                    break;
                }
            case "ROW":
                {
                    var open = SkipSpaces();
                    var closing = TryChar('<') ? '>' : TryChar('(') ? ')' : throw Error(open, "'<' or '(' after ROW");
                    var fields = ParseFields(closing);
                    Expect(closing);
                    type = Checked(start, () => DataType.Row(new Schema(fields)));
                    break;
                }
            default:
                throw Error(start, "a type (BOOLEAN, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), VARCHAR, BYTES, DATE, TIME(p), TIMESTAMP(p), TIMESTAMP_LTZ(p), ROW<…>, ARRAY<…>, MAP<…, …>)");
        }
        if (TryWord("NOT"))
        {
            ExpectWord("NULL");
            return type.NotNull();
        }
        TryWord("NULL");
        return type;
    }

    private List<Field> ParseFields(char? closing)
    {
        var fields = new List<Field>();
        if (closing is { } c && PeekChar() == c)
        {
            return fields;
        }
        do
        {
            var nameStart = SkipSpaces();
            var name = ReadName() ?? throw Error(nameStart, "a field name");
            var type = ParseType();
            string? description = null;
            if (TryWord("COMMENT"))
            {
                description = ReadQuoted('\'') ?? throw Error(SkipSpaces(), "a quoted comment");
            }
            fields.Add(new Field(name, type, description));
        }
        while (TryChar(','));
        return fields;
    }

    private int OptionalPrecision(int defaultPrecision)
    {
        if (!TryChar('('))
        {
            return defaultPrecision;
        }
        var precision = ReadInt();
        Expect(')');
        return precision;
    }

    private void SkipLength()
    {
        if (TryChar('('))
        {
            ReadInt();
            Expect(')');
        }
    }

    private DataType Checked(int start, Func<DataType> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            var detail = FirstSentence(e.Message);
            throw new TypeSyntaxException($"Invalid type at position {start} in '{_text}': {detail}", start, detail, isExpectation: false, e);
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }

    private string? ReadName()
    {
        SkipSpaces();
        return PeekChar() == '`' ? ReadQuoted('`') : ReadWord();
    }

    private string? ReadQuoted(char quote)
    {
        SkipSpaces();
        if (PeekChar() != quote)
        {
            return null;
        }
        var start = _position;
        _position++;
        var value = new System.Text.StringBuilder();
        while (_position < _text.Length)
        {
            var c = _text[_position++];
            if (c == quote)
            {
                if (_position < _text.Length && _text[_position] == quote)
                {
                    value.Append(quote);
                    _position++;
                    continue;
                }
                return value.ToString();
            }
            value.Append(c);
        }
        throw Error(start, $"a closing {quote}");
    }

    private string? ReadWord()
    {
        SkipSpaces();
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] == '_'))
        {
            _position++;
        }
        return _position > start ? _text[start.._position] : null;
    }

    private string? PeekWord()
    {
        var saved = _position;
        var word = ReadWord();
        _position = saved;
        return word;
    }

    private char? PeekAfterWord()
    {
        var saved = _position;
        ReadWord();
        var next = PeekChar();
        _position = saved;
        return next;
    }

    private bool TryWord(string keyword)
    {
        var saved = _position;
        if (ReadWord() is { } word && word.Equals(keyword, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        _position = saved;
        return false;
    }

    private void ExpectWord(string keyword)
    {
        var start = SkipSpaces();
        if (!TryWord(keyword))
        {
            throw Error(start, keyword);
        }
    }

    private int ReadInt()
    {
        var start = SkipSpaces();
        while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
        {
            _position++;
        }
        return _position > start && int.TryParse(_text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(start, "a number");
    }

    private char? PeekChar()
    {
        SkipSpaces();
        return _position < _text.Length ? _text[_position] : null;
    }

    private bool TryChar(char c)
    {
        if (PeekChar() == c)
        {
            _position++;
            return true;
        }
        return false;
    }

    private void Expect(char c)
    {
        var start = SkipSpaces();
        if (!TryChar(c))
        {
            throw Error(start, $"'{c}'");
        }
    }

    private void ExpectEnd()
    {
        var start = SkipSpaces();
        if (start < _text.Length)
        {
            throw Error(start, "the end of the type");
        }
    }

    private int SkipSpaces()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
        return _position;
    }

    private TypeSyntaxException Error(int position, string expected)
    {
        var found = position < _text.Length ? $"'{_text[position]}'" : "the end";
        return new TypeSyntaxException($"Expected {expected} at position {position} in '{_text}', found {found}.", position, expected, isExpectation: true);
    }

    /// <summary>A type syntax error that also keeps its offset and detail apart, for <see cref="TryParsePrefix"/>.</summary>
    private sealed class TypeSyntaxException(string message, int offset, string detail, bool isExpectation, Exception? inner = null)
        : FormatException(message, inner)
    {
        public int Offset { get; } = offset;

        public string Detail { get; } = detail;

        public bool IsExpectation { get; } = isExpectation;
    }
}
