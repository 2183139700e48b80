namespace Sluice.Connectors.DuckDb;

/// <summary>Options of the Parquet lake sink (<see cref="DuckDbStreamExtensions.ToParquetLake{T}"/>).</summary>
public sealed record ParquetLakeOptions
{
    /// <summary>
    /// True (default): files go to <c>event_date=YYYY-MM-DD/hour=H/</c> (H = 0..23, not zero-padded, so hive readers
    /// type it as an integer — DuckDB's own <c>PARTITION_BY</c> naming); false: to <c>event_date=YYYY-MM-DD/</c>.
    /// Both are computed from the record's event time in UTC.
    /// </summary>
    public bool PartitionByHour { get; init; } = true;

    /// <summary>
    /// The most rows one Parquet file holds (default 1,000,000): a subtask's rows of one partition and one checkpoint
    /// are split into files of at most this many rows. Must be positive.
    /// </summary>
    public long MaxRowsPerFile { get; init; } = 1_000_000;
}
