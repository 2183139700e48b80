using System.Globalization;

namespace Sluice.Configuration;

public sealed partial class ConfigOptions
{
    /// <summary>
    /// Reads a duration as Flink writes it: a whole number and an optional unit, with or without a space between
    /// (<c>500ms</c>, <c>10 s</c>, <c>5 min</c>, <c>2 h</c>, <c>1d</c>; units ns, us/µs, ms, s, min/m, h, d and their long
    /// forms such as <c>seconds</c>); a bare number is milliseconds. Ticks are 100 ns, so nanoseconds round down.
    /// </summary>
    /// <returns>False when the text is not such a duration or overflows <see cref="TimeSpan"/>.</returns>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = default;
        var span = text.AsSpan().Trim();
        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
        {
            digits++;
        }
        if (digits == 0 || !long.TryParse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }
        var unit = span[digits..].Trim().ToString().ToLowerInvariant();
        long ticksPerUnit = unit switch
        {
            "ns" or "nano" or "nanos" or "nanosecond" or "nanoseconds" => -100,
            "us" or "µs" or "micro" or "micros" or "microsecond" or "microseconds" => 10,
            "" or "ms" or "milli" or "millis" or "millisecond" or "milliseconds" => TimeSpan.TicksPerMillisecond,
            "s" or "sec" or "secs" or "second" or "seconds" => TimeSpan.TicksPerSecond,
            "m" or "min" or "mins" or "minute" or "minutes" => TimeSpan.TicksPerMinute,
            "h" or "hour" or "hours" => TimeSpan.TicksPerHour,
            "d" or "day" or "days" => TimeSpan.TicksPerDay,
            _ => 0,
        };
        if (ticksPerUnit == 0)
        {
            return false;
        }
        if (ticksPerUnit < 0)
        {
            // Nanoseconds are finer than a tick (100 ns): divide instead of multiply.
            duration = TimeSpan.FromTicks(amount / -ticksPerUnit);
            return true;
        }
        if (amount > TimeSpan.MaxValue.Ticks / ticksPerUnit)
        {
            return false;
        }
        duration = TimeSpan.FromTicks(amount * ticksPerUnit);
        return true;
    }
}
