using System.Diagnostics.CodeAnalysis;
using Sluice.Connectors.DuckDb.Interop;

namespace Sluice.Connectors.DuckDb;

/// <summary>
/// A prepared statement with positional parameters, created by <see cref="DuckDbConnection.Prepare"/>. Parameter
/// indexes are 1-based, matching <c>$1</c>, <c>$2</c> … in the SQL. Bindings persist across executions until
/// rebound or <see cref="ClearBindings"/>. Bind methods return this statement, so calls chain.
/// <para>Thread-safety: none; same rules as the connection. Ownership: the caller disposes it (idempotent); using
/// it afterwards throws <see cref="ObjectDisposedException"/>.</para>
/// </summary>
public sealed unsafe class DuckDbPreparedStatement : IDisposable
{
    private readonly DuckDbHandle _handle;
    private byte[] _utf8 = new byte[128];

    internal DuckDbPreparedStatement(DuckDbHandle handle, string sql)
    {
        _handle = handle;
        Sql = sql;
    }

    /// <summary>The SQL text this statement was prepared from.</summary>
    public string Sql { get; }

    /// <summary>Number of parameters the statement expects.</summary>
    public int ParameterCount
    {
        get
        {
            ThrowIfDisposed();
            return (int)DuckDbNative.ParameterCount(_handle);
        }
    }

    /// <summary>Binds a BOOLEAN to parameter <paramref name="index"/> (1-based).</summary>
    /// <exception cref="DuckDbException">The index is out of range.</exception>
    public DuckDbPreparedStatement Bind(int index, bool value) =>
        Check(DuckDbNative.BindBoolean(Handle(), (ulong)index, value), index);

    /// <summary>Binds an INTEGER to parameter <paramref name="index"/> (1-based).</summary>
    /// <exception cref="DuckDbException">The index is out of range.</exception>
    public DuckDbPreparedStatement Bind(int index, int value) =>
        Check(DuckDbNative.BindInt32(Handle(), (ulong)index, value), index);

    /// <summary>Binds a BIGINT to parameter <paramref name="index"/> (1-based).</summary>
    /// <exception cref="DuckDbException">The index is out of range.</exception>
    public DuckDbPreparedStatement Bind(int index, long value) =>
        Check(DuckDbNative.BindInt64(Handle(), (ulong)index, value), index);

    /// <summary>Binds a DOUBLE to parameter <paramref name="index"/> (1-based).</summary>
    /// <exception cref="DuckDbException">The index is out of range.</exception>
    public DuckDbPreparedStatement Bind(int index, double value) =>
        Check(DuckDbNative.BindDouble(Handle(), (ulong)index, value), index);

    /// <summary>Binds an exact DECIMAL(38, scale of <paramref name="value"/>) to parameter <paramref name="index"/>.</summary>
    /// <exception cref="DuckDbException">The index is out of range.</exception>
    public DuckDbPreparedStatement Bind(int index, decimal value) =>
        Check(DuckDbNative.BindDecimal(Handle(), (ulong)index, NativeConversions.ToNativeDecimal(value)), index);

    /// <summary>
    /// Binds a TIMESTAMP (microsecond precision) to parameter <paramref name="index"/>. Local times are converted to
    /// UTC; UTC and unspecified times are taken as UTC.
    /// </summary>
    /// <exception cref="DuckDbException">The index is out of range.</exception>
    public DuckDbPreparedStatement Bind(int index, DateTime value) =>
        Check(DuckDbNative.BindTimestamp(Handle(), (ulong)index, NativeConversions.ToUnixMicros(value)), index);

    /// <summary>Binds a VARCHAR to parameter <paramref name="index"/>; null binds SQL NULL.</summary>
    /// <exception cref="DuckDbException">The index is out of range.</exception>
    public DuckDbPreparedStatement Bind(int index, string? value) =>
        value is null ? BindNull(index) : Bind(index, value.AsSpan());

    /// <summary>Binds a VARCHAR (UTF-8 encoded into a reused buffer) to parameter <paramref name="index"/>.</summary>
    /// <exception cref="DuckDbException">The index is out of range.</exception>
    public DuckDbPreparedStatement Bind(int index, ReadOnlySpan<char> value)
    {
        var handle = Handle();
        var length = NativeConversions.EncodeUtf8(value, ref _utf8);
        fixed (byte* utf8 = _utf8)
        {
            return Check(DuckDbNative.BindVarcharLength(handle, (ulong)index, utf8, (ulong)length), index);
        }
    }

    /// <summary>Binds SQL NULL to parameter <paramref name="index"/> (1-based).</summary>
    /// <exception cref="DuckDbException">The index is out of range.</exception>
    public DuckDbPreparedStatement BindNull(int index) =>
        Check(DuckDbNative.BindNull(Handle(), (ulong)index), index);

    /// <summary>Removes all bound values.</summary>
    public void ClearBindings()
    {
        if (DuckDbNative.ClearBindings(Handle()) == DuckDbState.Error)
        {
            throw new DuckDbException("DuckDB could not clear the statement's bindings.", Sql);
        }
    }

    /// <summary>Executes with the current bindings; returns the rows inserted, updated or deleted (0 otherwise).</summary>
    /// <exception cref="DuckDbException">Execution failed (including unbound parameters).</exception>
    public long Execute()
    {
        var handle = Handle();
        DuckDbResultNative result = default;
        try
        {
            if (DuckDbNative.ExecutePrepared(handle, &result) == DuckDbState.Error)
            {
                throw new DuckDbException(NativeConversions.ResultError(&result), Sql);
            }

            return (long)DuckDbNative.RowsChanged(&result);
        }
        finally
        {
            DuckDbNative.DestroyResult(&result);
        }
    }

    /// <summary>Executes with the current bindings and returns the rows, materialized.</summary>
    /// <exception cref="DuckDbException">Execution failed, or a column type cannot be read.</exception>
    public DuckDbResult Query()
    {
        var handle = Handle();
        DuckDbResultNative result = default;
        try
        {
            if (DuckDbNative.ExecutePrepared(handle, &result) == DuckDbState.Error)
            {
                throw new DuckDbException(NativeConversions.ResultError(&result), Sql);
            }

            return ResultMaterializer.Materialize(&result, Sql);
        }
        finally
        {
            DuckDbNative.DestroyResult(&result);
        }
    }

    /// <summary>Destroys the native statement; idempotent.</summary>
    public void Dispose() => _handle.Dispose();

    private DuckDbHandle Handle()
    {
        ThrowIfDisposed();
        return _handle;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_handle.IsClosed, this);

    private DuckDbPreparedStatement Check(DuckDbState state, int index)
    {
        if (state == DuckDbState.Error)
        {
            ThrowBindFailed(index);
        }

        return this;
    }

    [DoesNotReturn]
    private void ThrowBindFailed(int index) =>
        throw new DuckDbException(
            $"Could not bind parameter {index}: the statement has {DuckDbNative.ParameterCount(_handle)} parameter(s), numbered from 1.",
            Sql);
}
