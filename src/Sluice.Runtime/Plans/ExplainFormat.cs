namespace Sluice.Plans;

/// <summary>How <see cref="JobExecution.Explain(StreamEnvironment, ExplainFormat)"/> renders a job's plan.</summary>
public enum ExplainFormat
{
    /// <summary>Readable text: one line per task (its operator chain), one per exchange feeding it (<see cref="PlanDescription.ToText"/>).</summary>
    Text,

    /// <summary>The <see cref="PlanDescription"/> as indented JSON (<see cref="PlanDescription.ToJson"/>), for tools and dashboards.</summary>
    Json,
}
