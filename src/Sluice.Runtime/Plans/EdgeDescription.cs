using System.Text.Json.Serialization;

namespace Sluice.Plans;

/// <summary>
/// One edge of a <see cref="PlanDescription"/>: an operator's main output (or one side output) feeding an input of
/// another. A chained edge is a direct call inside a task; any other edge is an exchange over bounded channels. Immutable.
/// </summary>
public sealed record EdgeDescription
{
    /// <summary>The upstream <see cref="OperatorDescription.Id"/>.</summary>
    [JsonPropertyOrder(0)]
    public required int Source { get; init; }

    /// <summary>The downstream <see cref="OperatorDescription.Id"/>.</summary>
    [JsonPropertyOrder(1)]
    public required int Target { get; init; }

    /// <summary>Which input of the target: 0, or 1 for the second input of a two-input operator.</summary>
    [JsonPropertyOrder(2)]
    public required int Input { get; init; }

    /// <summary>How records are routed to the target's subtasks.</summary>
    [JsonPropertyOrder(3)]
    public required Partitioning Partitioning { get; init; }

    /// <summary>True when source and target run in one task, the target called directly (always <see cref="Partitioning.Forward"/> or a keyed edge between non-parallel operators).</summary>
    [JsonPropertyOrder(4)]
    public required bool Chained { get; init; }

    /// <summary>The id of the side output the edge carries; null (omitted in JSON) for the main output.</summary>
    [JsonPropertyOrder(5)]
    public string? SideOutput { get; init; }
}
