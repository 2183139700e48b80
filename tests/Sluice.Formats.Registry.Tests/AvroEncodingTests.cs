using System.Buffers;
using Sluice.Formats.Registry.Avro;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Tests;

/// <summary>The generated Avro schema and the encoder's bytes, pinned; and the encoder's allocation budget.</summary>
public class AvroEncodingTests
{
    [Fact]
    public void ToAvro_TableSchema_IsThePinnedRecord()
    {
        var schema = Schema.Parse(
            "id BIGINT NOT NULL, name STRING, price DECIMAL(10, 2), day DATE, at TIME(3), ts TIMESTAMP(6), ts_ltz TIMESTAMP_LTZ(3), tags ARRAY<STRING NOT NULL>, attrs MAP<STRING, INT>, address ROW<zip STRING>");

        AvroSchemaMapping.ToAvroJson(schema, "avro-confluent").ShouldBe(
            """{"type":"record","name":"record","namespace":"sluice.avro.generated","fields":[{"name":"id","type":"long"},{"name":"name","type":["null","string"],"default":null},{"name":"price","type":["null",{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}],"default":null},{"name":"day","type":["null",{"type":"int","logicalType":"date"}],"default":null},{"name":"at","type":["null",{"type":"int","logicalType":"time-millis"}],"default":null},{"name":"ts","type":["null",{"type":"long","logicalType":"local-timestamp-micros"}],"default":null},{"name":"ts_ltz","type":["null",{"type":"long","logicalType":"timestamp-millis"}],"default":null},{"name":"tags","type":["null",{"type":"array","items":"string"}],"default":null},{"name":"attrs","type":["null",{"type":"map","values":["null","int"]}],"default":null},{"name":"address","type":["null",{"type":"record","name":"record_address","fields":[{"name":"zip","type":["null","string"],"default":null}]}],"default":null}]}""");
    }

    [Fact]
    public void Encode_Row_WritesThePinnedBytes()
    {
        var schema = Schema.Parse("id BIGINT NOT NULL, name STRING, price DECIMAL(10, 2), ts TIMESTAMP_LTZ(3), note STRING");
        var row = Row.Of(schema, -2L, "ab", -1.5m, DateTimeOffset.UnixEpoch.AddMilliseconds(-1), null);

        Convert.ToHexString(AvroCodec.Encode(schema, AvroSchemaMapping.ToAvro(schema, "avro-confluent"), row))
            .ShouldBe("03" + "02" + "0461" + "62" + "02" + "04FF6A" + "02" + "01" + "00");
    }

    [Fact]
    public void Encode_TimestampsBefore1970_RoundTowardNegativeInfinity()
    {
        var schema = Schema.Parse("t TIMESTAMP(6) NOT NULL");
        var avro = AvroSchema.Parse("""{"type":"record","name":"r","fields":[{"name":"t","type":{"type":"long","logicalType":"local-timestamp-millis"}}]}""");
        var row = Row.Of(schema, new DateTime(1969, 12, 31, 23, 59, 59, 999).AddTicks(5000));

        AvroCodec.Encode(schema, avro, row).ShouldBe([0x01]); // -1 ms
    }

    [Fact]
    public void Encode_NullIntoNotNullAvroField_ThrowsNamingTheField()
    {
        var schema = Schema.Parse("id INT");
        var avro = AvroSchema.Parse("""{"type":"record","name":"r","fields":[{"name":"id","type":"int"}]}""");

        Should.Throw<FormatException>(() => AvroCodec.Encode(schema, avro, Row.Of(schema, [null])))
            .Message.ShouldBe("Field 'id' is null, but the Avro schema's field is not nullable.");
    }

    [Fact]
    public void Encode_TenFieldRowIntoReusedBuffer_AllocatesNothing()
    {
        var schema = Schema.Parse(
            "id BIGINT NOT NULL, user_id INT NOT NULL, name STRING, city STRING, amount DOUBLE NOT NULL, qty INT, active BOOLEAN NOT NULL, note STRING, ts TIMESTAMP_LTZ(3) NOT NULL, score DOUBLE");
        var row = Row.Of(schema, 1L, 2, "ada", "paris", 9.5, null, true, "hello world", DateTimeOffset.UnixEpoch.AddDays(20000), 0.25);
        var plan = AvroRowEncoder.Compile(schema, AvroSchemaMapping.ToAvro(schema, "avro-confluent"), "avro-confluent");
        var buffer = new ArrayBufferWriter<byte>(4096);
        for (var i = 0; i < 100; i++)
        {
            Encode(buffer, row, plan);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Encode(buffer, row, plan);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    private static void Encode(ArrayBufferWriter<byte> buffer, Row row, AvroWritePlan[] plan)
    {
        buffer.ResetWrittenCount();
        var writer = new AvroWriter(buffer);
        AvroRowEncoder.Encode(ref writer, row, plan);
        writer.Flush();
    }
}
