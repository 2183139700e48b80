using System.Text;
using System.Text.Json;
using Sluice.Schemas;

namespace Sluice.Formats.Registry.Internal;

/// <summary>
/// The JSON Schema (draft 7) of a table's rows as the <c>json</c> format writes them: an object whose properties are
/// the columns, NOT NULL columns required, nullable ones also admitting null. Stateless.
/// </summary>
internal static class JsonSchemaMapping
{
    /// <summary>The JSON Schema text of rows of <paramref name="schema"/>.</summary>
    public static string ToJsonSchema(Schema schema)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("$schema", "http://json-schema.org/draft-07/schema#");
            json.WriteString("title", "record");
            WriteObjectBody(json, schema);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteObjectBody(Utf8JsonWriter json, Schema schema)
    {
        json.WriteString("type", "object");
        json.WritePropertyName("properties");
        json.WriteStartObject();
        foreach (var field in schema)
        {
            json.WritePropertyName(field.Name);
            WriteType(json, field.Type);
        }
        json.WriteEndObject();
        json.WritePropertyName("required");
        json.WriteStartArray();
        foreach (var field in schema)
        {
            if (!field.Type.IsNullable)
            {
                json.WriteStringValue(field.Name);
            }
        }
        json.WriteEndArray();
    }

    private static void WriteType(Utf8JsonWriter json, DataType type)
    {
        if (type.IsNullable)
        {
            json.WriteStartObject();
            json.WritePropertyName("oneOf");
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("type", "null");
            json.WriteEndObject();
            WriteType(json, type.NotNull());
            json.WriteEndArray();
            json.WriteEndObject();
            return;
        }
        json.WriteStartObject();
        switch (type.Kind)
        {
            case DataTypeKind.Boolean:
                json.WriteString("type", "boolean");
                break;
            case DataTypeKind.Int or DataTypeKind.BigInt:
                json.WriteString("type", "integer");
                break;
            case DataTypeKind.Float or DataTypeKind.Double or DataTypeKind.Decimal:
                json.WriteString("type", "number");
                break;
            case DataTypeKind.Date:
                json.WriteString("type", "string");
                json.WriteString("format", "date");
                break;
            case DataTypeKind.Row:
                WriteObjectBody(json, type.Fields!);
                break;
            case DataTypeKind.Array:
                json.WriteString("type", "array");
                json.WritePropertyName("items");
                WriteType(json, type.ElementType!);
                break;
            case DataTypeKind.Map:
                json.WriteString("type", "object");
                json.WritePropertyName("additionalProperties");
                WriteType(json, type.ValueType!);
                break;
            default:
                // VARCHAR, BYTES (base64), TIME, TIMESTAMP and TIMESTAMP_LTZ are strings in the json format.
                json.WriteString("type", "string");
                break;
        }
        json.WriteEndObject();
    }
}
