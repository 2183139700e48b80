using Avro.Generic;
using Sluice.Formats.Registry.Avro;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Tests;

/// <summary>Reader/writer resolution: records written by Apache.Avro with one schema, read by Sluice's codec into another.</summary>
public class AvroResolutionTests
{
    private static readonly AvroSchema s_v1 = AvroSchema.Parse("""
        {"type":"record","name":"order","fields":[
          {"name":"id","type":"int"},
          {"name":"name","type":"string"}]}
        """);

    private static byte[] V1(int id, string name)
    {
        var record = new GenericRecord((global::Avro.RecordSchema)s_v1);
        record.Add("id", id);
        record.Add("name", name);
        return AvroReference.Write(s_v1, record);
    }

    [Fact]
    public void Decode_V1RecordIntoV2TableWithNullableColumn_FillsNull()
    {
        var v2 = Schema.Parse("id INT NOT NULL, name STRING, email STRING");

        AvroCodec.Decode(s_v1, v2, V1(7, "ada")).ShouldBe(Row.Of(v2, 7, "ada", null));
    }

    [Fact]
    public void Decode_V1RecordIntoV2ReaderSchemaWithDefault_FillsTheDefault()
    {
        var v2 = Schema.Parse("id INT NOT NULL, name STRING, region STRING NOT NULL, score DOUBLE NOT NULL");
        var readerAvro = AvroSchema.Parse("""
            {"type":"record","name":"order","fields":[
              {"name":"id","type":"int"},
              {"name":"name","type":["null","string"],"default":null},
              {"name":"region","type":"string","default":"eu"},
              {"name":"score","type":"double","default":1.5}]}
            """);

        AvroCodec.Decode(s_v1, v2, V1(7, "ada"), readerAvro).ShouldBe(Row.Of(v2, 7, "ada", "eu", 1.5));
    }

    [Fact]
    public void Decode_WriterFieldsTheReaderLacks_AreSkipped()
    {
        var writer = AvroSchema.Parse("""
            {"type":"record","name":"order","fields":[
              {"name":"gone","type":{"type":"record","name":"inner","fields":[{"name":"a","type":"long"},{"name":"b","type":{"type":"array","items":"string"}}]}},
              {"name":"id","type":"int"},
              {"name":"tags","type":{"type":"map","values":["null","double"]}},
              {"name":"pad","type":{"type":"fixed","name":"pad4","size":4}},
              {"name":"color","type":{"type":"enum","name":"color","symbols":["RED","GREEN"]}},
              {"name":"name","type":"string"}]}
            """);
        var record = new GenericRecord((global::Avro.RecordSchema)writer);
        var inner = new GenericRecord((global::Avro.RecordSchema)((global::Avro.RecordSchema)writer).Fields[0].Schema);
        inner.Add("a", 5L);
        inner.Add("b", new object[] { "x", "y" });
        record.Add("gone", inner);
        record.Add("id", 3);
        record.Add("tags", new Dictionary<string, object?> { ["k"] = 2.0, ["n"] = null });
        record.Add("pad", new GenericFixed((global::Avro.FixedSchema)((global::Avro.RecordSchema)writer).Fields[3].Schema, [1, 2, 3, 4]));
        record.Add("color", new GenericEnum((global::Avro.EnumSchema)((global::Avro.RecordSchema)writer).Fields[4].Schema, "GREEN"));
        record.Add("name", "bo");
        var reader = Schema.Parse("id INT, name STRING");

        AvroCodec.Decode(writer, reader, AvroReference.Write(writer, record)).ShouldBe(Row.Of(reader, 3, "bo"));
    }

    [Fact]
    public void Decode_Promotions_WidenAsAvroSays()
    {
        var writer = AvroSchema.Parse("""
            {"type":"record","name":"r","fields":[
              {"name":"a","type":"int"},{"name":"b","type":"int"},{"name":"c","type":"long"},{"name":"d","type":"float"},
              {"name":"e","type":"string"},{"name":"f","type":"bytes"},{"name":"g","type":["null","int"]}]}
            """);
        var record = new GenericRecord((global::Avro.RecordSchema)writer);
        record.Add("a", int.MinValue);
        record.Add("b", 12);
        record.Add("c", 1L << 40);
        record.Add("d", 0.5f);
        record.Add("e", "héllo");
        record.Add("f", "ok"u8.ToArray());
        record.Add("g", 9);
        var reader = Schema.Parse("a BIGINT, b DOUBLE, c DOUBLE, d DOUBLE, e BYTES, f STRING, g BIGINT");

        AvroCodec.Decode(writer, reader, AvroReference.Write(writer, record))
            .ShouldBe(Row.Of(reader, (long)int.MinValue, 12.0, (double)(1L << 40), 0.5, "héllo"u8.ToArray(), "ok", 9L));
    }

    [Fact]
    public void Decode_RenamedFieldMatchedByReaderAlias_ReadsIt()
    {
        var reader = Schema.Parse("id INT NOT NULL, full_name STRING");
        var readerAvro = AvroSchema.Parse("""
            {"type":"record","name":"order","fields":[
              {"name":"id","type":"int"},
              {"name":"full_name","aliases":["name"],"type":["null","string"],"default":null}]}
            """);

        AvroCodec.Decode(s_v1, reader, V1(1, "cy"), readerAvro).ShouldBe(Row.Of(reader, 1, "cy"));
    }

    [Fact]
    public void Decode_EnumFixedAndLogicalTypes_MapToSluiceValues()
    {
        var writer = AvroSchema.Parse("""
            {"type":"record","name":"r","fields":[
              {"name":"color","type":{"type":"enum","name":"color","symbols":["RED","GREEN"]}},
              {"name":"hash","type":{"type":"fixed","name":"h2","size":2}},
              {"name":"day","type":{"type":"int","logicalType":"date"}},
              {"name":"at","type":{"type":"int","logicalType":"time-millis"}},
              {"name":"at_us","type":{"type":"long","logicalType":"time-micros"}},
              {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"local_us","type":{"type":"long","logicalType":"local-timestamp-micros"}},
              {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
              {"name":"debt","type":{"type":"fixed","name":"d8","size":8,"logicalType":"decimal","precision":12,"scale":3}},
              {"name":"uid","type":{"type":"string","logicalType":"uuid"}}]}
            """);
        // Encoded by hand from the Avro specification: enum ordinal 1; fixed 2 bytes; date -1 day; 3 723 004 ms;
        // 1 µs; 1 000 ms; 86 400 000 001 µs; 12.34 is unscaled 1234 = 0x04D2; -1.000 is unscaled -1000 in 8 bytes.
        byte[] body =
        [
            0x02,
            0xAB, 0xCD,
            0x01,
            0xF8, 0xBB, 0xC6, 0x03,
            0x02,
            0xD0, 0x0F,
            0x82, 0x80, 0xBB, 0xDD, 0x83, 0x05,
            0x04, 0x04, 0xD2,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFC, 0x18,
            0x48, .. "0f8fad5b-d9cb-469f-a165-70867728950e"u8,
        ];
        var reader = Schema.Parse(
            "color STRING, hash BYTES, day DATE, at TIME(3), at_us TIME(6), ts TIMESTAMP_LTZ(3), local_us TIMESTAMP(6), price DECIMAL(9, 2), debt DECIMAL(12, 3), uid STRING");

        AvroCodec.Decode(writer, reader, body).ShouldBe(Row.Of(reader,
            "GREEN", new byte[] { 0xAB, 0xCD }, new DateOnly(1969, 12, 31), new TimeOnly(1, 2, 3, 4), new TimeOnly(10),
            DateTimeOffset.UnixEpoch.AddSeconds(1), new DateTime(1970, 1, 2).AddTicks(10), 12.34m, -1.000m, "0f8fad5b-d9cb-469f-a165-70867728950e"));
    }

    [Fact]
    public void Decode_StringWhereTheReaderHasInt_FailsNamingTheField()
    {
        var reader = Schema.Parse("id INT, name INT");

        var e = Should.Throw<AvroDataException>(() => AvroCodec.Decode(s_v1, reader, V1(1, "x")));

        e.FieldPath.ShouldBe("name");
        e.Message.ShouldBe("The writer's string cannot be read as INT.");
    }

    [Fact]
    public void Decode_WriterLacksNotNullReaderFieldWithoutDefault_FailsNamingTheField()
    {
        var reader = Schema.Parse("id INT, name STRING, region STRING NOT NULL");

        var e = Should.Throw<AvroDataException>(() => AvroCodec.Decode(s_v1, reader, V1(1, "x")));

        e.FieldPath.ShouldBe("region");
        e.Message.ShouldBe("The writer schema has no field 'region', and the reader's is NOT NULL without a default.");
    }

    [Fact]
    public void Decode_TruncatedBody_FailsNamingTheField()
    {
        var body = V1(1, "a longer name");

        var e = Should.Throw<AvroDataException>(() => AvroCodec.Decode(s_v1, Schema.Parse("id INT, name STRING"), body[..^3]));

        e.FieldPath.ShouldBe("name");
        e.Message.ShouldStartWith("The Avro body ends at byte 2 in the middle of a value");
    }

    [Fact]
    public void Decode_BytesAfterTheRecord_Fails()
    {
        var e = Should.Throw<AvroDataException>(() => AvroCodec.Decode(s_v1, Schema.Parse("id INT, name STRING"), [.. V1(1, "a"), 0x00]));

        e.Message.ShouldBe("The Avro body has 1 bytes left after the record (the writer schema does not match the data).");
    }

    [Fact]
    public void Decode_NullInNotNullReaderField_FailsNamingTheNestedField()
    {
        var writer = AvroSchema.Parse("""
            {"type":"record","name":"r","fields":[{"name":"a","type":{"type":"record","name":"in","fields":[{"name":"b","type":["null","int"]}]}}]}
            """);
        var reader = Schema.Parse("a ROW<b INT NOT NULL>");

        var e = Should.Throw<AvroDataException>(() => AvroCodec.Decode(writer, reader, [0x00]));

        e.FieldPath.ShouldBe("a.b");
        e.Message.ShouldBe("The writer's value is null, and the reader's field is NOT NULL.");
    }
}
