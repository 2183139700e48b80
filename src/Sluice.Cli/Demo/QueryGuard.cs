using System.Text;

namespace Sluice.Cli.Demo;

/// <summary>
/// Decides which statements <c>sluice query</c> runs, before DuckDB sees them. DuckDB itself enforces read-only
/// access (<c>access_mode=READ_ONLY</c>) and disabled file access; this guard adds what DuckDB cannot express — the
/// <c>_sluice_*</c> tables (the exactly-once ledger) stay untouchable even with <c>--write</c>, extensions are never
/// installed or loaded — and turns every refusal into one sentence naming the statement and the fix.
/// </summary>
/// <remarks>
/// The SQL is split into statements by a small lexer that knows DuckDB's comments (<c>--</c>, <c>/* */</c>), string
/// literals (<c>'…'</c>, <c>$tag$…$tag$</c>) and quoted identifiers (<c>"…"</c>), so a <c>;</c> or keyword inside them
/// is not mistaken for a statement. A statement is classified by its first keyword. Conservative by design: a
/// statement that is not a plain read (<see cref="IsPlainRead"/>) and mentions <c>_sluice_</c> anywhere outside a
/// comment is refused, even when the mention is harmless. Stateless and thread-safe.
/// </remarks>
internal static class QueryGuard
{
    /// <summary>The prefix of the tables Sluice's sinks keep for themselves (e.g. <c>_sluice_commits</c>).</summary>
    public const string ProtectedPrefix = "_sluice_";

    private static readonly HashSet<string> s_plainReads = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "VALUES", "TABLE", "DESCRIBE", "DESC", "SHOW", "SUMMARIZE", "(",
    };

    private static readonly HashSet<string> s_readOnlyRefused = new(StringComparer.OrdinalIgnoreCase)
    {
        "COPY", "ATTACH", "DETACH", "EXPORT",
    };

    /// <summary>
    /// Returns null when every statement of <paramref name="sql"/> may run, otherwise the refusal: one sentence naming
    /// the refused statement and the fix (without an "error:" prefix).
    /// </summary>
    /// <param name="sql">The user's SQL (one or more statements).</param>
    /// <param name="write">Whether <c>--write</c> was given.</param>
    public static string? Check(string sql, bool write)
    {
        ArgumentNullException.ThrowIfNull(sql);
        foreach (var statement in Split(sql))
        {
            var keyword = statement.Keyword.ToUpperInvariant();
            if (keyword is "INSTALL" or "LOAD" || (keyword == "FORCE" && statement.Second.Equals("INSTALL", StringComparison.OrdinalIgnoreCase))
                || (keyword == "UPDATE" && statement.Second.Equals("EXTENSIONS", StringComparison.OrdinalIgnoreCase)))
            {
                return $"{Describe(statement)} is refused: sluice query never installs or loads DuckDB extensions (the warehouse and the lake need none).";
            }
            if (keyword == "IMPORT")
            {
                return "IMPORT DATABASE is refused: it runs SQL from files sluice query cannot check; load the data with --write and INSERT … SELECT FROM read_csv(…) instead.";
            }
            if (!write && s_readOnlyRefused.Contains(keyword))
            {
                return $"{Describe(statement)} is refused: sluice query opens the warehouse read-only and touches no other file or database; rerun with --write to allow it.";
            }
            if (write && !IsPlainRead(statement.Keyword) && statement.Text.Contains(ProtectedPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return $"{Describe(statement)} is refused: the {ProtectedPrefix}* tables hold Sluice's exactly-once ledger and may only be read (with SELECT), even with --write.";
            }
        }
        return null;
    }

    /// <summary>Whether a statement starting with <paramref name="keyword"/> can only read (SELECT, FROM, DESCRIBE, SHOW…).</summary>
    public static bool IsPlainRead(string keyword) => s_plainReads.Contains(keyword);

    /// <summary>
    /// Splits <paramref name="sql"/> into its non-empty statements: each with its text (comments removed), first
    /// keyword (or <c>(</c>) and second keyword (empty when missing).
    /// </summary>
    public static List<Statement> Split(string sql)
    {
        var statements = new List<Statement>();
        var text = new StringBuilder();
        var words = new List<string>(2);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
                text.Append(' ');
                continue;
            }
            if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
                text.Append(' ');
                continue;
            }
            if (c is '\'' or '"')
            {
                var start = i;
                i = SkipQuoted(sql, i, c);
                text.Append(sql, start, i - start);
                AddWord(words, "");
                continue;
            }
            if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                var stop = end < 0 ? sql.Length : end + tag.Length;
                text.Append(sql, i, stop - i);
                i = stop;
                AddWord(words, "");
                continue;
            }
            if (c == ';')
            {
                Flush();
                i++;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_'))
                {
                    i++;
                }
                AddWord(words, sql[start..i]);
                text.Append(sql, start, i - start);
                continue;
            }
            if (c == '(')
            {
                AddWord(words, "(");
            }
            else if (!char.IsWhiteSpace(c))
            {
                AddWord(words, "");
            }
            text.Append(c);
            i++;
        }
        Flush();
        return statements;

        void Flush()
        {
            if (words.Count > 0)
            {
                statements.Add(new Statement(text.ToString().Trim(), words[0], words.Count > 1 ? words[1] : ""));
            }
            text.Clear();
            words.Clear();
        }
    }

    private static void AddWord(List<string> words, string word)
    {
        // Only the first two tokens matter; a literal or symbol among them is recorded as "" (not a keyword).
        if (words.Count < 2)
        {
            words.Add(word);
        }
    }

    private static int SkipQuoted(string sql, int i, char quote)
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

    private static string? DollarTag(string sql, int i)
    {
        // $$ or $tag$ opens a dollar-quoted string; $1 (a parameter) does not.
        var end = i + 1;
        while (end < sql.Length && (char.IsLetter(sql[end]) || sql[end] == '_'))
        {
            end++;
        }
        return end < sql.Length && sql[end] == '$' ? sql[i..(end + 1)] : null;
    }

    private static string Describe(Statement statement)
    {
        var keyword = statement.Keyword.ToUpperInvariant();
        return keyword switch
        {
            "FORCE" or "UPDATE" when statement.Second.Length > 0 => $"{keyword} {statement.Second.ToUpperInvariant()}",
            "(" => "This statement",
            "" => "This statement",
            _ => keyword,
        };
    }

    /// <summary>One statement of the user's SQL.</summary>
    /// <param name="Text">Its text without comments (literals and quoted identifiers kept).</param>
    /// <param name="Keyword">Its first keyword as written, <c>(</c> for a parenthesised query, or empty.</param>
    /// <param name="Second">Its second keyword, or empty.</param>
    internal readonly record struct Statement(string Text, string Keyword, string Second);
}
