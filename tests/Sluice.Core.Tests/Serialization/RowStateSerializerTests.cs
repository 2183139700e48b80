using Sluice.Schemas;
using Sluice.State.Serialization;
using static Sluice.Core.Tests.Serialization.SerializationTestHelpers;

namespace Sluice.Core.Tests.Serialization;

public sealed class RowStateSerializerTests
{
    private static readonly Schema s_all = Schema.Parse(
        "b BOOLEAN, i INT, l BIGINT, f FLOAT, d DOUBLE, m DECIMAL(6, 2), s STRING, y BYTES, dt DATE, t TIME(3), ts TIMESTAMP(3), " +
        "ltz TIMESTAMP_LTZ(6), r ROW<x INT>, a ARRAY<INT>, mp MAP<STRING, INT>, n INT");

    private static byte[] WriteRow(RowStateSerializer serializer, Row row)
    {
        var writer = new StateWriter(0);
        serializer.Write(writer, row);
        return writer.WrittenSpan.ToArray();
    }

    private static Row ReadRow(RowStateSerializer serializer, byte[] bytes)
    {
        var reader = new StateReader(bytes);
        var row = serializer.Read(reader, 1);
        reader.EnsureAtEnd();
        return row;
    }

    private static Row EveryKind()
    {
        var row = new Row(s_all) { Kind = RowKind.UpdateAfter };
        row.SetBoolean(0, true);
        row.SetInt32(1, -5);
        row.SetInt64(2, 300);
        row.SetSingle(3, 1.5f);
        row.SetDouble(4, -2.25);
        row.SetDecimal(5, 1234.5m);
        row.SetString(6, "héllo");
        row.SetBytes(7, [1, 2, 3]);
        row.SetDate(8, new DateOnly(2000, 1, 1));
        row.SetTime(9, new TimeOnly(0, 0, 1, 500));
        row.SetTimestamp(10, new DateTime(2000, 1, 1));
        row.SetTimestampLtz(11, new DateTimeOffset(2000, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)));
        row.SetRow(12, Row.Of(s_all[12].Type.Fields!, 7));
        row.SetArray(13, [1, null, 3]);
        row.SetMap(14, [new KeyValuePair<object, object?>("k", 1), new KeyValuePair<object, object?>("z", null)]);
        return row;
    }

    // Written by hand from the format on RowStateSerializer; the LEB128 groups were worked out digit by digit.
    private const string EveryKindHex =
        "02" +                          // kind +U
        "00 80" +                       // null bitmap: only field 15 (n) is null
        "01" +                          // b true
        "09" +                          // i -5 → zig-zag 9
        "D8 04" +                       // l 300 → zig-zag 600
        "00 00 C0 3F" +                 // f 1.5f
        "00 00 00 00 00 00 02 C0" +     // d -2.25
        "F4 88 0F 02" +                 // m 1234.50: unscaled 123450, sign 0 → 246900; scale 2
        "06 68 C3 A9 6C 6C 6F" +        // s "héllo": 6 UTF-8 bytes
        "03 01 02 03" +                 // y
        "8E 90 59" +                    // dt: day 730119 → zig-zag 1460238
        "C0 C3 93 07" +                 // t 00:00:01.500 = 15 000 000 ticks
        "80 80 91 BF A4 C0 C8 E0 08" +  // ts 2000-01-01 = 630822816000000000 ticks
        "80 80 91 BF A4 C0 C8 E0 08" +  // ltz: the same instant in UTC
        "00 00 0E" +                    // r: kind +I, no nulls, x 7 → 14
        "03 01 02 00 01 06" +           // a [1, null, 3]
        "02 01 6B 01 02 01 7A 00";      // mp {k=1, z=null}

    [Fact]
    public void Write_RowOfEveryKind_MatchesGoldenBytes()
    {
        var serializer = new RowStateSerializer(s_all);

        ToHex(WriteRow(serializer, EveryKind())).ShouldBe(EveryKindHex.Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_GoldenBytes_EqualsTheRow()
    {
        var serializer = new RowStateSerializer(s_all);

        var row = ReadRow(serializer, Hex(EveryKindHex));

        row.ShouldBe(EveryKind());
        row.GetArray(13).ShouldBe([1, null, 3]);
        row.GetMap(14)![1].Key.ShouldBe("z");
    }

    [Fact]
    public void Write_NegativeDecimalAndWideDecimal_RoundTrip()
    {
        var schema = Schema.Parse("m DECIMAL(28, 0), a ARRAY<DECIMAL(10, 4)>");
        var serializer = new RowStateSerializer(schema);
        var row = Row.Of(schema, -9_999_999_999_999_999_999_999_999_999m, new object?[] { -0.5m, 1.2345m });

        var bytes = WriteRow(serializer, row);
        var back = ReadRow(serializer, bytes);

        back.GetDecimal(0).ShouldBe(-9_999_999_999_999_999_999_999_999_999m);
        back.GetArray(1).ShouldBe([-0.5m, 1.2345m]);
        // -0.5 = unscaled 5, scale 1, sign 1 → (5 << 1) | 1 = 0B, then 01.
        ToHex(bytes).ShouldContain("02010B01");
    }

    [Fact]
    public void FormatId_NamesTheFieldsWithoutComments()
    {
        var schema = new Schema(new Field("id", DataType.BigInt.NotNull(), "the key"), new Field("tags", DataType.Array(DataType.Varchar)));

        new RowStateSerializer(schema).FormatId.ShouldBe("row(id BIGINT NOT NULL, tags ARRAY<VARCHAR>)");
        new RowStateSerializer(schema).Version.ShouldBe(1);
    }

    [Fact]
    public void EnsureReadableBy_CheckpointOfAnotherSchema_ThrowsNamingBothSchemas()
    {
        var written = SerializerDescriptor.Of(new RowStateSerializer(Schema.Parse("id BIGINT, name STRING")));
        var current = SerializerDescriptor.Of(new RowStateSerializer(Schema.Parse("id BIGINT, name STRING, age INT")));

        var ex = Should.Throw<StateFormatException>(() => written.EnsureReadableBy(current, "op/users"));

        ex.Message.ShouldContain("row(id BIGINT, name VARCHAR)");
        ex.Message.ShouldContain("row(id BIGINT, name VARCHAR, age INT)");
    }

    [Fact]
    public void For_Row_ThrowsPointingToForRow()
    {
        var ex = Should.Throw<NotSupportedException>(() => StateSerializers.For<Row>());

        ex.Message.ShouldContain("ForRow");
        Should.Throw<NotSupportedException>(() => StateSerializers.For<List<Row>>()).Message.ShouldContain("schema");
    }

    [Fact]
    public void ForRow_SameSchema_ReturnsTheSameInstance()
    {
        var schema = Schema.Parse("a INT");

        StateSerializers.ForRow(schema).ShouldBeSameAs(StateSerializers.ForRow(schema));
        StateSerializers.ForRow(schema).Schema.ShouldBeSameAs(schema);
    }

    [Fact]
    public void Write_ArrayElementOfWrongType_ThrowsNamingThePathAndWritesNothing()
    {
        var schema = Schema.Parse("id INT, tags ARRAY<INT>");
        var serializer = new RowStateSerializer(schema);
        var writer = new StateWriter(0);
        var row = Row.Of(schema, 1, new object?[] { 1, 2, "three" });

        var ex = Should.Throw<InvalidCastException>(() => serializer.Write(writer, row));

        ex.Message.ShouldContain("'tags[2]'");
        ex.Message.ShouldContain("String");
        writer.Length.ShouldBe(0);
    }

    [Fact]
    public void Write_NestedMismatches_NameTheFullPath()
    {
        var schema = Schema.Parse("r ROW<lines ARRAY<STRING NOT NULL>>, attrs MAP<STRING, ARRAY<BIGINT>>");
        var serializer = new RowStateSerializer(schema);
        var inner = schema[0].Type.Fields!;

        var nullLine = Row.Of(schema, Row.Of(inner, [new object?[] { "a", null }]), null);
        Should.Throw<InvalidCastException>(() => serializer.Write(new StateWriter(0), nullLine)).Message.ShouldContain("'r.lines[1]'");

        var badValue = Row.Of(schema, null, new KeyValuePair<object, object?>[] { new("k", new object?[] { 1L }), new("q", new object?[] { 2 }) });
        Should.Throw<InvalidCastException>(() => serializer.Write(new StateWriter(0), badValue)).Message.ShouldContain("'attrs[1].value[0]'");
    }

    [Fact]
    public void Write_RowOfAnotherSchema_ThrowsArgumentException()
    {
        var serializer = new RowStateSerializer(Schema.Parse("a INT"));

        Should.Throw<ArgumentException>(() => serializer.Write(new StateWriter(0), Row.Of(Schema.Parse("a BIGINT"), 1L)));
    }

    [Theory]
    [InlineData("04 00", "row kind 4")]
    [InlineData("00 02", "beyond")]          // bitmap bit for a second field of a one-field schema
    [InlineData("00 01", "marked null")]     // a NOT NULL field marked null
    [InlineData("00 00", "Truncated")]       // the value is missing
    public void Read_InvalidBytes_ThrowsStateFormatException(string hex, string expected)
    {
        var serializer = new RowStateSerializer(Schema.Parse("a INT NOT NULL"));

        Should.Throw<StateFormatException>(() => ReadRow(serializer, Hex(hex))).Message.ShouldContain(expected);
    }

    [Fact]
    public void Read_DecimalBeyondItsPrecision_ThrowsStateFormatException()
    {
        var serializer = new RowStateSerializer(Schema.Parse("m DECIMAL(3, 0)"));

        // unscaled 1000 → 2000 = D0 0F, scale 0: four digits in a DECIMAL(3, 0).
        Should.Throw<StateFormatException>(() => ReadRow(serializer, Hex("00 00 D0 0F 00"))).Message.ShouldContain("'m'");
    }

    [Fact]
    public void Read_VersionTwo_ThrowsStateFormatException()
    {
        var serializer = new RowStateSerializer(Schema.Parse("a INT"));

        Should.Throw<StateFormatException>(() => serializer.Read(new StateReader(Hex("00 01")), 2)).Message.ShouldContain("version 2");
    }
}
