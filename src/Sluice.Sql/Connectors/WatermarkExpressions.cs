using System.Linq.Expressions;
using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Connectors;

/// <summary>Compiles a table's WATERMARK expression to event-time milliseconds. Thread-safe.</summary>
internal static class WatermarkExpressions
{
    private const long UnixEpochTicks = 621_355_968_000_000_000;

    /// <summary>
    /// <paramref name="expression"/> with each reference to table column i replaced by <paramref name="columns"/>[i]
    /// (the column as an expression over the row the connector produces), so it can run on that row directly.
    /// </summary>
    public static BoundExpression Inline(BoundExpression expression, IReadOnlyList<BoundExpression> columns)
    {
        if (expression is InputReference reference)
        {
            return columns[reference.Index];
        }

        var operands = expression.Operands;
        if (operands.Count == 0)
        {
            return expression;
        }

        var rewritten = new BoundExpression[operands.Count];
        var changed = false;
        for (var i = 0; i < rewritten.Length; i++)
        {
            rewritten[i] = Inline(operands[i], columns);
            changed |= !ReferenceEquals(rewritten[i], operands[i]);
        }

        return changed ? expression.WithOperands(rewritten) : expression;
    }

    /// <summary>
    /// Compiles a TIMESTAMP or TIMESTAMP_LTZ expression over rows of <paramref name="input"/> to a delegate returning
    /// its value in ms since the epoch (a TIMESTAMP read as UTC, as Flink's rowtime), or
    /// <see cref="EventTime.MinWatermark"/> when it is NULL. Allocates nothing per call beyond what the expression does.
    /// </summary>
    /// <exception cref="ArgumentException">The expression is not a timestamp.</exception>
    public static Func<Row, SqlEvaluationContext, long> CompileMillis(BoundExpression expression, Schema input)
    {
        var kind = expression.Type.Kind;
        if (kind is not (DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
        {
            throw new ArgumentException($"A watermark expression must be a timestamp, not {expression.TypeName}.", nameof(expression));
        }

        var emitter = new ExpressionEmitter(input);
        var body = new List<Expression>();
        var result = emitter.Emit(expression, body);
        var millis = Expression.Call(typeof(WatermarkExpressions).GetMethod(kind == DataTypeKind.Timestamp ? nameof(TimestampMillis) : nameof(TimestampLtzMillis))!, result.Value);
        body.Add(Expression.Condition(result.IsNull, Expression.Constant(EventTime.MinWatermark), millis));
        return Expression.Lambda<Func<Row, SqlEvaluationContext, long>>(Expression.Block(emitter.Variables, body), emitter.RowParameter, emitter.Context).Compile();
    }

    /// <summary>A TIMESTAMP as ms since the epoch, read as UTC (rounded down).</summary>
    public static long TimestampMillis(DateTime value) => Math.DivRem(value.Ticks - UnixEpochTicks, TimeSpan.TicksPerMillisecond) switch
    {
        var (q, r) when r < 0 => q - 1,
        var (q, _) => q,
    };

    /// <summary>A TIMESTAMP_LTZ as ms since the epoch (rounded down).</summary>
    public static long TimestampLtzMillis(DateTimeOffset value) => TimestampMillis(value.UtcDateTime);

    /// <summary>Field <paramref name="index"/> of <paramref name="row"/>, a TIMESTAMP or TIMESTAMP_LTZ, as ms since the epoch; <see cref="EventTime.NoTimestamp"/> when NULL.</summary>
    public static long RowtimeMillis(Row row, int index, DataTypeKind kind) =>
        row.IsNull(index) ? EventTime.NoTimestamp
        : kind == DataTypeKind.Timestamp ? TimestampMillis(row.GetTimestamp(index))
        : TimestampLtzMillis(row.GetTimestampLtz(index));
}
