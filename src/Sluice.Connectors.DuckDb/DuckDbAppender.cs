using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Sluice.Connectors.DuckDb.Interop;

namespace Sluice.Connectors.DuckDb;

/// <summary>
/// Bulk-inserts rows into one table through DuckDB's appender, created by
/// <see cref="DuckDbConnection.CreateAppender"/>. Append one value per column, in column order, then
/// <see cref="EndRow"/>: <c>appender.Append(1L).Append("a").AppendNull().EndRow();</c>. Values are converted to the
/// column type by DuckDB (e.g. an <see cref="int"/> into a BIGINT column).
/// <para>Allocation: appending allocates nothing per value — strings are UTF-8 encoded into a reused buffer that grows
/// only for a longer string than seen before.</para>
/// <para>Durability: rows are buffered and written on <see cref="Flush"/>, <see cref="Close"/> or
/// <see cref="Dispose"/>; all three throw <see cref="DuckDbException"/> when DuckDB rejects the data (e.g. a
/// constraint violation), after which the buffered rows are lost.</para>
/// <para>Thread-safety: none; same rules as the connection. Ownership: the caller disposes it; using it afterwards
/// throws <see cref="ObjectDisposedException"/>.</para>
/// </summary>
public sealed unsafe class DuckDbAppender : IDisposable
{
    private readonly DuckDbHandle _handle;
    private byte[] _utf8 = new byte[256];
    private bool _faulted;
    private bool _closed;

    internal DuckDbAppender(DuckDbHandle handle, string table)
    {
        _handle = handle;
        Table = table;
    }

    /// <summary>The target table (schema-qualified when a schema was given).</summary>
    public string Table { get; }

    /// <summary>Appends a BOOLEAN to the current row.</summary>
    public DuckDbAppender Append(bool value) => Check(DuckDbNative.AppendBool(Handle(), value));

    /// <summary>Appends an INTEGER to the current row.</summary>
    public DuckDbAppender Append(int value) => Check(DuckDbNative.AppendInt32(Handle(), value));

    /// <summary>Appends a BIGINT to the current row.</summary>
    public DuckDbAppender Append(long value) => Check(DuckDbNative.AppendInt64(Handle(), value));

    /// <summary>Appends a DOUBLE to the current row.</summary>
    public DuckDbAppender Append(double value) => Check(DuckDbNative.AppendDouble(Handle(), value));

    /// <summary>
    /// Appends a TIMESTAMP (microsecond precision) to the current row. Local times are converted to UTC; UTC and
    /// unspecified times are taken as UTC.
    /// </summary>
    public DuckDbAppender Append(DateTime value) =>
        Check(DuckDbNative.AppendTimestamp(Handle(), NativeConversions.ToUnixMicros(value)));

    /// <summary>Appends a value exactly into a DECIMAL (or other numeric) column; DuckDB casts its text form.</summary>
    public DuckDbAppender Append(decimal value)
    {
        Span<char> text = stackalloc char[64];
        value.TryFormat(text, out var written, provider: CultureInfo.InvariantCulture);
        return Append((ReadOnlySpan<char>)text[..written]);
    }

    /// <summary>Appends a VARCHAR to the current row; null appends SQL NULL.</summary>
    public DuckDbAppender Append(string? value) => value is null ? AppendNull() : Append(value.AsSpan());

    /// <summary>Appends a VARCHAR (any length, any Unicode) to the current row.</summary>
    public DuckDbAppender Append(ReadOnlySpan<char> value)
    {
        var handle = Handle();
        var length = NativeConversions.EncodeUtf8(value, ref _utf8);
        fixed (byte* utf8 = _utf8)
        {
            return Check(DuckDbNative.AppendVarcharLength(handle, utf8, (ulong)length));
        }
    }

    /// <summary>Appends SQL NULL to the current row.</summary>
    public DuckDbAppender AppendNull() => Check(DuckDbNative.AppendNull(Handle()));

    /// <summary>Finishes the current row.</summary>
    /// <exception cref="DuckDbException">The row has the wrong number of values.</exception>
    public void EndRow() => Check(DuckDbNative.AppenderEndRow(Handle()));

    /// <summary>Writes the buffered rows to the table.</summary>
    /// <exception cref="DuckDbException">DuckDB rejected the rows.</exception>
    public void Flush() => Check(DuckDbNative.AppenderFlush(Handle()));

    /// <summary>Flushes and closes the appender; later appends throw. The native object is freed by <see cref="Dispose"/>.</summary>
    /// <exception cref="DuckDbException">The final flush failed.</exception>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        var state = DuckDbNative.AppenderClose(Handle());
        _closed = true;
        Check(state);
    }

    /// <summary>
    /// Flushes the buffered rows (unless an earlier call already failed) and frees the native appender; idempotent.
    /// </summary>
    /// <exception cref="DuckDbException">The final flush failed; the native appender is freed anyway.</exception>
    public void Dispose()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        try
        {
            if (!_faulted && !_closed)
            {
                Close();
            }
        }
        finally
        {
            _handle.Dispose();
        }
    }

    private DuckDbHandle Handle()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return _handle;
    }

    private DuckDbAppender Check(DuckDbState state)
    {
        if (state == DuckDbState.Error)
        {
            ThrowAppendFailed();
        }

        return this;
    }

    [DoesNotReturn]
    private void ThrowAppendFailed()
    {
        _faulted = true;
        var message = DuckDbNative.PtrToString(DuckDbNative.AppenderError(_handle.DangerousGetHandle())) ?? "unknown error";
        throw new DuckDbException($"Appending to table '{Table}' failed: {message}");
    }
}
