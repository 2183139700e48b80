using CsCheck;
using Sluice.Schemas;
using Sluice.State.Serialization;

namespace Sluice.Core.Tests.Serialization;

/// <summary>Random schemas (nested rows, arrays and maps included) and random rows of them round-trip exactly.</summary>
public sealed class RowStateSerializerPropertyTests
{
    [Fact]
    public void WriteThenRead_RandomSchemasAndRows_EqualTheOriginal() =>
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var schema = RandomSchema(random, depth: 0);
            var serializer = new RowStateSerializer(schema);
            var rows = new Row[3];
            var writer = new StateWriter(0);
            for (var i = 0; i < rows.Length; i++)
            {
                rows[i] = RandomRow(random, schema);
                serializer.Write(writer, rows[i]);
            }

            var reader = new StateReader(writer.WrittenMemory.ToArray());
            for (var i = 0; i < rows.Length; i++)
            {
                var back = serializer.Read(reader, 1);
                back.ShouldBe(rows[i], $"row {i} of {schema}");
            }
            reader.EnsureAtEnd();
        }, iter: 400, print: seed => $"seed {seed}");

    private static Schema RandomSchema(Random random, int depth)
    {
        var fields = new Field[random.Next(1, depth == 0 ? 12 : 4)];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new Field("f" + i, RandomType(random, depth));
        }
        return new Schema(fields);
    }

    private static DataType RandomType(Random random, int depth)
    {
        var kind = random.Next(depth < 2 ? 15 : 12);
        var type = kind switch
        {
            0 => DataType.Boolean,
            1 => DataType.Int,
            2 => DataType.BigInt,
            3 => DataType.Float,
            4 => DataType.Double,
            5 => RandomDecimal(random),
            6 => DataType.Varchar,
            7 => DataType.Bytes,
            8 => DataType.Date,
            9 => DataType.Time(random.Next(0, 10)),
            10 => DataType.Timestamp(random.Next(0, 10)),
            11 => DataType.TimestampLtz(random.Next(0, 10)),
            12 => DataType.Row(RandomSchema(random, depth + 1)),
            13 => DataType.Array(RandomType(random, depth + 1)),
            _ => DataType.Map(RandomType(random, depth + 1), RandomType(random, depth + 1)),
        };
        return random.Next(3) == 0 ? type.NotNull() : type;
    }

    private static DataType RandomDecimal(Random random)
    {
        var precision = random.Next(1, DataType.MaxDecimalPrecision + 1);
        return DataType.Decimal(precision, random.Next(0, precision + 1));
    }

    private static Row RandomRow(Random random, Schema schema)
    {
        var row = new Row(schema) { Kind = (RowKind)random.Next(4) };
        for (var i = 0; i < schema.Count; i++)
        {
            row.SetValue(i, RandomValue(random, schema[i].Type));
        }
        return row;
    }

    private static object? RandomValue(Random random, DataType type)
    {
        if (type.IsNullable && random.Next(5) == 0)
        {
            return null;
        }
        return type.Kind switch
        {
            DataTypeKind.Boolean => random.Next(2) == 1,
            DataTypeKind.Int => random.Next(4) == 0 ? int.MinValue + random.Next(2) : random.Next(int.MinValue, int.MaxValue),
            DataTypeKind.BigInt => random.Next(4) == 0 ? long.MaxValue - random.Next(2) : random.NextInt64(long.MinValue, long.MaxValue),
            DataTypeKind.Float => BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue)),
            DataTypeKind.Double => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
            DataTypeKind.Decimal => RandomDecimalValue(random, type),
            DataTypeKind.Varchar => RandomString(random),
            DataTypeKind.Bytes => RandomBytes(random),
            DataTypeKind.Date => DateOnly.FromDayNumber(random.Next(0, DateOnly.MaxValue.DayNumber + 1)),
            DataTypeKind.Time => new TimeOnly(random.NextInt64(0, TimeSpan.TicksPerDay)),
            DataTypeKind.Timestamp => new DateTime(random.NextInt64(0, DateTime.MaxValue.Ticks + 1)),
            DataTypeKind.TimestampLtz => new DateTimeOffset(random.NextInt64(0, DateTime.MaxValue.Ticks + 1), TimeSpan.Zero),
            DataTypeKind.Row => RandomRow(random, type.Fields!),
            DataTypeKind.Array => RandomList(random, type.ElementType!),
            _ => RandomMap(random, type.KeyType!, type.ValueType!),
        };
    }

    private static decimal RandomDecimalValue(Random random, DataType type)
    {
        // Up to `precision` digits, then scaled: always fits the type.
        var digits = random.Next(0, type.Precision + 1);
        var unscaled = 0m;
        for (var i = 0; i < digits; i++)
        {
            unscaled = (unscaled * 10) + random.Next(10);
        }
        var value = unscaled / Pow10(type.Scale);
        return random.Next(2) == 0 ? -value : value;
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }
        return result;
    }

    private static string RandomString(Random random)
    {
        const string alphabet = "abcXYZ09 é€😀\t'\"";
        var length = random.Next(0, 8);
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var c = alphabet[random.Next(alphabet.Length)];
            if (char.IsSurrogate(c))
            {
                text.Append("😀");
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 6)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static object?[] RandomList(Random random, DataType element)
    {
        var list = new object?[random.Next(0, 4)];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = RandomValue(random, element);
        }
        return list;
    }

    private static KeyValuePair<object, object?>[] RandomMap(Random random, DataType key, DataType value)
    {
        var entries = new KeyValuePair<object, object?>[random.Next(0, 4)];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new KeyValuePair<object, object?>(RandomValue(random, key)!, RandomValue(random, value));
        }
        return entries;
    }
}
