using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>
/// Flink's string functions. Each public method is one overload (see <see cref="FunctionOverload"/> for how its
/// signature maps to SQL); a NULL argument gives NULL unless the parameter says otherwise. Lengths and positions count
/// UTF-16 code units (Flink counts code points; they differ only outside the Basic Multilingual Plane).
/// </summary>
internal static class StringFunctions
{
    [SqlFunction("UPPER", "UCASE")]
    public static string Upper(string s) => s.ToUpperInvariant();

    [SqlFunction("LOWER", "LCASE")]
    public static string Lower(string s) => s.ToLowerInvariant();

    [SqlFunction("TRIM", "BTRIM")]
    public static string Trim(string s) => s.Trim(' ');

    [SqlFunction("TRIM", "BTRIM")]
    public static string Trim(string s, string characters) => s.AsSpan().Trim(characters).ToString();

    [SqlFunction("LTRIM")]
    public static string LeftTrim(string s) => s.TrimStart(' ');

    [SqlFunction("LTRIM")]
    public static string LeftTrim(string s, string characters) => s.AsSpan().TrimStart(characters).ToString();

    [SqlFunction("RTRIM")]
    public static string RightTrim(string s) => s.TrimEnd(' ');

    [SqlFunction("RTRIM")]
    public static string RightTrim(string s, string characters) => s.AsSpan().TrimEnd(characters).ToString();

    /// <summary>1-based start; 0 counts as 1 and a negative start counts from the end; a negative length gives NULL.</summary>
    [SqlFunction("SUBSTRING", "SUBSTR")]
    public static string? Substring(string s, int start) => Substring(s, start, int.MaxValue);

    [SqlFunction("SUBSTRING", "SUBSTR")]
    public static string? Substring(string s, int start, int length)
    {
        if (length < 0)
        {
            return null;
        }
        var from = start > 0 ? start - 1 : start < 0 ? Math.Max(0, s.Length + start) : 0;
        if (from >= s.Length)
        {
            return string.Empty;
        }
        var count = (int)Math.Min((long)length, s.Length - from);
        return count == s.Length ? s : s.Substring(from, count);
    }

    [SqlFunction("CHAR_LENGTH", "CHARACTER_LENGTH", "LENGTH")]
    public static int CharLength(string s) => s.Length;

    [SqlFunction("CONCAT")]
    public static string Concat(string a, string b) => string.Concat(a, b);

    [SqlFunction("CONCAT")]
    public static string Concat(string a, string b, string c) => string.Concat(a, b, c);

    [SqlFunction("CONCAT")]
    public static string Concat(string a, string b, string c, string d) => string.Concat(a, b, c, d);

    /// <summary>Five or more arguments: an argument array per call (fewer take none).</summary>
    [SqlFunction("CONCAT")]
    public static string Concat(params string[] values) => string.Concat(values);

    /// <summary>NULL separator: NULL; NULL values are skipped.</summary>
    [SqlFunction("CONCAT_WS")]
    public static string ConcatWs(string separator, params string?[] values)
    {
        var text = new StringBuilder();
        var first = true;
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }
            if (!first)
            {
                text.Append(separator);
            }
            text.Append(value);
            first = false;
        }
        return text.ToString();
    }

    [SqlFunction("REPLACE")]
    public static string Replace(string s, string search, string replacement) =>
        search.Length == 0 ? s : s.Replace(search, replacement, StringComparison.Ordinal);

    /// <summary>POSITION(needle IN s): 1-based, 0 when absent.</summary>
    [SqlFunction("POSITION")]
    public static int Position(string needle, string s) => s.IndexOf(needle, StringComparison.Ordinal) + 1;

    [SqlFunction("LOCATE")]
    public static int Locate(string needle, string s) => s.IndexOf(needle, StringComparison.Ordinal) + 1;

    /// <summary>LOCATE(needle, s, from): the first occurrence at or after 1-based <paramref name="from"/>; 0 when absent or from &lt; 1.</summary>
    [SqlFunction("LOCATE")]
    public static int Locate(string needle, string s, int from) =>
        from < 1 || from > s.Length + 1 ? 0 : s.IndexOf(needle, from - 1, StringComparison.Ordinal) + 1;

    /// <summary>Pads on the left to <paramref name="length"/> (cutting a longer string); NULL for a negative length or an empty pad that is needed.</summary>
    [SqlFunction("LPAD")]
    public static string? LeftPad(string s, int length, string pad) => Pad(s, length, pad, left: true);

    [SqlFunction("RPAD")]
    public static string? RightPad(string s, int length, string pad) => Pad(s, length, pad, left: false);

    [SqlFunction("INITCAP")]
    public static string InitCap(string s)
    {
        var chars = s.ToCharArray();
        var start = true;
        for (var i = 0; i < chars.Length; i++)
        {
            var letter = char.IsLetterOrDigit(chars[i]);
            chars[i] = start && letter ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
            start = !letter;
        }
        return new string(chars);
    }

    [SqlFunction("REVERSE")]
    public static string Reverse(string s)
    {
        var chars = s.ToCharArray();
        Array.Reverse(chars);
        return new string(chars);
    }

    [SqlFunction("REPEAT")]
    public static string Repeat(string s, int times) => times <= 0 ? string.Empty : new StringBuilder(s.Length * times).Insert(0, s, times).ToString();

    /// <summary>REGEXP_EXTRACT(s, regex): the whole first match (group 0), NULL when there is none.</summary>
    [SqlFunction("REGEXP_EXTRACT")]
    public static string? RegexpExtract(RegexCallSite site, string s, string regex) => RegexpExtract(site, s, regex, 0);

    /// <summary>REGEXP_EXTRACT(s, regex, group): group <paramref name="group"/> of the first match; NULL when there is no match or no such group.</summary>
    [SqlFunction("REGEXP_EXTRACT")]
    public static string? RegexpExtract(RegexCallSite site, string s, string regex, int group)
    {
        var compiled = site.Get(regex);
        var match = compiled.Match(s);
        if (!match.Success || group < 0 || group >= match.Groups.Count || !match.Groups[group].Success)
        {
            return null;
        }
        return match.Groups[group].Value;
    }

    [SqlFunction("REGEXP_REPLACE")]
    public static string RegexpReplace(RegexCallSite site, string s, string regex, string replacement) => site.Get(regex).Replace(s, replacement);

    /// <summary>REGEXP(s, regex): whether the regex matches anywhere in s.</summary>
    [SqlFunction("REGEXP")]
    public static bool Regexp(RegexCallSite site, string s, string regex) => site.Get(regex).IsMatch(s);

    /// <summary>SPLIT_INDEX(s, separator, index): the 0-based <paramref name="index"/>-th piece; NULL when out of range.</summary>
    [SqlFunction("SPLIT_INDEX")]
    public static string? SplitIndex(string s, string separator, int index)
    {
        if (index < 0 || separator.Length == 0)
        {
            return null;
        }
        var start = 0;
        for (var i = 0; i < index; i++)
        {
            var next = s.IndexOf(separator, start, StringComparison.Ordinal);
            if (next < 0)
            {
                return null;
            }
            start = next + separator.Length;
        }
        var end = s.IndexOf(separator, start, StringComparison.Ordinal);
        return end < 0 ? s[start..] : s[start..end];
    }

    [SqlFunction("MD5")]
    public static string Md5(string s) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));

    [SqlFunction("SHA1")]
    public static string Sha1(string s) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(s)));

    [SqlFunction("SHA256")]
    public static string Sha256(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    [SqlFunction("IS_DIGIT")]
    public static bool IsDigit(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return s.Length > 0;
    }

    [SqlFunction("IS_ALPHA")]
    public static bool IsAlpha(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsLetter(c))
            {
                return false;
            }
        }
        return s.Length > 0;
    }

    [SqlFunction("ASCII")]
    public static int Ascii(string s) => s.Length == 0 ? 0 : s[0];

    [SqlFunction("CHR")]
    public static string Chr(int code) => code is < 0 or > 255 ? string.Empty : ((char)code).ToString(CultureInfo.InvariantCulture);

    [SqlFunction("UUID", Deterministic = false)]
    public static string Uuid() => Guid.NewGuid().ToString();

    [SqlFunction("HASH_CODE")]
    public static int HashCode(string s)
    {
        // Java's String.hashCode, so hashes match Flink's.
        var hash = 0;
        foreach (var c in s)
        {
            hash = unchecked((31 * hash) + c);
        }
        return hash;
    }

    internal static DataType SameAsFirst(IReadOnlyList<DataType> arguments) => arguments[0];

    private static string? Pad(string s, int length, string pad, bool left)
    {
        if (length < 0)
        {
            return null;
        }
        if (length <= s.Length)
        {
            return s[..length];
        }
        if (pad.Length == 0)
        {
            return null;
        }
        var text = new StringBuilder(length);
        if (!left)
        {
            text.Append(s);
        }
        var fill = length - s.Length;
        for (var i = 0; i < fill; i++)
        {
            text.Append(pad[i % pad.Length]);
        }
        if (left)
        {
            text.Append(s);
        }
        return text.ToString();
    }
}
