using System.Buffers.Binary;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace Sluice.Server.PgWire;

/// <summary>
/// Writes one DuckDB result value as a DataRow column (Int32 length, then the bytes; -1 for NULL) in PostgreSQL's text
/// or binary format of its <see cref="PgTypeKind"/>. Text is what PostgreSQL's output functions print under
/// <c>DateStyle=ISO, MDY</c>, <c>TimeZone=UTC</c>, <c>extra_float_digits=1</c>; binary is its <c>*send</c> format.
/// Numbers, booleans, dates and timestamps are read with DuckDB.NET's typed getters (no boxing). Stateless.
/// </summary>
internal static class PgValueEncoder
{
    /// <summary>PostgreSQL's epoch for dates and timestamps: 2000-01-01.</summary>
    private static readonly DateTime s_epoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly int s_epochDay = new DateOnly(2000, 1, 1).DayNumber;

    /// <summary>Writes column <paramref name="ordinal"/> of the reader's current row.</summary>
    public static void Write(PgMessageWriter writer, DbDataReader reader, int ordinal, PgColumn column, bool binary)
    {
        if (reader.IsDBNull(ordinal))
        {
            writer.WriteInt32(-1);
            return;
        }
        var at = writer.BeginLength();
        var clr = column.ClrType;
        switch (column.Kind)
        {
            case PgTypeKind.Bool:
                var flag = reader.GetBoolean(ordinal);
                if (binary)
                {
                    writer.WriteByte(flag ? (byte)1 : (byte)0);
                }
                else
                {
                    writer.WriteByte(flag ? (byte)'t' : (byte)'f');
                }
                break;
            case PgTypeKind.Int2 or PgTypeKind.Int4 or PgTypeKind.Int8:
                WriteInteger(writer, ReadInteger(reader, ordinal, clr), column.Kind, binary);
                break;
            case PgTypeKind.Float4:
                var single = reader.GetFloat(ordinal);
                if (binary)
                {
                    BinaryPrimitives.WriteSingleBigEndian(writer.GetSpan(4), single);
                    writer.Advance(4);
                }
                else
                {
                    WriteFloatText(writer, single.ToString(CultureInfo.InvariantCulture));
                }
                break;
            case PgTypeKind.Float8:
                var number = reader.GetDouble(ordinal);
                if (binary)
                {
                    BinaryPrimitives.WriteDoubleBigEndian(writer.GetSpan(8), number);
                    writer.Advance(8);
                }
                else
                {
                    WriteFloatText(writer, number.ToString(CultureInfo.InvariantCulture));
                }
                break;
            case PgTypeKind.Numeric:
                var digits = clr == typeof(decimal)
                    ? reader.GetDecimal(ordinal).ToString(CultureInfo.InvariantCulture)
                    : Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture)!;
                if (binary)
                {
                    PgNumeric.Write(writer, digits);
                }
                else
                {
                    writer.WriteUtf8(digits);
                }
                break;
            case PgTypeKind.Date:
                var day = clr == typeof(DateOnly) ? reader.GetFieldValue<DateOnly>(ordinal) : DateOnly.FromDateTime(reader.GetDateTime(ordinal));
                if (binary)
                {
                    writer.WriteInt32(day.DayNumber - s_epochDay);
                }
                else
                {
                    WriteAscii(writer, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                }
                break;
            case PgTypeKind.Time:
                var time = clr == typeof(TimeOnly) ? reader.GetFieldValue<TimeOnly>(ordinal) : TimeOnly.FromTimeSpan(reader.GetFieldValue<TimeSpan>(ordinal));
                if (binary)
                {
                    WriteInt64(writer, time.Ticks / TimeSpan.TicksPerMicrosecond);
                }
                else
                {
                    WriteAscii(writer, time.ToString(time.Ticks % TimeSpan.TicksPerSecond == 0 ? "HH:mm:ss" : "HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture));
                }
                break;
            case PgTypeKind.Timestamp or PgTypeKind.TimestampTz:
                var instant = clr == typeof(DateTimeOffset) ? reader.GetFieldValue<DateTimeOffset>(ordinal).UtcDateTime : reader.GetDateTime(ordinal);
                if (binary)
                {
                    WriteInt64(writer, (instant.Ticks - s_epoch.Ticks) / TimeSpan.TicksPerMicrosecond);
                }
                else
                {
                    WriteAscii(writer, FormatTimestamp(instant, column.Kind == PgTypeKind.TimestampTz));
                }
                break;
            case PgTypeKind.Interval:
                var span = reader.GetFieldValue<TimeSpan>(ordinal);
                if (binary)
                {
                    WriteInt64(writer, (span.Ticks % TimeSpan.TicksPerDay) / TimeSpan.TicksPerMicrosecond);
                    writer.WriteInt32(span.Days);
                    writer.WriteInt32(0);
                }
                else
                {
                    WriteAscii(writer, FormatInterval(span));
                }
                break;
            case PgTypeKind.Uuid:
                var uuid = reader.GetGuid(ordinal);
                if (binary)
                {
                    uuid.TryWriteBytes(writer.GetSpan(16), bigEndian: true, out _);
                    writer.Advance(16);
                }
                else
                {
                    WriteAscii(writer, uuid.ToString("D"));
                }
                break;
            case PgTypeKind.Bytea:
                WriteBytea(writer, reader, ordinal, clr, binary);
                break;
            default:
                // text, varchar, json (whose binary format is its text), and anything printed as text.
                writer.WriteUtf8(clr == typeof(string) ? reader.GetString(ordinal) : FormatOther(reader.GetValue(ordinal)));
                break;
        }
        writer.EndLength(at);
    }

    /// <summary>A timestamp as PostgreSQL prints it (ISO): microseconds only when present; <c>+00</c> for timestamptz (TimeZone is UTC).</summary>
    public static string FormatTimestamp(DateTime value, bool withZone)
    {
        var text = value.ToString(value.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture);
        return withZone ? text + "+00" : text;
    }

    private static long ReadInteger(DbDataReader reader, int ordinal, Type clr) => clr switch
    {
        _ when clr == typeof(int) => reader.GetInt32(ordinal),
        _ when clr == typeof(long) => reader.GetInt64(ordinal),
        _ when clr == typeof(short) => reader.GetInt16(ordinal),
        _ when clr == typeof(sbyte) => reader.GetFieldValue<sbyte>(ordinal),
        _ when clr == typeof(byte) => reader.GetByte(ordinal),
        _ when clr == typeof(ushort) => reader.GetFieldValue<ushort>(ordinal),
        _ when clr == typeof(uint) => reader.GetFieldValue<uint>(ordinal),
        _ => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture),
    };

    private static void WriteInteger(PgMessageWriter writer, long value, PgTypeKind kind, bool binary)
    {
        if (!binary)
        {
            var span = writer.GetSpan(20);
            value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
            writer.Advance(written);
            return;
        }
        switch (kind)
        {
            case PgTypeKind.Int2:
                writer.WriteInt16((short)value);
                break;
            case PgTypeKind.Int4:
                writer.WriteInt32((int)value);
                break;
            default:
                WriteInt64(writer, value);
                break;
        }
    }

    private static void WriteInt64(PgMessageWriter writer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    /// <summary>PostgreSQL prints exponents in lower case (<c>1e+20</c>) and infinities as <c>Infinity</c>.</summary>
    private static void WriteFloatText(PgMessageWriter writer, string text) =>
        writer.WriteUtf8(text.Contains('E', StringComparison.Ordinal) ? text.Replace('E', 'e') : text);

    private static void WriteAscii(PgMessageWriter writer, string text) => writer.WriteUtf8(text);

    private static void WriteBytea(PgMessageWriter writer, DbDataReader reader, int ordinal, Type clr, bool binary)
    {
        byte[] bytes;
        if (clr == typeof(byte[]))
        {
            bytes = reader.GetFieldValue<byte[]>(ordinal);
        }
        else
        {
            using var stream = reader.GetStream(ordinal);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        if (binary)
        {
            writer.WriteBytes(bytes);
            return;
        }
        // bytea_output=hex: \x then two lower-case hex digits per byte.
        var span = writer.GetSpan(2 + (bytes.Length * 2));
        span[0] = (byte)'\\';
        span[1] = (byte)'x';
        for (var i = 0; i < bytes.Length; i++)
        {
            span[2 + (2 * i)] = (byte)"0123456789abcdef"[bytes[i] >> 4];
            span[3 + (2 * i)] = (byte)"0123456789abcdef"[bytes[i] & 0xF];
        }
        writer.Advance(2 + (bytes.Length * 2));
    }

    /// <summary>An interval as PostgreSQL's <c>postgres</c> IntervalStyle prints it: <c>1 day 02:03:04.5</c>.</summary>
    private static string FormatInterval(TimeSpan span)
    {
        var sign = span < TimeSpan.Zero ? "-" : "";
        var magnitude = span.Duration();
        var clock = $"{sign}{(int)magnitude.TotalHours % 24:00}:{magnitude.Minutes:00}:{magnitude.Seconds:00}";
        if (magnitude.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            clock += "." + (magnitude.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond).ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0');
        }
        var days = magnitude.Days;
        return days == 0 ? clock : $"{sign}{days} day{(days == 1 ? "" : "s")} {clock}";
    }

    /// <summary>A value with no PostgreSQL counterpart (a list, struct, map…) as JSON text; anything else invariantly.</summary>
    private static string FormatOther(object value) => value switch
    {
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        string text => text,
        _ => JsonSerializer.Serialize(value),
    };
}

/// <summary>
/// A result column as RowDescription describes it, with what the encoder needs to read it: the DuckDB CLR type.
/// </summary>
/// <param name="Name">The column name.</param>
/// <param name="Kind">Its wire type.</param>
/// <param name="ClrType">The CLR type DuckDB.NET returns for it.</param>
internal sealed record PgColumn(string Name, PgTypeKind Kind, Type ClrType);
