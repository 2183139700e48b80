namespace Sluice.Orchestration.Definitions;

/// <summary>
/// A DAG definition is invalid (unknown task in <c>depends_on</c>, a cycle, a bad cron or time zone, a template that
/// does not parse, a missing field). The message is one sentence naming the file and line (when read from YAML), the
/// DAG and the task, e.g. <c>dags/daily.yml:14: DAG 'daily', task 'load': depends_on names 'extrct', which is not a task of the DAG.</c>
/// Thrown before anything runs.
/// </summary>
public sealed class DagDefinitionException : Exception
{
    /// <summary>Creates the exception with the whole message.</summary>
    public DagDefinitionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the whole message and its cause.</summary>
    public DagDefinitionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
