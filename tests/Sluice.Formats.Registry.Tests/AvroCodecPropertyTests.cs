using CsCheck;
using Sluice.Formats.Registry.Avro;
using Sluice.Schemas;

namespace Sluice.Formats.Registry.Tests;

/// <summary>
/// The codec against Apache.Avro's generic writer over random schemas and rows: Sluice's encoder writes the same bytes,
/// and Sluice's decoder reads Apache.Avro's bytes back into the same row.
/// </summary>
public class AvroCodecPropertyTests
{
    private static readonly Gen<string> s_string = Gen.String[Gen.Char["abcxyz \"\\é€日ß"], 0, 8];

    [Fact]
    public void Encode_AnySchemaAndRow_WritesTheBytesApacheAvroWrites()
    {
        SchemaAndRow().Sample(c =>
        {
            var (schema, row) = c;
            var avro = AvroSchemaMapping.ToAvro(schema, "avro-confluent");

            AvroCodec.Encode(schema, avro, row).ShouldBe(AvroReference.Write(avro, row));
        }, iter: 300, print: c => $"{c.Item1} {c.Item2}");
    }

    [Fact]
    public void Decode_BytesApacheAvroWrote_ReadsTheSameRow()
    {
        SchemaAndRow().Sample(c =>
        {
            var (schema, row) = c;
            var avro = AvroSchemaMapping.ToAvro(schema, "avro-confluent");

            AvroCodec.Decode(avro, schema, AvroReference.Write(avro, row)).ShouldBe(row);
        }, iter: 300, print: c => $"{c.Item1} {c.Item2}");
    }

    private static Gen<(Schema, Row)> SchemaAndRow() =>
        Gen.Int[1, 6].SelectMany(n => Type(2).Array[n]).Select(types =>
            new Schema(types.Select((t, i) => new Field("f" + i, t))))
        .SelectMany(schema => RowOf(schema).Select(row => (schema, row)));

    private static Gen<Row> RowOf(Schema schema)
    {
        var values = Gen.Const(new List<object?>());
        foreach (var field in schema)
        {
            var value = Value(field.Type);
            values = values.SelectMany(list => value.Select(v => new List<object?>(list) { v }));
        }
        return values.Select(list => Row.Of(schema, [.. list]));
    }

    private static Gen<DataType> Scalar() => Gen.OneOf(
        Gen.Const(DataType.Boolean), Gen.Const(DataType.Int), Gen.Const(DataType.BigInt), Gen.Const(DataType.Float), Gen.Const(DataType.Double),
        Gen.Int[1, 28].SelectMany(p => Gen.Int[0, Math.Min(p, 18)].Select(s => DataType.Decimal(p, s))),
        Gen.Const(DataType.Varchar), Gen.Const(DataType.Bytes), Gen.Const(DataType.Date),
        Gen.OneOf(Gen.Const(3), Gen.Const(6)).Select(p => DataType.TimestampLtz(p)));

    private static Gen<DataType> Type(int depth)
    {
        var scalar = Gen.Select(Scalar(), Gen.Bool, (t, nullable) => t.WithNullability(nullable));
        if (depth == 0)
        {
            return scalar;
        }
        var inner = Type(depth - 1);
        return Gen.Frequency(
            (5, scalar),
            (1, Gen.Select(inner.Array[1, 3], Gen.Bool, (types, nullable) => DataType.Row(types.Select((t, i) => new Field("n" + i, t)).ToArray()).WithNullability(nullable))),
            (1, Gen.Select(inner, Gen.Bool, (t, nullable) => DataType.Array(t).WithNullability(nullable))),
            (1, Gen.Select(inner, Gen.Bool, (t, nullable) => DataType.Map(DataType.Varchar.NotNull(), t).WithNullability(nullable))));
    }

    private static Gen<object?> Value(DataType type)
    {
        var value = NonNull(type);
        return type.IsNullable ? Gen.Frequency((1, Gen.Const((object?)null)), (5, value)) : value;
    }

    private static Gen<object?> NonNull(DataType type) => type.Kind switch
    {
        DataTypeKind.Boolean => Gen.Bool.Select(v => (object?)v),
        DataTypeKind.Int => Gen.Int.Select(v => (object?)v),
        DataTypeKind.BigInt => Gen.Long.Select(v => (object?)v),
        DataTypeKind.Float => Gen.Float.Select(v => (object?)v),
        DataTypeKind.Double => Gen.Double.Select(v => (object?)v),
        DataTypeKind.Decimal => Gen.Long[-999_999_999_999_999_999L, 999_999_999_999_999_999L].Select(m => (object?)Fit(m, type)),
        DataTypeKind.Varchar => s_string.Select(v => (object?)v),
        DataTypeKind.Bytes => Gen.Byte.Array[0, 6].Select(v => (object?)v),
        DataTypeKind.Date => Gen.Int[-30_000, 60_000].Select(d => (object?)new DateOnly(1970, 1, 1).AddDays(d)),
        DataTypeKind.TimestampLtz => Gen.Long[-2_000_000_000_000_000L, 4_000_000_000_000_000L]
            .Select(micros => (object?)DateTimeOffset.UnixEpoch.AddTicks((type.Precision == 3 ? micros / 1000 * 1000 : micros) * 10)),
        DataTypeKind.Row => RowOf(type.Fields!).Select(r => (object?)r),
        DataTypeKind.Array => Value(type.ElementType!).List[0, 3].Select(l => (object?)l.ToArray()),
        _ => Gen.Select(s_string, Value(type.ValueType!), (k, v) => new KeyValuePair<object, object?>(k, v)).List[0, 3]
            .Select(l => (object?)l.DistinctBy(static e => e.Key).ToArray()),
    };

    private static decimal Fit(long mantissa, DataType type)
    {
        var digits = Math.Min(type.Precision, 18);
        var limit = 1L;
        for (var i = 0; i < digits; i++)
        {
            limit *= 10;
        }
        // The unscaled value at exactly the type's scale, as a decimal nested in an array or map keeps it.
        var unscaled = (ulong)Math.Abs(mantissa % limit);
        return new decimal((int)(uint)unscaled, (int)(uint)(unscaled >> 32), 0, mantissa < 0, (byte)type.Scale);
    }
}
