namespace Sluice;

/// <summary>
/// Conventions for event time. Event time is a <see cref="long"/> count of milliseconds since the Unix epoch (UTC).
/// A watermark <c>W</c> states that no more records with a timestamp ≤ <c>W</c> are expected.
/// </summary>
public static class EventTime
{
    /// <summary>Marks a record that carries no timestamp (for example before a timestamp assigner ran).</summary>
    public const long NoTimestamp = long.MinValue;

    /// <summary>The initial watermark: nothing is known yet.</summary>
    public const long MinWatermark = long.MinValue;

    /// <summary>The final watermark (+∞), emitted when bounded input ends; it fires every pending window and timer.</summary>
    public const long MaxWatermark = long.MaxValue;

    /// <summary>Converts a <see cref="DateTimeOffset"/> to event-time milliseconds.</summary>
    public static long FromDateTime(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>Converts event-time milliseconds to a UTC <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset ToDateTime(long timestamp) => DateTimeOffset.FromUnixTimeMilliseconds(timestamp);

    /// <summary>Formats a timestamp or watermark for messages: ISO-8601, or −∞/+∞/none for the sentinels.</summary>
    public static string Format(long timestamp) => timestamp switch
    {
        long.MinValue => "-inf",
        long.MaxValue => "+inf",
        _ => DateTimeOffset.FromUnixTimeMilliseconds(timestamp).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Returns the whole milliseconds of <paramref name="span"/>, failing when it is not positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The span is zero or negative.</exception>
    public static long PositiveMillis(TimeSpan span, string paramName)
    {
        var ms = (long)span.TotalMilliseconds;
        if (ms <= 0)
        {
            throw new ArgumentOutOfRangeException(paramName, span, $"{paramName} must be at least 1 ms; got {span}.");
        }
        return ms;
    }

    /// <summary>Returns the whole milliseconds of <paramref name="span"/>, failing when it is negative.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The span is negative.</exception>
    public static long NonNegativeMillis(TimeSpan span, string paramName)
    {
        var ms = (long)span.TotalMilliseconds;
        if (ms < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, span, $"{paramName} must not be negative; got {span}.");
        }
        return ms;
    }
}
