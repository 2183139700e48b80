namespace Sluice.Connectors.Postgres;

/// <summary>How the PostgreSQL sink writes committed rows into its table.</summary>
public enum PostgresWriteMode
{
    /// <summary>
    /// Every row becomes a new row of the table. The input must be insert-only: a changelog row (<c>-U</c>, <c>+U</c>,
    /// <c>-D</c>) fails the job naming it, because appending it would corrupt the table.
    /// </summary>
    Append,

    /// <summary>
    /// Rows are inserted or updated by <see cref="PostgresSinkOptions.PrimaryKey"/>
    /// (<c>INSERT … ON CONFLICT (key) DO UPDATE</c>), applied as a changelog: <c>+I</c> and <c>+U</c> upsert their key,
    /// <c>-D</c> deletes it, <c>-U</c> is ignored (the <c>+U</c> that follows supersedes it). Within one checkpoint of one
    /// subtask the last row of a key wins. The table needs a primary key or unique constraint on exactly those columns.
    /// </summary>
    Upsert,
}
