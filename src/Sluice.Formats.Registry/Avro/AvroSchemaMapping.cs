using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Configuration;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Avro;

/// <summary>
/// The mapping between Sluice types and Avro schemas, both ways (the table in docs/formats.md, "avro-confluent"):
/// a table's schema becomes the Avro record a serializer registers and the reader schema a deserializer resolves
/// against; a writer's Avro record becomes a Sluice schema under <c>schema-evolution = follow</c>. Stateless.
/// </summary>
internal static class AvroSchemaMapping
{
    /// <summary>The full name of the top-level record Sluice generates (Flink's is <c>org.apache.flink.avro.generated.record</c>).</summary>
    public const string RecordName = "record";

    /// <summary>The namespace of generated records.</summary>
    public const string Namespace = "sluice.avro.generated";

    /// <summary>
    /// The Avro record schema of rows of <paramref name="schema"/>: a nullable column is <c>["null", T]</c> with default
    /// null, a NOT NULL one is <c>T</c>; nested rows are records named after their path.
    /// </summary>
    /// <exception cref="ConfigOptionsException">A column has a type Avro cannot represent (a MAP whose key is not VARCHAR).</exception>
    public static AvroSchema ToAvro(Schema schema, string format) => AvroSchema.Parse(ToAvroJson(schema, format));

    /// <summary>The JSON text of <see cref="ToAvro"/>: what a serializer registers (pinned by a golden test).</summary>
    /// <exception cref="ConfigOptionsException">A column has a type Avro cannot represent.</exception>
    public static string ToAvroJson(Schema schema, string format)
    {
        ArgumentNullException.ThrowIfNull(schema);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteRecord(json, schema, RecordName, Namespace, format, "");
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteRecord(Utf8JsonWriter json, Schema schema, string name, string? ns, string format, string path)
    {
        json.WriteStartObject();
        json.WriteString("type", "record");
        json.WriteString("name", name);
        if (ns is not null)
        {
            json.WriteString("namespace", ns);
        }
        json.WritePropertyName("fields");
        json.WriteStartArray();
        foreach (var field in schema)
        {
            var fieldPath = path.Length == 0 ? field.Name : path + "." + field.Name;
            json.WriteStartObject();
            json.WriteString("name", field.Name);
            json.WritePropertyName("type");
            WriteType(json, field.Type, name + "_" + field.Name, format, fieldPath);
            if (field.Type.IsNullable)
            {
                json.WriteNull("default");
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteType(Utf8JsonWriter json, DataType type, string recordName, string format, string path)
    {
        if (type.IsNullable)
        {
            json.WriteStartArray();
            json.WriteStringValue("null");
            WriteNotNull(json, type, recordName, format, path);
            json.WriteEndArray();
            return;
        }
        WriteNotNull(json, type, recordName, format, path);
    }

    private static void WriteNotNull(Utf8JsonWriter json, DataType type, string recordName, string format, string path)
    {
        switch (type.Kind)
        {
            case DataTypeKind.Boolean:
                json.WriteStringValue("boolean");
                break;
            case DataTypeKind.Int:
                json.WriteStringValue("int");
                break;
            case DataTypeKind.BigInt:
                json.WriteStringValue("long");
                break;
            case DataTypeKind.Float:
                json.WriteStringValue("float");
                break;
            case DataTypeKind.Double:
                json.WriteStringValue("double");
                break;
            case DataTypeKind.Varchar:
                json.WriteStringValue("string");
                break;
            case DataTypeKind.Bytes:
                json.WriteStringValue("bytes");
                break;
            case DataTypeKind.Decimal:
                json.WriteStartObject();
                json.WriteString("type", "bytes");
                json.WriteString("logicalType", "decimal");
                json.WriteNumber("precision", type.Precision);
                json.WriteNumber("scale", type.Scale);
                json.WriteEndObject();
                break;
            case DataTypeKind.Date:
                Logical(json, "int", "date");
                break;
            case DataTypeKind.Time:
                Logical(json, type.Precision <= 3 ? "int" : "long", type.Precision <= 3 ? "time-millis" : "time-micros");
                break;
            case DataTypeKind.Timestamp:
                Logical(json, "long", type.Precision <= 3 ? "local-timestamp-millis" : "local-timestamp-micros");
                break;
            case DataTypeKind.TimestampLtz:
                Logical(json, "long", type.Precision <= 3 ? "timestamp-millis" : "timestamp-micros");
                break;
            case DataTypeKind.Row:
                WriteRecord(json, type.Fields!, recordName, null, format, path);
                break;
            case DataTypeKind.Array:
                json.WriteStartObject();
                json.WriteString("type", "array");
                json.WritePropertyName("items");
                WriteType(json, type.ElementType!, recordName, format, path + "[]");
                json.WriteEndObject();
                break;
            case DataTypeKind.Map:
                if (type.KeyType!.Kind != DataTypeKind.Varchar)
                {
                    throw new ConfigOptionsException(
                        $"Format '{format}' cannot encode column '{path}' of type {type}: Avro map keys are strings, so declare the key as STRING.", format, null);
                }
                json.WriteStartObject();
                json.WriteString("type", "map");
                json.WritePropertyName("values");
                WriteType(json, type.ValueType!, recordName, format, path + "[]");
                json.WriteEndObject();
                break;
            default:
                throw new ConfigOptionsException($"Format '{format}' cannot encode column '{path}' of type {type}.", format, null);
        }
    }

    private static void Logical(Utf8JsonWriter json, string baseType, string logicalType)
    {
        json.WriteStartObject();
        json.WriteString("type", baseType);
        json.WriteString("logicalType", logicalType);
        json.WriteEndObject();
    }

    /// <summary>
    /// The Sluice type of an Avro schema: <c>["null", T]</c> is nullable T, any other type NOT NULL; records are ROW,
    /// enums and uuid VARCHAR, fixed BYTES (or DECIMAL), maps MAP&lt;VARCHAR, V&gt;.
    /// </summary>
    /// <exception cref="NotSupportedException">A union of several non-null types, which no Sluice type holds; the message names the path.</exception>
    public static DataType ToSluice(AvroSchema schema, string path)
    {
        if (schema is global::Avro.UnionSchema union)
        {
            AvroSchema? single = null;
            var hasNull = false;
            foreach (var branch in union.Schemas)
            {
                if (branch.Tag == AvroSchema.Type.Null)
                {
                    hasNull = true;
                }
                else if (single is null)
                {
                    single = branch;
                }
                else
                {
                    throw new NotSupportedException($"Field '{path}' is a union of several types ({union}); Sluice reads a union only as a nullable type [\"null\", T].");
                }
            }
            return single is null
                ? throw new NotSupportedException($"Field '{path}' is always null; Sluice has no type for it.")
                : ToSluice(single, path).WithNullability(hasNull);
        }
        return (schema switch
        {
            global::Avro.LogicalSchema logical => Logical(logical, path),
            global::Avro.RecordSchema record => DataType.Row(ToSluiceSchema(record, path)),
            global::Avro.ArraySchema array => DataType.Array(ToSluice(array.ItemSchema, path + "[]")),
            global::Avro.MapSchema map => DataType.Map(DataType.Varchar.NotNull(), ToSluice(map.ValueSchema, path + "[]")),
            _ => schema.Tag switch
            {
                AvroSchema.Type.Boolean => DataType.Boolean,
                AvroSchema.Type.Int => DataType.Int,
                AvroSchema.Type.Long => DataType.BigInt,
                AvroSchema.Type.Float => DataType.Float,
                AvroSchema.Type.Double => DataType.Double,
                AvroSchema.Type.String or AvroSchema.Type.Enumeration => DataType.Varchar,
                AvroSchema.Type.Bytes or AvroSchema.Type.Fixed => DataType.Bytes,
                _ => throw new NotSupportedException($"Field '{path}' has Avro type {schema.Tag}, which Sluice does not read."),
            },
        }).NotNull();
    }

    /// <summary>The Sluice schema of an Avro record's fields (see <see cref="ToSluice"/>).</summary>
    public static Schema ToSluiceSchema(global::Avro.RecordSchema record, string path)
    {
        var fields = new Field[record.Fields.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            var field = record.Fields[i];
            fields[i] = new Field(field.Name, ToSluice(field.Schema, path.Length == 0 ? field.Name : path + "." + field.Name));
        }
        return new Schema(fields);
    }

    private static DataType Logical(global::Avro.LogicalSchema logical, string path) => logical.LogicalTypeName switch
    {
        "decimal" => DataType.Decimal(
            Math.Min(DecimalProperty(logical, "precision") ?? DataType.MaxDecimalPrecision, DataType.MaxDecimalPrecision),
            Math.Min(DecimalProperty(logical, "scale") ?? 0, DataType.MaxDecimalPrecision)),
        "date" => DataType.Date,
        "time-millis" => DataType.Time(3),
        "time-micros" => DataType.Time(6),
        "timestamp-millis" => DataType.TimestampLtz(3),
        "timestamp-micros" => DataType.TimestampLtz(6),
        "local-timestamp-millis" => DataType.Timestamp(3),
        "local-timestamp-micros" => DataType.Timestamp(6),
        "uuid" => DataType.Varchar,
        _ => ToSluice(logical.BaseSchema, path),
    };

    /// <summary>An integer property of a decimal logical type (<c>precision</c>, <c>scale</c>), or null when absent.</summary>
    public static int? DecimalProperty(AvroSchema schema, string name)
    {
        var text = schema.GetProperty(name);
        return text is not null && int.TryParse(text.Trim('"'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
