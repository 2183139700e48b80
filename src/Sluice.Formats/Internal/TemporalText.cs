namespace Sluice.Formats;

/// <summary>Which text a timestamp is written as: Flink's <c>SQL</c> (<c>2020-12-30 12:13:14.123</c>) or <c>ISO-8601</c> (<c>2020-12-30T12:13:14.123</c>).</summary>
internal enum TimestampStandard
{
    Sql,
    Iso8601,
}

/// <summary>
/// Writes and reads dates, times and timestamps as ASCII/UTF-8 text, allocation-free. The fraction of a second is
/// written with as many digits as it needs (none for whole seconds), as Flink does; up to nine digits are read (.NET
/// keeps seven: the rest are truncated).
/// </summary>
internal static class TemporalText
{
    /// <summary>The longest text written: <c>yyyy-MM-dd HH:mm:ss.fffffffZ</c>.</summary>
    public const int MaxLength = 28;

    public static int FormatDate(DateOnly date, Span<byte> destination)
    {
        Digits(date.Year, 4, destination);
        destination[4] = (byte)'-';
        Digits(date.Month, 2, destination[5..]);
        destination[7] = (byte)'-';
        Digits(date.Day, 2, destination[8..]);
        return 10;
    }

    /// <summary>Writes <c>HH:mm:ss[.fraction]</c> of <paramref name="ticksOfDay"/>.</summary>
    public static int FormatTime(long ticksOfDay, Span<byte> destination)
    {
        var seconds = ticksOfDay / TimeSpan.TicksPerSecond;
        Digits((int)(seconds / 3600), 2, destination);
        destination[2] = (byte)':';
        Digits((int)(seconds / 60 % 60), 2, destination[3..]);
        destination[5] = (byte)':';
        Digits((int)(seconds % 60), 2, destination[6..]);
        var fraction = (int)(ticksOfDay % TimeSpan.TicksPerSecond);
        if (fraction == 0)
        {
            return 8;
        }
        destination[8] = (byte)'.';
        var digits = 7;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }
        Digits(fraction, digits, destination[9..]);
        return 9 + digits;
    }

    /// <summary>Writes a timestamp of <paramref name="ticks"/>; <paramref name="zulu"/> appends <c>Z</c> (TIMESTAMP_LTZ).</summary>
    public static int FormatTimestamp(long ticks, TimestampStandard standard, bool zulu, Span<byte> destination)
    {
        var length = FormatDate(DateOnly.FromDayNumber((int)(ticks / TimeSpan.TicksPerDay)), destination);
        destination[length++] = standard == TimestampStandard.Sql ? (byte)' ' : (byte)'T';
        length += FormatTime(ticks % TimeSpan.TicksPerDay, destination[length..]);
        if (zulu)
        {
            destination[length++] = (byte)'Z';
        }
        return length;
    }

    public static bool TryParseDate(ReadOnlySpan<byte> text, out DateOnly date)
    {
        date = default;
        if (text.Length != 10 || text[4] != '-' || text[7] != '-'
            || !TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) || !TryDigits(text.Slice(8, 2), out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary>Reads <c>HH:mm:ss[.fraction]</c> (seconds optional when <paramref name="secondsOptional"/>).</summary>
    public static bool TryParseTime(ReadOnlySpan<byte> text, bool secondsOptional, out long ticksOfDay)
    {
        ticksOfDay = 0;
        if (text.Length < 5 || text[2] != ':' || !TryDigits(text[..2], out var hour) || !TryDigits(text.Slice(3, 2), out var minute) || hour > 23 || minute > 59)
        {
            return false;
        }
        var second = 0;
        long fraction = 0;
        if (text.Length == 5)
        {
            if (!secondsOptional)
            {
                return false;
            }
        }
        else
        {
            if (text.Length < 8 || text[5] != ':' || !TryDigits(text.Slice(6, 2), out second) || second > 59)
            {
                return false;
            }
            if (text.Length > 8)
            {
                var digits = text[9..];
                if (text[8] != '.' || digits.Length is 0 or > 9 || !TryDigits(digits[..Math.Min(7, digits.Length)], out var value) || !AllDigits(digits))
                {
                    return false;
                }
                fraction = value;
                for (var i = Math.Min(7, digits.Length); i < 7; i++)
                {
                    fraction *= 10;
                }
            }
        }
        ticksOfDay = ((((hour * 60L) + minute) * 60) + second) * TimeSpan.TicksPerSecond + fraction;
        return true;
    }

    /// <summary>Reads a timestamp in <paramref name="standard"/>; <paramref name="zulu"/> requires a trailing <c>Z</c> (TIMESTAMP_LTZ).</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> text, TimestampStandard standard, bool zulu, out long ticks)
    {
        ticks = 0;
        if (zulu)
        {
            if (text.IsEmpty || text[^1] != 'Z')
            {
                return false;
            }
            text = text[..^1];
        }
        if (text.Length < 16 || text[10] != (standard == TimestampStandard.Sql ? ' ' : 'T')
            || !TryParseDate(text[..10], out var date) || !TryParseTime(text[11..], standard == TimestampStandard.Iso8601, out var time))
        {
            return false;
        }
        ticks = date.DayNumber * TimeSpan.TicksPerDay + time;
        return true;
    }

    /// <summary>How the format expects a value of <paramref name="kind"/> to look, for error messages.</summary>
    public static string Expected(Schemas.DataTypeKind kind, TimestampStandard standard) => kind switch
    {
        Schemas.DataTypeKind.Date => "a date 'yyyy-MM-dd'",
        Schemas.DataTypeKind.Time => "a time 'HH:mm:ss[.fraction]'",
        Schemas.DataTypeKind.Timestamp => standard == TimestampStandard.Sql ? "a timestamp 'yyyy-MM-dd HH:mm:ss[.fraction]'" : "a timestamp 'yyyy-MM-ddTHH:mm:ss[.fraction]'",
        _ => standard == TimestampStandard.Sql ? "a timestamp 'yyyy-MM-dd HH:mm:ss[.fraction]Z'" : "a timestamp 'yyyy-MM-ddTHH:mm:ss[.fraction]Z'",
    };

    private static void Digits(int value, int count, Span<byte> destination)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            value = (value * 10) + (b - '0');
        }
        return true;
    }

    private static bool AllDigits(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }
        return true;
    }
}
