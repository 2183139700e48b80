using System.Globalization;
using Sluice.Models.Templating;

namespace Sluice.Orchestration.Definitions;

/// <summary>
/// The variables a task's templated fields see, and their rendering with the models' Jinja engine (strict: an unknown
/// name is an error, not an empty string). Variables: <c>ds</c> (logical date, <c>yyyy-MM-dd</c> in the DAG's time
/// zone), <c>ds_nodash</c>, <c>data_interval_start</c>, <c>data_interval_end</c> and <c>logical_date</c> (ISO 8601 in
/// UTC), <c>run_id</c>, <c>dag_id</c>, <c>task_id</c>, <c>try_number</c> and <c>params</c>.
/// </summary>
internal static class TaskTemplates
{
    /// <summary>The variables of one attempt.</summary>
    public static Dictionary<string, object?> Variables(DagDefinition dag, string taskId, string runId, DataInterval interval, int tryNumber)
    {
        var local = TimeZoneInfo.ConvertTime(interval.Start, dag.Schedule.TimeZone);
        var ds = local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["ds"] = ds,
            ["ds_nodash"] = ds.Replace("-", "", StringComparison.Ordinal),
            ["data_interval_start"] = Iso(interval.Start),
            ["data_interval_end"] = Iso(interval.End),
            ["logical_date"] = Iso(interval.Start),
            ["run_id"] = runId,
            ["dag_id"] = dag.Id,
            ["task_id"] = taskId,
            ["try_number"] = (long)tryNumber,
            ["params"] = dag.Params.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>ISO 8601 in UTC with offset, e.g. <c>2024-01-01T00:00:00+00:00</c>.</summary>
    public static string Iso(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>Renders <paramref name="template"/>; throws <see cref="TemplateException"/> naming <paramref name="field"/>.</summary>
    public static string Render(string field, string template, Dictionary<string, object?> variables) =>
        !template.Contains("{{", StringComparison.Ordinal) && !template.Contains("{%", StringComparison.Ordinal)
            ? template
            : JinjaTemplate.Parse(field, template).Render(new Dictionary<string, object?>(variables, StringComparer.Ordinal));

    /// <summary>
    /// Checks every templated field of <paramref name="task"/> parses and renders with sample values; throws
    /// <see cref="DagDefinitionException"/> naming the file, line (the task's line plus the template's line − 1), DAG
    /// and task.
    /// </summary>
    public static void Validate(DagDefinition dag, TaskDefinition task, string location)
    {
        var sample = Variables(dag, task.Id, "validate", new DataInterval(dag.StartDate, dag.Schedule.Next(dag.StartDate) ?? dag.StartDate), 1);
        foreach (var (field, template) in task.Action.Templates())
        {
            try
            {
                Render(field, template, sample);
            }
            catch (TemplateException e)
            {
                throw new DagDefinitionException($"{location}: DAG '{dag.Id}', task '{task.Id}', field '{field}': bad template at line {e.Line}, column {e.Column} of the field: {e.Reason}.", e);
            }
        }
    }
}
