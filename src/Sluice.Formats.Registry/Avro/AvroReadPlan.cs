using Sluice.Schemas;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Avro;

/// <summary>What one decoded value turns into: the operation of a <see cref="AvroReadPlan"/> node.</summary>
internal enum AvroReadOp : byte
{
    /// <summary>The writer has a value the reader does not want: skip it by the writer's shape.</summary>
    Skip,

    /// <summary>The writer's type cannot be read as the reader's; decoding fails with <see cref="AvroReadPlan.Incompatible"/>.</summary>
    Incompatible,
    Null,
    Boolean,
    IntToInt,
    IntToLong,
    IntToFloat,
    IntToDouble,
    LongToLong,
    LongToFloat,
    LongToDouble,
    FloatToFloat,
    FloatToDouble,
    DoubleToDouble,
    StringToString,
    StringToBytes,
    BytesToBytes,
    BytesToString,
    FixedToBytes,
    DecimalBytes,
    DecimalFixed,
    EnumToString,
    Date,
    TimeMillis,
    TimeMicros,
    TimestampMillis,
    TimestampMicros,
    TimestampMillisLtz,
    TimestampMicrosLtz,
    Record,
    Array,
    Map,
    Union,
}

/// <summary>
/// How to decode one writer value into one reader value, compiled once per (writer schema, reader type) by
/// <see cref="AvroReadPlans"/>: the operation, the writer's shape (to skip it) and the nested plans. Immutable and
/// thread-safe; decoding with it allocates only the values it produces.
/// </summary>
internal sealed class AvroReadPlan
{
    /// <summary>The operation.</summary>
    public required AvroReadOp Op { get; init; }

    /// <summary>The writer's Avro type (the base type of a logical type), for skipping.</summary>
    public required AvroSchema.Type WriterTag { get; init; }

    /// <summary>The reader's type; null for <see cref="AvroReadOp.Skip"/>.</summary>
    public DataType? Reader { get; init; }

    /// <summary>A fixed's size in bytes.</summary>
    public int FixedSize { get; init; }

    /// <summary>A decimal's scale.</summary>
    public int Scale { get; init; }

    /// <summary>An enum's symbols, by ordinal.</summary>
    public string[]? Symbols { get; init; }

    /// <summary>A record's plan.</summary>
    public AvroRecordPlan? Record { get; init; }

    /// <summary>An array's items or a map's values.</summary>
    public AvroReadPlan? Element { get; init; }

    /// <summary>A union's branches, by the writer's branch index.</summary>
    public AvroReadPlan[]? Branches { get; init; }

    /// <summary>For <see cref="AvroReadOp.Incompatible"/>: why the writer's value cannot be read.</summary>
    public string? Incompatible { get; init; }
}

/// <summary>One writer field of a record plan: how to decode it and which reader field (or -1: skip it) receives it.</summary>
/// <param name="Name">The writer's field name, for error paths.</param>
/// <param name="Target">The reader field's index, or -1.</param>
/// <param name="Plan">How to decode (or skip) the value.</param>
internal sealed record AvroFieldStep(string Name, int Target, AvroReadPlan Plan);

/// <summary>A reader field the writer lacks and its value: the reader's Avro default, or null.</summary>
/// <param name="Target">The reader field's index.</param>
/// <param name="Value">The default as the field's CLR value (boxed once, at compile time); null for null.</param>
internal sealed record AvroFieldDefault(int Target, object? Value);

/// <summary>
/// How to decode a writer record into a <see cref="Row"/> of <see cref="Schema"/>: the writer's fields in writer
/// order, then the defaults of the reader fields the writer lacks. Immutable and thread-safe.
/// </summary>
internal sealed class AvroRecordPlan
{
    public AvroRecordPlan(Schema schema, AvroFieldStep[] steps, AvroFieldDefault[] defaults)
    {
        Schema = schema;
        Steps = steps;
        Defaults = defaults;
    }

    /// <summary>The rows' schema (the reader's).</summary>
    public Schema Schema { get; }

    /// <summary>The writer's fields, in writer order.</summary>
    public AvroFieldStep[] Steps { get; }

    /// <summary>The reader fields the writer lacks.</summary>
    public AvroFieldDefault[] Defaults { get; }
}
