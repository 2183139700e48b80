using DuckDB.NET.Data;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>
/// One database file's process-wide connection for the warehouse sinks (see <see cref="DuckDbWarehouse"/>), with the
/// lock that serializes their DuckDB work on the file: transactions that change the same catalog or table concurrently
/// can fail with write-write conflicts, and commits are short. While the connection is open DuckDB.NET keeps the file's
/// database open, so in-process readers opening the same path share it.
/// </summary>
/// <param name="path">The absolute database path.</param>
internal sealed class SharedDatabase(string path)
{
    private DuckDBConnection? _connection;

    /// <summary>Held around every use of <see cref="Connection"/>.</summary>
    public Lock Lock { get; } = new();

    /// <summary>
    /// The open connection, opening the file first if needed; owned by this object (callers do not dispose it). Caller
    /// holds <see cref="Lock"/> and ends any transaction it starts.
    /// </summary>
    /// <exception cref="DuckDBException">The file cannot be opened (e.g. another process has it open).</exception>
    public DuckDBConnection Connection => _connection ??= DuckDbConnections.Open(path);

    /// <summary>Closes the connection; the next use of <see cref="Connection"/> reopens the file.</summary>
    public void Release()
    {
        lock (Lock)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }
}
