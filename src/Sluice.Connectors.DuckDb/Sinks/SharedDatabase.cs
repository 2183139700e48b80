namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>
/// One database file's process-wide handle for the warehouse sinks (see <see cref="DuckDbWarehouse"/>), with the lock
/// that serializes their DuckDB work on the file: transactions that change the same catalog or table concurrently can
/// fail with write-write conflicts, and commits are short.
/// </summary>
/// <param name="path">The absolute database path.</param>
internal sealed class SharedDatabase(string path)
{
    private DuckDbDatabase? _database;

    /// <summary>Held around every use of <see cref="Connect"/> and the connection it returns.</summary>
    public Lock Lock { get; } = new();

    /// <summary>A new connection (the caller disposes it), opening the file first if needed. Caller holds <see cref="Lock"/>.</summary>
    /// <exception cref="DuckDbException">The file cannot be opened (e.g. another process has it open).</exception>
    public DuckDbConnection Connect()
    {
        _database ??= DuckDbDatabase.Open(path);
        return _database.Connect();
    }

    /// <summary>Closes the handle; the next <see cref="Connect"/> reopens the file.</summary>
    public void Release()
    {
        lock (Lock)
        {
            _database?.Dispose();
            _database = null;
        }
    }
}
