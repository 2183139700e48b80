namespace Sluice.Connectors.DuckDb;

/// <summary>
/// An explicit transaction on one <see cref="DuckDbConnection"/>, started by
/// <see cref="DuckDbConnection.BeginTransaction"/>. Call <see cref="Commit"/> to make its work durable or
/// <see cref="Rollback"/> to discard it; <see cref="Dispose"/> rolls back if neither happened. Same thread-safety
/// as its connection (none).
/// </summary>
public sealed class DuckDbTransaction : IDisposable
{
    private readonly DuckDbConnection _connection;

    internal DuckDbTransaction(DuckDbConnection connection) => _connection = connection;

    /// <summary>True until <see cref="Commit"/> or <see cref="Rollback"/> completes.</summary>
    public bool IsActive { get; private set; } = true;

    /// <summary>Commits (<c>COMMIT</c>).</summary>
    /// <exception cref="InvalidOperationException">The transaction already ended.</exception>
    /// <exception cref="DuckDbException">The commit failed (e.g. a write-write conflict); the transaction is rolled back by DuckDB.</exception>
    public void Commit() => End("COMMIT");

    /// <summary>Rolls back (<c>ROLLBACK</c>), discarding all work since <see cref="DuckDbConnection.BeginTransaction"/>.</summary>
    /// <exception cref="InvalidOperationException">The transaction already ended.</exception>
    public void Rollback() => End("ROLLBACK");

    /// <summary>Rolls back when still active and the connection is open; otherwise does nothing.</summary>
    public void Dispose()
    {
        if (IsActive && !_connection.IsDisposed)
        {
            Rollback();
        }

        IsActive = false;
    }

    private void End(string sql)
    {
        if (!IsActive)
        {
            throw new InvalidOperationException("The transaction has already been committed or rolled back.");
        }

        IsActive = false;
        _connection.Execute(sql);
    }
}
