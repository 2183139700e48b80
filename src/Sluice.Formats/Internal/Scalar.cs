using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// One decoded scalar value before it is stored: fixed-width values in <see cref="Bits"/> (as a <see cref="Row"/> keeps
/// them), decimals in <see cref="Decimal"/>, strings and byte arrays in <see cref="Reference"/>. Lets one parser feed both
/// a row's unboxed slots and the boxed elements of arrays and maps.
/// </summary>
internal struct Scalar
{
    public long Bits;
    public decimal Decimal;
    public object? Reference;

    /// <summary>Stores the value in field <paramref name="index"/> of <paramref name="row"/> through its typed setter (no boxing).</summary>
    public readonly void Store(Row row, int index, DataTypeKind kind)
    {
        switch (kind)
        {
            case DataTypeKind.Boolean:
                row.SetBoolean(index, Bits != 0);
                break;
            case DataTypeKind.Int:
                row.SetInt32(index, (int)Bits);
                break;
            case DataTypeKind.BigInt:
                row.SetInt64(index, Bits);
                break;
            case DataTypeKind.Float:
                row.SetSingle(index, BitConverter.Int32BitsToSingle((int)Bits));
                break;
            case DataTypeKind.Double:
                row.SetDouble(index, BitConverter.Int64BitsToDouble(Bits));
                break;
            case DataTypeKind.Decimal:
                row.SetDecimal(index, Decimal);
                break;
            case DataTypeKind.Varchar:
                row.SetString(index, (string?)Reference);
                break;
            case DataTypeKind.Bytes:
                row.SetBytes(index, (byte[]?)Reference);
                break;
            case DataTypeKind.Date:
                row.SetDate(index, DateOnly.FromDayNumber((int)Bits));
                break;
            case DataTypeKind.Time:
                row.SetTime(index, new TimeOnly(Bits));
                break;
            case DataTypeKind.Timestamp:
                row.SetTimestamp(index, new DateTime(Bits));
                break;
            case DataTypeKind.TimestampLtz:
                row.SetTimestampLtz(index, new DateTimeOffset(Bits, TimeSpan.Zero));
                break;
            default:
                row.SetValue(index, Reference);
                break;
        }
    }

    /// <summary>The value as its boxed CLR value (for array elements and map entries).</summary>
    public readonly object? Box(DataType type) => type.Kind switch
    {
        DataTypeKind.Boolean => Bits != 0,
        DataTypeKind.Int => (int)Bits,
        DataTypeKind.BigInt => Bits,
        DataTypeKind.Float => BitConverter.Int32BitsToSingle((int)Bits),
        DataTypeKind.Double => BitConverter.Int64BitsToDouble(Bits),
        DataTypeKind.Decimal => Decimal,
        DataTypeKind.Date => DateOnly.FromDayNumber((int)Bits),
        DataTypeKind.Time => new TimeOnly(TruncateTicks(Bits, type.Precision)),
        DataTypeKind.Timestamp => new DateTime(TruncateTicks(Bits, type.Precision)),
        DataTypeKind.TimestampLtz => new DateTimeOffset(TruncateTicks(Bits, type.Precision), TimeSpan.Zero),
        _ => Reference,
    };

    /// <summary>Truncates ticks to <paramref name="precision"/> fractional digits, as a row does on the way in.</summary>
    public static long TruncateTicks(long ticks, int precision)
    {
        if (precision >= 7)
        {
            return ticks;
        }
        long divisor = 1;
        for (var i = precision; i < 7; i++)
        {
            divisor *= 10;
        }
        return ticks - (ticks % divisor);
    }
}
