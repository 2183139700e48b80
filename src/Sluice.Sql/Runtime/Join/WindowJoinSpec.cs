using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// What a <see cref="WindowJoinOperator"/> joins: two window TVF outputs (insert-only) on their equi-join key and the
/// same window, <c>l.window_start = r.window_start AND l.window_end = r.window_end</c>. Immutable.
/// </summary>
/// <param name="Left">The left input's schema.</param>
/// <param name="Right">The right input's schema.</param>
/// <param name="LeftKeys">The left equi-join key fields (the window columns excluded), by index.</param>
/// <param name="RightKeys">The right equi-join key fields, by index, pairwise with <paramref name="LeftKeys"/>.</param>
/// <param name="Kind">Any join kind.</param>
/// <param name="LeftWindowStart">The left <c>window_start</c> field (TIMESTAMP or TIMESTAMP_LTZ).</param>
/// <param name="LeftWindowEnd">The left <c>window_end</c> field.</param>
/// <param name="RightWindowStart">The right <c>window_start</c> field.</param>
/// <param name="RightWindowEnd">The right <c>window_end</c> field.</param>
internal sealed record WindowJoinSpec(
    Schema Left, Schema Right, IReadOnlyList<int> LeftKeys, IReadOnlyList<int> RightKeys, JoinKind Kind,
    int LeftWindowStart, int LeftWindowEnd, int RightWindowStart, int RightWindowEnd)
{
    /// <summary>The residual condition over <see cref="JoinRows.ConditionSchema"/> rows, or null. Must be thread-safe.</summary>
    public RowPredicate? Condition { get; init; }

    /// <summary>Per key pair, whether it is null-safe; null means none is (see <see cref="RegularJoinSpec.NullSafeKeys"/>).</summary>
    public IReadOnlyList<bool>? NullSafeKeys { get; init; }

    /// <summary>The session context the condition is evaluated in.</summary>
    public SqlEvaluationContext EvaluationContext { get; init; } = SqlEvaluationContext.Default;

    /// <summary>Where left rows of windows that already fired go; null drops them (as Flink does).</summary>
    public OutputTag<Row>? LateLeftRows { get; init; }

    /// <summary>Where right rows of windows that already fired go; null drops them.</summary>
    public OutputTag<Row>? LateRightRows { get; init; }

    /// <summary>The output schema (<see cref="JoinRows.OutputSchema"/>): left then right fields; the left schema for SEMI and ANTI.</summary>
    public Schema Output => JoinRows.OutputSchema(Left, Right, Kind);

    /// <summary>Checks the spec.</summary>
    /// <exception cref="ArgumentException">Keys or window fields that do not fit.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Left);
        ArgumentNullException.ThrowIfNull(Right);
        JoinRows.CheckKeys(Left, LeftKeys, Right, RightKeys);
        JoinRows.CheckTimeField(Left, LeftWindowStart, "left", "window_start");
        JoinRows.CheckTimeField(Left, LeftWindowEnd, "left", "window_end");
        JoinRows.CheckTimeField(Right, RightWindowStart, "right", "window_start");
        JoinRows.CheckTimeField(Right, RightWindowEnd, "right", "window_end");
        if (NullSafeKeys is { } nullSafe && nullSafe.Count != LeftKeys.Count)
        {
            throw new ArgumentException($"The join has {LeftKeys.Count} key pairs but {nullSafe.Count} null-safety flags.", nameof(NullSafeKeys));
        }
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Not a join kind.");
        }
    }
}
