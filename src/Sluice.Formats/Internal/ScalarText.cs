using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// Reads and writes scalar values as UTF-8 text the way Flink's text formats spell them: <c>true</c>, <c>42</c>,
/// <c>1.5</c>, <c>NaN</c>, <c>12.30</c>, base64 for BYTES, <c>yyyy-MM-dd</c>, <c>HH:mm:ss[.fraction]</c>, timestamps per
/// <see cref="TimestampStandard"/>. Shared by csv, json map keys and json values given as strings.
/// </summary>
internal static class ScalarText
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Whether <paramref name="kind"/> is a scalar (not ROW, ARRAY or MAP).</summary>
    public static bool IsScalar(DataTypeKind kind) => kind is not (DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map);

    /// <summary>Parses <paramref name="text"/> as a value of <paramref name="type"/>; on failure <paramref name="reason"/> says why.</summary>
    public static bool TryParse(DataType type, ReadOnlySpan<byte> text, TimestampStandard standard, out Scalar value, out string? reason)
    {
        value = default;
        reason = null;
        var trimmed = type.Kind is DataTypeKind.Varchar or DataTypeKind.Bytes ? text : TrimAscii(text);
        switch (type.Kind)
        {
            case DataTypeKind.Boolean:
                if (Ascii.EqualsIgnoreCase(trimmed, "true"u8))
                {
                    value.Bits = 1;
                    return true;
                }
                if (Ascii.EqualsIgnoreCase(trimmed, "false"u8))
                {
                    return true;
                }
                break;
            case DataTypeKind.Int:
                if (int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i32))
                {
                    value.Bits = i32;
                    return true;
                }
                break;
            case DataTypeKind.BigInt:
                if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i64))
                {
                    value.Bits = i64;
                    return true;
                }
                break;
            case DataTypeKind.Float:
                if (float.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var f32))
                {
                    value.Bits = BitConverter.SingleToInt32Bits(f32);
                    return true;
                }
                break;
            case DataTypeKind.Double:
                if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var f64))
                {
                    value.Bits = BitConverter.DoubleToInt64Bits(f64);
                    return true;
                }
                break;
            case DataTypeKind.Decimal:
                if (decimal.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var m))
                {
                    return TryFitDecimal(type, m, out value, out reason);
                }
                break;
            case DataTypeKind.Varchar:
                try
                {
                    value.Reference = s_strictUtf8.GetString(text);
                    return true;
                }
                catch (DecoderFallbackException)
                {
                    reason = "The text is not valid UTF-8.";
                    return false;
                }
            case DataTypeKind.Bytes:
                if (Base64.IsValid(text, out var length))
                {
                    var bytes = new byte[length];
                    Base64.DecodeFromUtf8(text, bytes, out _, out _);
                    value.Reference = bytes;
                    return true;
                }
                reason = $"'{Show(text)}' is not base64, as BYTES must be.";
                return false;
            case DataTypeKind.Date:
                if (TemporalText.TryParseDate(trimmed, out var date))
                {
                    value.Bits = date.DayNumber;
                    return true;
                }
                break;
            case DataTypeKind.Time:
                if (TemporalText.TryParseTime(trimmed, secondsOptional: false, out var time))
                {
                    value.Bits = time;
                    return true;
                }
                break;
            case DataTypeKind.Timestamp:
            case DataTypeKind.TimestampLtz:
                if (TemporalText.TryParseTimestamp(trimmed, standard, type.Kind == DataTypeKind.TimestampLtz, out var ticks))
                {
                    value.Bits = ticks;
                    return true;
                }
                break;
            default:
                reason = $"{type} is not a scalar type.";
                return false;
        }
        reason = $"'{Show(text)}' is not {Expected(type, standard)}.";
        return false;
    }

    /// <summary>Checks that <paramref name="value"/> fits <paramref name="type"/> (a DECIMAL) once rounded to its scale.</summary>
    public static bool TryFitDecimal(DataType type, decimal value, out Scalar scalar, out string? reason)
    {
        scalar = default;
        if (!type.TryRoundDecimal(value, out var rounded))
        {
            reason = $"{value.ToString(CultureInfo.InvariantCulture)} does not fit {type.WithNullability(true)}.";
            return false;
        }
        scalar.Decimal = rounded;
        reason = null;
        return true;
    }

    /// <summary>What a value of <paramref name="type"/> should look like, for error messages.</summary>
    public static string Expected(DataType type, TimestampStandard standard) => type.Kind switch
    {
        DataTypeKind.Boolean => "a BOOLEAN (true or false)",
        DataTypeKind.Int => "an INT",
        DataTypeKind.BigInt => "a BIGINT",
        DataTypeKind.Float => "a FLOAT",
        DataTypeKind.Double => "a DOUBLE",
        DataTypeKind.Decimal => $"a {type.WithNullability(true)}",
        DataTypeKind.Varchar => "a string",
        DataTypeKind.Bytes => "a base64 string",
        DataTypeKind.Date or DataTypeKind.Time or DataTypeKind.Timestamp or DataTypeKind.TimestampLtz => TemporalText.Expected(type.Kind, standard),
        DataTypeKind.Row => "an object",
        DataTypeKind.Array => "an array",
        _ => "an object (a MAP)",
    };

    /// <summary>
    /// Writes a fixed-width scalar (not VARCHAR or BYTES) of field <paramref name="index"/> as text into
    /// <paramref name="destination"/> (at least <see cref="MaxFixedLength"/> bytes); returns the length.
    /// </summary>
    public static int FormatFixed(Row row, int index, DataTypeKind kind, TimestampStandard standard, Span<byte> destination) => kind switch
    {
        DataTypeKind.Boolean => Copy(row.GetBoolean(index) ? "true"u8 : "false"u8, destination),
        DataTypeKind.Int => Utf8(row.GetInt32(index), destination),
        DataTypeKind.BigInt => Utf8(row.GetInt64(index), destination),
        DataTypeKind.Float => Utf8(row.GetSingle(index), destination),
        DataTypeKind.Double => Utf8(row.GetDouble(index), destination),
        DataTypeKind.Decimal => Utf8(row.GetDecimal(index), destination),
        DataTypeKind.Date => TemporalText.FormatDate(row.GetDate(index), destination),
        DataTypeKind.Time => TemporalText.FormatTime(row.GetTime(index).Ticks, destination),
        DataTypeKind.Timestamp => TemporalText.FormatTimestamp(row.GetTimestamp(index).Ticks, standard, false, destination),
        DataTypeKind.TimestampLtz => TemporalText.FormatTimestamp(row.GetTimestampLtz(index).UtcTicks, standard, true, destination),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a fixed-width scalar."),
    };

    /// <summary>As <see cref="FormatFixed(Row, int, DataTypeKind, TimestampStandard, Span{byte})"/>, for a boxed value.</summary>
    public static int FormatFixed(object value, DataTypeKind kind, TimestampStandard standard, Span<byte> destination) => kind switch
    {
        DataTypeKind.Boolean => Copy((bool)value ? "true"u8 : "false"u8, destination),
        DataTypeKind.Int => Utf8((int)value, destination),
        DataTypeKind.BigInt => Utf8((long)value, destination),
        DataTypeKind.Float => Utf8((float)value, destination),
        DataTypeKind.Double => Utf8((double)value, destination),
        DataTypeKind.Decimal => Utf8((decimal)value, destination),
        DataTypeKind.Date => TemporalText.FormatDate((DateOnly)value, destination),
        DataTypeKind.Time => TemporalText.FormatTime(((TimeOnly)value).Ticks, destination),
        DataTypeKind.Timestamp => TemporalText.FormatTimestamp(((DateTime)value).Ticks, standard, false, destination),
        DataTypeKind.TimestampLtz => TemporalText.FormatTimestamp(((DateTimeOffset)value).UtcTicks, standard, true, destination),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a fixed-width scalar."),
    };

    /// <summary>Room enough for any fixed-width scalar's text.</summary>
    public const int MaxFixedLength = 64;

    /// <summary>Up to 100 characters of <paramref name="text"/> for an error message (invalid UTF-8 replaced).</summary>
    public static string Show(ReadOnlySpan<byte> text)
    {
        var shown = Encoding.UTF8.GetString(text.Length > 100 ? text[..100] : text);
        return text.Length > 100 ? shown + "…" : shown;
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }

    private static int Utf8<T>(T value, Span<byte> destination)
        where T : IUtf8SpanFormattable
    {
        value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }

    private static ReadOnlySpan<byte> TrimAscii(ReadOnlySpan<byte> text)
    {
        var range = Ascii.Trim(text);
        return text[range];
    }

}
