using System.Globalization;

namespace Sluice.Sql.Syntax;

/// <summary>
/// Reads the quoted value of an interval literal for its qualifier: <c>'5'</c> for one unit, <c>'1-6'</c> YEAR TO
/// MONTH, <c>'2 10:30:00.5'</c> DAY TO SECOND, <c>'1:30'</c> MINUTE TO SECOND, and so on; a leading sign is allowed.
/// Fields after the first are bounded (hours &lt; 24, minutes and seconds &lt; 60); seconds take up to 9 fraction
/// digits (kept to 100 ns).
/// </summary>
internal static class SqlIntervalText
{
    private static readonly SqlTimeUnit[] s_dayTime = [SqlTimeUnit.Day, SqlTimeUnit.Hour, SqlTimeUnit.Minute, SqlTimeUnit.Second];

    public static bool TryParse(string text, SqlTimeUnit start, SqlTimeUnit? end, out long months, out TimeSpan time, out string problem)
    {
        months = 0;
        time = TimeSpan.Zero;
        var qualifier = end is { } e ? $"{start.ToString().ToUpperInvariant()} TO {e.ToString().ToUpperInvariant()}" : start.ToString().ToUpperInvariant();
        problem = $"'{text}' is not a valid INTERVAL {qualifier}: write {Example(start, end)}.";
        var span = text.AsSpan().Trim();
        var negative = false;
        if (span.Length > 0 && span[0] is '-' or '+')
        {
            negative = span[0] == '-';
            span = span[1..].TrimStart();
        }
        try
        {
            if (start is SqlTimeUnit.Year or SqlTimeUnit.Month)
            {
                if (end is null)
                {
                    if (!TryInteger(span, out var value))
                    {
                        return false;
                    }
                    months = start == SqlTimeUnit.Year ? checked(value * 12) : value;
                }
                else if (start == SqlTimeUnit.Year && end == SqlTimeUnit.Month)
                {
                    var dash = span.IndexOf('-');
                    if (dash < 0 || !TryInteger(span[..dash], out var years) || !TryInteger(span[(dash + 1)..], out var m) || m >= 12)
                    {
                        return false;
                    }
                    months = checked((years * 12) + m);
                }
                else
                {
                    problem = $"INTERVAL {qualifier} is not a valid interval qualifier.";
                    return false;
                }
                months = negative ? -months : months;
                return true;
            }
            var first = Array.IndexOf(s_dayTime, start);
            var last = end is { } endUnit ? Array.IndexOf(s_dayTime, endUnit) : first;
            if (first < 0 || last <= first && end is not null)
            {
                problem = $"INTERVAL {qualifier} is not a valid interval qualifier.";
                return false;
            }
            long ticks = 0;
            for (int field = first; field <= last; field++)
            {
                ReadOnlySpan<char> part;
                if (field == last)
                {
                    part = span;
                }
                else
                {
                    var separator = s_dayTime[field] == SqlTimeUnit.Day ? ' ' : ':';
                    var at = span.IndexOf(separator);
                    if (at < 0)
                    {
                        return false;
                    }
                    part = span[..at];
                    span = span[(at + 1)..];
                    if (separator == ' ')
                    {
                        span = span.TrimStart();
                    }
                }
                var unit = s_dayTime[field];
                long fieldTicks;
                if (unit == SqlTimeUnit.Second)
                {
                    if (!TrySeconds(part, out fieldTicks) || (field > first && fieldTicks >= TimeSpan.TicksPerMinute))
                    {
                        return false;
                    }
                }
                else
                {
                    if (!TryInteger(part, out var value))
                    {
                        return false;
                    }
                    var bound = unit == SqlTimeUnit.Hour ? 24 : 60;
                    if (field > first && value >= bound)
                    {
                        return false;
                    }
                    fieldTicks = checked(value * TicksPer(unit));
                }
                ticks = checked(ticks + fieldTicks);
            }
            time = TimeSpan.FromTicks(negative ? -ticks : ticks);
            return true;
        }
        catch (OverflowException)
        {
            problem = $"'{text}' is too large for an INTERVAL {qualifier}.";
            return false;
        }
    }

    private static long TicksPer(SqlTimeUnit unit) => unit switch
    {
        SqlTimeUnit.Day => TimeSpan.TicksPerDay,
        SqlTimeUnit.Hour => TimeSpan.TicksPerHour,
        SqlTimeUnit.Minute => TimeSpan.TicksPerMinute,
        _ => TimeSpan.TicksPerSecond,
    };

    private static bool TryInteger(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            throw new OverflowException();
        }
        return true;
    }

    private static bool TrySeconds(ReadOnlySpan<char> text, out long ticks)
    {
        ticks = 0;
        var dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        if (!TryInteger(whole, out var seconds))
        {
            return false;
        }
        long fractionTicks = 0;
        if (dot >= 0)
        {
            var fraction = text[(dot + 1)..];
            if (fraction.Length is 0 or > 9)
            {
                return false;
            }
            for (int i = 0; i < 7; i++)
            {
                int digit = 0;
                if (i < fraction.Length)
                {
                    if (!char.IsAsciiDigit(fraction[i]))
                    {
                        return false;
                    }
                    digit = fraction[i] - '0';
                }
                fractionTicks = (fractionTicks * 10) + digit;
            }
            for (int i = 7; i < fraction.Length; i++)
            {
                if (!char.IsAsciiDigit(fraction[i]))
                {
                    return false;
                }
            }
        }
        ticks = checked((seconds * TimeSpan.TicksPerSecond) + fractionTicks);
        return true;
    }

    private static string Example(SqlTimeUnit start, SqlTimeUnit? end) => (start, end) switch
    {
        (SqlTimeUnit.Year, SqlTimeUnit.Month) => "'years-months', e.g. '1-6'",
        (SqlTimeUnit.Day, SqlTimeUnit.Hour) => "'days hours', e.g. '2 10'",
        (SqlTimeUnit.Day, SqlTimeUnit.Minute) => "'days hours:minutes', e.g. '2 10:30'",
        (SqlTimeUnit.Day, SqlTimeUnit.Second) => "'days hours:minutes:seconds', e.g. '2 10:30:00.5'",
        (SqlTimeUnit.Hour, SqlTimeUnit.Minute) => "'hours:minutes', e.g. '10:30'",
        (SqlTimeUnit.Hour, SqlTimeUnit.Second) => "'hours:minutes:seconds', e.g. '10:30:00'",
        (SqlTimeUnit.Minute, SqlTimeUnit.Second) => "'minutes:seconds', e.g. '1:30'",
        (SqlTimeUnit.Second, null) => "a number of seconds, e.g. '10' or '1.5'",
        _ => "a whole number, e.g. '5'",
    };
}
