using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>
/// Rewrites of bound expressions the planner needs: splitting and joining conjunctions, finding and renumbering field
/// references. Pure functions; the trees are immutable, so unchanged sub-trees are shared.
/// </summary>
internal static class PlanExpressions
{
    /// <summary>The conjuncts of <paramref name="condition"/> (<c>a AND (b AND c)</c> → a, b, c); empty for null.</summary>
    public static List<BoundExpression> Conjuncts(BoundExpression? condition)
    {
        var conjuncts = new List<BoundExpression>();
        Split(condition, conjuncts);
        return conjuncts;
    }

    /// <summary>The conjunction of <paramref name="conjuncts"/>, left-deep; null when there are none.</summary>
    public static BoundExpression? And(IReadOnlyList<BoundExpression> conjuncts)
    {
        BoundExpression? result = null;
        foreach (var conjunct in conjuncts)
        {
            result = result is null ? conjunct : BoundExpressions.And(result, conjunct);
        }

        return result;
    }

    /// <summary>The conjunction of two optional conditions.</summary>
    public static BoundExpression? And(BoundExpression? left, BoundExpression? right) =>
        left is null ? right : right is null ? left : BoundExpressions.And(left, right);

    /// <summary>Adds the indexes of the fields <paramref name="expression"/> reads to <paramref name="used"/>.</summary>
    public static void CollectInputs(BoundExpression? expression, ISet<int> used)
    {
        if (expression is null)
        {
            return;
        }

        if (expression is InputReference reference)
        {
            used.Add(reference.Index);
            return;
        }

        foreach (var operand in expression.Operands)
        {
            CollectInputs(operand, used);
        }
    }

    /// <summary>Whether every field <paramref name="expression"/> reads is in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static bool ReadsOnly(BoundExpression expression, int from, int to)
    {
        if (expression is InputReference reference)
        {
            return reference.Index >= from && reference.Index < to;
        }

        foreach (var operand in expression.Operands)
        {
            if (!ReadsOnly(operand, from, to))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="expression"/> reads no field.</summary>
    public static bool IsConstant(BoundExpression expression) => ReadsOnly(expression, 0, 0);

    /// <summary>Whether <paramref name="expression"/> and all its operands are deterministic.</summary>
    public static bool IsDeterministic(BoundExpression expression)
    {
        if (!expression.IsDeterministic)
        {
            return false;
        }

        foreach (var operand in expression.Operands)
        {
            if (!IsDeterministic(operand))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <paramref name="expression"/> with every field reference replaced by <paramref name="replace"/>(reference)
    /// (which must return an expression of the same type, nullability aside).
    /// </summary>
    public static BoundExpression Replace(BoundExpression expression, Func<InputReference, BoundExpression> replace)
    {
        if (expression is InputReference reference)
        {
            return replace(reference);
        }

        var operands = expression.Operands;
        if (operands.Count == 0)
        {
            return expression;
        }

        BoundExpression[]? replaced = null;
        for (var i = 0; i < operands.Count; i++)
        {
            var operand = Replace(operands[i], replace);
            if (!ReferenceEquals(operand, operands[i]))
            {
                replaced ??= [.. operands];
                replaced[i] = operand;
            }
        }

        return replaced is null ? expression : expression.WithOperands(replaced);
    }

    /// <summary><paramref name="expression"/> with field i read as field <paramref name="mapping"/>[i] of <paramref name="schema"/>.</summary>
    public static BoundExpression Renumber(BoundExpression expression, IReadOnlyList<int> mapping, Schema schema) =>
        Replace(expression, reference => Reference(schema, mapping[reference.Index], reference));

    /// <summary><paramref name="expression"/> with every field index shifted by <paramref name="offset"/> into <paramref name="schema"/>.</summary>
    public static BoundExpression Shift(BoundExpression expression, int offset, Schema schema) =>
        offset == 0 ? expression : Replace(expression, reference => Reference(schema, reference.Index + offset, reference));

    /// <summary>
    /// <paramref name="expression"/> (over a Calc's output) rewritten over the Calc's input: each field reference is
    /// replaced by the projection that computes it.
    /// </summary>
    public static BoundExpression Inline(BoundExpression expression, IReadOnlyList<BoundExpression> projections) =>
        Replace(expression, reference => projections[reference.Index]);

    /// <summary>A reference to field <paramref name="index"/> of <paramref name="schema"/> at the position of <paramref name="old"/>.</summary>
    public static InputReference Reference(Schema schema, int index, InputReference? old = null) => BoundExpressions.Field(schema, index, old?.Position);

    /// <summary>
    /// A reference of exactly <paramref name="type"/> (used when a field's nullability changes across a rewrite, as when
    /// an outer join pads a side with nulls).
    /// </summary>
    public static InputReference Reference(int index, string name, DataType type) => new(index, name, type, null);

    private static void Split(BoundExpression? condition, List<BoundExpression> conjuncts)
    {
        if (condition is null)
        {
            return;
        }

        if (condition is LogicalExpression { IsAnd: true } and)
        {
            Split(and.Left, conjuncts);
            Split(and.Right, conjuncts);
            return;
        }

        conjuncts.Add(condition);
    }
}
