using System.Text.Json.Serialization;

namespace Sluice.Plans;

/// <summary>
/// One task of a <see cref="PlanDescription"/>: an operator chain — operators that call each other directly in one
/// thread per subtask, no queue between them — run in <see cref="Parallelism"/> subtasks. Immutable.
/// </summary>
public sealed record TaskDescription
{
    /// <summary>Position among the plan's tasks, from 0, in the topological order of their first operators.</summary>
    [JsonPropertyOrder(0)]
    public required int Id { get; init; }

    /// <summary>Subtasks of the task: every operator of the chain has this parallelism.</summary>
    [JsonPropertyOrder(1)]
    public required int Parallelism { get; init; }

    /// <summary>The <see cref="OperatorDescription.Id"/>s of the chain, head first, then depth-first along chained edges.</summary>
    [JsonPropertyOrder(2)]
    public required IReadOnlyList<int> Operators { get; init; }
}
