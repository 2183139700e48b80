using Sluice.Schemas;
using static Sluice.Formats.Tests.FormatTestSupport;

namespace Sluice.Formats.Tests;

public class JsonFormatGoldenTests
{
    private const string PrimitivesJson =
        """{"b":true,"i":42,"l":-9000000000,"f":1.5,"d":0.25,"m":12.30,"s":"héllo","y":"AQID","dt":"2024-02-29","t":"13:14:15.12","ts":"2020-12-30 12:13:14.123","ltz":"2020-12-30 12:13:14Z"}""";

    [Fact]
    public void Serialize_Primitives_WritesFlinkSqlText()
    {
        var text = Write(RowFormats.Json.CreateSerializer(Primitives), PrimitiveRow());

        text.ShouldBe(PrimitivesJson);
    }

    [Fact]
    public void Deserialize_Primitives_ReadsEveryType()
    {
        var row = Read(RowFormats.Json.CreateDeserializer(Primitives), PrimitivesJson);

        row.ShouldBe(PrimitiveRow());
        row.Kind.ShouldBe(RowKind.Insert);
    }

    [Fact]
    public void Serialize_Iso8601Standard_WritesTSeparatorAndZ()
    {
        var schema = Schema.Parse("ts TIMESTAMP(6), ltz TIMESTAMP_LTZ(0)");
        var serializer = RowFormats.Json.CreateSerializer(schema, Options((JsonFormat.TimestampFormatStandard, "ISO-8601")));

        var text = Write(serializer, Row.Of(schema, new DateTime(2020, 1, 2, 3, 4, 5).AddTicks(1230), new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(2))));

        text.ShouldBe("""{"ts":"2020-01-02T03:04:05.000123","ltz":"2020-01-02T01:04:05Z"}""");
    }

    [Fact]
    public void Deserialize_Iso8601Standard_ReadsTSeparatorAndZ()
    {
        var schema = Schema.Parse("ts TIMESTAMP(6), ltz TIMESTAMP_LTZ(3)");
        var deserializer = RowFormats.Json.CreateDeserializer(schema, Options((JsonFormat.TimestampFormatStandard, "iso-8601")));

        var row = Read(deserializer, """{"ts":"2020-01-02T03:04:05.000123","ltz":"2020-01-02T01:04:05.5Z"}""");

        row.GetTimestamp(0).ShouldBe(new DateTime(2020, 1, 2, 3, 4, 5).AddTicks(1230));
        row.GetTimestampLtz(1).ShouldBe(new DateTimeOffset(2020, 1, 2, 1, 4, 5, 500, TimeSpan.Zero));
    }

    [Fact]
    public void Serialize_NestedRowArrayMapAndNulls_WritesObjectsAndArrays()
    {
        var schema = Schema.Parse("id BIGINT NOT NULL, address ROW<zip STRING, city STRING>, tags ARRAY<INT>, attrs MAP<STRING, DOUBLE>, counts MAP<INT, ARRAY<STRING>>, note STRING");
        var address = Row.Of(schema[1].Type.Fields!, "75001", null);
        var row = Row.Of(schema, 7L, address, new List<object?> { 1, null, 3 },
            new List<KeyValuePair<object, object?>> { new("w", 1.25), new("h", null) },
            new List<KeyValuePair<object, object?>> { new(5, new List<object?> { "a" }) }, null);

        var text = Write(RowFormats.Json.CreateSerializer(schema), row);

        text.ShouldBe("""{"id":7,"address":{"zip":"75001","city":null},"tags":[1,null,3],"attrs":{"w":1.25,"h":null},"counts":{"5":["a"]},"note":null}""");
    }

    [Fact]
    public void Deserialize_NestedRowArrayMap_ReadsThem()
    {
        var schema = Schema.Parse("id BIGINT NOT NULL, address ROW<zip STRING, city STRING>, tags ARRAY<INT>, attrs MAP<STRING, DOUBLE>, counts MAP<INT, ARRAY<STRING>>");

        var row = Read(RowFormats.Json.CreateDeserializer(schema),
            """{"counts":{"5":["a"]},"id":7,"address":{"zip":"75001"},"tags":[1,null,3],"attrs":{"w":1.25,"h":null}}""");

        row.ShouldBe(Row.Of(schema, 7L, Row.Of(schema[1].Type.Fields!, "75001", null), new List<object?> { 1, null, 3 },
            new List<KeyValuePair<object, object?>> { new("w", 1.25), new("h", null) },
            new List<KeyValuePair<object, object?>> { new(5, new List<object?> { "a" }) }));
    }

    [Fact]
    public void Deserialize_UnknownFieldsAndMissingNullableFields_IgnoresAndNulls()
    {
        var schema = Schema.Parse("id INT, name STRING");

        var row = Read(RowFormats.Json.CreateDeserializer(schema), """{"extra":{"deep":[1,2]},"id":3}""");

        row.ShouldBe(Row.Of(schema, 3, null));
    }

    [Fact]
    public void Deserialize_FieldNamesDifferingInCase_DoNotMatch()
    {
        var schema = Schema.Parse("id INT");

        var row = Read(RowFormats.Json.CreateDeserializer(schema), """{"ID":3}""");

        row.IsNull(0).ShouldBeTrue();
    }

    [Fact]
    public void Deserialize_NumbersAndBooleansAsStrings_AcceptsThemAsFlinkDoes()
    {
        var schema = Schema.Parse("i INT, b BOOLEAN, m DECIMAL(5, 1), s STRING");

        var row = Read(RowFormats.Json.CreateDeserializer(schema), """{"i":"42","b":"TRUE","m":"1.25","s":17}""");

        row.ShouldBe(Row.Of(schema, 42, true, 1.3m, "17"));
    }

    [Fact]
    public void Serialize_NonFiniteDoubles_WritesThemAsStrings()
    {
        var schema = Schema.Parse("a DOUBLE, b FLOAT, c DOUBLE");

        var text = Write(RowFormats.Json.CreateSerializer(schema), Row.Of(schema, double.NaN, float.PositiveInfinity, double.NegativeInfinity));

        text.ShouldBe("""{"a":"NaN","b":"Infinity","c":"-Infinity"}""");
    }

    [Fact]
    public void Deserialize_NonFiniteDoublesAsStrings_ReadsThem()
    {
        var schema = Schema.Parse("a DOUBLE, b FLOAT");

        var row = Read(RowFormats.Json.CreateDeserializer(schema), """{"a":"NaN","b":"-Infinity"}""");

        double.IsNaN(row.GetDouble(0)).ShouldBeTrue();
        row.GetSingle(1).ShouldBe(float.NegativeInfinity);
    }

    [Fact]
    public void Serialize_EscapedText_EscapesQuotesAndControlCharactersOnly()
    {
        var schema = Schema.Parse("s STRING");

        var text = Write(RowFormats.Json.CreateSerializer(schema), Row.Of(schema, "a\"b\\c\nd<é>"));

        text.ShouldBe("""{"s":"a\"b\\c\nd<é>"}""");
    }

    [Fact]
    public void Serialize_MapNullKeyModes_DropLiteralOrFail()
    {
        var schema = Schema.Parse("m MAP<STRING, INT>");
        var row = Row.Of(schema, new List<KeyValuePair<object, object?>> { new(null!, 1), new("k", 2) });

        Write(RowFormats.Json.CreateSerializer(schema, Options((JsonFormat.MapNullKeyMode, "DROP"))), row).ShouldBe("""{"m":{"k":2}}""");
        Write(RowFormats.Json.CreateSerializer(schema, Options((JsonFormat.MapNullKeyMode, "LITERAL"), (JsonFormat.MapNullKeyLiteral, "N/A"))), row)
            .ShouldBe("""{"m":{"N/A":1,"k":2}}""");
        var e = Should.Throw<FormatException>(() => Write(RowFormats.Json.CreateSerializer(schema), row));
        e.Message.ShouldBe("Field 'm' holds a map entry with a null key, which JSON cannot encode; set 'json.map-null-key.mode' to 'DROP' or 'LITERAL' to write such maps.");
    }

    [Fact]
    public void Serialize_TimeWithoutFraction_WritesWholeSeconds()
    {
        var schema = Schema.Parse("t TIME(0), ts TIMESTAMP(9)");

        var text = Write(RowFormats.Json.CreateSerializer(schema), Row.Of(schema, new TimeOnly(0, 0, 1), new DateTime(1, 1, 1).AddTicks(1)));

        text.ShouldBe("""{"t":"00:00:01","ts":"0001-01-01 00:00:00.0000001"}""");
    }
}
