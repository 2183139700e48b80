using System.Text;
using Sluice.Server.Sql;

namespace Sluice.Server.PgWire;

/// <summary>
/// A small lexer over the SQL clients send: splits a simple Query into statements and tokenises a statement, knowing
/// comments (<c>--</c>, nested <c>/* */</c>), string literals (<c>'…'</c>, <c>E'…'</c>, <c>$tag$…$tag$</c>) and quoted
/// identifiers (<c>"…"</c>), so a <c>;</c> or keyword inside them is not taken for one. Stateless.
/// </summary>
internal static class PgSqlText
{
    /// <summary>The statements of <paramref name="sql"/>, comments kept, without their <c>;</c>; empty ones dropped.</summary>
    public static List<string> Split(string sql)
    {
        var statements = new List<string>();
        var begin = 0;
        foreach (var token in Tokens(sql, keepSemicolons: true))
        {
            if (token.Kind == PgTokenKind.Semicolon)
            {
                Add(sql[begin..token.Start]);
                begin = token.Start + 1;
            }
        }
        Add(sql[begin..]);
        return statements;

        void Add(string statement)
        {
            if (Tokens(statement, keepSemicolons: false).Count > 0)
            {
                statements.Add(statement.Trim());
            }
        }
    }

    /// <summary>The tokens of <paramref name="sql"/>, comments and white space dropped.</summary>
    public static List<PgToken> Tokens(string sql, bool keepSemicolons = false)
    {
        var tokens = new List<PgToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var start = i;
            // ASCII white space only, as DuckDB's and PostgreSQL's lexers: they read other characters (U+00A0…) as part of a name.
            if (c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v')
            {
                i++;
                continue;
            }
            if (c == '-' && At(sql, i + 1, '-'))
            {
                while (i < sql.Length && sql[i] is not ('\n' or '\r'))
                {
                    i++;
                }
                continue;
            }
            if (c == '/' && At(sql, i + 1, '*'))
            {
                i = SqlScan.SkipBlockComment(sql, i);
                continue;
            }
            PgTokenKind kind;
            if (c is 'E' or 'e' && At(sql, i + 1, '\''))
            {
                i = SqlScan.SkipEscapeString(sql, i + 1);
                kind = PgTokenKind.String;
            }
            else if (c == '\'')
            {
                i = SqlScan.SkipQuoted(sql, i, '\'');
                kind = PgTokenKind.String;
            }
            else if (c == '"')
            {
                i = SqlScan.SkipQuoted(sql, i, '"');
                kind = PgTokenKind.QuotedIdentifier;
            }
            else if (c == '$' && SqlScan.DollarTag(sql, i) is { } tag)
            {
                var end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + tag.Length;
                kind = PgTokenKind.String;
            }
            else if (c == '$' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1]))
            {
                i++;
                while (i < sql.Length && char.IsAsciiDigit(sql[i]))
                {
                    i++;
                }
                kind = PgTokenKind.Parameter;
            }
            else if (char.IsLetter(c) || c == '_' || c >= '\u0080')
            {
                // As PostgreSQL's and DuckDB's lexers: every non-ASCII character may start or continue a name, and $ continues one.
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$' || sql[i] >= '\u0080'))
                {
                    i++;
                }
                kind = PgTokenKind.Word;
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] == '.'))
                {
                    i++;
                }
                kind = PgTokenKind.Number;
            }
            else
            {
                i++;
                kind = c == ';' ? PgTokenKind.Semicolon : PgTokenKind.Symbol;
                if (kind == PgTokenKind.Semicolon && !keepSemicolons)
                {
                    continue;
                }
            }
            tokens.Add(new PgToken(kind, start, sql[start..i]));
        }
        return tokens;
    }

    /// <summary>The most parameters a statement may have (PostgreSQL's limit: the count is an Int16 on the wire).</summary>
    public const int MaxParameters = 65535;

    /// <summary>The highest <c>$n</c> parameter of a statement (0 when it has none).</summary>
    /// <exception cref="PgException">42601: a parameter number above <see cref="MaxParameters"/>.</exception>
    public static int ParameterCount(List<PgToken> tokens)
    {
        var count = 0;
        foreach (var token in tokens)
        {
            if (token.Kind == PgTokenKind.Parameter)
            {
                if (!int.TryParse(token.Text.AsSpan(1), out var n) || n > MaxParameters)
                {
                    throw new PgException(PgSqlState.SyntaxError, $"parameter {token.Text} is out of range: at most ${MaxParameters}");
                }
                count = Math.Max(count, n);
            }
        }
        return count;
    }

    /// <summary>The text of a string literal token without its quotes (<c>'a''b'</c> → <c>a'b</c>).</summary>
    public static string Unquote(string literal)
    {
        if (literal.Length >= 2 && literal[0] == '\'' && literal[^1] == '\'')
        {
            return literal[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }
        if (literal.Length >= 2 && literal[0] == '"' && literal[^1] == '"')
        {
            return literal[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
        }
        return literal;
    }

    /// <summary>A SQL string literal of <paramref name="value"/>.</summary>
    public static string Literal(string value) => new StringBuilder(value.Length + 2).Append('\'').Append(value.Replace("'", "''", StringComparison.Ordinal)).Append('\'').ToString();

    private static bool At(string sql, int i, char c) => i < sql.Length && sql[i] == c;

}

/// <summary>What a <see cref="PgToken"/> is.</summary>
internal enum PgTokenKind
{
    Word,
    QuotedIdentifier,
    String,
    Number,
    Parameter,
    Symbol,
    Semicolon,
}

/// <summary>One token: its kind, its offset in the SQL, its text as written.</summary>
internal readonly record struct PgToken(PgTokenKind Kind, int Start, string Text)
{
    /// <summary>Whether this is the word <paramref name="word"/> (case-insensitive).</summary>
    public bool Is(string word) => Kind == PgTokenKind.Word && Text.Equals(word, StringComparison.OrdinalIgnoreCase);
}
