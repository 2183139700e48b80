using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Plans;

/// <summary>
/// The physical plan of a job as data: its operators with parallelism, key partitioning and state backend, the tasks
/// (operator chains) they run in, and the edges between them with their partitioning. Made by the planner
/// (<see cref="JobExecution.DescribePlan"/>, <see cref="JobClient.PlanDescription"/>); rendered as text
/// (<see cref="ToText"/>) or JSON (<see cref="ToJson"/>, read back with <see cref="FromJson"/>). Immutable and thread-safe.
/// </summary>
/// <remarks>
/// The JSON is camelCase with a fixed property order and carries <c>"version": 1</c>; a later version may add
/// properties (readers ignore ones they do not know) and bumps the version only when a property changes meaning or
/// disappears. Null properties are omitted.
/// </remarks>
public sealed record PlanDescription
{
    /// <summary>The format version this build writes and the newest it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Format version of the JSON (<see cref="CurrentVersion"/> for plans made by this build).</summary>
    [JsonPropertyOrder(0)]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The job's name (<see cref="JobOptions.JobName"/>).</summary>
    [JsonPropertyOrder(1)]
    public required string JobName { get; init; }

    /// <summary>The job's default parallelism (<see cref="JobOptions.Parallelism"/>); operators may differ.</summary>
    [JsonPropertyOrder(2)]
    public required int Parallelism { get; init; }

    /// <summary>Key groups of the job (<see cref="JobOptions.KeyGroupCount"/>): keyed state is partitioned into them, and no keyed operator runs in more subtasks.</summary>
    [JsonPropertyOrder(3)]
    public required int KeyGroups { get; init; }

    /// <summary>The tasks (operator chains) in the topological order of their first operators.</summary>
    [JsonPropertyOrder(4)]
    public required IReadOnlyList<TaskDescription> Tasks { get; init; }

    /// <summary>Every operator, in topological order (inputs before consumers); <see cref="OperatorDescription.Id"/> is the index.</summary>
    [JsonPropertyOrder(5)]
    public required IReadOnlyList<OperatorDescription> Operators { get; init; }

    /// <summary>Every edge, chained or not, grouped by source operator in topological order.</summary>
    [JsonPropertyOrder(6)]
    public required IReadOnlyList<EdgeDescription> Edges { get; init; }

    /// <summary>The plan as indented JSON (LF line ends), e.g. to save beside a job or show in a dashboard.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, PlanJsonContext.Default.PlanDescription);

    /// <summary>Reads a plan written by <see cref="ToJson"/> (of this or an older version).</summary>
    /// <exception cref="JsonException"><paramref name="json"/> is not a plan description.</exception>
    /// <exception cref="NotSupportedException">The plan's version is newer than <see cref="CurrentVersion"/>.</exception>
    public static PlanDescription FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var plan = JsonSerializer.Deserialize(json, PlanJsonContext.Default.PlanDescription)
            ?? throw new JsonException("The JSON is null, not a plan description.");
        if (plan.Version is < 1 or > CurrentVersion)
        {
            throw new NotSupportedException(string.Create(CultureInfo.InvariantCulture,
                $"The plan description has version {plan.Version}; this Sluice reads versions 1 to {CurrentVersion}: read it with a newer Sluice."));
        }
        return plan;
    }

    /// <summary>
    /// The plan as readable text: a line naming the job, then per task <c>task [&lt;parallelism&gt;x] A -> B -> {C, [tag] D}</c>
    /// (its chain; braces where the chain branches, <c>[tag]</c> for a side output) followed by one
    /// <c>  &lt;- X via hash</c> line per exchange feeding it.
    /// </summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"job '{JobName}': parallelism {Parallelism}, {KeyGroups} key groups");
        if (FirstKeyed() is { StateBackend: { } backend })
        {
            text.Append(", keyed state on ").Append(backend);
        }
        text.Append('\n');
        foreach (var task in Tasks)
        {
            var head = Operators[task.Operators[0]];
            text.Append(CultureInfo.InvariantCulture, $"task [{task.Parallelism}x] ");
            AppendChain(text, head);
            text.Append('\n');
            foreach (var edge in Edges)
            {
                if (!edge.Chained && edge.Target == head.Id)
                {
                    text.Append("  <- ").Append(Operators[edge.Source].Name).Append(edge.SideOutput is null ? "" : $"[{edge.SideOutput}]")
                        .Append(" via ").Append(Name(edge.Partitioning)).Append('\n');
                }
            }
        }
        return text.ToString();
    }

    private OperatorDescription? FirstKeyed()
    {
        foreach (var op in Operators)
        {
            if (op.Keyed)
            {
                return op;
            }
        }
        return null;
    }

    private void AppendChain(StringBuilder text, OperatorDescription op)
    {
        text.Append(op.Name);
        var chained = new List<EdgeDescription>();
        foreach (var edge in Edges)
        {
            if (edge.Chained && edge.Source == op.Id)
            {
                chained.Add(edge);
            }
        }
        if (chained.Count == 0)
        {
            return;
        }
        text.Append(chained.Count == 1 ? " -> " : " -> {");
        for (var i = 0; i < chained.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            if (chained[i].SideOutput is { } tag)
            {
                text.Append('[').Append(tag).Append("] ");
            }
            AppendChain(text, Operators[chained[i].Target]);
        }
        if (chained.Count > 1)
        {
            text.Append('}');
        }
    }

    private static string Name(Partitioning partitioning) => partitioning switch
    {
        Partitioning.Forward => "forward",
        Partitioning.Hash => "hash",
        Partitioning.Rebalance => "rebalance",
        _ => partitioning.ToString(),
    };
}
