namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>How a materialized column stores its values (one typed list per column, no boxing).</summary>
internal enum ColumnStorage
{
    /// <summary>Booleans (0/1), integers up to 64 bits, and dates/timestamps as microseconds since the epoch.</summary>
    Int64,
    Double,
    Decimal,
    String,
}
