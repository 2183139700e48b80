namespace Sluice.Server.Views;

/// <summary>What went wrong with a statement the server's SQL front end refused; the endpoint maps it to a SQLSTATE.</summary>
internal enum ServerSqlError
{
    /// <summary>The statement is malformed or names something wrong (42601).</summary>
    Invalid,

    /// <summary>The table or view does not exist (42P01).</summary>
    NotFound,

    /// <summary>A table or view of that name exists already (42P07).</summary>
    Exists,

    /// <summary>The statement is valid but cannot be run as asked (0A000), e.g. an updating query without a key.</summary>
    Unsupported,
}

/// <summary>A statement refused by <see cref="ServerSql"/>: one sentence naming the table, view or column, and the fix.</summary>
internal sealed class ServerSqlException(ServerSqlError error, string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>The kind of refusal.</summary>
    public ServerSqlError Error { get; } = error;
}
