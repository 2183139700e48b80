namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>
/// One column of a materialized <see cref="DuckDbResult"/>: name, DuckDB type, a typed value list and a null flag
/// per row. A NULL row holds a default value in the typed list so row indexes stay aligned. Not thread-safe while
/// being filled; read-only afterwards.
/// </summary>
internal sealed class ResultColumn
{
    public ResultColumn(string name, DuckDbType type, ColumnStorage storage, int decimalScale, int decimalInternalType)
    {
        Name = name;
        Type = type;
        Storage = storage;
        DecimalScale = decimalScale;
        DecimalInternalType = decimalInternalType;
    }

    public string Name { get; }

    public DuckDbType Type { get; }

    public ColumnStorage Storage { get; }

    /// <summary>Scale of a DECIMAL column; 0 otherwise.</summary>
    public int DecimalScale { get; }

    /// <summary>Physical type holding a DECIMAL's unscaled value (SMALLINT, INTEGER, BIGINT or HUGEINT).</summary>
    public int DecimalInternalType { get; }

    public List<long> Int64s { get; } = [];

    public List<double> Doubles { get; } = [];

    public List<decimal> Decimals { get; } = [];

    public List<string?> Strings { get; } = [];

    public List<bool> Nulls { get; } = [];

    /// <summary>True for the date/time types, whose <see cref="Int64s"/> hold microseconds since the Unix epoch.</summary>
    public bool IsTemporal => Type is DuckDbType.Timestamp or DuckDbType.TimestampTz or DuckDbType.TimestampSeconds
        or DuckDbType.TimestampMilliseconds or DuckDbType.TimestampNanoseconds or DuckDbType.Date;
}
