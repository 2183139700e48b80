namespace Sluice.Schemas;

/// <summary>The logical type families of a <see cref="DataType"/>, with Flink SQL's names.</summary>
public enum DataTypeKind : byte
{
    /// <summary><c>BOOLEAN</c>; a row holds it as <see cref="bool"/>.</summary>
    Boolean = 1,

    /// <summary><c>INT</c>, a 32-bit signed integer; a row holds it as <see cref="int"/>.</summary>
    Int,

    /// <summary><c>BIGINT</c>, a 64-bit signed integer; a row holds it as <see cref="long"/>.</summary>
    BigInt,

    /// <summary><c>FLOAT</c>, IEEE 754 single precision; a row holds it as <see cref="float"/>.</summary>
    Float,

    /// <summary><c>DOUBLE</c>, IEEE 754 double precision; a row holds it as <see cref="double"/>.</summary>
    Double,

    /// <summary><c>DECIMAL(p, s)</c> with 1 ≤ p ≤ 28 and 0 ≤ s ≤ p; a row holds it as <see cref="decimal"/>.</summary>
    Decimal,

    /// <summary><c>VARCHAR</c> (also <c>STRING</c>, <c>CHAR(n)</c>, <c>VARCHAR(n)</c>): Unicode text; a row holds a <see cref="string"/>.</summary>
    Varchar,

    /// <summary><c>BYTES</c> (also <c>VARBINARY(n)</c>, <c>BINARY(n)</c>): a byte string; a row holds a <see cref="byte"/> array.</summary>
    Bytes,

    /// <summary><c>DATE</c>: a calendar day without time zone; a row holds a <see cref="DateOnly"/>.</summary>
    Date,

    /// <summary><c>TIME(p)</c>: a time of day without time zone, 0 ≤ p ≤ 9 fractional digits; a row holds a <see cref="TimeOnly"/>.</summary>
    Time,

    /// <summary><c>TIMESTAMP(p)</c>: a date and time without time zone (wall-clock); a row holds a <see cref="DateTime"/> of kind Unspecified.</summary>
    Timestamp,

    /// <summary><c>TIMESTAMP_LTZ(p)</c>: an instant on the time line; a row holds a <see cref="DateTimeOffset"/> at offset zero.</summary>
    TimestampLtz,

    /// <summary><c>ROW&lt;…&gt;</c>: a nested record with its own <see cref="Schema"/>; a row holds a nested <see cref="Row"/>.</summary>
    Row,

    /// <summary><c>ARRAY&lt;t&gt;</c>: an ordered list of one element type; a row holds an <see cref="IReadOnlyList{T}"/> of <see cref="object"/>.</summary>
    Array,

    /// <summary><c>MAP&lt;k, v&gt;</c>: entries with non-null keys, in insertion order; a row holds an <see cref="IReadOnlyList{T}"/> of key/value pairs.</summary>
    Map,
}
