using System.Data.Common;
using DuckDB.NET.Data;

namespace Sluice.Server.PgWire;

/// <summary>
/// A bound statement ready to execute: plan, parameter values, result formats, and once started its DuckDB command and
/// streaming reader (at most one chunk of rows in memory). Executes in steps (Execute with a row limit) until drained;
/// <see cref="Finish"/> releases DuckDB's side. Owned by one connection's loop.
/// </summary>
internal sealed class PgPortal(PgSqlSession session, PgStatementPlan plan, object?[] parameters, short[] resultFormats) : IDisposable
{
    private DuckDBCommand? _command;

    public PgStatementPlan Plan { get; } = plan;

    public object?[] Parameters { get; } = parameters;

    /// <summary>The Bind message's result format codes: none (all text), one (for all) or one per column.</summary>
    public short[] ResultFormats { get; } = resultFormats;

    /// <summary>Whether the query has been started (it may have finished since).</summary>
    public bool Started { get; private set; }

    /// <summary>The open reader; null before start and after finish.</summary>
    public DbDataReader? Reader { get; private set; }

    /// <summary>The result columns, known once started.</summary>
    public PgColumn[]? Columns { get; private set; }

    /// <summary>Rows sent so far (CommandComplete reports them).</summary>
    public long RowCount { get; set; }

    /// <summary>The format code of column <paramref name="index"/> under <paramref name="formats"/>.</summary>
    public static short Format(short[] formats, int index) => formats.Length == 0 ? (short)0 : formats.Length == 1 ? formats[0] : formats[index];

    /// <summary>Whether column <paramref name="index"/> is sent in binary.</summary>
    public bool Binary(int index) => Format(ResultFormats, index) == 1;

    public void Start(DuckDBCommand command, DbDataReader reader, PgColumn[] columns)
    {
        if (ResultFormats.Length > 1 && ResultFormats.Length != columns.Length)
        {
            reader.Dispose();
            command.Dispose();
            session.EndRun();
            throw new PgException(PgSqlState.ProtocolViolation, $"bind message has {ResultFormats.Length} result formats but the query has {columns.Length} columns");
        }
        _command = command;
        Reader = reader;
        Columns = columns;
        Started = true;
    }

    /// <summary>Closes the reader and command (the query stops, its memory is freed) and tells the session it no longer runs.</summary>
    public void Finish()
    {
        if (Reader is null && _command is null)
        {
            return;
        }
        try
        {
            Reader?.Dispose();
            _command?.Dispose();
        }
        catch (DuckDBException)
        {
            // Closing an interrupted or failed result: the error was (or will be) reported by the read that saw it.
        }
        Reader = null;
        _command = null;
        session.EndRun();
    }

    public void Dispose() => Finish();
}
