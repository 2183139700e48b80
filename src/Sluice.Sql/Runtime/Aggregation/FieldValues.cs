using Sluice.Schemas;
using Sluice.State.Serialization;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Typed, unboxed operations on single fields of <see cref="Row"/>s that the accumulators need: numbers read as
/// <see cref="long"/>, <see cref="double"/> or <see cref="decimal"/>, comparison of two fields of one kind, and a
/// lossless encoding of one field's value (for the value → count maps of MIN/MAX with retraction and DISTINCT).
/// Stateless and thread-safe. Callers check <see cref="Row.IsNull"/> first: a null field reads as its type's default.
/// </summary>
internal static class FieldValues
{
    /// <summary>An INT or BIGINT field as a <see cref="long"/>.</summary>
    public static long ReadInt64(Row row, int index, DataTypeKind kind) =>
        kind == DataTypeKind.Int ? row.GetInt32(index) : row.GetInt64(index);

    /// <summary>A numeric field (INT, BIGINT, FLOAT, DOUBLE, DECIMAL) as a <see cref="double"/>.</summary>
    public static double ReadDouble(Row row, int index, DataTypeKind kind) => kind switch
    {
        DataTypeKind.Int => row.GetInt32(index),
        DataTypeKind.BigInt => row.GetInt64(index),
        DataTypeKind.Float => row.GetSingle(index),
        DataTypeKind.Decimal => (double)row.GetDecimal(index),
        _ => row.GetDouble(index),
    };

    /// <summary>A numeric field (INT, BIGINT, DECIMAL) as a <see cref="decimal"/>.</summary>
    public static decimal ReadDecimal(Row row, int index, DataTypeKind kind) => kind switch
    {
        DataTypeKind.Int => row.GetInt32(index),
        DataTypeKind.BigInt => row.GetInt64(index),
        DataTypeKind.Float => (decimal)row.GetSingle(index),
        DataTypeKind.Double => (decimal)row.GetDouble(index),
        _ => row.GetDecimal(index),
    };

    /// <summary>Writes a <see cref="long"/> into an INT (wrapping, as Java does) or BIGINT field.</summary>
    public static void WriteInt64(Row row, int index, DataTypeKind kind, long value)
    {
        if (kind == DataTypeKind.Int)
        {
            row.SetInt32(index, unchecked((int)value));
        }
        else
        {
            row.SetInt64(index, value);
        }
    }

    /// <summary>Writes a number into a numeric field of any kind (integers truncate toward zero, as a SQL CAST does).</summary>
    public static void WriteNumber(Row row, int index, DataTypeKind kind, double value)
    {
        switch (kind)
        {
            case DataTypeKind.Int:
                row.SetInt32(index, unchecked((int)value));
                break;
            case DataTypeKind.BigInt:
                row.SetInt64(index, unchecked((long)value));
                break;
            case DataTypeKind.Float:
                row.SetSingle(index, (float)value);
                break;
            case DataTypeKind.Decimal:
                row.SetDecimal(index, (decimal)value);
                break;
            default:
                row.SetDouble(index, value);
                break;
        }
    }

    /// <summary>Whether values of <paramref name="kind"/> can be compared (MIN, MAX) and encoded (DISTINCT, retraction maps).</summary>
    public static bool IsScalar(DataTypeKind kind) => kind is not (DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map);

    /// <summary>
    /// Compares field <paramref name="leftIndex"/> of <paramref name="left"/> with field <paramref name="rightIndex"/>
    /// of <paramref name="right"/>, both non-null and of <paramref name="kind"/>: strings by UTF-16 code unit, bytes
    /// lexicographically unsigned, FALSE before TRUE, numbers and times by value (NaN after every number).
    /// </summary>
    public static int Compare(Row left, int leftIndex, Row right, int rightIndex, DataTypeKind kind) => kind switch
    {
        DataTypeKind.Boolean => left.GetBoolean(leftIndex).CompareTo(right.GetBoolean(rightIndex)),
        DataTypeKind.Int => left.GetInt32(leftIndex).CompareTo(right.GetInt32(rightIndex)),
        DataTypeKind.BigInt => left.GetInt64(leftIndex).CompareTo(right.GetInt64(rightIndex)),
        DataTypeKind.Float => left.GetSingle(leftIndex).CompareTo(right.GetSingle(rightIndex)),
        DataTypeKind.Double => left.GetDouble(leftIndex).CompareTo(right.GetDouble(rightIndex)),
        DataTypeKind.Decimal => left.GetDecimal(leftIndex).CompareTo(right.GetDecimal(rightIndex)),
        DataTypeKind.Varchar => string.CompareOrdinal(left.GetString(leftIndex), right.GetString(rightIndex)),
        DataTypeKind.Bytes => left.GetBytes(leftIndex).AsSpan().SequenceCompareTo(right.GetBytes(rightIndex)),
        DataTypeKind.Date => left.GetDate(leftIndex).CompareTo(right.GetDate(rightIndex)),
        DataTypeKind.Time => left.GetTime(leftIndex).CompareTo(right.GetTime(rightIndex)),
        DataTypeKind.Timestamp => left.GetTimestamp(leftIndex).CompareTo(right.GetTimestamp(rightIndex)),
        DataTypeKind.TimestampLtz => left.GetTimestampLtz(leftIndex).CompareTo(right.GetTimestampLtz(rightIndex)),
        _ => throw new InvalidOperationException($"Values of kind {kind} are not ordered."),
    };

    /// <summary>Appends the non-null value of field <paramref name="index"/> (a scalar of <paramref name="kind"/>) to <paramref name="output"/>.</summary>
    public static void Encode(StateWriter output, Row row, int index, DataTypeKind kind)
    {
        switch (kind)
        {
            case DataTypeKind.Boolean:
                output.WriteBool(row.GetBoolean(index));
                break;
            case DataTypeKind.Int:
                output.WriteZigZagInt32(row.GetInt32(index));
                break;
            case DataTypeKind.BigInt:
                output.WriteZigZagInt64(row.GetInt64(index));
                break;
            case DataTypeKind.Float:
                output.WriteSingle(row.GetSingle(index));
                break;
            case DataTypeKind.Double:
                output.WriteDouble(row.GetDouble(index));
                break;
            case DataTypeKind.Decimal:
                output.WriteDecimal(row.GetDecimal(index));
                break;
            case DataTypeKind.Varchar:
                output.WriteString(row.GetString(index));
                break;
            case DataTypeKind.Bytes:
                output.WriteByteArray(row.GetBytes(index));
                break;
            case DataTypeKind.Date:
                output.WriteZigZagInt32(row.GetDate(index).DayNumber);
                break;
            case DataTypeKind.Time:
                output.WriteZigZagInt64(row.GetTime(index).Ticks);
                break;
            case DataTypeKind.Timestamp:
                output.WriteZigZagInt64(row.GetTimestamp(index).Ticks);
                break;
            case DataTypeKind.TimestampLtz:
                output.WriteZigZagInt64(row.GetTimestampLtz(index).UtcTicks);
                break;
            default:
                throw new InvalidOperationException($"Values of kind {kind} cannot be encoded.");
        }
    }

    /// <summary>Reads a value written by <see cref="Encode"/> into field <paramref name="index"/> of <paramref name="row"/>.</summary>
    public static void Decode(StateReader input, Row row, int index, DataTypeKind kind)
    {
        switch (kind)
        {
            case DataTypeKind.Boolean:
                row.SetBoolean(index, input.ReadBool());
                break;
            case DataTypeKind.Int:
                row.SetInt32(index, input.ReadZigZagInt32());
                break;
            case DataTypeKind.BigInt:
                row.SetInt64(index, input.ReadZigZagInt64());
                break;
            case DataTypeKind.Float:
                row.SetSingle(index, input.ReadSingle());
                break;
            case DataTypeKind.Double:
                row.SetDouble(index, input.ReadDouble());
                break;
            case DataTypeKind.Decimal:
                row.SetDecimal(index, input.ReadDecimal());
                break;
            case DataTypeKind.Varchar:
                row.SetString(index, input.ReadString());
                break;
            case DataTypeKind.Bytes:
                row.SetBytes(index, input.ReadByteArray());
                break;
            case DataTypeKind.Date:
                row.SetDate(index, DateOnly.FromDayNumber(input.ReadZigZagInt32()));
                break;
            case DataTypeKind.Time:
                row.SetTime(index, new TimeOnly(input.ReadZigZagInt64()));
                break;
            case DataTypeKind.Timestamp:
                row.SetTimestamp(index, new DateTime(input.ReadZigZagInt64(), DateTimeKind.Unspecified));
                break;
            case DataTypeKind.TimestampLtz:
                row.SetTimestampLtz(index, new DateTimeOffset(input.ReadZigZagInt64(), TimeSpan.Zero));
                break;
            default:
                throw new InvalidOperationException($"Values of kind {kind} cannot be decoded.");
        }
    }

    /// <summary>
    /// Milliseconds since the epoch of a TIMESTAMP (read as UTC wall-clock time, as Flink reads a rowtime) or
    /// TIMESTAMP_LTZ field; floor division, so times before 1970 round down.
    /// </summary>
    public static long ReadEpochMillis(Row row, int index, DataTypeKind kind)
    {
        var ticks = kind == DataTypeKind.TimestampLtz ? row.GetTimestampLtz(index).UtcTicks : row.GetTimestamp(index).Ticks;
        var (quotient, remainder) = Math.DivRem(ticks - DateTime.UnixEpoch.Ticks, TimeSpan.TicksPerMillisecond);
        return remainder < 0 ? quotient - 1 : quotient;
    }

    /// <summary>A TIMESTAMP(3) value (UTC wall-clock) for <paramref name="epochMillis"/>.</summary>
    public static DateTime ToTimestamp(long epochMillis) =>
        new(DateTime.UnixEpoch.Ticks + (epochMillis * TimeSpan.TicksPerMillisecond), DateTimeKind.Unspecified);
}
