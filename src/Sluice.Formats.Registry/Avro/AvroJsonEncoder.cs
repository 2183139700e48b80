using System.Buffers;
using System.Text;
using System.Text.Json;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Avro;

/// <summary>
/// Encodes plain JSON objects, as users send them, into Avro binary bodies of one schema: the mapping of
/// docs/server.md, "HTTP ingest". In short: a union takes the plain value and writes the first branch that
/// fits it (Avro's tagged form <c>{"string": "x"}</c> is accepted too, when no branch takes the object as it is); an
/// absent field is written as its default, else as null when its type admits null, else the record is refused;
/// a property the record does not have is refused; bytes and fixed are base64; timestamps, dates and times are
/// numbers in the logical type's unit or ISO-8601 strings; decimals are JSON numbers or decimal strings.
/// <para>Compiled once per schema (<see cref="Compile"/>); then thread-safe, and allocation-free for a record that fits
/// (a failure allocates its message, and so does a union branch tried and refused when several take the same kind of
/// JSON value). Fields are written in schema order whatever their order in the JSON: each object is scanned
/// once for where its fields are, then each field is read again where it starts.</para>
/// </summary>
internal sealed partial class AvroJsonEncoder
{
    private readonly AvroJsonPlan _root;

    private AvroJsonEncoder(AvroJsonPlan root) => _root = root;

    /// <summary>Compiles the encoder of <paramref name="schema"/> (its named types, recursion and field defaults).</summary>
    public static AvroJsonEncoder Compile(AvroSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var named = new Dictionary<string, AvroJsonPlan>(StringComparer.Ordinal);
        var records = new List<AvroJsonPlan>();
        var root = Plan(schema, named, records);
        // Defaults are encoded once every plan exists, since a default may hold a record of a type still being compiled.
        foreach (var record in records)
        {
            foreach (var field in record.Fields)
            {
                field.Default = EncodeDefault(field);
            }
        }
        return new AvroJsonEncoder(root);
    }

    /// <summary>
    /// Writes <paramref name="json"/> (one well-formed JSON value) as an Avro binary body into <paramref name="destination"/>.
    /// On false, <paramref name="field"/> is the path of the value at fault (<c>address.city</c>, <c>items[2]</c>,
    /// <c>tags['k']</c>; null for the value as a whole) and <paramref name="problem"/> a phrase naming it; whatever was
    /// written to the destination is then garbage the caller discards.
    /// </summary>
    public bool TryEncode(ReadOnlySpan<byte> json, IBufferWriter<byte> destination, out string? field, out string? problem)
    {
        var writer = new AvroWriter(destination);
        var reader = new Utf8JsonReader(json, isFinalBlock: true, default);
        reader.Read();
        var failure = default(Failure);
        if (!Write(_root, json, 0, ref reader, ref writer, Mode.Write, ref failure))
        {
            field = failure.Path;
            problem = failure.Path is null ? "the record " + failure.Reason : $"field '{failure.Path}' {failure.Reason}";
            return false;
        }
        writer.Flush();
        field = null;
        problem = null;
        return true;
    }

    private static AvroJsonPlan Plan(AvroSchema schema, Dictionary<string, AvroJsonPlan> named, List<AvroJsonPlan> records)
    {
        switch (schema)
        {
            case global::Avro.LogicalSchema logical:
                return Logical(logical, named, records);
            case global::Avro.RecordSchema record:
                return RecordPlan(record, named, records);
            case global::Avro.EnumSchema enumeration:
                return Named(named, enumeration.Fullname, () => new AvroJsonPlan(AvroJsonOp.Enum, enumeration.Fullname)
                {
                    ShortName = enumeration.Name,
                    Symbols = [.. enumeration.Symbols.Select(static s => Encoding.UTF8.GetBytes(s))],
                });
            case global::Avro.FixedSchema fixedSchema:
                return Named(named, fixedSchema.Fullname, () => new AvroJsonPlan(AvroJsonOp.Fixed, fixedSchema.Fullname) { ShortName = fixedSchema.Name, FixedSize = fixedSchema.Size });
            case global::Avro.ArraySchema array:
                return new AvroJsonPlan(AvroJsonOp.Array, "array") { Element = Plan(array.ItemSchema, named, records) };
            case global::Avro.MapSchema map:
                return new AvroJsonPlan(AvroJsonOp.Map, "map") { Element = Plan(map.ValueSchema, named, records) };
            case global::Avro.UnionSchema union:
                return UnionPlan(union, named, records);
            default:
                return schema.Tag switch
                {
                    AvroSchema.Type.Null => new AvroJsonPlan(AvroJsonOp.Null, "null"),
                    AvroSchema.Type.Boolean => new AvroJsonPlan(AvroJsonOp.Boolean, "boolean"),
                    AvroSchema.Type.Int => new AvroJsonPlan(AvroJsonOp.Int, "int"),
                    AvroSchema.Type.Long => new AvroJsonPlan(AvroJsonOp.Long, "long"),
                    AvroSchema.Type.Float => new AvroJsonPlan(AvroJsonOp.Float, "float"),
                    AvroSchema.Type.Double => new AvroJsonPlan(AvroJsonOp.Double, "double"),
                    AvroSchema.Type.Bytes => new AvroJsonPlan(AvroJsonOp.Bytes, "bytes"),
                    AvroSchema.Type.String => new AvroJsonPlan(AvroJsonOp.String, "string"),
                    _ => throw new NotSupportedException($"The Avro type {schema.Tag} cannot be written from JSON."),
                };
        }
    }

    private static AvroJsonPlan RecordPlan(global::Avro.RecordSchema record, Dictionary<string, AvroJsonPlan> named, List<AvroJsonPlan> records)
    {
        if (named.TryGetValue(record.Fullname, out var existing))
        {
            return existing;
        }
        // Registered before its fields are compiled, so a field of its own type (recursion) finds it.
        var plan = new AvroJsonPlan(AvroJsonOp.Record, record.Fullname) { ShortName = record.Name };
        named[record.Fullname] = plan;
        records.Add(plan);
        var fields = new AvroJsonField[record.Fields.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            var f = record.Fields[i];
            fields[i] = new AvroJsonField(f.Name, Plan(f.Schema, named, records), f.DefaultValue?.ToString(Newtonsoft.Json.Formatting.None));
        }
        plan.Fields = fields;
        return plan;
    }

    private static AvroJsonPlan UnionPlan(global::Avro.UnionSchema union, Dictionary<string, AvroJsonPlan> named, List<AvroJsonPlan> records)
    {
        var branches = new AvroJsonPlan[union.Count];
        var nullBranch = -1;
        for (var b = 0; b < branches.Length; b++)
        {
            branches[b] = Plan(union.Schemas[b], named, records);
            if (branches[b].Op == AvroJsonOp.Null && nullBranch < 0)
            {
                nullBranch = b;
            }
        }
        return new AvroJsonPlan(AvroJsonOp.Union, "union") { Branches = branches, NullBranch = nullBranch };
    }

    private static AvroJsonPlan Named(Dictionary<string, AvroJsonPlan> named, string fullName, Func<AvroJsonPlan> create)
    {
        if (!named.TryGetValue(fullName, out var plan))
        {
            plan = create();
            named[fullName] = plan;
        }
        return plan;
    }

    private static AvroJsonPlan Logical(global::Avro.LogicalSchema logical, Dictionary<string, AvroJsonPlan> named, List<AvroJsonPlan> records)
    {
        var baseSchema = logical.BaseSchema;
        var tag = baseSchema.Tag;
        var name = baseSchema is global::Avro.NamedSchema n ? n.Fullname : tag.ToString().ToLowerInvariant();
        return (logical.LogicalTypeName, tag) switch
        {
            ("decimal", AvroSchema.Type.Bytes) => new AvroJsonPlan(AvroJsonOp.DecimalBytes, "bytes")
            {
                Scale = AvroSchemaMapping.DecimalProperty(logical, "scale") ?? 0,
                Precision = AvroSchemaMapping.DecimalProperty(logical, "precision") ?? 0,
            },
            ("decimal", AvroSchema.Type.Fixed) => new AvroJsonPlan(AvroJsonOp.DecimalFixed, name)
            {
                ShortName = ((global::Avro.FixedSchema)baseSchema).Name,
                FixedSize = ((global::Avro.FixedSchema)baseSchema).Size,
                Scale = AvroSchemaMapping.DecimalProperty(logical, "scale") ?? 0,
                Precision = AvroSchemaMapping.DecimalProperty(logical, "precision") ?? 0,
            },
            ("uuid", AvroSchema.Type.String) => new AvroJsonPlan(AvroJsonOp.Uuid, "string"),
            ("date", AvroSchema.Type.Int) => new AvroJsonPlan(AvroJsonOp.Date, "int"),
            ("time-millis", AvroSchema.Type.Int) => new AvroJsonPlan(AvroJsonOp.TimeMillis, "int"),
            ("time-micros", AvroSchema.Type.Long) => new AvroJsonPlan(AvroJsonOp.TimeMicros, "long"),
            ("timestamp-millis", AvroSchema.Type.Long) => new AvroJsonPlan(AvroJsonOp.TimestampMillis, "long"),
            ("timestamp-micros", AvroSchema.Type.Long) => new AvroJsonPlan(AvroJsonOp.TimestampMicros, "long"),
            ("local-timestamp-millis", AvroSchema.Type.Long) => new AvroJsonPlan(AvroJsonOp.LocalTimestampMillis, "long"),
            ("local-timestamp-micros", AvroSchema.Type.Long) => new AvroJsonPlan(AvroJsonOp.LocalTimestampMicros, "long"),
            // A logical type Sluice does not know is its base type, as Avro's spec asks.
            _ => Plan(baseSchema, named, records),
        };
    }

    private static byte[]? EncodeDefault(AvroJsonField field)
    {
        if (field.DefaultJson is null)
        {
            return null;
        }
        var json = Encoding.UTF8.GetBytes(field.DefaultJson);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new AvroWriter(buffer);
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var failure = default(Failure);
        if (!Write(field.Plan, json, 0, ref reader, ref writer, Mode.Write | Mode.Default, ref failure))
        {
            // A default that does not fit its type is no default: a record without the field is refused instead.
            return null;
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>How a value is written.</summary>
    [Flags]
    private enum Mode
    {
        /// <summary>Check only: nothing is written.</summary>
        Check = 0,

        /// <summary>Write the value.</summary>
        Write = 1,

        /// <summary>The value is an Avro default (Avro's JSON encoding): a union's value is its first branch, bytes are code points.</summary>
        Default = 2,
    }

    /// <summary>Why a value does not fit: the path from the top (built while unwinding) and a phrase.</summary>
    private struct Failure
    {
        public string? Path;
        public string Reason;

        public static Failure Of(string reason) => new() { Reason = reason };

        public void Under(string field) => Path = Path is null ? field : Path[0] == '[' ? field + Path : field + "." + Path;

        public void UnderIndex(int index) => Path = Path is null ? $"[{index}]" : Path[0] == '[' ? $"[{index}]{Path}" : $"[{index}].{Path}";

        public void UnderKey(string key) => Path = Path is null ? $"['{key}']" : Path[0] == '[' ? $"['{key}']{Path}" : $"['{key}'].{Path}";
    }
}
