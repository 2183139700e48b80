namespace Sluice.Server.Sql;

/// <summary>
/// The pieces of SQL text a statement splitter must step over without looking inside, in PostgreSQL's and DuckDB's
/// lexical rules: quoted strings and identifiers, E'…' escape strings, nested block comments and dollar-quoted strings.
/// Each method takes the text and the index of the opening character and returns the index just past the piece (the
/// end of the text when it is unterminated). Shared by the PostgreSQL endpoint's statement splitter and the CLI's
/// read-only query guard. Pure.
/// </summary>
internal static class SqlScan
{
    public static int SkipQuoted(string sql, int i, char quote)
    {
        // '…' and "…" with the quote doubled inside; an unterminated one runs to the end (DuckDB rejects it anyway).
        i++;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    public static int SkipEscapeString(string sql, int i)
    {
        // E'…': a backslash escapes the next character (E'\'' is one quote), and '' is a quote too.
        i++;
        while (i < sql.Length)
        {
            if (sql[i] == '\\')
            {
                i += 2;
                continue;
            }
            if (sql[i] == '\'')
            {
                if (i + 1 < sql.Length && sql[i + 1] == '\'')
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return Math.Min(i, sql.Length);
    }

    public static int SkipBlockComment(string sql, int i)
    {
        // DuckDB nests block comments: /* /* */ */ is one comment.
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && i + 1 < sql.Length && sql[i + 1] == '/')
            {
                i += 2;
                if (--depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }
        return i;
    }

    public static string? DollarTag(string sql, int i)
    {
        // $$ or $tag$ (tag: a letter or _, then letters, digits or _) opens a dollar-quoted string; $1 does not.
        var end = i + 1;
        while (end < sql.Length && (char.IsLetter(sql[end]) || sql[end] == '_' || (end > i + 1 && char.IsDigit(sql[end]))))
        {
            end++;
        }
        return end < sql.Length && sql[end] == '$' ? sql[i..(end + 1)] : null;
    }
}
