namespace Sluice.Sql.Expressions;

/// <summary>
/// A compiled expression could not compute a row's value: a CAST of a value that does not convert, a DECIMAL result
/// that does not fit its type, an integer division by zero, a malformed regular expression. The message is one
/// sentence naming the value, the type and, when known, where in the statement the expression is. The runtime turns
/// it into a dead-letter record for the row; TRY_CAST returns NULL instead of throwing.
/// </summary>
public sealed class SqlEvaluationException : Exception
{
    /// <summary>Creates the error; <paramref name="reason"/> is one sentence, without the position.</summary>
    public SqlEvaluationException(string reason, SqlPosition? position = null, Exception? innerException = null)
        : base(position is { } p ? $"{p}: {reason}" : reason, innerException)
    {
        Reason = reason;
        Position = position;
    }

    /// <summary>The sentence that says what failed, without the position.</summary>
    public string Reason { get; }

    /// <summary>Where the failing expression is in the statement, when known.</summary>
    public SqlPosition? Position { get; }
}
