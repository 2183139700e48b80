namespace Sluice;

/// <summary>
/// A job failed: a user function threw, a source or sink failed, or the runtime hit an invariant violation. The
/// message names the job, operator, subtask and (when known) the record being processed; <see cref="Exception.InnerException"/>
/// is the original error.
/// </summary>
public sealed class JobExecutionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobExecutionException(string message, string operatorName, int subtaskIndex, string? record, Exception? inner)
        : base(message, inner)
    {
        OperatorName = operatorName;
        SubtaskIndex = subtaskIndex;
        Record = record;
    }

    /// <summary>Creates the exception with only a message (no operator context).</summary>
    public JobExecutionException(string message) : base(message)
    {
        OperatorName = "";
    }

    /// <summary>Creates the exception with only a message and cause (no operator context).</summary>
    public JobExecutionException(string message, Exception inner) : base(message, inner)
    {
        OperatorName = "";
    }

    /// <summary>Creates an empty exception (for serializers and tooling).</summary>
    public JobExecutionException() : this("The job failed.") { }

    /// <summary>The failing operator's display name; empty when the failure is not an operator's.</summary>
    public string OperatorName { get; }

    /// <summary>The failing subtask index, or −1.</summary>
    public int SubtaskIndex { get; } = -1;

    /// <summary>The record being processed, rendered as text (truncated), or null.</summary>
    public string? Record { get; }
}
