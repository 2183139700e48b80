namespace Sluice.Server.PgWire;

/// <summary>
/// An error answered to a client as an ErrorResponse: its SQLSTATE and one-sentence message. <see cref="Fatal"/> errors
/// end the connection after the answer.
/// </summary>
internal sealed class PgException : Exception
{
    public PgException(string sqlState, string message, bool fatal = false, Exception? innerException = null)
        : base(message, innerException)
    {
        SqlState = sqlState;
        Fatal = fatal;
    }

    public PgException()
        : this(PgSqlState.InternalError, "Internal error.")
    {
    }

    public PgException(string message)
        : this(PgSqlState.InternalError, message)
    {
    }

    public PgException(string message, Exception innerException)
        : this(PgSqlState.InternalError, message, false, innerException)
    {
    }

    /// <summary>The five-character SQLSTATE (see <see cref="PgSqlState"/>).</summary>
    public string SqlState { get; }

    /// <summary>Whether the connection ends after the error (severity FATAL).</summary>
    public bool Fatal { get; }
}

/// <summary>The SQLSTATE codes the endpoint answers (PostgreSQL's Appendix A).</summary>
internal static class PgSqlState
{
    public const string SyntaxError = "42601";
    public const string UndefinedTable = "42P01";
    public const string DuplicateTable = "42P07";
    public const string UndefinedColumn = "42703";
    public const string UndefinedFunction = "42883";
    public const string UndefinedObject = "42704";
    public const string ProtocolViolation = "08P01";
    public const string TooManyConnections = "53300";
    public const string QueryCanceled = "57014";
    public const string InvalidPassword = "28P01";
    public const string InvalidAuthorization = "28000";
    public const string FeatureNotSupported = "0A000";
    public const string ReadOnlyTransaction = "25006";
    public const string InvalidParameterValue = "22023";
    public const string DataException = "22000";
    public const string InvalidTextRepresentation = "22P02";
    public const string DivisionByZero = "22012";
    public const string InvalidCursorName = "34000";
    public const string InvalidStatementName = "26000";
    public const string DuplicatePreparedStatement = "42P05";
    public const string InsufficientPrivilege = "42501";
    public const string InternalError = "XX000";
    public const string AdminShutdown = "57P01";
}
