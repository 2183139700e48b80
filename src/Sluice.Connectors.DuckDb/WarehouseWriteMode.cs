namespace Sluice.Connectors.DuckDb;

/// <summary>How <see cref="DuckDbStreamExtensions.ToDuckDb{T}"/> writes committed rows into its table.</summary>
public enum WarehouseWriteMode
{
    /// <summary>Every record becomes a new row (<c>INSERT</c>); the table needs no key.</summary>
    Append,

    /// <summary>
    /// Rows are inserted or replaced by <see cref="DuckDbSinkOptions.PrimaryKey"/> (<c>INSERT OR REPLACE</c>): the
    /// latest committed version of a key wins. Within one checkpoint of one subtask the last record written wins. A
    /// stream of <see cref="Schemas.Row"/>s is applied as a changelog (<see cref="Schemas.ChangelogMode.Upsert"/>):
    /// a <c>-D</c> or <c>-U</c> row deletes its key's row (the last row of a key in a batch decides, so a <c>-U</c> then
    /// its <c>+U</c> is one upsert).
    /// </summary>
    Upsert,
}
