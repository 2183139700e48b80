using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

internal static partial class BoundExpressions
{
    private static readonly Schema s_noInput = new();

    /// <summary>
    /// Constant folding: every deterministic sub-tree whose operands are all constants is evaluated once and replaced by
    /// a literal of the same type (<c>1 + 2</c> → <c>3</c>, <c>UPPER('a')</c> → <c>'A'</c>). Sub-trees that read the
    /// session time zone (TIMESTAMP ↔ TIMESTAMP_LTZ casts, functions of the evaluation context) fold only when
    /// <paramref name="session"/> is given; a sub-tree whose evaluation fails (<c>CAST('x' AS INT)</c>) is kept, so the
    /// error surfaces per row as Flink's does. Returns the same instance when nothing folds.
    /// </summary>
    public static BoundExpression Fold(BoundExpression expression, SqlEvaluationContext? session = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var operands = expression.Operands;
        if (operands.Count == 0)
        {
            return expression;
        }
        BoundExpression[]? folded = null;
        var allConstant = true;
        for (var i = 0; i < operands.Count; i++)
        {
            var operand = Fold(operands[i], session);
            if (!ReferenceEquals(operand, operands[i]))
            {
                folded ??= [.. operands];
                folded[i] = operand;
            }
            allConstant &= operand is LiteralExpression or IntervalLiteral;
        }
        var node = folded is null ? expression : expression.WithOperands(folded);
        if (!allConstant || !node.IsDeterministic || node is IntervalLiteral || (session is null && ReadsSession(node)))
        {
            return node;
        }
        try
        {
            var value = ExpressionCompiler.CompileEvaluator(node, s_noInput)(new Row(s_noInput), session ?? SqlEvaluationContext.Default);
            return new LiteralExpression(value, node.Type, false, node.Position);
        }
        catch (SqlEvaluationException)
        {
            return node;
        }
        catch (ArithmeticException)
        {
            return node;
        }
    }

    private static bool ReadsSession(BoundExpression node) => node switch
    {
        CallExpression call => call.Function.Sources.Contains(ParameterSource.Context),
        CastExpression cast => (cast.Type.Kind == DataTypeKind.TimestampLtz) != (cast.Operand.Type.Kind == DataTypeKind.TimestampLtz),
        _ => false,
    };
}
