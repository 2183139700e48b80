using Sluice.Schemas;

namespace Sluice.State.Serialization;

/// <summary>The read side of version 1: every value checked, every failure a <see cref="StateFormatException"/> naming the offset.</summary>
public sealed partial class RowStateSerializer
{
    private Row ReadRow(StateReader input)
    {
        var kind = input.ReadByte();
        if (kind > (byte)RowKind.Delete)
        {
            input.ThrowInvalid($"row kind {kind} in a row of {Schema}");
        }
        var row = new Row(Schema) { Kind = (RowKind)kind };
        var count = _fields.Length;
        var bitmapStart = input.Position;
        var bitmap = input.ReadRaw((count + 7) >> 3).Span;
        if (count % 8 != 0 && bitmap[^1] >> (count % 8) != 0)
        {
            throw new StateFormatException($"Invalid state: the null bitmap at offset {bitmapStart} marks fields beyond the {count} of {Schema}.");
        }
        for (var i = 0; i < count; i++)
        {
            if ((bitmap[i >> 3] & (1 << (i & 7))) != 0)
            {
                if (!_fields[i].Type.IsNullable)
                {
                    throw new StateFormatException($"Invalid state: field '{Schema[i].Name}' ({_fields[i].Type}) is marked null in the row at offset {bitmapStart - 1}.");
                }
                continue;
            }
            ReadField(input, row, i);
        }
        return row;
    }

    private void ReadField(StateReader input, Row row, int i)
    {
        var start = input.Position;
        switch (_fields[i].Kind)
        {
            case DataTypeKind.Boolean:
                row.SetBoolean(i, input.ReadBool());
                break;
            case DataTypeKind.Int:
                row.SetInt32(i, input.ReadZigZagInt32());
                break;
            case DataTypeKind.BigInt:
                row.SetInt64(i, input.ReadZigZagInt64());
                break;
            case DataTypeKind.Float:
                row.SetSingle(i, input.ReadSingle());
                break;
            case DataTypeKind.Double:
                row.SetDouble(i, input.ReadDouble());
                break;
            case DataTypeKind.Decimal:
                var value = ReadDecimal(input);
                try
                {
                    row.SetDecimal(i, value);
                }
                catch (OverflowException ex)
                {
                    throw new StateFormatException($"Invalid state: the decimal {value} at offset {start} does not fit field '{Schema[i].Name}' ({_fields[i].Type}).", ex);
                }
                break;
            case DataTypeKind.Varchar:
                row.SetString(i, ReadNonNullString(input));
                break;
            case DataTypeKind.Bytes:
                row.SetBytes(i, input.ReadBytes().ToArray());
                break;
            case DataTypeKind.Date:
                row.SetDate(i, ReadDate(input));
                break;
            case DataTypeKind.Time:
                row.SetTime(i, ReadTime(input));
                break;
            case DataTypeKind.Timestamp:
                row.SetTimestamp(i, new DateTime(ReadTicks(input), DateTimeKind.Unspecified));
                break;
            case DataTypeKind.TimestampLtz:
                row.SetTimestampLtz(i, new DateTimeOffset(ReadTicks(input), TimeSpan.Zero));
                break;
            case DataTypeKind.Row:
                row.SetRow(i, _fields[i].Row!.ReadRow(input));
                break;
            case DataTypeKind.Array:
                row.SetArray(i, ReadArray(input, _fields[i]));
                break;
            case DataTypeKind.Map:
                row.SetMap(i, ReadMap(input, _fields[i]));
                break;
            default:
                throw new InvalidOperationException($"Unknown kind {_fields[i].Kind}.");
        }
    }

    private static object?[] ReadArray(StateReader input, Codec array)
    {
        var count = ReadCount(input);
        var elements = count == 0 ? [] : new object?[count];
        for (var i = 0; i < count; i++)
        {
            elements[i] = ReadFlaggedElement(input, array.Element!);
        }
        return elements;
    }

    private static KeyValuePair<object, object?>[] ReadMap(StateReader input, Codec map)
    {
        var count = ReadCount(input);
        var entries = count == 0 ? [] : new KeyValuePair<object, object?>[count];
        for (var i = 0; i < count; i++)
        {
            var key = ReadElement(input, map.Element!);
            entries[i] = new KeyValuePair<object, object?>(key, ReadFlaggedElement(input, map.Value!));
        }
        return entries;
    }

    // Every element takes at least one byte: a count above the bytes left is corrupt, and must not size an allocation.
    private static int ReadCount(StateReader input)
    {
        var start = input.Position;
        var count = input.ReadLength();
        if (count < 0 || count > input.Remaining)
        {
            throw new StateFormatException($"Invalid state: element count {count} at offset {start} exceeds the {input.Remaining} byte(s) left.");
        }
        return count;
    }

    private static object? ReadFlaggedElement(StateReader input, Codec codec)
    {
        var start = input.Position;
        switch (input.ReadByte())
        {
            case 0 when codec.Type.IsNullable:
                return null;
            case 1:
                return ReadElement(input, codec);
            default:
                throw new StateFormatException($"Invalid state: bad element flag at offset {start} for an element of type {codec.Type}.");
        }
    }

    private static object ReadElement(StateReader input, Codec codec) => codec.Kind switch
    {
        DataTypeKind.Boolean => input.ReadBool(),
        DataTypeKind.Int => input.ReadZigZagInt32(),
        DataTypeKind.BigInt => input.ReadZigZagInt64(),
        DataTypeKind.Float => input.ReadSingle(),
        DataTypeKind.Double => input.ReadDouble(),
        DataTypeKind.Decimal => ReadDecimal(input),
        DataTypeKind.Varchar => ReadNonNullString(input),
        DataTypeKind.Bytes => input.ReadBytes().ToArray(),
        DataTypeKind.Date => ReadDate(input),
        DataTypeKind.Time => ReadTime(input),
        DataTypeKind.Timestamp => new DateTime(ReadTicks(input), DateTimeKind.Unspecified),
        DataTypeKind.TimestampLtz => new DateTimeOffset(ReadTicks(input), TimeSpan.Zero),
        DataTypeKind.Row => codec.Row!.ReadRow(input),
        DataTypeKind.Array => ReadArray(input, codec),
        DataTypeKind.Map => ReadMap(input, codec),
        _ => throw new InvalidOperationException($"Unknown kind {codec.Kind}."),
    };

    private static decimal ReadDecimal(StateReader input)
    {
        var start = input.Position;
        UInt128 encoded = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift == MaxDecimalVarIntBytes * 7)
            {
                throw new StateFormatException($"Invalid state: the decimal at offset {start} is longer than {MaxDecimalVarIntBytes} bytes.");
            }
            var b = input.ReadByte();
            encoded |= (UInt128)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }
        var scale = input.ReadByte();
        if (encoded >> 97 != 0 || scale > DataType.MaxDecimalPrecision)
        {
            throw new StateFormatException($"Invalid state: the decimal at offset {start} has more than 96 bits or a scale of {scale} (at most 28).");
        }
        var magnitude = encoded >> 1;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), (encoded & 1) != 0, scale);
    }

    private static string ReadNonNullString(StateReader input)
    {
        var start = input.Position;
        return input.ReadString() ?? throw new StateFormatException($"Invalid state: null where a string was expected at offset {start}.");
    }

    private static DateOnly ReadDate(StateReader input)
    {
        var start = input.Position;
        var day = input.ReadZigZagInt32();
        if ((uint)day > (uint)DateOnly.MaxValue.DayNumber)
        {
            throw new StateFormatException($"Invalid state: day number {day} at offset {start} is not a date.");
        }
        return DateOnly.FromDayNumber(day);
    }

    private static TimeOnly ReadTime(StateReader input)
    {
        var start = input.Position;
        var ticks = input.ReadVarInt64();
        if (ticks >= TimeSpan.TicksPerDay)
        {
            throw new StateFormatException($"Invalid state: {ticks} ticks at offset {start} is not a time of day.");
        }
        return new TimeOnly((long)ticks);
    }

    private static long ReadTicks(StateReader input)
    {
        var start = input.Position;
        var ticks = input.ReadVarInt64();
        if (ticks > (ulong)DateTime.MaxValue.Ticks)
        {
            throw new StateFormatException($"Invalid state: {ticks} ticks at offset {start} is beyond the last representable timestamp.");
        }
        return (long)ticks;
    }
}
