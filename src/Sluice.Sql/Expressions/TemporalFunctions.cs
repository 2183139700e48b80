using System.Globalization;
using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>
/// Flink's date-time functions (see <see cref="FunctionOverload"/> for how a method maps to SQL). Patterns are Java's
/// (<c>yyyy-MM-dd HH:mm:ss</c>); TIMESTAMP_LTZ values are shown, parsed and truncated in the session time zone; the
/// current-time functions read the evaluation context's clock, once per call (Flink evaluates them per record in
/// streaming mode too). Text that does not parse gives NULL.
/// </summary>
internal static class TemporalFunctions
{
    private const long TicksPerMillisecond = TimeSpan.TicksPerMillisecond;

    [SqlFunction("DATE_FORMAT")]
    public static string DateFormat(DateTime timestamp, string pattern) => JavaDateFormat.Format(timestamp, pattern);

    [SqlFunction("DATE_FORMAT")]
    public static string DateFormat(SqlEvaluationContext context, DateTimeOffset instant, string pattern) => JavaDateFormat.Format(context.ToLocal(instant), pattern);

    /// <summary>DATE_FORMAT(text, pattern): reads the text as a default-format timestamp first; NULL when it does not parse.</summary>
    [SqlFunction("DATE_FORMAT")]
    public static string? DateFormat(string timestamp, string pattern) =>
        JavaDateFormat.TryParse(timestamp, null, out var value) ? JavaDateFormat.Format(value, pattern) : null;

    [SqlFunction("TO_TIMESTAMP")]
    public static DateTime ToTimestamp(string text, out bool isNull)
    {
        isNull = !JavaDateFormat.TryParse(text, null, out var value);
        return value;
    }

    [SqlFunction("TO_TIMESTAMP")]
    public static DateTime ToTimestamp(string text, string pattern, out bool isNull)
    {
        isNull = !JavaDateFormat.TryParse(text, pattern, out var value);
        return value;
    }

    [SqlFunction("TO_DATE")]
    public static DateOnly ToDate(string text, out bool isNull) => ToDate(text, "yyyy-MM-dd", out isNull);

    [SqlFunction("TO_DATE")]
    public static DateOnly ToDate(string text, string pattern, out bool isNull)
    {
        isNull = !JavaDateFormat.TryParse(text, pattern, out var value);
        return DateOnly.FromDateTime(value);
    }

    /// <summary>TO_TIMESTAMP_LTZ(epoch): epoch milliseconds.</summary>
    [SqlFunction("TO_TIMESTAMP_LTZ")]
    public static DateTimeOffset ToTimestampLtz(long epochMillis) => FromEpoch(epochMillis, TicksPerMillisecond);

    /// <summary>TO_TIMESTAMP_LTZ(epoch, precision): precision 0 reads seconds, 3 milliseconds; any other precision gives NULL.</summary>
    [SqlFunction("TO_TIMESTAMP_LTZ")]
    public static DateTimeOffset ToTimestampLtz(long epoch, int precision, out bool isNull)
    {
        isNull = precision is not (0 or 3);
        return isNull ? default : FromEpoch(epoch, precision == 0 ? TimeSpan.TicksPerSecond : TicksPerMillisecond);
    }

    [SqlFunction("UNIX_TIMESTAMP", Deterministic = false)]
    public static long UnixTimestamp(SqlEvaluationContext context) => context.Now().ToUnixTimeSeconds();

    /// <summary>UNIX_TIMESTAMP(text[, pattern]): epoch seconds of the text read as a wall-clock time in the session time zone.</summary>
    [SqlFunction("UNIX_TIMESTAMP")]
    public static long UnixTimestamp(SqlEvaluationContext context, string text, out bool isNull) => UnixTimestamp(context, text, JavaDateFormat.DefaultTimestamp, out isNull);

    [SqlFunction("UNIX_TIMESTAMP")]
    public static long UnixTimestamp(SqlEvaluationContext context, string text, string pattern, out bool isNull)
    {
        isNull = !JavaDateFormat.TryParse(text, pattern, out var value);
        return isNull ? 0 : context.FromLocal(value).ToUnixTimeSeconds();
    }

    [SqlFunction("FROM_UNIXTIME")]
    public static string FromUnixTime(SqlEvaluationContext context, long seconds) => FromUnixTime(context, seconds, JavaDateFormat.DefaultTimestamp);

    [SqlFunction("FROM_UNIXTIME")]
    public static string FromUnixTime(SqlEvaluationContext context, long seconds, string pattern) =>
        JavaDateFormat.Format(context.ToLocal(FromEpoch(seconds, TimeSpan.TicksPerSecond)), pattern);

    [SqlFunction("CURRENT_TIMESTAMP", "NOW", Deterministic = false)]
    public static DateTimeOffset CurrentTimestamp(SqlEvaluationContext context) => context.Now();

    [SqlFunction("PROCTIME", Deterministic = false)]
    public static DateTimeOffset ProcTime(SqlEvaluationContext context) => context.Now();

    [SqlFunction("LOCALTIMESTAMP", Deterministic = false)]
    public static DateTime LocalTimestamp(SqlEvaluationContext context) => context.ToLocal(context.Now());

    [SqlFunction("CURRENT_DATE", Deterministic = false)]
    public static DateOnly CurrentDate(SqlEvaluationContext context) => DateOnly.FromDateTime(context.ToLocal(context.Now()));

    [SqlFunction("CURRENT_TIME", "LOCALTIME", Deterministic = false, Returns = "TIME(0)")]
    public static TimeOnly CurrentTime(SqlEvaluationContext context) => TimeOnly.FromDateTime(context.ToLocal(context.Now()));

    [SqlFunction("EXTRACT")]
    public static long Extract(TimeUnit unit, DateTime value) => ExtractField(unit, value);

    [SqlFunction("EXTRACT")]
    public static long Extract(TimeUnit unit, DateOnly value) => ExtractField(unit, value.ToDateTime(TimeOnly.MinValue));

    [SqlFunction("EXTRACT")]
    public static long Extract(TimeUnit unit, TimeOnly value) => ExtractField(unit, DateTime.MinValue.Add(value.ToTimeSpan()));

    [SqlFunction("EXTRACT")]
    public static long Extract(SqlEvaluationContext context, TimeUnit unit, DateTimeOffset value) => ExtractField(unit, context.ToLocal(value));

    [SqlFunction("YEAR")]
    public static long Year(DateTime value) => value.Year;

    [SqlFunction("YEAR")]
    public static long Year(DateOnly value) => value.Year;

    [SqlFunction("QUARTER")]
    public static long Quarter(DateTime value) => ((value.Month - 1) / 3) + 1;

    [SqlFunction("QUARTER")]
    public static long Quarter(DateOnly value) => ((value.Month - 1) / 3) + 1;

    [SqlFunction("MONTH")]
    public static long Month(DateTime value) => value.Month;

    [SqlFunction("MONTH")]
    public static long Month(DateOnly value) => value.Month;

    [SqlFunction("WEEK")]
    public static long Week(DateTime value) => ISOWeek.GetWeekOfYear(value);

    [SqlFunction("WEEK")]
    public static long Week(DateOnly value) => ISOWeek.GetWeekOfYear(value.ToDateTime(TimeOnly.MinValue));

    [SqlFunction("DAYOFYEAR")]
    public static long DayOfYear(DateTime value) => value.DayOfYear;

    [SqlFunction("DAYOFYEAR")]
    public static long DayOfYear(DateOnly value) => value.DayOfYear;

    [SqlFunction("DAYOFMONTH")]
    public static long DayOfMonth(DateTime value) => value.Day;

    [SqlFunction("DAYOFMONTH")]
    public static long DayOfMonth(DateOnly value) => value.Day;

    /// <summary>DAYOFWEEK: 1 = Sunday … 7 = Saturday, as in Flink.</summary>
    [SqlFunction("DAYOFWEEK")]
    public static long DayOfWeek(DateTime value) => (int)value.DayOfWeek + 1;

    [SqlFunction("DAYOFWEEK")]
    public static long DayOfWeek(DateOnly value) => (int)value.DayOfWeek + 1;

    [SqlFunction("HOUR")]
    public static long Hour(DateTime value) => value.Hour;

    [SqlFunction("HOUR")]
    public static long Hour(SqlEvaluationContext context, DateTimeOffset value) => context.ToLocal(value).Hour;

    [SqlFunction("MINUTE")]
    public static long Minute(DateTime value) => value.Minute;

    [SqlFunction("MINUTE")]
    public static long Minute(SqlEvaluationContext context, DateTimeOffset value) => context.ToLocal(value).Minute;

    [SqlFunction("SECOND")]
    public static long Second(DateTime value) => value.Second;

    [SqlFunction("SECOND")]
    public static long Second(SqlEvaluationContext context, DateTimeOffset value) => context.ToLocal(value).Second;

    /// <summary>FLOOR(ts TO unit): the start of the unit containing ts (weeks start on Monday).</summary>
    [SqlFunction("FLOOR", ResultType = nameof(SameAsFirst))]
    public static DateTime Floor(DateTime value, TimeUnit unit) => Truncate(value, unit);

    [SqlFunction("FLOOR", ResultType = nameof(SameAsFirst))]
    public static DateOnly Floor(DateOnly value, TimeUnit unit) => DateOnly.FromDateTime(Truncate(value.ToDateTime(TimeOnly.MinValue), unit));

    /// <summary>FLOOR(ltz TO unit): truncated in the session time zone.</summary>
    [SqlFunction("FLOOR", ResultType = nameof(SameAsFirst))]
    public static DateTimeOffset Floor(SqlEvaluationContext context, DateTimeOffset value, TimeUnit unit) => context.FromLocal(Truncate(context.ToLocal(value), unit));

    /// <summary>CEIL(ts TO unit): ts when it starts a unit, else the start of the next.</summary>
    [SqlFunction("CEIL", "CEILING", ResultType = nameof(SameAsFirst))]
    public static DateTime Ceil(DateTime value, TimeUnit unit)
    {
        var floor = Truncate(value, unit);
        return floor == value ? value : Add(floor, unit, 1);
    }

    [SqlFunction("CEIL", "CEILING", ResultType = nameof(SameAsFirst))]
    public static DateTimeOffset Ceil(SqlEvaluationContext context, DateTimeOffset value, TimeUnit unit) => context.FromLocal(Ceil(context.ToLocal(value), unit));

    /// <summary>TIMESTAMPADD(unit, n, ts): a DATE argument widens to TIMESTAMP(0) (Flink keeps DATE for day units).</summary>
    [SqlFunction("TIMESTAMPADD", ResultType = nameof(SameAsThird))]
    public static DateTime TimestampAdd(TimeUnit unit, int amount, DateTime value) => Add(value, unit, amount);

    [SqlFunction("TIMESTAMPADD", ResultType = nameof(SameAsThird))]
    public static DateTimeOffset TimestampAdd(TimeUnit unit, int amount, DateTimeOffset value) =>
        unit is TimeUnit.Month or TimeUnit.Quarter or TimeUnit.Year
            ? new DateTimeOffset(Add(value.UtcDateTime, unit, amount), TimeSpan.Zero)
            : value.AddTicks(UnitTicks(unit) * amount);

    /// <summary>TIMESTAMPDIFF(unit, from, to): whole units from <paramref name="from"/> to <paramref name="to"/>, truncated towards zero.</summary>
    [SqlFunction("TIMESTAMPDIFF")]
    public static int TimestampDiff(TimeUnit unit, DateTime from, DateTime to) => (int)Difference(unit, from, to);

    [SqlFunction("TIMESTAMPDIFF")]
    public static int TimestampDiff(TimeUnit unit, DateTimeOffset from, DateTimeOffset to) => (int)Difference(unit, from.UtcDateTime, to.UtcDateTime);

    internal static DataType SameAsFirst(IReadOnlyList<DataType> arguments) => arguments[0];

    internal static DataType SameAsThird(IReadOnlyList<DataType> arguments) => arguments[2];

    internal static DateTime Add(DateTime value, TimeUnit unit, long amount) => unit switch
    {
        TimeUnit.Month => value.AddMonths(checked((int)amount)),
        TimeUnit.Quarter => value.AddMonths(checked((int)amount * 3)),
        TimeUnit.Year => value.AddYears(checked((int)amount)),
        _ => value.AddTicks(UnitTicks(unit) * amount),
    };

    internal static long UnitTicks(TimeUnit unit) => unit switch
    {
        TimeUnit.Millisecond => TicksPerMillisecond,
        TimeUnit.Second => TimeSpan.TicksPerSecond,
        TimeUnit.Minute => TimeSpan.TicksPerMinute,
        TimeUnit.Hour => TimeSpan.TicksPerHour,
        TimeUnit.Day => TimeSpan.TicksPerDay,
        TimeUnit.Week => TimeSpan.TicksPerDay * 7,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Months, quarters and years have no fixed length."),
    };

    private static DateTimeOffset FromEpoch(long epoch, long ticksPerUnit) =>
        new(DateTime.UnixEpoch.Ticks + (epoch * ticksPerUnit), TimeSpan.Zero);

    private static long ExtractField(TimeUnit unit, DateTime value) => unit switch
    {
        TimeUnit.Millisecond => (value.Second * 1000L) + value.Millisecond,
        TimeUnit.Second => value.Second,
        TimeUnit.Minute => value.Minute,
        TimeUnit.Hour => value.Hour,
        TimeUnit.Day => value.Day,
        TimeUnit.Week => ISOWeek.GetWeekOfYear(value),
        TimeUnit.Month => value.Month,
        TimeUnit.Quarter => ((value.Month - 1) / 3) + 1,
        _ => value.Year,
    };

    private static DateTime Truncate(DateTime value, TimeUnit unit) => unit switch
    {
        TimeUnit.Millisecond => new DateTime(value.Ticks - (value.Ticks % TicksPerMillisecond)),
        TimeUnit.Second => new DateTime(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond)),
        TimeUnit.Minute => new DateTime(value.Ticks - (value.Ticks % TimeSpan.TicksPerMinute)),
        TimeUnit.Hour => new DateTime(value.Ticks - (value.Ticks % TimeSpan.TicksPerHour)),
        TimeUnit.Day => value.Date,
        TimeUnit.Week => value.Date.AddDays(-(((int)value.DayOfWeek + 6) % 7)),
        TimeUnit.Month => new DateTime(value.Year, value.Month, 1),
        TimeUnit.Quarter => new DateTime(value.Year, (((value.Month - 1) / 3) * 3) + 1, 1),
        _ => new DateTime(value.Year, 1, 1),
    };

    private static long Difference(TimeUnit unit, DateTime from, DateTime to)
    {
        if (unit is TimeUnit.Month or TimeUnit.Quarter or TimeUnit.Year)
        {
            var months = ((to.Year - from.Year) * 12) + to.Month - from.Month;
            // A month is complete only when the later day-and-time has been reached.
            if (months > 0 && to.AddMonths(-months) < from)
            {
                months--;
            }
            else if (months < 0 && to.AddMonths(-months) > from)
            {
                months++;
            }
            return unit switch
            {
                TimeUnit.Month => months,
                TimeUnit.Quarter => months / 3,
                _ => months / 12,
            };
        }
        return (to.Ticks - from.Ticks) / UnitTicks(unit);
    }
}
