using System.Globalization;

namespace Sluice.Sql.Syntax;

/// <summary>Checks the text of DATE, TIME and TIMESTAMP literals (Flink's formats, up to 9 fraction digits).</summary>
internal static class SqlDateTimeText
{
    private static readonly string[] s_dateFormats = ["yyyy-M-d"];

    public static string Format(SqlDateTimeKind kind) => kind switch
    {
        SqlDateTimeKind.Date => "'yyyy-MM-dd'",
        SqlDateTimeKind.Time => "'HH:mm:ss[.fffffffff]'",
        _ => "'yyyy-MM-dd HH:mm:ss[.fffffffff]'",
    };

    public static bool IsValid(SqlDateTimeKind kind, string text)
    {
        text = text.Trim();
        switch (kind)
        {
            case SqlDateTimeKind.Date:
                return DateOnly.TryParseExact(text, s_dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
            case SqlDateTimeKind.Time:
                return IsTime(text);
            default:
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space < 0)
                {
                    return DateOnly.TryParseExact(text, s_dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
                }
                return DateOnly.TryParseExact(text[..space], s_dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                    && IsTime(text[(space + 1)..].TrimStart());
        }
    }

    private static bool IsTime(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? text : text[..dot];
        if (dot >= 0)
        {
            var fraction = text.AsSpan(dot + 1);
            if (fraction.Length is 0 or > 9)
            {
                return false;
            }
            foreach (var c in fraction)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }
        }
        return TimeOnly.TryParseExact(whole, ["H:m:s", "H:m"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }
}
