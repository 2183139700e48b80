using System.Globalization;
using System.Text;
using Sluice.Schemas;
using StackExchange.Redis;

namespace Sluice.Connectors.Redis.Sinks;

/// <summary>
/// How field values become hash values: integers as decimal text, floating point in round-trip form, booleans as
/// <c>true</c>/<c>false</c>, text as is, bytes raw, dates and times in ISO 8601 (an instant in UTC with <c>Z</c>), as
/// <see cref="Row.FormatValue"/> prints them. Nested types (row, array, map) are refused when the sink is built.
/// </summary>
internal static class RedisFeatureValues
{
    /// <summary>True when a field of <paramref name="kind"/> can be a feature or a key part.</summary>
    public static bool IsSupported(DataTypeKind kind) => kind is not (DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map);

    /// <summary>The hash value of field <paramref name="index"/> of <paramref name="row"/>, which is not null.</summary>
    public static RedisValue Of(Row row, int index) => row.Schema[index].Type.Kind switch
    {
        DataTypeKind.Boolean => row.GetBoolean(index) ? "true" : "false",
        DataTypeKind.Int => row.GetInt32(index),
        DataTypeKind.BigInt => row.GetInt64(index),
        DataTypeKind.Float => row.GetSingle(index).ToString("R", CultureInfo.InvariantCulture), // shortest round-trip text: 0.1, not 0.10000000000000001
        DataTypeKind.Double => row.GetDouble(index).ToString("R", CultureInfo.InvariantCulture),
        DataTypeKind.Varchar => row.GetString(index),
        DataTypeKind.Bytes => row.GetBytes(index),
        _ => Row.FormatValue(row.GetValue(index)),
    };

    /// <summary>Appends the text of field <paramref name="index"/> (not null) to <paramref name="text"/>, for a key: integers and text as a hash value has them, other kinds as <see cref="Row.FormatValue"/> prints them.</summary>
    public static void Append(StringBuilder text, Row row, int index)
    {
        switch (row.Schema[index].Type.Kind)
        {
            case DataTypeKind.Int:
                text.Append(CultureInfo.InvariantCulture, $"{row.GetInt32(index)}");
                break;
            case DataTypeKind.BigInt:
                text.Append(CultureInfo.InvariantCulture, $"{row.GetInt64(index)}");
                break;
            case DataTypeKind.Varchar:
                text.Append(row.GetString(index));
                break;
            default:
                text.Append(Row.FormatValue(row.GetValue(index)));
                break;
        }
    }
}
