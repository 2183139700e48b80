using Avro;
using Avro.Generic;
using Avro.IO;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Tests;

/// <summary>
/// Apache.Avro's generic reader and writer as the reference the codec is checked against, and the test's own
/// conversion of Sluice values into Apache.Avro's generic values (not the code under test).
/// </summary>
internal static class AvroReference
{
    /// <summary>The body Apache.Avro's <see cref="GenericDatumWriter{T}"/> writes for <paramref name="row"/> as a record of <paramref name="schema"/>.</summary>
    public static byte[] Write(AvroSchema schema, Row row)
    {
        using var stream = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(schema).Write(Record((RecordSchema)schema, row), new BinaryEncoder(stream));
        return stream.ToArray();
    }

    /// <summary>The body Apache.Avro writes for a generic record.</summary>
    public static byte[] Write(AvroSchema schema, GenericRecord record)
    {
        using var stream = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(schema).Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    /// <summary>Apache.Avro's reading of <paramref name="body"/> (written with <paramref name="writer"/>) as <paramref name="reader"/>.</summary>
    public static GenericRecord Read(AvroSchema writer, AvroSchema reader, byte[] body) =>
        new GenericDatumReader<GenericRecord>(writer, reader).Read(null!, new BinaryDecoder(new MemoryStream(body)));

    public static GenericRecord Record(RecordSchema schema, Row row)
    {
        var record = new GenericRecord(schema);
        for (var i = 0; i < row.FieldCount; i++)
        {
            var field = schema.Fields[i];
            record.Add(field.Name, Value(row.GetValue(i), row.Schema[i].Type, field.Schema));
        }
        return record;
    }

    private static object? Value(object? value, DataType type, AvroSchema schema)
    {
        if (value is null)
        {
            return null;
        }
        if (schema is UnionSchema union)
        {
            schema = union.Schemas.First(static s => s.Tag != AvroSchema.Type.Null);
        }
        return type.Kind switch
        {
            DataTypeKind.Date => ((DateOnly)value).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            DataTypeKind.TimestampLtz => ((DateTimeOffset)value).UtcDateTime,
            DataTypeKind.Decimal => new AvroDecimal((decimal)value),
            DataTypeKind.Row => Record((RecordSchema)schema, (Row)value),
            DataTypeKind.Array => ((IReadOnlyList<object?>)value).Select(v => Value(v, type.ElementType!, ((ArraySchema)schema).ItemSchema)).ToArray(),
            DataTypeKind.Map => ((IReadOnlyList<KeyValuePair<object, object?>>)value)
                .ToDictionary(static e => (string)e.Key, e => Value(e.Value, type.ValueType!, ((MapSchema)schema).ValueSchema)),
            _ => value,
        };
    }
}
