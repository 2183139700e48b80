using System.Text;

namespace Sluice.Sql.Syntax;

/// <summary>
/// Splits Flink SQL text into tokens: words (keywords are recognized by the parser, case-insensitively), back-quoted
/// identifiers, '…' strings with '' escapes, X'…' bytes, numbers with decimals and exponents, and operators.
/// <c>--</c> line comments and <c>/* */</c> block comments (hints <c>/*+ … */</c> included) are skipped. Allocates only
/// the token list and the values of quoted tokens. Stateless; safe to use from any thread.
/// </summary>
internal static class SqlLexer
{
    /// <summary>
    /// The tokens of <paramref name="sql"/>, ending with one <see cref="SqlTokenKind.End"/> token.
    /// </summary>
    /// <exception cref="SqlException">An unterminated string, identifier or comment, a <c>${…}</c> placeholder, a
    /// malformed number or bytes literal, or a character that is not SQL; the error points at it.</exception>
    public static IReadOnlyList<SqlToken> Tokenize(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var tokens = new List<SqlToken>(Math.Max(16, sql.Length / 4));
        var lines = new LineCounter(sql);
        int i = 0;
        while (true)
        {
            i = SkipTrivia(sql, i, ref lines);
            if (i >= sql.Length)
            {
                tokens.Add(new SqlToken(SqlTokenKind.End, lines.At(sql.Length), 0, null));
                return tokens;
            }
            var start = i;
            var c = sql[i];
            SqlTokenKind kind;
            string? value = null;
            if ((c is 'x' or 'X') && i + 1 < sql.Length && sql[i + 1] == '\'')
            {
                value = ReadQuoted(sql, i + 1, '\'', ref lines, out i);
                CheckHex(value, lines.At(start));
                kind = SqlTokenKind.Binary;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                i++;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }
                kind = SqlTokenKind.Word;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1])))
            {
                kind = ReadNumber(sql, ref i, ref lines);
            }
            else
            {
                switch (c)
                {
                    case '\'':
                        value = ReadQuoted(sql, i, '\'', ref lines, out i);
                        kind = SqlTokenKind.String;
                        break;
                    case '`':
                        value = ReadQuoted(sql, i, '`', ref lines, out i);
                        if (value.Length == 0)
                        {
                            throw new SqlException("An identifier in back quotes must not be empty.", lines.At(start));
                        }
                        kind = SqlTokenKind.QuotedIdentifier;
                        break;
                    case '"':
                        throw new SqlException("Double quotes are not SQL here: write identifiers in back quotes (`name`) and strings in single quotes ('text').", lines.At(start));
                    case '$' when i + 1 < sql.Length && sql[i + 1] == '{':
                        throw new SqlException("'${…}' is a placeholder, not SQL: substitute its value before running the statement.", lines.At(start));
                    default:
                        kind = ReadSymbol(sql, ref i, lines.At(start));
                        break;
                }
            }
            tokens.Add(new SqlToken(kind, lines.At(start), i - start, value));
        }
    }

    private static int SkipTrivia(string sql, int i, ref LineCounter lines)
    {
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw new SqlException("This comment is not closed: '/*' needs a matching '*/'.", lines.At(i));
                }
                i = end + 2;
            }
            else
            {
                break;
            }
        }
        return i;
    }

    private static SqlTokenKind ReadNumber(string sql, ref int i, ref LineCounter lines)
    {
        var start = i;
        var kind = SqlTokenKind.Integer;
        while (i < sql.Length && char.IsAsciiDigit(sql[i]))
        {
            i++;
        }
        if (i < sql.Length && sql[i] == '.')
        {
            kind = SqlTokenKind.Decimal;
            i++;
            while (i < sql.Length && char.IsAsciiDigit(sql[i]))
            {
                i++;
            }
        }
        if (i < sql.Length && sql[i] is 'e' or 'E')
        {
            var exponent = i + 1;
            if (exponent < sql.Length && sql[exponent] is '+' or '-')
            {
                exponent++;
            }
            if (exponent >= sql.Length || !char.IsAsciiDigit(sql[exponent]))
            {
                throw new SqlException($"The number '{sql[start..Math.Min(exponent, sql.Length)]}' has an exponent without digits.", lines.At(start));
            }
            kind = SqlTokenKind.Approximate;
            i = exponent;
            while (i < sql.Length && char.IsAsciiDigit(sql[i]))
            {
                i++;
            }
        }
        if (i < sql.Length && (char.IsLetter(sql[i]) || sql[i] == '_'))
        {
            throw new SqlException($"'{sql[start..(i + 1)]}' is not a number: separate the number from the word after it.", lines.At(start));
        }
        return kind;
    }

    private static SqlTokenKind ReadSymbol(string sql, ref int i, SqlPosition position)
    {
        var c = sql[i];
        var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
        i++;
        switch (c)
        {
            case '(':
                return SqlTokenKind.LeftParen;
            case ')':
                return SqlTokenKind.RightParen;
            case '[':
                return SqlTokenKind.LeftBracket;
            case ']':
                return SqlTokenKind.RightBracket;
            case ',':
                return SqlTokenKind.Comma;
            case '.':
                return SqlTokenKind.Dot;
            case ';':
                return SqlTokenKind.Semicolon;
            case '+':
                return SqlTokenKind.Plus;
            case '-':
                return SqlTokenKind.Minus;
            case '*':
                return SqlTokenKind.Star;
            case '/':
                return SqlTokenKind.Slash;
            case '%':
                return SqlTokenKind.Percent;
            case '|' when next == '|':
                i++;
                return SqlTokenKind.Concat;
            case '=' when next == '>':
                i++;
                return SqlTokenKind.Arrow;
            case '=':
                return SqlTokenKind.Equal;
            case '!' when next == '=':
                i++;
                return SqlTokenKind.NotEqual;
            case '<' when next == '>':
                i++;
                return SqlTokenKind.NotEqual;
            case '<' when next == '=':
                i++;
                return SqlTokenKind.LessOrEqual;
            case '<':
                return SqlTokenKind.Less;
            case '>' when next == '=':
                i++;
                return SqlTokenKind.GreaterOrEqual;
            case '>':
                return SqlTokenKind.Greater;
            default:
                throw new SqlException($"The character '{Printable(c)}' is not SQL.", position);
        }
    }

    private static string Printable(char c) => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString();

    private static string ReadQuoted(string sql, int open, char quote, ref LineCounter lines, out int end)
    {
        var i = open + 1;
        var close = sql.IndexOf(quote, i);
        // The common case: no doubled quote inside, one substring.
        if (close >= 0 && (close + 1 >= sql.Length || sql[close + 1] != quote))
        {
            end = close + 1;
            return sql[i..close];
        }
        var value = new StringBuilder();
        while (true)
        {
            close = sql.IndexOf(quote, i);
            if (close < 0)
            {
                var what = quote == '`' ? "identifier" : "string";
                throw new SqlException($"This {what} is not closed: add the matching {quote}.", lines.At(open));
            }
            value.Append(sql, i, close - i);
            if (close + 1 < sql.Length && sql[close + 1] == quote)
            {
                value.Append(quote);
                i = close + 2;
                continue;
            }
            end = close + 1;
            return value.ToString();
        }
    }

    private static void CheckHex(string hex, SqlPosition position)
    {
        if (hex.Length % 2 != 0)
        {
            throw new SqlException($"The bytes literal X'{hex}' has an odd number of hex digits.", position);
        }
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw new SqlException($"The bytes literal X'{hex}' holds '{Printable(c)}', which is not a hex digit.", position);
            }
        }
    }

    /// <summary>Turns offsets into line:column positions, scanning the text once as offsets grow.</summary>
    private struct LineCounter(string text)
    {
        private int _scanned;
        private int _line = 1;
        private int _lineStart;

        public SqlPosition At(int offset)
        {
            // Offsets only grow while lexing, except when an error points back at a token's start.
            if (offset < _scanned)
            {
                return SqlPosition.At(text, offset);
            }
            for (; _scanned < offset; _scanned++)
            {
                if (text[_scanned] == '\n')
                {
                    _line++;
                    _lineStart = _scanned + 1;
                }
            }
            return new SqlPosition(offset, _line, offset - _lineStart + 1);
        }
    }
}
