namespace Sluice.Formats.Registry.Avro;

/// <summary>
/// Avro's temporal logical types as .NET values: days since 1970-01-01, milliseconds or microseconds since midnight or
/// since the epoch (UTC for timestamp-*, wall-clock for local-timestamp-*). Conversions to Avro round toward negative
/// infinity (so a pre-1970 instant keeps its sub-unit order). Stateless.
/// </summary>
internal static class AvroTime
{
    /// <summary>The day number of 1970-01-01.</summary>
    public static readonly int EpochDay = new DateOnly(1970, 1, 1).DayNumber;

    private static readonly long s_epochTicks = DateTime.UnixEpoch.Ticks;

    public static DateOnly DateFromDays(int days) => DateOnly.FromDayNumber(checked(EpochDay + days));

    public static int DaysFromDate(DateOnly date) => date.DayNumber - EpochDay;

    public static TimeOnly TimeFromMillis(long millis) => new(checked(millis * TimeSpan.TicksPerMillisecond));

    public static TimeOnly TimeFromMicros(long micros) => new(checked(micros * 10));

    public static int MillisFromTime(TimeOnly time) => (int)(time.Ticks / TimeSpan.TicksPerMillisecond);

    public static long MicrosFromTime(TimeOnly time) => time.Ticks / 10;

    public static DateTime TimestampFromMillis(long millis) => new(checked(s_epochTicks + (millis * TimeSpan.TicksPerMillisecond)), DateTimeKind.Unspecified);

    public static DateTime TimestampFromMicros(long micros) => new(checked(s_epochTicks + (micros * 10)), DateTimeKind.Unspecified);

    public static DateTimeOffset TimestampLtzFromMillis(long millis) => new(checked(s_epochTicks + (millis * TimeSpan.TicksPerMillisecond)), TimeSpan.Zero);

    public static DateTimeOffset TimestampLtzFromMicros(long micros) => new(checked(s_epochTicks + (micros * 10)), TimeSpan.Zero);

    public static long MillisFromTicks(long ticks) => FloorDivide(ticks - s_epochTicks, TimeSpan.TicksPerMillisecond);

    public static long MicrosFromTicks(long ticks) => FloorDivide(ticks - s_epochTicks, 10);

    private static long FloorDivide(long value, long divisor)
    {
        var quotient = Math.DivRem(value, divisor, out var remainder);
        return remainder < 0 ? quotient - 1 : quotient;
    }
}
