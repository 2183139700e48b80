using System.Text.Json.Serialization;

namespace Sluice.Plans;

/// <summary>One operator of a <see cref="PlanDescription"/>: a node of the job graph as the planner placed it. Immutable.</summary>
public sealed record OperatorDescription
{
    /// <summary>Position in the plan's topological order (inputs before consumers), from 0; edges and tasks refer to it.</summary>
    [JsonPropertyOrder(0)]
    public required int Id { get; init; }

    /// <summary>The operator's checkpoint id: the <c>Uid(…)</c> given in the job, else <c>&lt;id&gt;-&lt;name&gt;</c>.</summary>
    [JsonPropertyOrder(1)]
    public required string Uid { get; init; }

    /// <summary>Display name (the name given in the job, or the API call's default).</summary>
    [JsonPropertyOrder(2)]
    public required string Name { get; init; }

    /// <summary>What the operator does.</summary>
    [JsonPropertyOrder(3)]
    public required OperatorKind Kind { get; init; }

    /// <summary>Subtasks the operator runs in (at least 1).</summary>
    [JsonPropertyOrder(4)]
    public required int Parallelism { get; init; }

    /// <summary>
    /// The most subtasks the operator can run in: the job's key-group count for a keyed operator (state is partitioned
    /// by key group), 1 for a non-parallel source; null (omitted in JSON) when unbounded.
    /// </summary>
    [JsonPropertyOrder(5)]
    public int? MaxParallelism { get; init; }

    /// <summary>True when the operator's input is partitioned by key: it has keyed state and timers.</summary>
    [JsonPropertyOrder(6)]
    public required bool Keyed { get; init; }

    /// <summary>
    /// Where a keyed operator keeps its keyed state (<c>heap</c>, <c>rocksdb</c>: <see cref="State.StateBackendOptions.Name"/>);
    /// null (omitted in JSON) for operators without keyed state.
    /// </summary>
    [JsonPropertyOrder(7)]
    public string? StateBackend { get; init; }

    /// <summary>The <see cref="TaskDescription.Id"/> of the task (operator chain) the operator runs in.</summary>
    [JsonPropertyOrder(8)]
    public required int Task { get; init; }
}
