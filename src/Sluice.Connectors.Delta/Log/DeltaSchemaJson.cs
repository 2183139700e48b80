using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Log;

/// <summary>
/// Converts between Delta's schema serialization (Spark SQL's JSON schema: <c>{"type":"struct","fields":[…]}</c>) and
/// a Sluice <see cref="Schema"/>. Types: <c>string</c> ↔ VARCHAR, <c>long</c> ↔ BIGINT, <c>integer</c> ↔ INT
/// (<c>short</c> and <c>byte</c> read as INT), <c>float</c>, <c>double</c>, <c>boolean</c>, <c>binary</c> ↔ BYTES,
/// <c>date</c>, <c>decimal(p,s)</c> (p ≤ 28), <c>timestamp</c> ↔ TIMESTAMP_LTZ(6), <c>timestamp_ntz</c> ↔ TIMESTAMP(6),
/// <c>struct</c> ↔ ROW, <c>array</c> ↔ ARRAY, <c>map</c> ↔ MAP. A field's <c>comment</c> metadata is its description.
/// Stateless, thread-safe.
/// </summary>
internal static class DeltaSchemaJson
{
    /// <summary>Reads a <c>schemaString</c>.</summary>
    /// <exception cref="DeltaException">The string is not a struct schema, or a field's type has no Sluice equivalent (naming the field).</exception>
    public static Schema Parse(string schemaString)
    {
        try
        {
            using var document = JsonDocument.Parse(schemaString);
            return ParseStruct(document.RootElement, "");
        }
        catch (JsonException e)
        {
            throw new DeltaException($"The table's schemaString is not valid JSON: {e.Message}", inner: e);
        }
        catch (InvalidOperationException e)
        {
            throw new DeltaException($"The table's schemaString is not a Delta struct schema: {e.Message}", inner: e);
        }
    }

    private static Schema ParseStruct(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object || element.GetProperty("type").GetString() != "struct")
        {
            throw new DeltaException($"The schema{(path.Length == 0 ? "" : $" of field '{path}'")} is not a struct: {element.GetRawText()}");
        }
        var fields = new List<Field>();
        foreach (var field in element.GetProperty("fields").EnumerateArray())
        {
            var name = field.GetProperty("name").GetString()!;
            var fieldPath = path.Length == 0 ? name : path + "." + name;
            var nullable = !field.TryGetProperty("nullable", out var n) || n.ValueKind != JsonValueKind.False;
            var type = ParseType(field.GetProperty("type"), fieldPath).WithNullability(nullable);
            string? comment = null;
            if (field.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("comment", out var c) && c.ValueKind == JsonValueKind.String)
            {
                comment = c.GetString();
            }
            fields.Add(new Field(name, type, comment));
        }
        return new Schema(fields);
    }

    private static DataType ParseType(JsonElement type, string path)
    {
        if (type.ValueKind == JsonValueKind.Object)
        {
            switch (type.GetProperty("type").GetString())
            {
                case "struct":
                    return DataType.Row(ParseStruct(type, path));
                case "array":
                    var containsNull = !type.TryGetProperty("containsNull", out var cn) || cn.ValueKind != JsonValueKind.False;
                    return DataType.Array(ParseType(type.GetProperty("elementType"), path + "[]").WithNullability(containsNull));
                case "map":
                    var valueContainsNull = !type.TryGetProperty("valueContainsNull", out var vn) || vn.ValueKind != JsonValueKind.False;
                    return DataType.Map(
                        ParseType(type.GetProperty("keyType"), path + ".key").NotNull(),
                        ParseType(type.GetProperty("valueType"), path + ".value").WithNullability(valueContainsNull));
                default:
                    throw new DeltaException($"Field '{path}' has type {type.GetRawText()}, which is not a Delta type Sluice reads.");
            }
        }
        var name = type.GetString() ?? "";
        switch (name)
        {
            case "string":
                return DataType.Varchar;
            case "long":
                return DataType.BigInt;
            case "integer" or "short" or "byte":
                return DataType.Int;
            case "float":
                return DataType.Float;
            case "double":
                return DataType.Double;
            case "boolean":
                return DataType.Boolean;
            case "binary":
                return DataType.Bytes;
            case "date":
                return DataType.Date;
            case "timestamp":
                return DataType.TimestampLtz(6);
            case "timestamp_ntz":
                return DataType.Timestamp(6);
        }
        if (name.StartsWith("decimal(", StringComparison.Ordinal) && name.EndsWith(')'))
        {
            var parts = name["decimal(".Length..^1].Split(',');
            if (parts.Length == 2
                && int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var precision)
                && int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var scale))
            {
                if (precision > DataType.MaxDecimalPrecision)
                {
                    throw new DeltaException($"Field '{path}' is {name}, wider than the {DataType.MaxDecimalPrecision} digits Sluice holds in a DECIMAL.");
                }
                return DataType.Decimal(precision, scale);
            }
        }
        throw new DeltaException($"Field '{path}' has type '{name}', which Sluice does not read from Delta tables (supported: string, long, integer, short, byte, float, double, boolean, binary, date, decimal(p,s), timestamp, timestamp_ntz, struct, array, map).");
    }

    /// <summary>Writes <paramref name="schema"/> as a <c>schemaString</c>.</summary>
    /// <exception cref="DeltaException">A field's type has no Delta equivalent (TIME), naming the field.</exception>
    public static string Write(Schema schema)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, DeltaActionJson.WriterOptions))
        {
            WriteStruct(writer, schema, "");
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteStruct(Utf8JsonWriter writer, Schema schema, string path)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "struct");
        writer.WriteStartArray("fields");
        foreach (var field in schema)
        {
            var fieldPath = path.Length == 0 ? field.Name : path + "." + field.Name;
            writer.WriteStartObject();
            writer.WriteString("name", field.Name);
            writer.WritePropertyName("type");
            WriteType(writer, field.Type, fieldPath);
            writer.WriteBoolean("nullable", field.Type.IsNullable);
            writer.WriteStartObject("metadata");
            if (field.Description is not null)
            {
                writer.WriteString("comment", field.Description);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteType(Utf8JsonWriter writer, DataType type, string path)
    {
        switch (type.Kind)
        {
            case DataTypeKind.Row:
                WriteStruct(writer, type.Fields!, path);
                return;
            case DataTypeKind.Array:
                writer.WriteStartObject();
                writer.WriteString("type", "array");
                writer.WritePropertyName("elementType");
                WriteType(writer, type.ElementType!, path + "[]");
                writer.WriteBoolean("containsNull", type.ElementType!.IsNullable);
                writer.WriteEndObject();
                return;
            case DataTypeKind.Map:
                writer.WriteStartObject();
                writer.WriteString("type", "map");
                writer.WritePropertyName("keyType");
                WriteType(writer, type.KeyType!, path + ".key");
                writer.WritePropertyName("valueType");
                WriteType(writer, type.ValueType!, path + ".value");
                writer.WriteBoolean("valueContainsNull", type.ValueType!.IsNullable);
                writer.WriteEndObject();
                return;
        }
        writer.WriteStringValue(PrimitiveName(type, path));
    }

    /// <summary>The Delta name of a scalar type (<c>long</c>, <c>decimal(10,2)</c>, <c>timestamp_ntz</c>…).</summary>
    /// <exception cref="DeltaException">TIME, which Delta has no type for.</exception>
    public static string PrimitiveName(DataType type, string path) => type.Kind switch
    {
        DataTypeKind.Varchar => "string",
        DataTypeKind.BigInt => "long",
        DataTypeKind.Int => "integer",
        DataTypeKind.Float => "float",
        DataTypeKind.Double => "double",
        DataTypeKind.Boolean => "boolean",
        DataTypeKind.Bytes => "binary",
        DataTypeKind.Date => "date",
        DataTypeKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal({type.Precision},{type.Scale})"),
        DataTypeKind.TimestampLtz => "timestamp",
        DataTypeKind.Timestamp => "timestamp_ntz",
        _ => throw new DeltaException($"Column '{path}' is {type}, which has no Delta type; cast it to STRING, BIGINT (microseconds of the day) or TIMESTAMP first."),
    };

    /// <summary>Whether <paramref name="schema"/> has a TIMESTAMP (without time zone) anywhere: the table then needs the <c>timestampNtz</c> feature.</summary>
    public static bool HasTimestampNtz(Schema schema)
    {
        foreach (var field in schema)
        {
            if (HasTimestampNtz(field.Type))
            {
                return true;
            }
        }
        return false;
    }

    private static bool HasTimestampNtz(DataType type) => type.Kind switch
    {
        DataTypeKind.Timestamp => true,
        DataTypeKind.Row => HasTimestampNtz(type.Fields!),
        DataTypeKind.Array => HasTimestampNtz(type.ElementType!),
        DataTypeKind.Map => HasTimestampNtz(type.KeyType!) || HasTimestampNtz(type.ValueType!),
        _ => false,
    };
}
