using System.Text;

namespace Sluice.Formats.Registry.Avro;

/// <summary>What one Avro value is written as from JSON: the operation of an <see cref="AvroJsonPlan"/> node.</summary>
internal enum AvroJsonOp : byte
{
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Uuid,
    Fixed,
    Enum,
    Record,
    Array,
    Map,
    Union,
    Date,
    TimeMillis,
    TimeMicros,
    TimestampMillis,
    TimestampMicros,
    LocalTimestampMillis,
    LocalTimestampMicros,
    DecimalBytes,
    DecimalFixed,
}

/// <summary>
/// One node of the plan <see cref="AvroJsonEncoder"/> compiles from an Avro schema: the operation, and what it needs
/// (a record's fields, an enum's symbols, a union's branches, …). Named types are compiled once, so a recursive schema
/// is a cyclic plan. Immutable after <see cref="AvroJsonEncoder.Compile"/> returns; thread-safe.
/// </summary>
internal sealed class AvroJsonPlan
{
    public AvroJsonPlan(AvroJsonOp op, string typeName)
    {
        Op = op;
        TypeName = typeName;
    }

    public AvroJsonOp Op { get; }

    /// <summary>The Avro type's name for messages and for the tagged union form (<c>{"string": "x"}</c>): a primitive's
    /// name, a named type's full name, <c>array</c> or <c>map</c>.</summary>
    public string TypeName { get; }

    /// <summary>A named type's short name (also accepted as a union tag).</summary>
    public string? ShortName { get; init; }

    /// <summary>A record's fields, in schema order (set once, after the node is created, so recursion can refer to it).</summary>
    public AvroJsonField[] Fields { get; set; } = [];

    /// <summary>An enum's symbols as UTF-8, in ordinal order.</summary>
    public byte[][] Symbols { get; init; } = [];

    /// <summary>An array's items or a map's values.</summary>
    public AvroJsonPlan? Element { get; init; }

    /// <summary>A union's branches, in schema order.</summary>
    public AvroJsonPlan[] Branches { get; init; } = [];

    /// <summary>A union's null branch, or -1.</summary>
    public int NullBranch { get; init; } = -1;

    /// <summary>A fixed's size in bytes (also for decimal on fixed).</summary>
    public int FixedSize { get; init; }

    /// <summary>A decimal's scale.</summary>
    public int Scale { get; init; }

    /// <summary>A decimal's precision (digits), or 0 when unchecked.</summary>
    public int Precision { get; init; }

    /// <summary>Describes the type for messages: <c>string</c>, <c>record Order</c>, <c>long (timestamp-millis)</c>, <c>union [null, string]</c>.</summary>
    public string Describe()
    {
        return Op switch
        {
            AvroJsonOp.Record => "record " + TypeName,
            AvroJsonOp.Enum => "enum " + TypeName,
            AvroJsonOp.Fixed => "fixed " + TypeName,
            AvroJsonOp.Array => "array",
            AvroJsonOp.Map => "map",
            AvroJsonOp.Union => "union [" + string.Join(", ", Array.ConvertAll(Branches, static b => b.TypeName)) + "]",
            AvroJsonOp.Uuid => "string (uuid)",
            AvroJsonOp.Date => "int (date)",
            AvroJsonOp.TimeMillis => "int (time-millis)",
            AvroJsonOp.TimeMicros => "long (time-micros)",
            AvroJsonOp.TimestampMillis => "long (timestamp-millis)",
            AvroJsonOp.TimestampMicros => "long (timestamp-micros)",
            AvroJsonOp.LocalTimestampMillis => "long (local-timestamp-millis)",
            AvroJsonOp.LocalTimestampMicros => "long (local-timestamp-micros)",
            AvroJsonOp.DecimalBytes or AvroJsonOp.DecimalFixed => $"{TypeName} (decimal({Precision}, {Scale}))",
            _ => TypeName,
        };
    }
}

/// <summary>A record field of an <see cref="AvroJsonPlan"/>.</summary>
internal sealed class AvroJsonField(string name, AvroJsonPlan plan, string? defaultJson)
{
    /// <summary>The field's name.</summary>
    public string Name { get; } = name;

    /// <summary>The name as UTF-8, to match JSON property names without decoding them.</summary>
    public byte[] NameUtf8 { get; } = Encoding.UTF8.GetBytes(name);

    /// <summary>How its value is written.</summary>
    public AvroJsonPlan Plan { get; } = plan;

    /// <summary>The field's default as the schema gives it (Avro's JSON encoding), or null when it has none.</summary>
    public string? DefaultJson { get; } = defaultJson;

    /// <summary>The Avro binary of the field's default, written when the JSON lacks the field; null when it has none.</summary>
    public byte[]? Default { get; set; }
}
