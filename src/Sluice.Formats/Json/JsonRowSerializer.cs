using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sluice.Schemas;

namespace Sluice.Formats;

/// <summary>
/// The <c>json</c> format's serializer (see <see cref="JsonFormat"/>): writes one JSON object per row through a
/// per-thread <see cref="Utf8JsonWriter"/> straight into the destination; field names are pre-encoded, so a row of
/// primitives allocates nothing. Non-ASCII text is written as is; FLOAT/DOUBLE NaN and infinities are written as the
/// strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> (as Flink's Jackson does). Thread-safe.
/// </summary>
internal sealed class JsonRowSerializer : IRowSerializer
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly ArrayBufferWriter<byte> s_detached = new(1);

    [ThreadStatic]
    private static Utf8JsonWriter? s_writer;

    private readonly RowPlan _plan;
    private readonly TimestampStandard _standard;
    private readonly MapNullKeyHandling _nullKeys;
    private readonly string _nullKeyLiteral;

    public JsonRowSerializer(Schema schema, TimestampStandard standard, MapNullKeyHandling nullKeys, string nullKeyLiteral)
    {
        _plan = new RowPlan(schema);
        _standard = standard;
        _nullKeys = nullKeys;
        _nullKeyLiteral = nullKeyLiteral;
    }

    public Schema Schema => _plan.Schema;

    public bool Serialize(Row row, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(destination);
        var writer = s_writer ??= new Utf8JsonWriter(s_detached, s_writerOptions);
        writer.Reset(destination);
        try
        {
            WriteRow(writer, row, _plan);
            writer.Flush();
        }
        finally
        {
            writer.Reset(s_detached); // do not keep the caller's buffer alive
        }
        return true;
    }

    private void WriteRow(Utf8JsonWriter writer, Row row, RowPlan plan)
    {
        Span<byte> text = stackalloc byte[TemporalText.MaxLength];
        writer.WriteStartObject();
        for (var i = 0; i < plan.Fields.Length; i++)
        {
            writer.WritePropertyName(plan.JsonNames[i]);
            if (row.IsNull(i))
            {
                writer.WriteNullValue();
                continue;
            }
            var field = plan.Fields[i];
            switch (field.Kind)
            {
                case DataTypeKind.Boolean:
                    writer.WriteBooleanValue(row.GetBoolean(i));
                    break;
                case DataTypeKind.Int:
                    writer.WriteNumberValue(row.GetInt32(i));
                    break;
                case DataTypeKind.BigInt:
                    writer.WriteNumberValue(row.GetInt64(i));
                    break;
                case DataTypeKind.Float:
                    WriteFloat(writer, row.GetSingle(i));
                    break;
                case DataTypeKind.Double:
                    WriteDouble(writer, row.GetDouble(i));
                    break;
                case DataTypeKind.Decimal:
                    writer.WriteNumberValue(row.GetDecimal(i));
                    break;
                case DataTypeKind.Varchar:
                    writer.WriteStringValue(row.GetString(i));
                    break;
                case DataTypeKind.Bytes:
                    writer.WriteBase64StringValue(row.GetBytes(i));
                    break;
                case DataTypeKind.Date:
                case DataTypeKind.Time:
                case DataTypeKind.Timestamp:
                case DataTypeKind.TimestampLtz:
                    writer.WriteStringValue(text[..ScalarText.FormatFixed(row, i, field.Kind, _standard, text)]);
                    break;
                case DataTypeKind.Row:
                    WriteRow(writer, row.GetRow(i)!, field.Row!);
                    break;
                default:
                    WriteComposite(writer, row.GetValue(i)!, field, plan.Names[i]);
                    break;
            }
        }
        writer.WriteEndObject();
    }

    private void WriteBoxed(Utf8JsonWriter writer, object? value, TypePlan plan, string path)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }
        switch (plan.Kind)
        {
            case DataTypeKind.Boolean:
                writer.WriteBooleanValue((bool)value);
                break;
            case DataTypeKind.Int:
                writer.WriteNumberValue((int)value);
                break;
            case DataTypeKind.BigInt:
                writer.WriteNumberValue((long)value);
                break;
            case DataTypeKind.Float:
                WriteFloat(writer, (float)value);
                break;
            case DataTypeKind.Double:
                WriteDouble(writer, (double)value);
                break;
            case DataTypeKind.Decimal:
                writer.WriteNumberValue((decimal)value);
                break;
            case DataTypeKind.Varchar:
                writer.WriteStringValue((string)value);
                break;
            case DataTypeKind.Bytes:
                writer.WriteBase64StringValue((byte[])value);
                break;
            case DataTypeKind.Date:
            case DataTypeKind.Time:
            case DataTypeKind.Timestamp:
            case DataTypeKind.TimestampLtz:
                Span<byte> text = stackalloc byte[TemporalText.MaxLength];
                writer.WriteStringValue(text[..ScalarText.FormatFixed(value, plan.Kind, _standard, text)]);
                break;
            case DataTypeKind.Row:
                WriteRow(writer, (Row)value, plan.Row!);
                break;
            default:
                WriteComposite(writer, value, plan, path);
                break;
        }
    }

    private void WriteComposite(Utf8JsonWriter writer, object value, TypePlan plan, string path)
    {
        if (plan.Kind == DataTypeKind.Array)
        {
            var elements = (IReadOnlyList<object?>)value;
            writer.WriteStartArray();
            for (var i = 0; i < elements.Count; i++)
            {
                WriteBoxed(writer, elements[i], plan.Element!, path);
            }
            writer.WriteEndArray();
            return;
        }
        var entries = (IReadOnlyList<KeyValuePair<object, object?>>)value;
        writer.WriteStartObject();
        for (var i = 0; i < entries.Count; i++)
        {
            var key = entries[i].Key;
            if (key is null)
            {
                switch (_nullKeys)
                {
                    case MapNullKeyHandling.Drop:
                        continue;
                    case MapNullKeyHandling.Literal:
                        writer.WritePropertyName(_nullKeyLiteral);
                        break;
                    default:
                        throw new FormatException(
                            $"Field '{path}' holds a map entry with a null key, which JSON cannot encode; set 'json.map-null-key.mode' to 'DROP' or 'LITERAL' to write such maps.");
                }
            }
            else
            {
                WriteKey(writer, key, plan.Element!.Kind);
            }
            WriteBoxed(writer, entries[i].Value, plan.Value!, path);
        }
        writer.WriteEndObject();
    }

    private void WriteKey(Utf8JsonWriter writer, object key, DataTypeKind kind)
    {
        switch (kind)
        {
            case DataTypeKind.Varchar:
                writer.WritePropertyName((string)key);
                break;
            case DataTypeKind.Bytes:
                writer.WritePropertyName(Convert.ToBase64String((byte[])key));
                break;
            case DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map:
                throw new FormatException($"A map key of kind {kind} cannot be written as a JSON object name.");
            default:
                Span<byte> text = stackalloc byte[ScalarText.MaxFixedLength];
                writer.WritePropertyName(text[..ScalarText.FormatFixed(key, kind, _standard, text)]);
                break;
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
