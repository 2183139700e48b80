using System.Text;

namespace Sluice.Sql;

/// <summary>
/// A statement the SQL front end rejects: a syntax error, an unknown name, a type mismatch, an unsupported feature or
/// a plan that cannot run. <see cref="Exception.Message"/> is one sentence that starts with the position
/// (<c>line:column</c>) when there is one; <see cref="Describe"/> adds the statement's line with a caret under it.
/// </summary>
public class SqlException : Exception
{
    /// <summary>Creates the error. <paramref name="reason"/> is one sentence, without the position.</summary>
    public SqlException(string reason, SqlPosition? position = null, Exception? innerException = null)
        : base(position is { } p ? $"{p}: {reason}" : reason, innerException)
    {
        Reason = reason;
        Position = position;
    }

    /// <summary>The sentence that says what is wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>Where in the statement the error is, when it points at a place.</summary>
    public SqlPosition? Position { get; }

    /// <summary>
    /// The message followed by the line of <paramref name="sql"/> the error points at and a caret under the column,
    /// as the SQL shell prints it. Without a position, or when the position lies outside <paramref name="sql"/>, it
    /// is just the message.
    /// </summary>
    public string Describe(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (Position is not { } p || p.Offset > sql.Length)
        {
            return Message;
        }

        int start = p.Offset - (p.Column - 1);
        if (start < 0 || start > sql.Length)
        {
            return Message;
        }

        int end = sql.IndexOf('\n', start);
        var line = (end < 0 ? sql[start..] : sql[start..end]).TrimEnd('\r');
        var text = new StringBuilder(Message).Append('\n').Append(line).Append('\n');
        // Keep tabs under tabs so the caret lines up in a terminal.
        for (int i = 0; i < p.Column - 1 && i < line.Length; i++)
        {
            text.Append(line[i] == '\t' ? '\t' : ' ');
        }

        return text.Append('^').ToString();
    }
}
