using System.Globalization;
using System.Text;
using Newtonsoft.Json.Linq;
using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Avro;

/// <summary>
/// Compiles Avro schema resolution into <see cref="AvroRecordPlan"/>s: a writer's record read as a reader's row.
/// Fields are matched by name (or by the reader field's aliases); a writer field the reader lacks is skipped; a reader
/// field the writer lacks takes the reader's Avro default, or null when nullable; Avro's promotions apply (int to
/// long, float or double; long to float or double; float to double; string and bytes either way), plus enum to
/// string, fixed to bytes and the logical types. A pair that cannot be resolved compiles to an
/// <see cref="AvroReadOp.Incompatible"/> node, so only records that reach it fail. Stateless.
/// </summary>
internal static class AvroReadPlans
{
    /// <summary>Compiles the plan reading records of <paramref name="writer"/> as rows of <paramref name="reader"/>.</summary>
    /// <param name="writer">The writer's record schema.</param>
    /// <param name="reader">The rows' schema.</param>
    /// <param name="readerAvro">The reader's Avro record (for defaults and aliases), or null when there is none but the generated one.</param>
    /// <exception cref="NotSupportedException">The writer's top-level schema is not a record.</exception>
    public static AvroRecordPlan Compile(AvroSchema writer, Schema reader, AvroSchema? readerAvro)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(reader);
        return writer is global::Avro.RecordSchema record
            ? Record(record, reader, NonNull(readerAvro) as global::Avro.RecordSchema, "")
            : throw new NotSupportedException($"The writer schema is a {writer.Tag}, not a record; Sluice reads Avro records as rows.");
    }

    private static AvroRecordPlan Record(global::Avro.RecordSchema writer, Schema reader, global::Avro.RecordSchema? readerAvro, string path)
    {
        var steps = new AvroFieldStep[writer.Fields.Count];
        var matched = new bool[reader.Count];
        for (var i = 0; i < steps.Length; i++)
        {
            var field = writer.Fields[i];
            var target = FindReaderField(field.Name, reader, readerAvro);
            var fieldPath = Join(path, field.Name);
            if (target < 0 || matched[target])
            {
                steps[i] = new AvroFieldStep(field.Name, -1, Skip(field.Schema));
                continue;
            }
            matched[target] = true;
            var readerField = reader[target];
            var readerFieldAvro = readerAvro is not null && readerAvro.TryGetField(readerField.Name, out var f) ? f.Schema : null;
            steps[i] = new AvroFieldStep(readerField.Name, target, Value(field.Schema, readerField.Type, readerFieldAvro, fieldPath));
        }
        var defaults = new List<AvroFieldDefault>();
        for (var i = 0; i < reader.Count; i++)
        {
            if (matched[i])
            {
                continue;
            }
            var field = reader[i];
            var avroField = readerAvro is not null && readerAvro.TryGetField(field.Name, out var f) ? f : null;
            if (avroField?.DefaultValue is { } token)
            {
                defaults.Add(new AvroFieldDefault(i, Default(token, field.Type, NonNull(avroField.Schema), Join(path, field.Name))));
            }
            else if (field.Type.IsNullable)
            {
                defaults.Add(new AvroFieldDefault(i, null));
            }
            else
            {
                // Every record of this writer fails on this field; the plan says why when it is used.
                steps = [.. steps, new AvroFieldStep(field.Name, i, new AvroReadPlan
                {
                    Op = AvroReadOp.Incompatible,
                    WriterTag = AvroSchema.Type.Null,
                    Reader = field.Type,
                    Incompatible = $"the writer schema has no field '{field.Name}', and the reader's is NOT NULL without a default",
                })];
            }
        }
        return new AvroRecordPlan(reader, steps, [.. defaults]);
    }

    private static int FindReaderField(string writerName, Schema reader, global::Avro.RecordSchema? readerAvro)
    {
        var index = reader.IndexOf(writerName);
        if (index >= 0 || readerAvro is null)
        {
            return index;
        }
        foreach (var field in readerAvro.Fields)
        {
            if (field.Aliases is { } aliases && aliases.Contains(writerName))
            {
                return reader.IndexOf(field.Name);
            }
        }
        return -1;
    }

    private static AvroReadPlan Value(AvroSchema writer, DataType reader, AvroSchema? readerAvro, string path)
    {
        if (writer is global::Avro.UnionSchema union)
        {
            var branches = new AvroReadPlan[union.Count];
            for (var i = 0; i < branches.Length; i++)
            {
                branches[i] = Value(union.Schemas[i], reader, readerAvro, path);
            }
            return new AvroReadPlan { Op = AvroReadOp.Union, WriterTag = AvroSchema.Type.Union, Reader = reader, Branches = branches };
        }
        var tag = BaseTag(writer);
        var logical = (writer as global::Avro.LogicalSchema)?.LogicalTypeName;
        var op = Resolve(writer, tag, logical, reader.Kind);
        if (tag == AvroSchema.Type.Null)
        {
            return reader.IsNullable
                ? new AvroReadPlan { Op = AvroReadOp.Null, WriterTag = tag, Reader = reader }
                : Incompatible(writer, reader, "the writer's value is null, and the reader's field is NOT NULL");
        }
        if (op is null)
        {
            return Incompatible(writer, reader, $"the writer's {Describe(writer)} cannot be read as {reader}");
        }
        var baseSchema = writer is global::Avro.LogicalSchema l ? l.BaseSchema : writer;
        return op.Value switch
        {
            AvroReadOp.Record => new AvroReadPlan
            {
                Op = op.Value,
                WriterTag = tag,
                Reader = reader,
                Record = Record((global::Avro.RecordSchema)writer, reader.Fields!, NonNull(readerAvro) as global::Avro.RecordSchema, path),
            },
            AvroReadOp.Array => new AvroReadPlan
            {
                Op = op.Value,
                WriterTag = tag,
                Reader = reader,
                Element = Value(((global::Avro.ArraySchema)writer).ItemSchema, reader.ElementType!, (NonNull(readerAvro) as global::Avro.ArraySchema)?.ItemSchema, path + "[]"),
            },
            AvroReadOp.Map => reader.KeyType!.Kind != DataTypeKind.Varchar
                ? Incompatible(writer, reader, $"Avro map keys are strings, and the reader's key is {reader.KeyType}")
                : new AvroReadPlan
                {
                    Op = op.Value,
                    WriterTag = tag,
                    Reader = reader,
                    Element = Value(((global::Avro.MapSchema)writer).ValueSchema, reader.ValueType!, (NonNull(readerAvro) as global::Avro.MapSchema)?.ValueSchema, path + "[]"),
                },
            _ => new AvroReadPlan
            {
                Op = op.Value,
                WriterTag = tag,
                Reader = reader,
                FixedSize = baseSchema is global::Avro.FixedSchema fixedSchema ? fixedSchema.Size : 0,
                Scale = logical == "decimal" ? AvroSchemaMapping.DecimalProperty(writer, "scale") ?? 0 : 0,
                Symbols = baseSchema is global::Avro.EnumSchema enumSchema ? [.. enumSchema.Symbols] : null,
            },
        };
    }

    /// <summary>The operation reading <paramref name="writer"/> as <paramref name="reader"/>, or null when Avro has no such resolution.</summary>
    private static AvroReadOp? Resolve(AvroSchema writer, AvroSchema.Type tag, string? logical, DataTypeKind reader) => (tag, logical, reader) switch
    {
        (AvroSchema.Type.Null, _, _) => AvroReadOp.Null,
        (AvroSchema.Type.Boolean, _, DataTypeKind.Boolean) => AvroReadOp.Boolean,
        (AvroSchema.Type.Int, "date", DataTypeKind.Date) => AvroReadOp.Date,
        (AvroSchema.Type.Int, "time-millis", DataTypeKind.Time) => AvroReadOp.TimeMillis,
        (AvroSchema.Type.Int, _, DataTypeKind.Int) => AvroReadOp.IntToInt,
        (AvroSchema.Type.Int, _, DataTypeKind.BigInt) => AvroReadOp.IntToLong,
        (AvroSchema.Type.Int, _, DataTypeKind.Float) => AvroReadOp.IntToFloat,
        (AvroSchema.Type.Int, _, DataTypeKind.Double) => AvroReadOp.IntToDouble,
        (AvroSchema.Type.Long, "time-micros", DataTypeKind.Time) => AvroReadOp.TimeMicros,
        (AvroSchema.Type.Long, "timestamp-millis", DataTypeKind.TimestampLtz) => AvroReadOp.TimestampMillisLtz,
        (AvroSchema.Type.Long, "timestamp-micros", DataTypeKind.TimestampLtz) => AvroReadOp.TimestampMicrosLtz,
        (AvroSchema.Type.Long, "local-timestamp-millis", DataTypeKind.TimestampLtz) => AvroReadOp.TimestampMillisLtz,
        (AvroSchema.Type.Long, "local-timestamp-micros", DataTypeKind.TimestampLtz) => AvroReadOp.TimestampMicrosLtz,
        (AvroSchema.Type.Long, "timestamp-millis" or "local-timestamp-millis", DataTypeKind.Timestamp) => AvroReadOp.TimestampMillis,
        (AvroSchema.Type.Long, "timestamp-micros" or "local-timestamp-micros", DataTypeKind.Timestamp) => AvroReadOp.TimestampMicros,
        (AvroSchema.Type.Long, _, DataTypeKind.BigInt) => AvroReadOp.LongToLong,
        (AvroSchema.Type.Long, _, DataTypeKind.Float) => AvroReadOp.LongToFloat,
        (AvroSchema.Type.Long, _, DataTypeKind.Double) => AvroReadOp.LongToDouble,
        (AvroSchema.Type.Float, _, DataTypeKind.Float) => AvroReadOp.FloatToFloat,
        (AvroSchema.Type.Float, _, DataTypeKind.Double) => AvroReadOp.FloatToDouble,
        (AvroSchema.Type.Double, _, DataTypeKind.Double) => AvroReadOp.DoubleToDouble,
        (AvroSchema.Type.String, _, DataTypeKind.Varchar) => AvroReadOp.StringToString,
        (AvroSchema.Type.String, _, DataTypeKind.Bytes) => AvroReadOp.StringToBytes,
        (AvroSchema.Type.Bytes, "decimal", DataTypeKind.Decimal) => AvroReadOp.DecimalBytes,
        (AvroSchema.Type.Bytes, _, DataTypeKind.Bytes) => AvroReadOp.BytesToBytes,
        (AvroSchema.Type.Bytes, _, DataTypeKind.Varchar) => AvroReadOp.BytesToString,
        (AvroSchema.Type.Fixed, "decimal", DataTypeKind.Decimal) => AvroReadOp.DecimalFixed,
        (AvroSchema.Type.Fixed, _, DataTypeKind.Bytes) => AvroReadOp.FixedToBytes,
        (AvroSchema.Type.Enumeration, _, DataTypeKind.Varchar) => AvroReadOp.EnumToString,
        (AvroSchema.Type.Record, _, DataTypeKind.Row) => AvroReadOp.Record,
        (AvroSchema.Type.Array, _, DataTypeKind.Array) => AvroReadOp.Array,
        (AvroSchema.Type.Map, _, DataTypeKind.Map) => AvroReadOp.Map,
        _ => null,
    };

    /// <summary>A plan that skips a value of <paramref name="writer"/>.</summary>
    public static AvroReadPlan Skip(AvroSchema writer) => writer switch
    {
        global::Avro.UnionSchema union => new AvroReadPlan
        {
            Op = AvroReadOp.Skip,
            WriterTag = AvroSchema.Type.Union,
            Branches = [.. union.Schemas.Select(Skip)],
        },
        global::Avro.LogicalSchema logical => Skip(logical.BaseSchema),
        global::Avro.RecordSchema record => new AvroReadPlan
        {
            Op = AvroReadOp.Skip,
            WriterTag = AvroSchema.Type.Record,
            Record = new AvroRecordPlan(new Schema([]), [.. record.Fields.Select(static f => new AvroFieldStep(f.Name, -1, Skip(f.Schema)))], []),
        },
        global::Avro.ArraySchema array => new AvroReadPlan { Op = AvroReadOp.Skip, WriterTag = AvroSchema.Type.Array, Element = Skip(array.ItemSchema) },
        global::Avro.MapSchema map => new AvroReadPlan { Op = AvroReadOp.Skip, WriterTag = AvroSchema.Type.Map, Element = Skip(map.ValueSchema) },
        global::Avro.FixedSchema fixedSchema => new AvroReadPlan { Op = AvroReadOp.Skip, WriterTag = AvroSchema.Type.Fixed, FixedSize = fixedSchema.Size },
        _ => new AvroReadPlan { Op = AvroReadOp.Skip, WriterTag = writer.Tag },
    };

    private static AvroReadPlan Incompatible(AvroSchema writer, DataType reader, string reason)
    {
        var skip = Skip(writer);
        return new AvroReadPlan
        {
            Op = AvroReadOp.Incompatible,
            WriterTag = skip.WriterTag,
            Reader = reader,
            Incompatible = reason,
            Branches = skip.Branches,
            Record = skip.Record,
            Element = skip.Element,
            FixedSize = skip.FixedSize,
        };
    }

    private static AvroSchema.Type BaseTag(AvroSchema schema) => schema is global::Avro.LogicalSchema logical ? logical.BaseSchema.Tag : schema.Tag;

    private static string Describe(AvroSchema schema) => schema is global::Avro.LogicalSchema logical
        ? $"{logical.BaseSchema.Tag.ToString().ToLowerInvariant()} ({logical.LogicalTypeName})"
        : schema.Tag switch
        {
            AvroSchema.Type.Enumeration => "enum",
            _ => schema.Tag.ToString().ToLowerInvariant(),
        };

    /// <summary>The non-null branch of a nullable union, or the schema itself.</summary>
    private static AvroSchema? NonNull(AvroSchema? schema)
    {
        if (schema is not global::Avro.UnionSchema union)
        {
            return schema;
        }
        foreach (var branch in union.Schemas)
        {
            if (branch.Tag != AvroSchema.Type.Null)
            {
                return branch;
            }
        }
        return null;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>A reader field's Avro default as the field's CLR value.</summary>
    /// <exception cref="NotSupportedException">The default does not fit the field's type.</exception>
    private static object? Default(JToken token, DataType type, AvroSchema? avro, string path)
    {
        if (token.Type == JTokenType.Null)
        {
            return null;
        }
        try
        {
            return type.Kind switch
            {
                DataTypeKind.Boolean => token.Value<bool>(),
                DataTypeKind.Int => token.Value<int>(),
                DataTypeKind.BigInt => token.Value<long>(),
                DataTypeKind.Float => token.Value<float>(),
                DataTypeKind.Double => token.Value<double>(),
                DataTypeKind.Varchar => token.Value<string>(),
                DataTypeKind.Bytes => AvroBytes(token.Value<string>()!),
                DataTypeKind.Date => DateOnly.FromDayNumber(AvroTime.EpochDay + token.Value<int>()),
                DataTypeKind.Timestamp or DataTypeKind.TimestampLtz or DataTypeKind.Time => TemporalDefault(token.Value<long>(), type, avro),
                DataTypeKind.Decimal => AvroDecimals.FromUnscaled(AvroBytes(token.Value<string>()!), AvroSchemaMapping.DecimalProperty(avro!, "scale") ?? 0),
                DataTypeKind.Array when token is JArray { Count: 0 } => Array.Empty<object?>(),
                DataTypeKind.Map when token is JObject { Count: 0 } => Array.Empty<KeyValuePair<object, object?>>(),
                _ => throw new NotSupportedException($"Field '{path}' has a default ({token.ToString(Newtonsoft.Json.Formatting.None)}) of a type Sluice does not fill in ({type})."),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or AvroDataException)
        {
            throw new NotSupportedException($"Field '{path}' has a default ({token.ToString(Newtonsoft.Json.Formatting.None)}) that is not a {type}.", e);
        }
    }

    private static object TemporalDefault(long value, DataType type, AvroSchema? avro)
    {
        var logical = (avro as global::Avro.LogicalSchema)?.LogicalTypeName ?? "";
        var micros = logical.EndsWith("micros", StringComparison.Ordinal);
        return type.Kind switch
        {
            DataTypeKind.Time => micros ? AvroTime.TimeFromMicros(value) : AvroTime.TimeFromMillis(value),
            DataTypeKind.Timestamp => micros ? AvroTime.TimestampFromMicros(value) : AvroTime.TimestampFromMillis(value),
            _ => micros ? AvroTime.TimestampLtzFromMicros(value) : AvroTime.TimestampLtzFromMillis(value),
        };
    }

    /// <summary>Avro's JSON encoding of bytes in defaults: each char is one byte (ISO-8859-1).</summary>
    private static byte[] AvroBytes(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>For messages: a value as invariant text.</summary>
    internal static string Text(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
