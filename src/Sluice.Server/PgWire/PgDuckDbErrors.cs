using DuckDB.NET.Data;

namespace Sluice.Server.PgWire;

/// <summary>
/// Turns DuckDB's errors into the SQLSTATE a PostgreSQL client expects, from the error class DuckDB prefixes its
/// message with (<c>Parser Error:</c>, <c>Catalog Error:</c>…). The message sent is DuckDB's first line (the sentence;
/// the caret diagram below it is dropped). Stateless.
/// </summary>
internal static class PgDuckDbErrors
{
    public static PgException Translate(Exception e)
    {
        var message = FirstLine(e.Message);
        var state = message switch
        {
            _ when message.StartsWith("Parser Error", StringComparison.Ordinal) => PgSqlState.SyntaxError,
            _ when message.StartsWith("INTERRUPT Error", StringComparison.OrdinalIgnoreCase) || message.Contains("Interrupted", StringComparison.Ordinal) => PgSqlState.QueryCanceled,
            _ when message.StartsWith("Catalog Error", StringComparison.Ordinal) && message.Contains("Function", StringComparison.OrdinalIgnoreCase) => PgSqlState.UndefinedFunction,
            _ when message.StartsWith("Catalog Error", StringComparison.Ordinal) && (message.Contains("Table", StringComparison.Ordinal) || message.Contains("View", StringComparison.Ordinal)) => PgSqlState.UndefinedTable,
            _ when message.StartsWith("Catalog Error", StringComparison.Ordinal) => PgSqlState.UndefinedObject,
            _ when message.StartsWith("Binder Error", StringComparison.Ordinal) && message.Contains("not found", StringComparison.Ordinal) => PgSqlState.UndefinedColumn,
            _ when message.StartsWith("Binder Error", StringComparison.Ordinal) && message.Contains("No function matches", StringComparison.Ordinal) => PgSqlState.UndefinedFunction,
            _ when message.StartsWith("Conversion Error", StringComparison.Ordinal) => PgSqlState.InvalidTextRepresentation,
            _ when message.StartsWith("Out of Range Error", StringComparison.Ordinal) => "22003",
            _ when message.Contains("Division by zero", StringComparison.OrdinalIgnoreCase) => PgSqlState.DivisionByZero,
            _ when message.StartsWith("Invalid Input Error", StringComparison.Ordinal) => PgSqlState.DataException,
            _ when message.StartsWith("Not implemented Error", StringComparison.Ordinal) => PgSqlState.FeatureNotSupported,
            _ when message.StartsWith("Permission Error", StringComparison.Ordinal) => PgSqlState.InsufficientPrivilege,
            _ when message.StartsWith("Binder Error", StringComparison.Ordinal) => "42000",
            _ => PgSqlState.InternalError,
        };
        if (state == PgSqlState.QueryCanceled)
        {
            message = "canceling statement due to user request";
        }
        return new PgException(state, message, innerException: e);
    }

    /// <summary>A query interrupted by <see cref="PgSqlSession.Cancel"/>, as PostgreSQL reports a cancelled statement.</summary>
    public static PgException Canceled(Exception e) => new(PgSqlState.QueryCanceled, "canceling statement due to user request", innerException: e);

    /// <summary>The first line of a DuckDB message (its sentence), trimmed.</summary>
    public static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).Trim();
    }
}
