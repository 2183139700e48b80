namespace Sluice.Connectors.DuckDb;

/// <summary>Options of the DuckDB warehouse sink (<see cref="DuckDbStreamExtensions.ToDuckDb{T}"/>).</summary>
public sealed record DuckDbSinkOptions
{
    /// <summary>
    /// Append every record, or upsert by <see cref="PrimaryKey"/> (for rows: apply their changelog, deletes included).
    /// Default <see cref="WarehouseWriteMode.Append"/>, in which a row that retracts (<c>-D</c>, <c>-U</c>) fails the job.
    /// </summary>
    public WarehouseWriteMode Mode { get; init; } = WarehouseWriteMode.Append;

    /// <summary>
    /// The table's primary key as column names (snake_case, e.g. <c>user_id</c> for a property <c>UserId</c>).
    /// Required for <see cref="WarehouseWriteMode.Upsert"/>; with <see cref="WarehouseWriteMode.Append"/> it is only
    /// used when the sink creates the table (then duplicate keys fail the commit).
    /// </summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];
}
