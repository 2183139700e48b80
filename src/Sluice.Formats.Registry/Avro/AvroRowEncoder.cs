using Sluice.Configuration;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Avro;

/// <summary>What one Sluice value is written as: the operation of an <see cref="AvroWritePlan"/> node.</summary>
internal enum AvroWriteOp : byte
{
    Boolean,
    Int,
    IntAsLong,
    Long,
    Float,
    FloatAsDouble,
    Double,
    String,
    Bytes,
    Fixed,
    Decimal,
    DecimalFixed,
    Enum,
    Date,
    TimeMillis,
    TimeMicros,
    TimestampMillis,
    TimestampMicros,
    TimestampLtzMillis,
    TimestampLtzMicros,
    Record,
    Array,
    Map,

    /// <summary>A field of the writer schema the rows lack: write its null branch.</summary>
    AbsentNull,
}

/// <summary>
/// How to write one Sluice value as one Avro value of the writer schema, compiled once per (row schema, writer schema)
/// by <see cref="AvroRowEncoder.Compile"/>. A nullable value in a union carries the indexes of the null branch and of
/// the value's branch. Immutable and thread-safe.
/// </summary>
internal sealed class AvroWritePlan
{
    public required AvroWriteOp Op { get; init; }

    /// <summary>The row field's index (top-level and record fields), or -1 for array elements and map values.</summary>
    public int Source { get; init; } = -1;

    /// <summary>The field's name, for messages.</summary>
    public string Name { get; init; } = "";

    /// <summary>The union branch of null, or -1 when the writer's type is not a union.</summary>
    public int NullBranch { get; init; } = -1;

    /// <summary>The union branch of the value, or -1 when the writer's type is not a union.</summary>
    public int ValueBranch { get; init; } = -1;

    public int Scale { get; init; }

    public int FixedSize { get; init; }

    /// <summary>An enum's symbols, for a string written as an enum.</summary>
    public Dictionary<string, int>? Symbols { get; init; }

    /// <summary>A record's fields, in writer order.</summary>
    public AvroWritePlan[]? Fields { get; init; }

    /// <summary>An array's items or a map's values.</summary>
    public AvroWritePlan? Element { get; init; }
}

/// <summary>
/// Writes rows as Avro binary bodies of a writer record schema: the generated schema of the table
/// (<see cref="AvroSchemaMapping.ToAvro"/>) or one given explicitly (fields by name; a writer field the rows lack must
/// be nullable and is written as null). Stateless and thread-safe; writes straight into the destination.
/// </summary>
internal static class AvroRowEncoder
{
    /// <summary>Compiles the plan writing rows of <paramref name="schema"/> as records of <paramref name="writer"/>.</summary>
    /// <exception cref="ConfigOptionsException">A column cannot be written as the writer's field of that name, or a writer field the rows lack is not nullable.</exception>
    public static AvroWritePlan[] Compile(Schema schema, AvroSchema writer, string format)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return writer is global::Avro.RecordSchema record
            ? Record(schema, record, format, "")
            : throw new ConfigOptionsException($"Format '{format}' writes rows as Avro records, but the schema is a {writer.Tag}.", format, format + ".schema");
    }

    private static AvroWritePlan[] Record(Schema schema, global::Avro.RecordSchema writer, string format, string path)
    {
        var plans = new AvroWritePlan[writer.Fields.Count];
        for (var i = 0; i < plans.Length; i++)
        {
            var field = writer.Fields[i];
            var fieldPath = path.Length == 0 ? field.Name : path + "." + field.Name;
            var source = schema.IndexOf(field.Name);
            if (source < 0)
            {
                var nullBranch = NullBranch(field.Schema);
                plans[i] = nullBranch >= 0
                    ? new AvroWritePlan { Op = AvroWriteOp.AbsentNull, Name = field.Name, NullBranch = nullBranch }
                    : throw new ConfigOptionsException(
                        $"Format '{format}' cannot write field '{fieldPath}' of the Avro schema: the table has no such column, and the field is not nullable.", format, format + ".schema");
                continue;
            }
            plans[i] = Value(schema[source].Type, field.Schema, format, fieldPath, source, field.Name);
        }
        return plans;
    }

    private static AvroWritePlan Value(DataType type, AvroSchema writer, string format, string path, int source, string name)
    {
        var nullBranch = -1;
        var valueBranch = -1;
        var target = writer;
        if (writer is global::Avro.UnionSchema union)
        {
            nullBranch = NullBranch(union);
            for (var b = 0; b < union.Count && valueBranch < 0; b++)
            {
                if (union.Schemas[b].Tag != AvroSchema.Type.Null && Op(type, union.Schemas[b]) is not null)
                {
                    valueBranch = b;
                }
            }
            if (valueBranch < 0)
            {
                throw Unwritable(format, path, type, writer);
            }
            target = union.Schemas[valueBranch];
        }
        else if (type.IsNullable)
        {
            // A nullable column into a non-null field: rows with a null there fail (FormatException naming the field).
        }
        var op = Op(type, target) ?? throw Unwritable(format, path, type, writer);
        var baseSchema = target is global::Avro.LogicalSchema logical ? logical.BaseSchema : target;
        return new AvroWritePlan
        {
            Op = op,
            Source = source,
            Name = name,
            NullBranch = nullBranch,
            ValueBranch = valueBranch,
            Scale = op is AvroWriteOp.Decimal or AvroWriteOp.DecimalFixed ? AvroSchemaMapping.DecimalProperty(target, "scale") ?? 0 : 0,
            FixedSize = baseSchema is global::Avro.FixedSchema fixedSchema ? fixedSchema.Size : 0,
            Symbols = baseSchema is global::Avro.EnumSchema enumSchema ? enumSchema.Symbols.Select(static (s, i) => (s, i)).ToDictionary(static p => p.s, static p => p.i, StringComparer.Ordinal) : null,
            Fields = op == AvroWriteOp.Record ? Record(type.Fields!, (global::Avro.RecordSchema)baseSchema, format, path) : null,
            Element = op switch
            {
                AvroWriteOp.Array => Value(type.ElementType!, ((global::Avro.ArraySchema)baseSchema).ItemSchema, format, path + "[]", -1, name),
                AvroWriteOp.Map => Value(type.ValueType!, ((global::Avro.MapSchema)baseSchema).ValueSchema, format, path + "[]", -1, name),
                _ => null,
            },
        };
    }

    private static AvroWriteOp? Op(DataType type, AvroSchema writer)
    {
        var logical = (writer as global::Avro.LogicalSchema)?.LogicalTypeName;
        var tag = writer is global::Avro.LogicalSchema l ? l.BaseSchema.Tag : writer.Tag;
        return (type.Kind, tag, logical) switch
        {
            (DataTypeKind.Boolean, AvroSchema.Type.Boolean, _) => AvroWriteOp.Boolean,
            (DataTypeKind.Int, AvroSchema.Type.Int, null) => AvroWriteOp.Int,
            (DataTypeKind.Int, AvroSchema.Type.Long, null) => AvroWriteOp.IntAsLong,
            (DataTypeKind.BigInt, AvroSchema.Type.Long, null) => AvroWriteOp.Long,
            (DataTypeKind.Float, AvroSchema.Type.Float, _) => AvroWriteOp.Float,
            (DataTypeKind.Float, AvroSchema.Type.Double, _) => AvroWriteOp.FloatAsDouble,
            (DataTypeKind.Double, AvroSchema.Type.Double, _) => AvroWriteOp.Double,
            (DataTypeKind.Varchar, AvroSchema.Type.String, _) => AvroWriteOp.String,
            (DataTypeKind.Varchar, AvroSchema.Type.Enumeration, _) => AvroWriteOp.Enum,
            (DataTypeKind.Bytes, AvroSchema.Type.Bytes, null) => AvroWriteOp.Bytes,
            (DataTypeKind.Bytes, AvroSchema.Type.Fixed, null) => AvroWriteOp.Fixed,
            (DataTypeKind.Decimal, AvroSchema.Type.Bytes, "decimal") => AvroWriteOp.Decimal,
            (DataTypeKind.Decimal, AvroSchema.Type.Fixed, "decimal") => AvroWriteOp.DecimalFixed,
            (DataTypeKind.Date, AvroSchema.Type.Int, "date") => AvroWriteOp.Date,
            (DataTypeKind.Time, AvroSchema.Type.Int, "time-millis") => AvroWriteOp.TimeMillis,
            (DataTypeKind.Time, AvroSchema.Type.Long, "time-micros") => AvroWriteOp.TimeMicros,
            (DataTypeKind.Timestamp, AvroSchema.Type.Long, "local-timestamp-millis" or "timestamp-millis") => AvroWriteOp.TimestampMillis,
            (DataTypeKind.Timestamp, AvroSchema.Type.Long, "local-timestamp-micros" or "timestamp-micros") => AvroWriteOp.TimestampMicros,
            (DataTypeKind.TimestampLtz, AvroSchema.Type.Long, "timestamp-millis" or "local-timestamp-millis") => AvroWriteOp.TimestampLtzMillis,
            (DataTypeKind.TimestampLtz, AvroSchema.Type.Long, "timestamp-micros" or "local-timestamp-micros") => AvroWriteOp.TimestampLtzMicros,
            (DataTypeKind.Row, AvroSchema.Type.Record, _) => AvroWriteOp.Record,
            (DataTypeKind.Array, AvroSchema.Type.Array, _) => AvroWriteOp.Array,
            (DataTypeKind.Map, AvroSchema.Type.Map, _) when type.KeyType!.Kind == DataTypeKind.Varchar => AvroWriteOp.Map,
            _ => null,
        };
    }

    private static int NullBranch(AvroSchema schema)
    {
        if (schema is global::Avro.UnionSchema union)
        {
            for (var b = 0; b < union.Count; b++)
            {
                if (union.Schemas[b].Tag == AvroSchema.Type.Null)
                {
                    return b;
                }
            }
        }
        return -1;
    }

    private static ConfigOptionsException Unwritable(string format, string path, DataType type, AvroSchema writer) =>
        new($"Format '{format}' cannot write column '{path}' of type {type} as the Avro schema's {writer}.", format, format + ".schema");

    /// <summary>Writes <paramref name="row"/> as a record of the plan.</summary>
    /// <exception cref="FormatException">A null where the writer's field is not nullable, an enum value that is not a symbol, or a decimal too large; the message names the field.</exception>
    public static void Encode(ref AvroWriter writer, Row row, AvroWritePlan[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            var plan = fields[i];
            if (plan.Op == AvroWriteOp.AbsentNull)
            {
                writer.WriteLong(plan.NullBranch);
                continue;
            }
            if (row.IsNull(plan.Source))
            {
                WriteNull(ref writer, plan);
                continue;
            }
            if (plan.ValueBranch >= 0)
            {
                writer.WriteLong(plan.ValueBranch);
            }
            switch (plan.Op)
            {
                case AvroWriteOp.Boolean:
                    writer.WriteBoolean(row.GetBoolean(plan.Source));
                    break;
                case AvroWriteOp.Int:
                case AvroWriteOp.IntAsLong:
                    writer.WriteLong(row.GetInt32(plan.Source));
                    break;
                case AvroWriteOp.Long:
                    writer.WriteLong(row.GetInt64(plan.Source));
                    break;
                case AvroWriteOp.Float:
                    writer.WriteFloat(row.GetSingle(plan.Source));
                    break;
                case AvroWriteOp.FloatAsDouble:
                    writer.WriteDouble(row.GetSingle(plan.Source));
                    break;
                case AvroWriteOp.Double:
                    writer.WriteDouble(row.GetDouble(plan.Source));
                    break;
                case AvroWriteOp.String:
                    writer.WriteString(row.GetString(plan.Source)!);
                    break;
                case AvroWriteOp.TimestampMillis:
                    writer.WriteLong(AvroTime.MillisFromTicks(row.GetTimestamp(plan.Source).Ticks));
                    break;
                case AvroWriteOp.TimestampMicros:
                    writer.WriteLong(AvroTime.MicrosFromTicks(row.GetTimestamp(plan.Source).Ticks));
                    break;
                case AvroWriteOp.TimestampLtzMillis:
                    writer.WriteLong(AvroTime.MillisFromTicks(row.GetTimestampLtz(plan.Source).UtcTicks));
                    break;
                case AvroWriteOp.TimestampLtzMicros:
                    writer.WriteLong(AvroTime.MicrosFromTicks(row.GetTimestampLtz(plan.Source).UtcTicks));
                    break;
                default:
                    WriteValue(ref writer, plan, row.GetValue(plan.Source)!);
                    break;
            }
        }
    }

    private static void WriteNull(ref AvroWriter writer, AvroWritePlan plan) =>
        writer.WriteLong(plan.NullBranch >= 0
            ? plan.NullBranch
            : throw new FormatException($"Field '{plan.Name}' is null, but the Avro schema's field is not nullable."));

    private static void WriteNullable(ref AvroWriter writer, AvroWritePlan plan, object? value)
    {
        if (value is null)
        {
            WriteNull(ref writer, plan);
            return;
        }
        if (plan.ValueBranch >= 0)
        {
            writer.WriteLong(plan.ValueBranch);
        }
        WriteValue(ref writer, plan, value);
    }

    /// <summary>Writes one non-null value (the union branch, if any, already written).</summary>
    private static void WriteValue(ref AvroWriter writer, AvroWritePlan plan, object value)
    {
        switch (plan.Op)
        {
            case AvroWriteOp.Boolean:
                writer.WriteBoolean((bool)value);
                break;
            case AvroWriteOp.Int or AvroWriteOp.IntAsLong:
                writer.WriteLong((int)value);
                break;
            case AvroWriteOp.Long:
                writer.WriteLong((long)value);
                break;
            case AvroWriteOp.Float:
                writer.WriteFloat((float)value);
                break;
            case AvroWriteOp.FloatAsDouble:
                writer.WriteDouble((float)value);
                break;
            case AvroWriteOp.Double:
                writer.WriteDouble((double)value);
                break;
            case AvroWriteOp.String:
                writer.WriteString((string)value);
                break;
            case AvroWriteOp.Enum:
                writer.WriteLong(plan.Symbols!.TryGetValue((string)value, out var ordinal)
                    ? ordinal
                    : throw new FormatException($"Field '{plan.Name}' is '{value}', which is not a symbol of the Avro schema's enum ({string.Join(", ", plan.Symbols.Keys)})."));
                break;
            case AvroWriteOp.Bytes:
                writer.WriteBytes((byte[])value);
                break;
            case AvroWriteOp.Fixed:
                var bytes = (byte[])value;
                writer.WriteRaw(bytes.Length == plan.FixedSize
                    ? bytes
                    : throw new FormatException($"Field '{plan.Name}' has {bytes.Length} bytes, but the Avro schema's fixed has {plan.FixedSize}."));
                break;
            case AvroWriteOp.Decimal or AvroWriteOp.DecimalFixed:
                WriteDecimal(ref writer, plan, (decimal)value);
                break;
            case AvroWriteOp.Date:
                writer.WriteLong(AvroTime.DaysFromDate((DateOnly)value));
                break;
            case AvroWriteOp.TimeMillis:
                writer.WriteLong(AvroTime.MillisFromTime((TimeOnly)value));
                break;
            case AvroWriteOp.TimeMicros:
                writer.WriteLong(AvroTime.MicrosFromTime((TimeOnly)value));
                break;
            case AvroWriteOp.TimestampMillis:
                writer.WriteLong(AvroTime.MillisFromTicks(((DateTime)value).Ticks));
                break;
            case AvroWriteOp.TimestampMicros:
                writer.WriteLong(AvroTime.MicrosFromTicks(((DateTime)value).Ticks));
                break;
            case AvroWriteOp.TimestampLtzMillis:
                writer.WriteLong(AvroTime.MillisFromTicks(((DateTimeOffset)value).UtcTicks));
                break;
            case AvroWriteOp.TimestampLtzMicros:
                writer.WriteLong(AvroTime.MicrosFromTicks(((DateTimeOffset)value).UtcTicks));
                break;
            case AvroWriteOp.Record:
                Encode(ref writer, (Row)value, plan.Fields!);
                break;
            case AvroWriteOp.Array:
                var items = (IReadOnlyList<object?>)value;
                if (items.Count > 0)
                {
                    writer.WriteLong(items.Count);
                    for (var i = 0; i < items.Count; i++)
                    {
                        WriteNullable(ref writer, plan.Element!, items[i]);
                    }
                }
                writer.WriteLong(0);
                break;
            case AvroWriteOp.Map:
                var entries = (IReadOnlyList<KeyValuePair<object, object?>>)value;
                if (entries.Count > 0)
                {
                    writer.WriteLong(entries.Count);
                    for (var i = 0; i < entries.Count; i++)
                    {
                        writer.WriteString((string)entries[i].Key);
                        WriteNullable(ref writer, plan.Element!, entries[i].Value);
                    }
                }
                writer.WriteLong(0);
                break;
            default:
                throw new InvalidOperationException($"Unknown Avro write operation {plan.Op}.");
        }
    }

    private static void WriteDecimal(ref AvroWriter writer, AvroWritePlan plan, decimal value)
    {
        Span<byte> unscaled = stackalloc byte[16];
        int length;
        try
        {
            length = AvroDecimals.ToUnscaled(value, plan.Scale, unscaled);
        }
        catch (FormatException e)
        {
            throw new FormatException($"Field '{plan.Name}': {e.Message}", e);
        }
        if (plan.Op == AvroWriteOp.Decimal)
        {
            writer.WriteBytes(unscaled[..length]);
            return;
        }
        if (length > plan.FixedSize)
        {
            throw new FormatException($"Field '{plan.Name}' is {value}, which needs {length} bytes, but the Avro schema's fixed has {plan.FixedSize}.");
        }
        // Sign-extend to the fixed size.
        Span<byte> padded = stackalloc byte[plan.FixedSize];
        padded.Fill((unscaled[0] & 0x80) != 0 ? (byte)0xFF : (byte)0);
        unscaled[..length].CopyTo(padded[(plan.FixedSize - length)..]);
        writer.WriteRaw(padded);
    }
}
