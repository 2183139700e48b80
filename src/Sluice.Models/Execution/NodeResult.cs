namespace Sluice.Models.Execution;

/// <summary>How a node ended (dbt's run-result statuses).</summary>
public enum NodeStatus
{
    /// <summary>A model or seed was built.</summary>
    Success,
    /// <summary>Building it failed; <see cref="NodeResult.Message"/> says why.</summary>
    Error,
    /// <summary>Not run because something upstream failed.</summary>
    Skipped,
    /// <summary>A test returned no rows.</summary>
    Pass,
    /// <summary>A test returned rows (severity error).</summary>
    Fail,
    /// <summary>A test returned rows (severity warn).</summary>
    Warn,
}

/// <summary>
/// The outcome of one node of a run. <see cref="RowsAffected"/> is the rows the statement wrote (a table's or seed's
/// row count; an incremental model's inserted or merged rows); <see cref="RowsSelected"/> is the rows the model's
/// SELECT produced in this run (for an incremental model, only the new rows its <c>is_incremental()</c> filter let through).
/// </summary>
/// <param name="UniqueId">dbt's unique id, e.g. <c>model.jaffle_shop.orders</c>.</param>
/// <param name="Name">The node's name.</param>
/// <param name="ResourceType"><c>model</c>, <c>seed</c> or <c>test</c>.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Message">One line: what was built, why it failed, or a test's failing rows.</param>
/// <param name="ExecutionTime">Wall time of the node.</param>
public sealed record NodeResult(string UniqueId, string Name, string ResourceType, NodeStatus Status, string Message, TimeSpan ExecutionTime)
{
    /// <summary>Rows written (models and seeds), when known.</summary>
    public long? RowsAffected { get; init; }

    /// <summary>Rows the model's SELECT returned in this run, when known.</summary>
    public long? RowsSelected { get; init; }

    /// <summary>A test's failing row count.</summary>
    public long? Failures { get; init; }

    /// <summary>Up to five failing rows of a test, each as <c>column=value, …</c>.</summary>
    public IReadOnlyList<string> FailingSample { get; init; } = [];

    /// <summary>The relation built (<c>"main"."orders"</c>), for models and seeds.</summary>
    public string? Relation { get; init; }

    /// <summary>The materialization of a model (<c>view</c>, <c>table</c>, <c>incremental</c>), <c>seed</c>, or <c>test</c>.</summary>
    public string? Materialization { get; init; }

    /// <summary>True when the status stops the command's exit code from being zero.</summary>
    public bool IsFailure => Status is NodeStatus.Error or NodeStatus.Fail;
}

/// <summary>A progress event of a run: a node starting (<see cref="Result"/> null) or finished.</summary>
/// <param name="Index">1-based position of the node in start order.</param>
/// <param name="Total">Nodes the command will run.</param>
/// <param name="UniqueId">The node.</param>
/// <param name="Description">E.g. <c>table model "main"."orders"</c> or <c>test unique_orders_order_id</c>.</param>
/// <param name="Result">The outcome, on the finishing event.</param>
public sealed record ModelRunEvent(int Index, int Total, string UniqueId, string Description, NodeResult? Result);
