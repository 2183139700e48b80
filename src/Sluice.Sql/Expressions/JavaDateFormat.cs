using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Sluice.Sql.Expressions;

/// <summary>
/// Reads Java's date-time patterns (Flink's <c>yyyy-MM-dd HH:mm:ss</c>, <c>SSS</c> fractions, quoted text) as .NET
/// custom format strings. Translations are cached per pattern text, so a constant pattern is translated once.
/// Thread-safe.
/// </summary>
internal static class JavaDateFormat
{
    /// <summary>Flink's default timestamp text.</summary>
    public const string DefaultTimestamp = "yyyy-MM-dd HH:mm:ss";

    private static readonly ConcurrentDictionary<string, string> s_cache = new(StringComparer.Ordinal);

    private static readonly string[] s_defaultTimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
    ];

    /// <summary>The .NET format for a Java pattern.</summary>
    /// <exception cref="SqlEvaluationException">The pattern uses a letter that has no .NET equivalent.</exception>
    public static string ToNet(string pattern)
    {
        if (s_cache.TryGetValue(pattern, out var format))
        {
            return format;
        }
        format = Translate(pattern);
        if (s_cache.Count < 1024)
        {
            s_cache.TryAdd(pattern, format);
        }
        return format;
    }

    /// <summary>Parses <paramref name="text"/> with a Java pattern, or with Flink's default timestamp forms when the pattern is null.</summary>
    public static bool TryParse(string text, string? pattern, out DateTime value) =>
        pattern is null
            ? DateTime.TryParseExact(text.Trim(), s_defaultTimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value)
            : DateTime.TryParseExact(text.Trim(), ToNet(pattern), CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    /// <summary>Formats <paramref name="value"/> with a Java pattern.</summary>
    public static string Format(DateTime value, string pattern) => value.ToString(ToNet(pattern), CultureInfo.InvariantCulture);

    private static string Translate(string pattern)
    {
        var text = new StringBuilder();
        for (var i = 0; i < pattern.Length;)
        {
            var c = pattern[i];
            if (c == '\'')
            {
                var end = pattern.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new SqlEvaluationException($"The date pattern '{pattern}' has an unclosed quote.");
                }
                text.Append(end == i + 1 ? "\\'" : pattern.AsSpan(i, end - i + 1));
                i = end + 1;
                continue;
            }
            var run = 1;
            while (i + run < pattern.Length && pattern[i + run] == c)
            {
                run++;
            }
            switch (c)
            {
                case 'y' or 'M' or 'd' or 'H' or 'h' or 'm' or 's':
                    text.Append(c, c == 'y' && run == 2 ? 2 : run);
                    break;
                case 'S':
                    text.Append('f', Math.Min(run, 7));
                    break;
                case 'a':
                    text.Append("tt");
                    break;
                case 'E':
                    text.Append(run >= 4 ? "dddd" : "ddd");
                    break;
                case 'Z' or 'X' or 'x':
                    text.Append("zzz");
                    break;
                default:
                    if (char.IsAsciiLetter(c))
                    {
                        throw new SqlEvaluationException($"The date pattern '{pattern}' uses '{c}', which Sluice does not support; use y, M, d, H, h, m, s, S, a, E or Z.");
                    }
                    for (var k = 0; k < run; k++)
                    {
                        text.Append('\\').Append(c);
                    }
                    break;
            }
            i += run;
        }
        return text.ToString();
    }
}
