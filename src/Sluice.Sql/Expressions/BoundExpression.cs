using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>
/// A validated, typed scalar expression: the binder's output and the compiler's input. Every node knows its
/// <see cref="Type"/> (nullability included) and, when it came from SQL text, its <see cref="Position"/>. Immutable
/// and thread-safe; nodes are built only through <see cref="BoundExpressions"/>, which checks operand types and
/// inserts Flink's implicit casts as explicit <see cref="CastExpression"/> nodes, so a tree is well typed by
/// construction.
/// </summary>
internal abstract class BoundExpression
{
    private protected BoundExpression(DataType type, SqlPosition? position)
    {
        Type = type;
        Position = position;
    }

    /// <summary>The type of the value, nullability included.</summary>
    public DataType Type { get; }

    /// <summary>Where the expression starts in the statement, for errors; null when it was built in code.</summary>
    public SqlPosition? Position { get; }

    /// <summary>The operands, in evaluation order (empty for leaves).</summary>
    public abstract IReadOnlyList<BoundExpression> Operands { get; }

    /// <summary>
    /// Whether the value depends only on the operands: false for CURRENT_TIMESTAMP, RAND, UUID and user functions
    /// declared non-deterministic. <see cref="BoundExpressions.Fold"/> folds only deterministic nodes.
    /// </summary>
    public virtual bool IsDeterministic => true;

    /// <summary>The type's name as error messages print it (an interval literal prints its INTERVAL type).</summary>
    public virtual string TypeName => Type.ToString();

    /// <summary>The same node over new operands of the same types (used by folding).</summary>
    internal abstract BoundExpression WithOperands(BoundExpression[] operands);

    /// <summary>SQL-like text of the expression (input fields by name), for EXPLAIN and messages.</summary>
    public abstract override string ToString();
}
