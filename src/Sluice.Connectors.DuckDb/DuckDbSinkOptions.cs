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
    /// Required for <see cref="WarehouseWriteMode.Upsert"/> and refused with <see cref="WarehouseWriteMode.Append"/> (the
    /// created table's key would fail the commit of the first repeated key on every retry). A record with NULL in a key
    /// column fails the write, naming the table, the column and the record.
    /// </summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];
}
