using System.Globalization;
using System.Text;
using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>
/// The conversions CAST and TRY_CAST run, called by compiled expressions. A <c>Try…</c> method returns false for a
/// value that does not convert (CAST then throws <see cref="SqlEvaluationException"/> via <see cref="Failed"/>,
/// TRY_CAST returns NULL). Thread-safe; allocation only for the text a conversion produces.
/// </summary>
internal static class SqlCasts
{
    public static SqlEvaluationException Failed(object? value, DataType target, SqlPosition? position) =>
        new($"CAST of {SqlLiteralText.Quote(value)} to {target.Nullable()} failed: the value does not convert; use TRY_CAST to get NULL instead.", position);

    public static bool TryParseInt(string text, out int value) =>
        int.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryParseLong(string text, out long value) =>
        long.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryParseFloat(string text, out float value) =>
        float.TryParse(text.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    public static bool TryParseDouble(string text, out double value) =>
        double.TryParse(text.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    public static bool TryParseDecimal(string text, DataType target, out decimal value) =>
        decimal.TryParse(text.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) & TryFit(parsed, target, out value);

    /// <summary>'true'/'false' in any case (and '1'/'0'), as Flink reads them.</summary>
    public static bool TryParseBoolean(string text, out bool value)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Equals("true", StringComparison.OrdinalIgnoreCase) || trimmed.SequenceEqual("1"))
        {
            value = true;
            return true;
        }
        value = false;
        return trimmed.Equals("false", StringComparison.OrdinalIgnoreCase) || trimmed.SequenceEqual("0");
    }

    public static bool TryParseDate(string text, out DateOnly value) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    public static bool TryParseTime(string text, out TimeOnly value) =>
        TimeOnly.TryParseExact(text.Trim(), ["HH:mm:ss", "HH:mm:ss.FFFFFFF", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    public static bool TryParseTimestamp(string text, int precision, out DateTime value)
    {
        var ok = JavaDateFormat.TryParse(text, null, out value);
        value = TruncateTimestamp(value, precision);
        return ok;
    }

    /// <summary>Text with an offset ('…Z', '…+01:00') is that instant; text without one is a wall-clock time in the session time zone.</summary>
    public static bool TryParseTimestampLtz(string text, SqlEvaluationContext context, out DateTimeOffset value)
    {
        if (JavaDateFormat.TryParse(text, null, out var local))
        {
            value = context.FromLocal(local);
            return true;
        }
        var ok = DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
        value = value.ToUniversalTime();
        return ok;
    }

    public static bool TryFit(decimal value, DataType target, out decimal result) => target.TryRoundDecimal(value, out result);

    /// <summary>A DECIMAL to one with at least as many integer digits: only the scale can change, so it always fits.</summary>
    public static decimal TryFitUnchecked(decimal value, DataType target) => target.TryRoundDecimal(value, out var result) ? result : value;

    public static bool TryDoubleToDecimal(double value, DataType target, out decimal result)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || Math.Abs(value) >= 7.9e28)
        {
            result = 0m;
            return false;
        }
        return target.TryRoundDecimal((decimal)value, out result);
    }

    /// <summary>DECIMAL to INT or BIGINT truncates towards zero; false when the integer part does not fit.</summary>
    public static bool TryDecimalToInt(decimal value, out int result)
    {
        var truncated = decimal.Truncate(value);
        var fits = truncated is >= int.MinValue and <= int.MaxValue;
        result = fits ? (int)truncated : 0;
        return fits;
    }

    public static bool TryDecimalToLong(decimal value, out long result)
    {
        var truncated = decimal.Truncate(value);
        var fits = truncated is >= long.MinValue and <= long.MaxValue;
        result = fits ? (long)truncated : 0;
        return fits;
    }

    /// <summary>DOUBLE/FLOAT to an integer saturates and maps NaN to 0, as Java's casts do.</summary>
    public static int DoubleToInt(double value) => double.IsNaN(value) ? 0 : value >= int.MaxValue ? int.MaxValue : value <= int.MinValue ? int.MinValue : (int)value;

    public static long DoubleToLong(double value) => double.IsNaN(value) ? 0 : value >= long.MaxValue ? long.MaxValue : value <= long.MinValue ? long.MinValue : (long)value;

    public static DateTime TruncateTimestamp(DateTime value, int precision) =>
        precision >= 7 ? value : new DateTime(value.Ticks - (value.Ticks % TickDivisor(precision)));

    public static DateTimeOffset TruncateTimestampLtz(DateTimeOffset value, int precision) =>
        precision >= 7 ? value : new DateTimeOffset(value.UtcTicks - (value.UtcTicks % TickDivisor(precision)), TimeSpan.Zero);

    public static TimeOnly TruncateTime(TimeOnly value, int precision) =>
        precision >= 7 ? value : new TimeOnly(value.Ticks - (value.Ticks % TickDivisor(precision)));

    public static string BooleanToString(bool value) => value ? "TRUE" : "FALSE";

    public static string IntToString(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string LongToString(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Java's Float.toString digits: an integral value keeps ".0"; exponents look like 1.0E10.</summary>
    public static string FloatToString(float value) => JavaNumber(value.ToString("R", CultureInfo.InvariantCulture), float.IsFinite(value), Math.Abs(value) >= 1e7f || (value != 0 && Math.Abs(value) < 1e-3f), value);

    public static string DoubleToString(double value) => JavaNumber(value.ToString("R", CultureInfo.InvariantCulture), double.IsFinite(value), Math.Abs(value) >= 1e7 || (value != 0 && Math.Abs(value) < 1e-3), value);

    /// <summary>A DECIMAL with exactly its type's scale ('1.50' for DECIMAL(3, 2)).</summary>
    public static string DecimalToString(decimal value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public static string DateToString(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string TimeToString(TimeOnly value, int precision) =>
        value.ToString(precision == 0 ? "HH:mm:ss" : "HH:mm:ss." + new string('f', Math.Min(precision, 7)), CultureInfo.InvariantCulture);

    /// <summary>'2026-12-05 13:45:01.250' for TIMESTAMP(3), as Flink prints: the type's fraction digits.</summary>
    public static string TimestampToString(DateTime value, int precision) =>
        value.ToString(precision == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss." + new string('f', Math.Min(precision, 7)), CultureInfo.InvariantCulture);

    public static string TimestampLtzToString(DateTimeOffset value, int precision, SqlEvaluationContext context) => TimestampToString(context.ToLocal(value), precision);

    public static string BytesToString(byte[] value) => Encoding.UTF8.GetString(value);

    public static byte[] StringToBytes(string value) => Encoding.UTF8.GetBytes(value);

    /// <summary>ROW, ARRAY and MAP values as Flink prints them: (1, a), [1, 2], {k=v}.</summary>
    public static string CompositeToString(object value)
    {
        var text = new StringBuilder();
        AppendComposite(text, value);
        return text.ToString();
    }

    private static void AppendComposite(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("NULL");
                break;
            case Row row:
                text.Append('(');
                for (var i = 0; i < row.FieldCount; i++)
                {
                    text.Append(i > 0 ? ", " : "");
                    AppendComposite(text, row.GetValue(i));
                }
                text.Append(')');
                break;
            case IReadOnlyList<KeyValuePair<object, object?>> map:
                text.Append('{');
                for (var i = 0; i < map.Count; i++)
                {
                    text.Append(i > 0 ? ", " : "");
                    AppendComposite(text, map[i].Key);
                    text.Append('=');
                    AppendComposite(text, map[i].Value);
                }
                text.Append('}');
                break;
            case IReadOnlyList<object?> list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    text.Append(i > 0 ? ", " : "");
                    AppendComposite(text, list[i]);
                }
                text.Append(']');
                break;
            case double d:
                text.Append(DoubleToString(d));
                break;
            case bool b:
                text.Append(BooleanToString(b));
                break;
            case DateTime t:
                text.Append(TimestampToString(t, 7));
                break;
            case IFormattable f:
                text.Append(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                text.Append(value);
                break;
        }
    }

    private static string JavaNumber(string text, bool finite, bool scientific, double value)
    {
        if (!finite)
        {
            return text;
        }
        if (scientific)
        {
            return value.ToString("0.0################E0", CultureInfo.InvariantCulture);
        }
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    private static long TickDivisor(int precision) => precision switch
    {
        0 => 10_000_000,
        1 => 1_000_000,
        2 => 100_000,
        3 => 10_000,
        4 => 1_000,
        5 => 100,
        _ => 10,
    };
}
