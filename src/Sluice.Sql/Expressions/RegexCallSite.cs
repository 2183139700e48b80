using System.Text.RegularExpressions;

namespace Sluice.Sql.Expressions;

/// <summary>
/// The regular-expression cache of one REGEXP_* or LIKE call site: the pattern is compiled the first time it is seen
/// and reused while the pattern stays the same, so a constant pattern is compiled once per call site. Thread-safe
/// (the cached pair is replaced atomically); only a pattern that changes from row to row allocates.
/// </summary>
internal sealed class RegexCallSite
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);
    private Entry? _entry;

    /// <summary>The compiled regex for <paramref name="pattern"/> (Java syntax is read as .NET syntax; the two agree for common patterns).</summary>
    /// <exception cref="SqlEvaluationException">The pattern is not a valid regular expression.</exception>
    public Regex Get(string pattern)
    {
        var entry = Volatile.Read(ref _entry);
        if (entry is not null && (ReferenceEquals(entry.Pattern, pattern) || string.Equals(entry.Pattern, pattern, StringComparison.Ordinal)))
        {
            return entry.Regex;
        }
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, s_timeout);
        }
        catch (ArgumentException ex)
        {
            throw new SqlEvaluationException($"The regular expression '{pattern}' is not valid: {ex.Message}", null, ex);
        }
        Volatile.Write(ref _entry, new Entry(pattern, regex));
        return regex;
    }

    /// <summary>The regex for a SQL LIKE pattern with an optional escape character, anchored at both ends.</summary>
    /// <exception cref="SqlEvaluationException">The escape is not one character, or it escapes nothing special.</exception>
    public Regex GetLike(string pattern, string? escape)
    {
        var key = escape is null ? pattern : escape + "\u0000" + pattern;
        var entry = Volatile.Read(ref _entry);
        if (entry is not null && entry.LikePattern == pattern && entry.LikeEscape == escape)
        {
            return entry.Regex;
        }
        var regex = new Regex(TranslateLike(pattern, escape), RegexOptions.CultureInvariant | RegexOptions.Singleline, s_timeout);
        Volatile.Write(ref _entry, new Entry(key, regex) { LikePattern = pattern, LikeEscape = escape });
        return regex;
    }

    internal static string TranslateLike(string pattern, string? escape)
    {
        if (escape is not null && escape.Length != 1)
        {
            throw new SqlEvaluationException($"The LIKE escape '{escape}' must be exactly one character.");
        }
        var text = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (escape is not null && c == escape[0])
            {
                if (i + 1 >= pattern.Length || (pattern[i + 1] != '%' && pattern[i + 1] != '_' && pattern[i + 1] != escape[0]))
                {
                    throw new SqlEvaluationException($"The LIKE pattern '{pattern}' has escape '{escape}' before something other than %, _ or itself.");
                }
                text.Append(Regex.Escape(pattern[++i].ToString()));
            }
            else if (c == '%')
            {
                text.Append(".*");
            }
            else if (c == '_')
            {
                text.Append('.');
            }
            else
            {
                text.Append(Regex.Escape(c.ToString()));
            }
        }
        return text.Append('$').ToString();
    }

    private sealed record Entry(string Pattern, Regex Regex)
    {
        public string? LikePattern { get; init; }

        public string? LikeEscape { get; init; }
    }
}
