using System.Text;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using Sluice.Server.Sql;

namespace Sluice.Cli.Demo;

/// <summary>
/// Decides which statements <c>sluice query</c> runs, before DuckDB sees them. DuckDB itself enforces read-only
/// access (<c>access_mode=READ_ONLY</c>) and disabled file access; this guard adds what DuckDB cannot express — the
/// <c>_sluice_*</c> tables (the exactly-once ledger) stay untouchable even with <c>--write</c>, extensions are never
/// installed or loaded — and turns every refusal into one sentence naming the statement and the fix.
/// </summary>
/// <remarks>
/// The SQL is split into statements by a small lexer that knows DuckDB's comments (<c>--</c> up to a line break,
/// nested <c>/* */</c>), string literals (<c>'…'</c>, escape strings <c>E'…'</c> with backslash escapes,
/// <c>$tag$…$tag$</c>) and quoted identifiers (<c>"…"</c>), so a <c>;</c> or keyword inside them is not mistaken for
/// a statement. DuckDB's own parser then checks the split (<c>duckdb_extract_statements</c> on the whole SQL and on
/// each statement): if DuckDB would run statements the lexer did not see, the SQL is refused rather than guessed at.
/// A statement is classified by its first keyword. Conservative by design: a statement that is not a plain read
/// (<see cref="IsPlainRead"/>) and mentions <c>_sluice_</c> anywhere, comments included, is refused, even when the
/// mention is harmless. Stateless and thread-safe.
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
    /// <param name="writableDirectories">
    /// With <c>--write</c>, the directories (full paths) a COPY … TO may write into: its target must be one plain
    /// string literal resolving under one of them. DuckDB's own file access list cannot do this alone: it always lets
    /// a database write its own file and WAL (<c>COPY … TO '&lt;warehouse&gt;' (USE_TMP_FILE false)</c> replaces the
    /// warehouse even with external access off). Null skips this check.
    /// </param>
    public static string? Check(string sql, bool write, IReadOnlyList<string>? writableDirectories = null)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = Split(sql);
        if (!DuckDbAgrees(sql, statements))
        {
            return "This SQL is refused: DuckDB splits it into statements differently than sluice query's check does (quoting or comments it cannot follow); run its statements one at a time.";
        }
        foreach (var statement in statements)
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
            if (write && writableDirectories is not null && keyword == "COPY" && !CopyTargetAllowed(statement.Source, writableDirectories))
            {
                return $"COPY … TO is refused: with --write its target must be one quoted path under {string.Join(" or ", writableDirectories)} (no expression), so the warehouse file and its WAL stay out of reach.";
            }
            if (write && !IsPlainRead(statement.Keyword) && statement.Source.Contains(ProtectedPrefix, StringComparison.OrdinalIgnoreCase))
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
        var pivot = false;
        var begin = 0;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                // DuckDB ends a line comment at \n or \r.
                while (i < sql.Length && sql[i] is not ('\n' or '\r'))
                {
                    i++;
                }
                text.Append(' ');
                continue;
            }
            if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                i = SqlScan.SkipBlockComment(sql, i);
                text.Append(' ');
                continue;
            }
            if (c is '\'' or '"' || (c is 'E' or 'e' && i + 1 < sql.Length && sql[i + 1] == '\''))
            {
                var start = i;
                i = c is 'E' or 'e' ? SqlScan.SkipEscapeString(sql, i + 1) : SqlScan.SkipQuoted(sql, i, c);
                text.Append(sql, start, i - start);
                AddWord(words, "");
                continue;
            }
            if (c == '$' && SqlScan.DollarTag(sql, i) is { } tag)
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
                Flush(i);
                i++;
                begin = i;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                // An identifier or keyword: letters, digits, _ and $ (so a$b$ is not a dollar quote).
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }
                AddWord(words, sql[start..i]);
                pivot |= sql.AsSpan(start, i - start) is var word
                    && (word.Equals("PIVOT", StringComparison.OrdinalIgnoreCase) || word.Equals("UNPIVOT", StringComparison.OrdinalIgnoreCase));
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
        Flush(sql.Length);
        return statements;

        void Flush(int end)
        {
            if (words.Count > 0)
            {
                statements.Add(new Statement(text.ToString().Trim(), words[0], words.Count > 1 ? words[1] : "", sql[begin..end], pivot));
            }
            text.Clear();
            words.Clear();
            pivot = false;
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

    /// <summary>
    /// Whether a COPY statement may run with --write: a COPY … FROM (no top-level TO), COPY FROM DATABASE … TO
    /// &lt;database&gt;, or a COPY … TO '&lt;literal path&gt;' under one of <paramref name="directories"/>.
    /// </summary>
    private static bool CopyTargetAllowed(string source, IReadOnlyList<string> directories)
    {
        var tokens = Tokens(source);
        if (tokens.Count > 2 && tokens[1].Equals("FROM", StringComparison.OrdinalIgnoreCase) && tokens[2].Equals("DATABASE", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var depth = 0;
        for (var t = 1; t < tokens.Count; t++)
        {
            depth += tokens[t] == "(" ? 1 : tokens[t] == ")" ? -1 : 0;
            if (depth != 0 || !tokens[t].Equals("TO", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var target = t + 1 < tokens.Count ? tokens[t + 1] : "";
            var next = t + 2 < tokens.Count ? tokens[t + 2] : "";
            if (target.Length < 2 || target[0] != '\'' || target[^1] != '\'' || next is not ("" or "(" or ";")
                && !next.Equals("WITH", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            var path = Path.GetFullPath(target[1..^1].Replace("''", "'", StringComparison.Ordinal));
            return directories.Any(d => path.StartsWith(Path.TrimEndingDirectorySeparator(d) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        }
        return true;
    }

    /// <summary>The tokens of one statement: words, quoted literals and identifiers whole, symbols one by one; comments dropped.</summary>
    private static List<string> Tokens(string sql)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var start = i;
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] is not ('\n' or '\r'))
                {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                i = SqlScan.SkipBlockComment(sql, i);
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            if (c is 'E' or 'e' && i + 1 < sql.Length && sql[i + 1] == '\'')
            {
                i = SqlScan.SkipEscapeString(sql, i + 1);
            }
            else if (c is '\'' or '"')
            {
                i = SqlScan.SkipQuoted(sql, i, c);
            }
            else if (c == '$' && SqlScan.DollarTag(sql, i) is { } tag)
            {
                var end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + tag.Length;
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }
            }
            else
            {
                i++;
            }
            tokens.Add(sql[start..i]);
        }
        return tokens;
    }

    /// <summary>
    /// Whether DuckDB's parser finds the same statements: the whole SQL holds as many as the lexer's statements
    /// together, and each of them is one statement on its own (a PIVOT may expand to more). SQL DuckDB cannot parse
    /// agrees: DuckDB runs none of it and reports the syntax error.
    /// </summary>
    private static bool DuckDbAgrees(string sql, List<Statement> statements)
    {
        using var parser = new DuckDBConnection("DataSource=:memory:");
        parser.Open();
        var whole = CountStatements(parser, sql);
        if (whole < 0)
        {
            return true;
        }
        var sum = 0;
        foreach (var statement in statements)
        {
            var count = CountStatements(parser, statement.Source);
            if (count < 1 || (count > 1 && !statement.Pivot))
            {
                return false;
            }
            sum += count;
        }
        return sum == whole;
    }

    /// <summary>How many statements DuckDB's parser finds in <paramref name="sql"/>, or -1 when it cannot parse it.</summary>
    private static int CountStatements(DuckDBConnection parser, string sql)
    {
        var count = NativeMethods.ExtractStatements.DuckDBExtractStatements(parser.NativeConnection, sql, out var extracted);
        using (extracted)
        {
            return count > 0 ? count : string.IsNullOrEmpty(NativeMethods.ExtractStatements.DuckDBExtractStatementsError(extracted)) ? 0 : -1;
        }
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
    /// <param name="Source">Its text as written (comments kept), up to but not including its <c>;</c>.</param>
    /// <param name="Pivot">Whether it contains PIVOT or UNPIVOT (which DuckDB's parser may expand to two statements).</param>
    internal readonly record struct Statement(string Text, string Keyword, string Second, string Source, bool Pivot);
}
