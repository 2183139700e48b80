using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// What a <see cref="RegularJoinOperator"/> joins: <c>left JOIN right ON left.k1 = right.k1 AND … AND condition</c>.
/// Immutable; one spec may configure every subtask.
/// </summary>
/// <param name="Left">The left input's schema.</param>
/// <param name="Right">The right input's schema.</param>
/// <param name="LeftKeys">The left equi-join key fields, by index.</param>
/// <param name="RightKeys">The right equi-join key fields, by index, pairwise with <paramref name="LeftKeys"/> (same type kinds).</param>
/// <param name="Kind">The join kind.</param>
internal sealed record RegularJoinSpec(Schema Left, Schema Right, IReadOnlyList<int> LeftKeys, IReadOnlyList<int> RightKeys, JoinKind Kind)
{
    /// <summary>
    /// The residual (non-equi) condition over <see cref="JoinRows.ConditionSchema"/> rows, or null for none. Must be
    /// thread-safe (compiled predicates are).
    /// </summary>
    public RowPredicate? Condition { get; init; }

    /// <summary>
    /// Per key pair, whether it is null-safe (<c>IS NOT DISTINCT FROM</c>: null equals null); null means none is. A row
    /// with a null in a key field that is not null-safe matches nothing.
    /// </summary>
    public IReadOnlyList<bool>? NullSafeKeys { get; init; }

    /// <summary>
    /// <c>table.exec.state.ttl</c>: a stored row is forgotten this long (processing time) after it was last written;
    /// null keeps rows until retracted. A forgotten row no longer joins, and its later retraction finds nothing to undo.
    /// </summary>
    public TimeSpan? StateTtl { get; init; }

    /// <summary>The session context the condition is evaluated in.</summary>
    public SqlEvaluationContext EvaluationContext { get; init; } = SqlEvaluationContext.Default;

    /// <summary>The output schema: <see cref="JoinRows.OutputSchema"/> of the inputs and kind.</summary>
    public Schema Output => JoinRows.OutputSchema(Left, Right, Kind);

    /// <summary>
    /// The changelog the join emits given whether its inputs are insert-only: <see cref="ChangelogMode.InsertOnly"/> for
    /// an inner join of insert-only inputs, else <see cref="ChangelogMode.All"/> (only <c>+I</c> and <c>-D</c> rows).
    /// </summary>
    public ChangelogMode OutputMode(bool leftInsertOnly, bool rightInsertOnly) =>
        Kind == JoinKind.Inner && leftInsertOnly && rightInsertOnly ? ChangelogMode.InsertOnly
        : Kind == JoinKind.Semi && leftInsertOnly && rightInsertOnly ? ChangelogMode.InsertOnly
        : ChangelogMode.All;

    /// <summary>Checks the spec.</summary>
    /// <exception cref="ArgumentException">Keys that do not fit (see <see cref="JoinRows.CheckKeys"/>), or a <see cref="NullSafeKeys"/> of another length.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Left);
        ArgumentNullException.ThrowIfNull(Right);
        JoinRows.CheckKeys(Left, LeftKeys, Right, RightKeys, allowNone: true);
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
