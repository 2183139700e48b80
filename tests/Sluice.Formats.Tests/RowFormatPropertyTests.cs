using System.Buffers;
using CsCheck;
using Sluice.Schemas;
using static Sluice.Formats.Tests.FormatTestSupport;

namespace Sluice.Formats.Tests;

/// <summary>Round trips over random schemas and rows: json for every type (nested included), csv for flat schemas.</summary>
public class RowFormatPropertyTests
{
    private static readonly Gen<char> s_char = Gen.Char[" ,;|\"'\\\n\r\t#abcxyzé€日"];
    private static readonly Gen<string> s_string = Gen.String[s_char, 0, 10];

    [Fact]
    public void JsonRoundTrip_AnySchemaAndRow_ReadsBackTheSameRow()
    {
        Gen.Select(SchemaAndRow(nested: true), Gen.Bool).Sample(c =>
        {
            var ((schema, row), iso) = c;
            var options = Options((JsonFormat.TimestampFormatStandard, iso ? "ISO-8601" : "SQL"));
            var text = Write(RowFormats.Json.CreateSerializer(schema, options), row);

            Read(RowFormats.Json.CreateDeserializer(schema, options), text).ShouldBe(row, text);
        }, iter: 400, print: c => $"{c.Item1.Item1} {c.Item1.Item2}");
    }

    [Fact]
    public void CsvRoundTrip_AnyFlatSchemaAndRow_ReadsBackTheSameRow()
    {
        Gen.Select(SchemaAndRow(nested: false), Gen.Bool).Sample(c =>
        {
            var ((schema, row), semicolon) = c;
            var options = semicolon ? Options(("csv.field-delimiter", ";"), ("csv.array-element-delimiter", "|")) : null;
            var text = Write(RowFormats.Csv.CreateSerializer(schema, options), row);

            Read(RowFormats.Csv.CreateDeserializer(schema, options), text).ShouldBe(row, text);
        }, iter: 400, print: c => $"{c.Item1.Item1} {c.Item1.Item2}");
    }

    [Fact]
    public void Serialize_PrimitivesIntoReusedBuffer_AllocatesNothing()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var row = PrimitiveRow();
        foreach (var serializer in new[] { RowFormats.Json.CreateSerializer(Primitives), RowFormats.Csv.CreateSerializer(Primitives) })
        {
            for (var i = 0; i < 100; i++)
            {
                buffer.ResetWrittenCount();
                serializer.Serialize(row, buffer);
            }
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                buffer.ResetWrittenCount();
                serializer.Serialize(row, buffer);
            }

            (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0, serializer.GetType().Name);
        }
    }

    private static Gen<(Schema, Row)> SchemaAndRow(bool nested) =>
        Gen.Int[1, 5].SelectMany(n => Type(nested ? 2 : 0, arrays: true).Array[n]).Select(types =>
            new Schema(types.Select((t, i) => new Field(i == 1 ? "we\"ird name" : "f" + i, t))))
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
        Gen.Int[1, 28].SelectMany(p => Gen.Int[0, p].Select(s => DataType.Decimal(p, s))),
        Gen.Const(DataType.Varchar), Gen.Const(DataType.Bytes), Gen.Const(DataType.Date),
        Gen.Int[0, 9].Select(p => DataType.Time(p)), Gen.Int[0, 9].Select(p => DataType.Timestamp(p)), Gen.Int[0, 9].Select(p => DataType.TimestampLtz(p)));

    private static Gen<DataType> Type(int depth, bool arrays)
    {
        var scalar = Gen.Select(Scalar(), Gen.Bool, (t, nullable) => t.WithNullability(nullable));
        if (depth == 0)
        {
            // Flat: scalars, and (for csv) arrays of NOT NULL scalars other than VARCHAR (an
            // element's text may hold the array delimiter, and a lone null element reads back as an empty array).
            return arrays
                ? Gen.Frequency((6, scalar), (1, Scalar().Where(t => t.Kind is not (DataTypeKind.Varchar or DataTypeKind.Bytes)).Select(t => DataType.Array(t.NotNull()))))
                : scalar;
        }
        var inner = Type(depth - 1, arrays: false);
        return Gen.Frequency(
            (5, scalar),
            (1, inner.Array[1, 3].Select(types => DataType.Row(types.Select((t, i) => new Field("n" + i, t)).ToArray()))),
            (1, inner.Select(DataType.Array)),
            (1, Gen.Select(Gen.OneOf(Gen.Const(DataType.Varchar), Gen.Const(DataType.Int), Gen.Const(DataType.BigInt), Gen.Const(DataType.Date)), inner, DataType.Map)));
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
        DataTypeKind.Float => Gen.Frequency((9, Gen.Float[-1e30f, 1e30f]), (1, Gen.Const(float.NaN))).Select(v => (object?)v),
        DataTypeKind.Double => Gen.Frequency((9, Gen.Double[-1e300, 1e300]), (1, Gen.Const(double.PositiveInfinity))).Select(v => (object?)v),
        DataTypeKind.Decimal => Gen.Long[-999_999_999_999_999_999L, 999_999_999_999_999_999L].Select(m => (object?)Fit(m, type)),
        DataTypeKind.Varchar => s_string.Select(v => (object?)v),
        DataTypeKind.Bytes => Gen.Byte.Array[0, 6].Select(v => (object?)v),
        DataTypeKind.Date => Gen.Int[0, 3_652_058].Select(d => (object?)DateOnly.FromDayNumber(d)),
        DataTypeKind.Time => Gen.Long[0, TimeSpan.TicksPerDay - 1].Select(t => (object?)new TimeOnly(Formats.Scalar.TruncateTicks(t, type.Precision))),
        DataTypeKind.Timestamp => Gen.Long[0, DateTime.MaxValue.Ticks].Select(t => (object?)new DateTime(Formats.Scalar.TruncateTicks(t, type.Precision))),
        DataTypeKind.TimestampLtz => Gen.Long[0, DateTime.MaxValue.Ticks].Select(t => (object?)new DateTimeOffset(Formats.Scalar.TruncateTicks(t, type.Precision), TimeSpan.Zero)),
        DataTypeKind.Row => RowOf(type.Fields!).Select(r => (object?)r),
        DataTypeKind.Array => Value(type.ElementType!).List[0, 3].Select(l => (object?)l),
        _ => Gen.Select(NonNull(type.KeyType!), Value(type.ValueType!), (k, v) => new KeyValuePair<object, object?>(k!, v)).List[0, 3].Select(l => (object?)l),
    };

    /// <summary>A decimal of <paramref name="type"/>'s precision and scale built from <paramref name="mantissa"/>'s last digits.</summary>
    private static decimal Fit(long mantissa, DataType type)
    {
        var digits = Math.Min(type.Precision, 18);
        var limit = 1L;
        for (var i = 0; i < digits; i++)
        {
            limit *= 10;
        }
        var value = (decimal)(mantissa % limit);
        for (var i = 0; i < type.Scale; i++)
        {
            value /= 10;
        }
        return value;
    }
}
