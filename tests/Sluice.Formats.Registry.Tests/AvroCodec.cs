using System.Buffers;
using Sluice.Formats.Registry.Avro;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Tests;

/// <summary>The codec under test, driven directly with schemas (no registry).</summary>
internal static class AvroCodec
{
    public static byte[] Encode(Schema schema, AvroSchema writer, Row row)
    {
        var plan = AvroRowEncoder.Compile(schema, writer, "avro-confluent");
        var buffer = new ArrayBufferWriter<byte>();
        var avro = new AvroWriter(buffer);
        AvroRowEncoder.Encode(ref avro, row, plan);
        avro.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static Row Decode(AvroSchema writer, Schema reader, byte[] body, AvroSchema? readerAvro = null) =>
        AvroRowDecoder.Decode(body, AvroReadPlans.Compile(writer, reader, readerAvro ?? AvroSchemaMapping.ToAvro(reader, "avro-confluent")));
}
