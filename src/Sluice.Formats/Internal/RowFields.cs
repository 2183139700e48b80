using Sluice.Schemas;

namespace Sluice.Formats.Internal;

/// <summary>Copies fields between rows of different schemas (key projections), through the typed accessors. Thread-safe (stateless).</summary>
internal static class RowFields
{
    /// <summary>
    /// The index in <paramref name="value"/> of each field of <paramref name="key"/>, matched by name.
    /// </summary>
    /// <exception cref="ArgumentException">A key field is not a field of <paramref name="value"/> with the same type.</exception>
    public static int[] KeyIndexes(Schema key, Schema value, string parameterName)
    {
        var indexes = new int[key.Count];
        for (var i = 0; i < indexes.Length; i++)
        {
            var field = key[i];
            var index = value.IndexOf(field.Name);
            if (index < 0 || !value[index].Type.Equals(field.Type))
            {
                throw new ArgumentException(
                    $"Key field '{field.Name} {field.Type}' is not a field of the value schema {value}; a key's fields must be value fields of the same type.", parameterName);
            }
            indexes[i] = index;
        }
        return indexes;
    }

    /// <summary>Copies field <paramref name="source"/> of <paramref name="from"/> into field <paramref name="target"/> of <paramref name="to"/>; no boxing for fixed-width values.</summary>
    public static void Copy(Row from, int source, Row to, int target)
    {
        if (from.IsNull(source))
        {
            to.SetNull(target);
            return;
        }
        switch (from.Schema[source].Type.Kind)
        {
            case DataTypeKind.Boolean:
                to.SetBoolean(target, from.GetBoolean(source));
                break;
            case DataTypeKind.Int:
                to.SetInt32(target, from.GetInt32(source));
                break;
            case DataTypeKind.BigInt:
                to.SetInt64(target, from.GetInt64(source));
                break;
            case DataTypeKind.Float:
                to.SetSingle(target, from.GetSingle(source));
                break;
            case DataTypeKind.Double:
                to.SetDouble(target, from.GetDouble(source));
                break;
            case DataTypeKind.Decimal:
                to.SetDecimal(target, from.GetDecimal(source));
                break;
            case DataTypeKind.Date:
                to.SetDate(target, from.GetDate(source));
                break;
            case DataTypeKind.Time:
                to.SetTime(target, from.GetTime(source));
                break;
            case DataTypeKind.Timestamp:
                to.SetTimestamp(target, from.GetTimestamp(source));
                break;
            case DataTypeKind.TimestampLtz:
                to.SetTimestampLtz(target, from.GetTimestampLtz(source));
                break;
            default:
                to.SetValue(target, from.GetValue(source)); // references: no boxing
                break;
        }
    }
}
