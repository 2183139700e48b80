using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>
/// Finds interval-join bounds among join conjuncts: comparisons (and BETWEENs) of a left time attribute with a right
/// time attribute of the same kind, each maybe plus or minus a DAY TO SECOND interval literal
/// (<c>l.t BETWEEN r.t - INTERVAL '10' SECOND AND r.t</c>, <c>l.t &gt;= r.t</c>, <c>r.t &lt; l.t + INTERVAL '1' HOUR</c>).
/// Bounds over one pair of fields with both a lower and an upper bound make an interval join. Not thread-safe (one
/// analysis per join).
/// </summary>
internal sealed class IntervalAnalysis(LogicalNode left, LogicalNode right)
{
    private int _leftField = -1;
    private int _rightField = -1;
    private long? _lower;
    private long? _upper;

    /// <summary>Takes <paramref name="conjunct"/> when it bounds the time attributes; false (nothing recorded) otherwise.</summary>
    public bool TryAdd(BoundExpression conjunct)
    {
        switch (conjunct)
        {
            case ComparisonExpression comparison when comparison.Operator is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual):
                return TryAdd(comparison.Operator, comparison.Left, comparison.Right);
            case BetweenExpression { Negated: false } between:
                {
                    var saved = (_leftField, _rightField, _lower, _upper);
                    if (TryAdd(ComparisonOperator.GreaterOrEqual, between.Operand, between.Low) && TryAdd(ComparisonOperator.LessOrEqual, between.Operand, between.High))
                    {
                        return true;
                    }

                    (_leftField, _rightField, _lower, _upper) = saved;
                    return false;
                }

            default:
                return false;
        }
    }

    /// <summary>The bounds, when both a lower and an upper bound were found; otherwise null.</summary>
    public IntervalBounds? Result() =>
        _lower is { } lower && _upper is { } upper
            ? new IntervalBounds(_leftField, _rightField, lower, upper, left.TimeAttributes[_leftField] == TimeAttributeKind.Proctime)
            : null;

    private bool TryAdd(ComparisonOperator op, BoundExpression x, BoundExpression y)
    {
        if (!TryTime(x, out var xField, out var xOffset) || !TryTime(y, out var yField, out var yOffset))
        {
            return false;
        }

        var leftCount = left.Schema.Count;
        int leftField, rightField;
        long constant;
        if (xField < leftCount && yField >= leftCount)
        {
            // l + xo op r + yo  ⇔  l - r op yo - xo
            (leftField, rightField, constant) = (xField, yField - leftCount, yOffset - xOffset);
        }
        else if (yField < leftCount && xField >= leftCount)
        {
            // r + xo op l + yo  ⇔  l - r (flipped op) xo - yo
            (leftField, rightField, constant) = (yField, xField - leftCount, xOffset - yOffset);
            op = op switch
            {
                ComparisonOperator.Less => ComparisonOperator.Greater,
                ComparisonOperator.LessOrEqual => ComparisonOperator.GreaterOrEqual,
                ComparisonOperator.Greater => ComparisonOperator.Less,
                _ => ComparisonOperator.LessOrEqual,
            };
        }
        else
        {
            return false;
        }

        var kind = left.TimeAttributes[leftField];
        if (kind == TimeAttributeKind.None || right.TimeAttributes[rightField] != kind
            || (_leftField >= 0 && (_leftField != leftField || _rightField != rightField)))
        {
            return false;
        }

        (_leftField, _rightField) = (leftField, rightField);
        switch (op)
        {
            case ComparisonOperator.GreaterOrEqual:
                _lower = _lower is { } l1 ? Math.Max(l1, constant) : constant;
                break;
            case ComparisonOperator.Greater:
                _lower = _lower is { } l2 ? Math.Max(l2, constant + 1) : constant + 1;
                break;
            case ComparisonOperator.LessOrEqual:
                _upper = _upper is { } u1 ? Math.Min(u1, constant) : constant;
                break;
            default:
                _upper = _upper is { } u2 ? Math.Min(u2, constant - 1) : constant - 1;
                break;
        }

        return true;
    }

    /// <summary>Reads <c>field</c>, <c>field + interval</c> or <c>field - interval</c> (interval in milliseconds).</summary>
    private static bool TryTime(BoundExpression expression, out int field, out long offset)
    {
        switch (expression)
        {
            case InputReference reference:
                (field, offset) = (reference.Index, 0);
                return true;
            case ArithmeticExpression { Operator: ArithmeticOperator.Add or ArithmeticOperator.Subtract, Left: InputReference reference, Right: IntervalLiteral { Kind: IntervalKind.DayToSecond } interval } arithmetic:
                (field, offset) = (reference.Index, arithmetic.Operator == ArithmeticOperator.Add ? interval.Value : -interval.Value);
                return true;
            default:
                (field, offset) = (-1, 0);
                return false;
        }
    }
}
