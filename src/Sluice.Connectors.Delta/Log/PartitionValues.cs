using System.Globalization;
using System.Text;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Log;

/// <summary>
/// Partition values as the log holds them (PROTOCOL.md, "Partition Value Serialization"): strings as they are, numbers
/// in invariant form, dates <c>yyyy-MM-dd</c>, timestamps <c>yyyy-MM-dd HH:mm:ss[.ffffff]</c> (or ISO 8601 in UTC for
/// <c>timestamp</c>), booleans <c>true</c>/<c>false</c>; null or the empty string is a null value. Stateless.
/// </summary>
internal static class PartitionValues
{
    private static readonly string[] s_timestampFormats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"];

    /// <summary>Sets field <paramref name="index"/> of <paramref name="row"/> from the serialized value <paramref name="text"/>.</summary>
    /// <exception cref="DeltaException">The text is not a value of the column's type; the message names the column and the file.</exception>
    public static void Set(Row row, int index, string? text, string column, string file)
    {
        if (string.IsNullOrEmpty(text))
        {
            row.SetNull(index);
            return;
        }
        var type = row.Schema[index].Type;
        var ok = type.Kind switch
        {
            DataTypeKind.Varchar => Do(() => row.SetString(index, text)),
            DataTypeKind.Int => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && Do(() => row.SetInt32(index, i)),
            DataTypeKind.BigInt => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && Do(() => row.SetInt64(index, l)),
            DataTypeKind.Float => float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && Do(() => row.SetSingle(index, f)),
            DataTypeKind.Double => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && Do(() => row.SetDouble(index, d)),
            DataTypeKind.Decimal => decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var m) && Do(() => row.SetDecimal(index, m)),
            DataTypeKind.Boolean => bool.TryParse(text, out var b) && Do(() => row.SetBoolean(index, b)),
            DataTypeKind.Date => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && Do(() => row.SetDate(index, day)),
            DataTypeKind.Timestamp => DateTime.TryParseExact(text, s_timestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var ts)
                && Do(() => row.SetTimestamp(index, DateTime.SpecifyKind(ts, DateTimeKind.Unspecified))),
            DataTypeKind.TimestampLtz => DateTime.TryParseExact(text, s_timestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc)
                && Do(() => row.SetTimestampLtz(index, new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)))),
            DataTypeKind.Bytes => Do(() => row.SetBytes(index, Encoding.Latin1.GetBytes(text))),
            _ => false,
        };
        if (!ok)
        {
            throw new DeltaException($"File '{file}' has partition value '{text}' for column '{column}', which is not a {type}.", fileName: file);
        }
    }

    private static bool Do(Action set)
    {
        set();
        return true;
    }

    /// <summary>The serialized form of field <paramref name="index"/> of <paramref name="row"/>; null for a null value.</summary>
    public static string? Serialize(Row row, int index)
    {
        if (row.IsNull(index))
        {
            return null;
        }
        return row.Schema[index].Type.Kind switch
        {
            DataTypeKind.Varchar => row.GetString(index),
            DataTypeKind.Int => row.GetInt32(index).ToString(CultureInfo.InvariantCulture),
            DataTypeKind.BigInt => row.GetInt64(index).ToString(CultureInfo.InvariantCulture),
            DataTypeKind.Float => row.GetSingle(index).ToString("R", CultureInfo.InvariantCulture),
            DataTypeKind.Double => row.GetDouble(index).ToString("R", CultureInfo.InvariantCulture),
            DataTypeKind.Decimal => row.GetDecimal(index).ToString(CultureInfo.InvariantCulture),
            DataTypeKind.Boolean => row.GetBoolean(index) ? "true" : "false",
            DataTypeKind.Date => row.GetDate(index).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DataTypeKind.Timestamp => row.GetTimestamp(index).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
            DataTypeKind.TimestampLtz => row.GetTimestampLtz(index).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            var kind => throw new DeltaException($"Column '{row.Schema[index].Name}' is {kind}, which cannot be a partition column; partition by a scalar column."),
        };
    }
}
