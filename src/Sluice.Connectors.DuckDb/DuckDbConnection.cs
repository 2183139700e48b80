using Sluice.Connectors.DuckDb.Interop;

namespace Sluice.Connectors.DuckDb;

/// <summary>
/// A connection to a <see cref="DuckDbDatabase"/>: runs SQL, prepares statements, creates appenders and transactions.
/// <para>Thread-safety: not thread-safe — use a connection from one thread at a time (one connection per thread or
/// task); open more connections for parallel work.</para>
/// <para>Ownership: the caller disposes it. Statements and appenders created from it keep the native connection
/// alive until they are disposed too, but calling this object after <see cref="Dispose"/> throws
/// <see cref="ObjectDisposedException"/>. Disposing rolls back an open transaction.</para>
/// <para>Errors: every DuckDB failure surfaces as a <see cref="DuckDbException"/> whose message holds DuckDB's text
/// and the SQL.</para>
/// </summary>
public sealed unsafe class DuckDbConnection : IDisposable
{
    private readonly DuckDbHandle _handle;

    internal DuckDbConnection(DuckDbHandle handle) => _handle = handle;

    /// <summary>
    /// Runs <paramref name="sql"/> (one or more statements separated by ';') and returns the number of rows the last
    /// statement inserted, updated or deleted (0 for other statements). Any rows it returns are discarded.
    /// </summary>
    /// <exception cref="DuckDbException">DuckDB reported an error (parse, bind, constraint, I/O …).</exception>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public long Execute(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ThrowIfDisposed();
        DuckDbResultNative result = default;
        try
        {
            if (DuckDbNative.Query(_handle, sql, &result) == DuckDbState.Error)
            {
                throw new DuckDbException(NativeConversions.ResultError(&result), sql);
            }

            return (long)DuckDbNative.RowsChanged(&result);
        }
        finally
        {
            DuckDbNative.DestroyResult(&result);
        }
    }

    /// <summary>
    /// Runs <paramref name="sql"/> and returns all rows of the last statement's result, materialized in memory (do
    /// not use for results larger than memory; export those with <c>COPY … TO</c>).
    /// </summary>
    /// <exception cref="DuckDbException">DuckDB reported an error, or a column has a type the binding cannot read.</exception>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public DuckDbResult Query(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ThrowIfDisposed();
        DuckDbResultNative result = default;
        try
        {
            if (DuckDbNative.Query(_handle, sql, &result) == DuckDbState.Error)
            {
                throw new DuckDbException(NativeConversions.ResultError(&result), sql);
            }

            return ResultMaterializer.Materialize(&result, sql);
        }
        finally
        {
            DuckDbNative.DestroyResult(&result);
        }
    }

    /// <summary>
    /// Prepares one statement with positional parameters (<c>?</c> or <c>$1</c>, <c>$2</c> …) for repeated execution.
    /// The caller owns and disposes the statement; it is bound to this connection's thread-affinity rules.
    /// </summary>
    /// <exception cref="DuckDbException">The SQL does not parse or bind.</exception>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public DuckDbPreparedStatement Prepare(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ThrowIfDisposed();
        var state = DuckDbNative.Prepare(_handle, sql, out var statement);
        if (statement == IntPtr.Zero)
        {
            throw new DuckDbException("DuckDB could not allocate a prepared statement.", sql);
        }

        // DuckDB allocates the statement even on failure so the error can be read; it must be destroyed either way.
        var handle = new DuckDbHandle(DuckDbHandleKind.PreparedStatement, statement, _handle);
        if (state == DuckDbState.Error)
        {
            var error = DuckDbNative.PtrToString(DuckDbNative.PrepareError(statement)) ?? "unknown error";
            handle.Dispose();
            throw new DuckDbException(error, sql);
        }

        return new DuckDbPreparedStatement(handle, sql);
    }

    /// <summary>
    /// Creates an appender that bulk-inserts rows into <paramref name="table"/> (in <paramref name="schema"/>, or the
    /// default schema when null) — the fastest way to load data. The caller owns and disposes it.
    /// </summary>
    /// <exception cref="DuckDbException">The table does not exist.</exception>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public DuckDbAppender CreateAppender(string table, string? schema = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        ThrowIfDisposed();
        var state = DuckDbNative.AppenderCreate(_handle, schema, table, out var appender);
        var name = schema is null ? table : $"{schema}.{table}";
        if (appender == IntPtr.Zero)
        {
            throw new DuckDbException($"DuckDB could not create an appender for table '{name}'.");
        }

        // As with statements, a failed appender is still allocated (it carries the error) and must be destroyed.
        var handle = new DuckDbHandle(DuckDbHandleKind.Appender, appender, _handle);
        if (state == DuckDbState.Error)
        {
            var error = DuckDbNative.PtrToString(DuckDbNative.AppenderError(appender)) ?? "unknown error";
            handle.Dispose();
            throw new DuckDbException($"Could not create an appender for table '{name}': {error}");
        }

        return new DuckDbAppender(handle, name);
    }

    /// <summary>
    /// Starts a transaction (<c>BEGIN TRANSACTION</c>). Commit it with <see cref="DuckDbTransaction.Commit"/>; disposing
    /// it without committing rolls back. One transaction at a time per connection.
    /// </summary>
    /// <exception cref="DuckDbException">A transaction is already active on this connection.</exception>
    public DuckDbTransaction BeginTransaction()
    {
        Execute("BEGIN TRANSACTION");
        return new DuckDbTransaction(this);
    }

    /// <summary>True once <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => _handle.IsClosed;

    /// <summary>Closes the connection (native disconnect happens once dependent statements/appenders are gone); idempotent.</summary>
    public void Dispose() => _handle.Dispose();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
}
