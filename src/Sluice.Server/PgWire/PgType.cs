namespace Sluice.Server.PgWire;

/// <summary>
/// The PostgreSQL types the endpoint sends and receives, by their fixed <c>pg_type</c> OIDs (PostgreSQL's
/// <c>pg_type.dat</c>; the same in every PostgreSQL release), with <c>typlen</c> as RowDescription carries it.
/// </summary>
internal enum PgTypeKind
{
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    Text,
    Varchar,
    Bytea,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Interval,
    Uuid,
    Json,
    Unknown,
}

/// <summary>The wire identity of a <see cref="PgTypeKind"/>: OID, length, name.</summary>
internal static class PgType
{
    /// <summary>The OID of <paramref name="kind"/>.</summary>
    public static int Oid(PgTypeKind kind) => kind switch
    {
        PgTypeKind.Bool => 16,
        PgTypeKind.Bytea => 17,
        PgTypeKind.Int8 => 20,
        PgTypeKind.Int2 => 21,
        PgTypeKind.Int4 => 23,
        PgTypeKind.Text => 25,
        PgTypeKind.Json => 114,
        PgTypeKind.Float4 => 700,
        PgTypeKind.Float8 => 701,
        PgTypeKind.Unknown => 705,
        PgTypeKind.Varchar => 1043,
        PgTypeKind.Date => 1082,
        PgTypeKind.Time => 1083,
        PgTypeKind.Timestamp => 1114,
        PgTypeKind.TimestampTz => 1184,
        PgTypeKind.Interval => 1186,
        PgTypeKind.Numeric => 1700,
        PgTypeKind.Uuid => 2950,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a wire type."),
    };

    /// <summary>The kind of OID <paramref name="oid"/>; null for a type the endpoint does not decode (its parameters are passed as text).</summary>
    public static PgTypeKind? FromOid(int oid) => oid switch
    {
        16 => PgTypeKind.Bool,
        17 => PgTypeKind.Bytea,
        20 => PgTypeKind.Int8,
        21 => PgTypeKind.Int2,
        23 => PgTypeKind.Int4,
        25 => PgTypeKind.Text,
        114 or 3802 => PgTypeKind.Json,
        700 => PgTypeKind.Float4,
        701 => PgTypeKind.Float8,
        1042 or 1043 => PgTypeKind.Varchar,
        1082 => PgTypeKind.Date,
        1083 => PgTypeKind.Time,
        1114 => PgTypeKind.Timestamp,
        1184 => PgTypeKind.TimestampTz,
        1186 => PgTypeKind.Interval,
        1700 => PgTypeKind.Numeric,
        2950 => PgTypeKind.Uuid,
        _ => null,
    };

    /// <summary>The DuckDB type a parameter of <paramref name="kind"/> stands for.</summary>
    public static string DuckDbName(PgTypeKind kind) => kind switch
    {
        PgTypeKind.Bool => "BOOLEAN",
        PgTypeKind.Int2 => "SMALLINT",
        PgTypeKind.Int4 => "INTEGER",
        PgTypeKind.Int8 => "BIGINT",
        PgTypeKind.Float4 => "FLOAT",
        PgTypeKind.Float8 => "DOUBLE",
        PgTypeKind.Numeric => "DECIMAL(38, 10)",
        PgTypeKind.Bytea => "BLOB",
        PgTypeKind.Date => "DATE",
        PgTypeKind.Time => "TIME",
        PgTypeKind.Timestamp => "TIMESTAMP",
        PgTypeKind.TimestampTz => "TIMESTAMPTZ",
        PgTypeKind.Interval => "INTERVAL",
        PgTypeKind.Uuid => "UUID",
        _ => "VARCHAR",
    };

    /// <summary><c>typlen</c>: the fixed size in bytes, or -1 for a variable-length type.</summary>
    public static short Length(PgTypeKind kind) => kind switch
    {
        PgTypeKind.Bool => 1,
        PgTypeKind.Int2 => 2,
        PgTypeKind.Int4 or PgTypeKind.Float4 or PgTypeKind.Date => 4,
        PgTypeKind.Int8 or PgTypeKind.Float8 or PgTypeKind.Time or PgTypeKind.Timestamp or PgTypeKind.TimestampTz => 8,
        PgTypeKind.Interval or PgTypeKind.Uuid => 16,
        PgTypeKind.Unknown => -2,
        _ => -1,
    };

    /// <summary>
    /// The wire type of a DuckDB result column, from its DuckDB type name (as DuckDB.NET reports it) and CLR type.
    /// Types without a PostgreSQL counterpart (lists, structs, maps, unsigned 64-bit, HUGEINT) travel as text or
    /// numeric.
    /// </summary>
    public static PgTypeKind FromDuckDb(string typeName, Type clrType)
    {
        var name = typeName.ToUpperInvariant();
        if (name.Contains("JSON", StringComparison.Ordinal))
        {
            return PgTypeKind.Json;
        }
        if (name.Contains("TIME ZONE", StringComparison.Ordinal) || name is "TIMESTAMPTZ" || name.StartsWith("TIMESTAMP_TZ", StringComparison.Ordinal) || name.StartsWith("TIMESTAMPTZ", StringComparison.Ordinal))
        {
            return PgTypeKind.TimestampTz;
        }
        if (name is "DATE")
        {
            return PgTypeKind.Date;
        }
        return clrType switch
        {
            _ when clrType == typeof(bool) => PgTypeKind.Bool,
            _ when clrType == typeof(sbyte) || clrType == typeof(byte) || clrType == typeof(short) => PgTypeKind.Int2,
            _ when clrType == typeof(ushort) || clrType == typeof(int) => PgTypeKind.Int4,
            _ when clrType == typeof(uint) || clrType == typeof(long) => PgTypeKind.Int8,
            _ when clrType == typeof(ulong) || clrType == typeof(System.Numerics.BigInteger) || clrType == typeof(decimal) || clrType == typeof(UInt128) || clrType == typeof(Int128) => PgTypeKind.Numeric,
            _ when clrType == typeof(float) => PgTypeKind.Float4,
            _ when clrType == typeof(double) => PgTypeKind.Float8,
            _ when clrType == typeof(string) => PgTypeKind.Text,
            _ when clrType == typeof(DateOnly) => PgTypeKind.Date,
            _ when clrType == typeof(TimeOnly) => PgTypeKind.Time,
            _ when clrType == typeof(DateTime) => PgTypeKind.Timestamp,
            _ when clrType == typeof(DateTimeOffset) => PgTypeKind.TimestampTz,
            _ when clrType == typeof(TimeSpan) => PgTypeKind.Interval,
            _ when clrType == typeof(Guid) => PgTypeKind.Uuid,
            _ when clrType == typeof(byte[]) || typeof(Stream).IsAssignableFrom(clrType) => PgTypeKind.Bytea,
            _ => PgTypeKind.Text,
        };
    }
}
