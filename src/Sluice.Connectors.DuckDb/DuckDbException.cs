namespace Sluice.Connectors.DuckDb;

/// <summary>
/// A failure reported by DuckDB (open, connect, query, prepare, bind, append) or a value the binding cannot
/// convert. <see cref="Exception.Message"/> carries DuckDB's own text and, where a statement was involved, the SQL;
/// <see cref="DuckDbMessage"/> and <see cref="Sql"/> expose them separately for callers that log structured fields.
/// </summary>
public sealed class DuckDbException : Exception
{
    private const int MaxSqlInMessage = 2000;

    /// <summary>Creates an exception with a message and no SQL context.</summary>
    public DuckDbException(string message)
        : this(message, sql: null)
    {
    }

    /// <summary>Creates an exception from DuckDB's message and the SQL statement (null when none applies).</summary>
    public DuckDbException(string duckDbMessage, string? sql)
        : this(duckDbMessage, sql, innerException: null)
    {
    }

    /// <summary>Creates an exception from DuckDB's message, the SQL (may be null) and the underlying cause.</summary>
    public DuckDbException(string duckDbMessage, string? sql, Exception? innerException)
        : base(Format(duckDbMessage, sql), innerException)
    {
        DuckDbMessage = duckDbMessage;
        Sql = sql;
    }

    /// <summary>Creates an exception with a message and an underlying cause, without SQL context.</summary>
    public DuckDbException(string message, Exception innerException)
        : this(message, sql: null, innerException)
    {
    }

    /// <summary>Creates an exception with a generic message (for serializers and frameworks).</summary>
    public DuckDbException()
        : this("DuckDB operation failed.")
    {
    }

    /// <summary>DuckDB's error text as reported by the C API (or the binding's own conversion message).</summary>
    public string DuckDbMessage { get; }

    /// <summary>The SQL text that failed, or null when the failure was not tied to a statement.</summary>
    public string? Sql { get; }

    private static string Format(string message, string? sql)
    {
        if (sql is null)
        {
            return message;
        }

        var shown = sql.Length <= MaxSqlInMessage ? sql : string.Concat(sql.AsSpan(0, MaxSqlInMessage), "…");
        return $"{message}{Environment.NewLine}SQL: {shown}";
    }
}
