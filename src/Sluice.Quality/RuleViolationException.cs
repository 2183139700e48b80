namespace Sluice.Quality;

/// <summary>
/// A rule whose action is <see cref="RuleAction.Fail"/> refused a record (or judged the stream unhealthy): the job
/// fails. The message names the rule, the field and the record's position; the runtime wraps it in a
/// <see cref="JobExecutionException"/> naming the operator and subtask.
/// </summary>
public sealed class RuleViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="rule">The rule's name.</param>
    /// <param name="fieldPath">The field at fault, or null for a whole-record or stream-level rule.</param>
    /// <param name="position">Where the record was: its index in the subtask's input and its event time.</param>
    /// <param name="message">The full message.</param>
    public RuleViolationException(string rule, string? fieldPath, string position, string message) : base(message)
    {
        Rule = rule;
        FieldPath = fieldPath;
        Position = position;
    }

    /// <summary>The rule that failed.</summary>
    public string Rule { get; }

    /// <summary>The field at fault, or null.</summary>
    public string? FieldPath { get; }

    /// <summary>The record's position (<c>record 17 of subtask 0, event time …</c>), or the window judged.</summary>
    public string Position { get; }
}
