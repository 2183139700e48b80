using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// What an <see cref="IntervalJoinOperator"/> joins: insert-only inputs on an equi-join key and a time interval,
/// <c>l.time BETWEEN r.time + LowerBoundMs AND r.time + UpperBoundMs</c> (both bounds inclusive; either may be
/// negative: <c>l.t BETWEEN r.t - INTERVAL '1' HOUR AND r.t</c> is −3,600,000 and 0). Immutable.
/// </summary>
/// <param name="Left">The left input's schema.</param>
/// <param name="Right">The right input's schema.</param>
/// <param name="LeftKeys">The left equi-join key fields, by index.</param>
/// <param name="RightKeys">The right equi-join key fields, by index (same type kinds, pairwise).</param>
/// <param name="Kind">INNER, LEFT, RIGHT or FULL.</param>
/// <param name="LeftTimeField">The left time attribute (TIMESTAMP or TIMESTAMP_LTZ), by index.</param>
/// <param name="RightTimeField">The right time attribute (TIMESTAMP or TIMESTAMP_LTZ), by index.</param>
/// <param name="LowerBoundMs">The lower bound of <c>l.time − r.time</c>, ms.</param>
/// <param name="UpperBoundMs">The upper bound of <c>l.time − r.time</c>, ms; not below <paramref name="LowerBoundMs"/>.</param>
internal sealed record IntervalJoinSpec(
    Schema Left, Schema Right, IReadOnlyList<int> LeftKeys, IReadOnlyList<int> RightKeys, JoinKind Kind,
    int LeftTimeField, int RightTimeField, long LowerBoundMs, long UpperBoundMs)
{
    /// <summary>The residual condition over <see cref="JoinRows.ConditionSchema"/> rows, or null. Must be thread-safe.</summary>
    public RowPredicate? Condition { get; init; }

    /// <summary>Per key pair, whether it is null-safe; null means none is (see <see cref="RegularJoinSpec.NullSafeKeys"/>).</summary>
    public IReadOnlyList<bool>? NullSafeKeys { get; init; }

    /// <summary>The session context the condition is evaluated in.</summary>
    public SqlEvaluationContext EvaluationContext { get; init; } = SqlEvaluationContext.Default;

    /// <summary>The output schema: left fields then right fields (<see cref="JoinRows.OutputSchema"/>).</summary>
    public Schema Output => JoinRows.OutputSchema(Left, Right, Kind);

    /// <summary>
    /// How far the output watermark trails the input watermark, ms: <c>max(0, −LowerBoundMs, UpperBoundMs)</c>, so that
    /// a null-padded row emitted when its time runs out is never behind the forwarded watermark (as Flink).
    /// </summary>
    public long OutputDelayMs => Math.Max(0, Math.Max(-LowerBoundMs, UpperBoundMs));

    /// <summary>Checks the spec.</summary>
    /// <exception cref="ArgumentException">Keys or time fields that do not fit, a lower bound above the upper, or SEMI/ANTI.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Left);
        ArgumentNullException.ThrowIfNull(Right);
        JoinRows.CheckKeys(Left, LeftKeys, Right, RightKeys);
        if (Kind is not (JoinKind.Inner or JoinKind.Left or JoinKind.Right or JoinKind.Full))
        {
            throw new ArgumentException($"An interval join is INNER, LEFT, RIGHT or FULL, not {Kind}.", nameof(Kind));
        }
        CheckTime(Left, LeftTimeField, "left");
        CheckTime(Right, RightTimeField, "right");
        if (LowerBoundMs > UpperBoundMs)
        {
            throw new ArgumentException($"The interval join's lower bound ({LowerBoundMs} ms) is above its upper bound ({UpperBoundMs} ms): no rows could match.", nameof(LowerBoundMs));
        }
        if (NullSafeKeys is { } nullSafe && nullSafe.Count != LeftKeys.Count)
        {
            throw new ArgumentException($"The join has {LeftKeys.Count} key pairs but {nullSafe.Count} null-safety flags.", nameof(NullSafeKeys));
        }
    }

    private static void CheckTime(Schema schema, int field, string side)
    {
        JoinRows.CheckIndex(schema, field, side);
        if (schema[field].Type.Kind is not (DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
        {
            throw new ArgumentException($"The {side} time attribute '{schema[field].Name}' is {schema[field].Type}; an interval join needs a TIMESTAMP or TIMESTAMP_LTZ.", nameof(field));
        }
    }
}
