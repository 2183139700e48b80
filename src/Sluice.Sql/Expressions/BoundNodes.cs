using System.Globalization;
using Sluice.Schemas;

// The node classes are small and only meaningful together, so they share this file (the factories that check their
// types are in BoundExpressions.*.cs).
namespace Sluice.Sql.Expressions;

/// <summary>A field of the input row, by index into the input schema.</summary>
internal sealed class InputReference : BoundExpression
{
    internal InputReference(int index, string name, DataType type, SqlPosition? position) : base(type, position)
    {
        Index = index;
        Name = name;
    }

    /// <summary>The field's index in the input schema.</summary>
    public int Index { get; }

    /// <summary>The field's name (for messages and EXPLAIN).</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => this;

    /// <inheritdoc />
    public override string ToString() => Schema.QuoteName(Name);
}

/// <summary>
/// A constant: its CLR value as <see cref="DataTypeKind"/> lists it (null for NULL). A NULL written without a type
/// (<see cref="IsUntypedNull"/>) takes the type of whatever it meets.
/// </summary>
internal sealed class LiteralExpression : BoundExpression
{
    internal LiteralExpression(object? value, DataType type, bool isUntypedNull, SqlPosition? position) : base(type, position)
    {
        Value = value;
        IsUntypedNull = isUntypedNull;
    }

    /// <summary>The value, or null.</summary>
    public object? Value { get; }

    /// <summary>Whether this is a bare <c>NULL</c> whose type comes from its context.</summary>
    public bool IsUntypedNull { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [];

    /// <inheritdoc />
    public override string TypeName => IsUntypedNull ? "NULL" : base.TypeName;

    internal override BoundExpression WithOperands(BoundExpression[] operands) => this;

    /// <inheritdoc />
    public override string ToString() => SqlLiteralText.Of(Value, Type);
}

/// <summary>
/// An interval constant (<c>INTERVAL '5' MINUTE</c>): months or milliseconds. It is an operand of TIMESTAMP/DATE ±
/// interval, TIMESTAMPADD-like functions and window sizes only; its <see cref="BoundExpression.Type"/> is the
/// representation (BIGINT NOT NULL) and no row ever holds it.
/// </summary>
internal sealed class IntervalLiteral : BoundExpression
{
    internal IntervalLiteral(long value, IntervalKind kind, SqlPosition? position) : base(DataType.BigInt.NotNull(), position)
    {
        Value = value;
        Kind = kind;
    }

    /// <summary>Months for <see cref="IntervalKind.YearToMonth"/>, milliseconds for <see cref="IntervalKind.DayToSecond"/>.</summary>
    public long Value { get; }

    /// <summary>The interval family.</summary>
    public IntervalKind Kind { get; }

    /// <inheritdoc />
    public override string TypeName => Kind == IntervalKind.YearToMonth ? "INTERVAL YEAR TO MONTH" : "INTERVAL DAY TO SECOND";

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => this;

    /// <inheritdoc />
    public override string ToString() => Kind == IntervalKind.YearToMonth
        ? $"INTERVAL '{Value.ToString(CultureInfo.InvariantCulture)}' MONTH"
        : $"INTERVAL '{(Value / 1000m).ToString(CultureInfo.InvariantCulture)}' SECOND";
}

/// <summary><c>CAST(x AS t)</c> (a failure throws <see cref="SqlEvaluationException"/>) or <c>TRY_CAST</c> (a failure gives NULL).</summary>
internal sealed class CastExpression : BoundExpression
{
    internal CastExpression(BoundExpression operand, DataType type, bool isTry, SqlPosition? position) : base(type, position)
    {
        Operand = operand;
        IsTry = isTry;
    }

    /// <summary>The value cast.</summary>
    public BoundExpression Operand { get; }

    /// <summary>Whether this is TRY_CAST.</summary>
    public bool IsTry { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Operand];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new CastExpression(operands[0], Type, IsTry, Position);

    /// <inheritdoc />
    public override string ToString() => $"{(IsTry ? "TRY_CAST" : "CAST")}({Operand} AS {Type})";
}

/// <summary>A call of a resolved scalar function overload (built-in or user-defined); arguments are already cast to its parameters.</summary>
internal sealed class CallExpression : BoundExpression
{
    internal CallExpression(FunctionOverload function, BoundExpression[] arguments, DataType type, SqlPosition? position) : base(type, position)
    {
        Function = function;
        Arguments = arguments;
    }

    /// <summary>The overload called.</summary>
    public FunctionOverload Function { get; }

    /// <summary>The arguments, typed as the overload's parameters.</summary>
    public IReadOnlyList<BoundExpression> Arguments { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => Arguments;

    /// <inheritdoc />
    public override bool IsDeterministic => Function.IsDeterministic;

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new CallExpression(Function, operands, Type, Position);

    /// <inheritdoc />
    public override string ToString() => $"{Function.Name}({string.Join(", ", Arguments)})";
}

/// <summary><c>CASE WHEN c1 THEN r1 … [ELSE e] END</c>: the first true condition's result, else the ELSE value (NULL without one).</summary>
internal sealed class CaseExpression : BoundExpression
{
    private readonly BoundExpression[] _operands;

    internal CaseExpression(BoundExpression[] conditions, BoundExpression[] results, BoundExpression elseResult, DataType type, SqlPosition? position)
        : base(type, position)
    {
        Conditions = conditions;
        Results = results;
        Else = elseResult;
        _operands = new BoundExpression[conditions.Length * 2 + 1];
        for (var i = 0; i < conditions.Length; i++)
        {
            _operands[2 * i] = conditions[i];
            _operands[2 * i + 1] = results[i];
        }
        _operands[^1] = elseResult;
    }

    /// <summary>The WHEN conditions (BOOLEAN), in order.</summary>
    public IReadOnlyList<BoundExpression> Conditions { get; }

    /// <summary>The THEN results, cast to the CASE's type.</summary>
    public IReadOnlyList<BoundExpression> Results { get; }

    /// <summary>The ELSE result (a typed NULL when the SQL had none).</summary>
    public BoundExpression Else { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => _operands;

    internal override BoundExpression WithOperands(BoundExpression[] operands)
    {
        var n = (operands.Length - 1) / 2;
        var conditions = new BoundExpression[n];
        var results = new BoundExpression[n];
        for (var i = 0; i < n; i++)
        {
            conditions[i] = operands[2 * i];
            results[i] = operands[2 * i + 1];
        }
        return new CaseExpression(conditions, results, operands[^1], Type, Position);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new System.Text.StringBuilder("CASE");
        for (var i = 0; i < Conditions.Count; i++)
        {
            text.Append(" WHEN ").Append(Conditions[i]).Append(" THEN ").Append(Results[i]);
        }
        return text.Append(" ELSE ").Append(Else).Append(" END").ToString();
    }
}

/// <summary><c>a AND b</c> or <c>a OR b</c> in three-valued logic; the right side is evaluated only when the left does not decide.</summary>
internal sealed class LogicalExpression : BoundExpression
{
    internal LogicalExpression(bool isAnd, BoundExpression left, BoundExpression right, SqlPosition? position)
        : base(DataType.Boolean.WithNullability(left.Type.IsNullable || right.Type.IsNullable), position)
    {
        IsAnd = isAnd;
        Left = left;
        Right = right;
    }

    /// <summary>True for AND, false for OR.</summary>
    public bool IsAnd { get; }

    /// <summary>The left operand.</summary>
    public BoundExpression Left { get; }

    /// <summary>The right operand.</summary>
    public BoundExpression Right { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Left, Right];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new LogicalExpression(IsAnd, operands[0], operands[1], Position);

    /// <inheritdoc />
    public override string ToString() => $"({Left} {(IsAnd ? "AND" : "OR")} {Right})";
}

/// <summary><c>NOT a</c>: NULL stays NULL.</summary>
internal sealed class NotExpression : BoundExpression
{
    internal NotExpression(BoundExpression operand, SqlPosition? position) : base(operand.Type, position) => Operand = operand;

    /// <summary>The negated operand.</summary>
    public BoundExpression Operand { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Operand];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new NotExpression(operands[0], Position);

    /// <inheritdoc />
    public override string ToString() => $"(NOT {Operand})";
}

/// <summary><c>x IS NULL</c> or <c>x IS NOT NULL</c>: never NULL itself.</summary>
internal sealed class IsNullExpression : BoundExpression
{
    internal IsNullExpression(BoundExpression operand, bool negated, SqlPosition? position) : base(DataType.Boolean.NotNull(), position)
    {
        Operand = operand;
        Negated = negated;
    }

    /// <summary>The operand tested.</summary>
    public BoundExpression Operand { get; }

    /// <summary>Whether this is IS NOT NULL.</summary>
    public bool Negated { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Operand];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new IsNullExpression(operands[0], Negated, Position);

    /// <inheritdoc />
    public override string ToString() => $"({Operand} IS {(Negated ? "NOT " : "")}NULL)";
}

/// <summary>A comparison of two operands of one common type (both already cast to it); NULL when either is NULL.</summary>
internal sealed class ComparisonExpression : BoundExpression
{
    internal ComparisonExpression(ComparisonOperator op, BoundExpression left, BoundExpression right, SqlPosition? position)
        : base(DataType.Boolean.WithNullability(left.Type.IsNullable || right.Type.IsNullable), position)
    {
        Operator = op;
        Left = left;
        Right = right;
    }

    /// <summary>The comparison.</summary>
    public ComparisonOperator Operator { get; }

    /// <summary>The left operand.</summary>
    public BoundExpression Left { get; }

    /// <summary>The right operand, of the left's kind.</summary>
    public BoundExpression Right { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Left, Right];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new ComparisonExpression(Operator, operands[0], operands[1], Position);

    /// <inheritdoc />
    public override string ToString() => $"({Left} {OperatorText.Of(Operator)} {Right})";
}

/// <summary>
/// Arithmetic on numbers already cast to the operation's type, or TIMESTAMP/DATE/TIMESTAMP_LTZ ± an
/// <see cref="IntervalLiteral"/>; NULL when either operand is NULL.
/// </summary>
internal sealed class ArithmeticExpression : BoundExpression
{
    internal ArithmeticExpression(ArithmeticOperator op, BoundExpression left, BoundExpression right, DataType type, SqlPosition? position)
        : base(type, position)
    {
        Operator = op;
        Left = left;
        Right = right;
    }

    /// <summary>The operator.</summary>
    public ArithmeticOperator Operator { get; }

    /// <summary>The left operand.</summary>
    public BoundExpression Left { get; }

    /// <summary>The right operand.</summary>
    public BoundExpression Right { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Left, Right];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new ArithmeticExpression(Operator, operands[0], operands[1], Type, Position);

    /// <inheritdoc />
    public override string ToString() => $"({Left} {OperatorText.Of(Operator)} {Right})";
}

/// <summary>Unary minus on a number.</summary>
internal sealed class NegateExpression : BoundExpression
{
    internal NegateExpression(BoundExpression operand, SqlPosition? position) : base(operand.Type, position) => Operand = operand;

    /// <summary>The negated operand.</summary>
    public BoundExpression Operand { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Operand];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new NegateExpression(operands[0], Position);

    /// <inheritdoc />
    public override string ToString() => $"(-{Operand})";
}

/// <summary>
/// <c>x [NOT] IN (v1, …)</c>, all of one common type: true when x equals a value; otherwise NULL when x or any value is
/// NULL, else false (NOT IN negates that).
/// </summary>
internal sealed class InExpression : BoundExpression
{
    internal InExpression(BoundExpression operand, BoundExpression[] values, bool negated, DataType type, SqlPosition? position) : base(type, position)
    {
        Operand = operand;
        Values = values;
        Negated = negated;
    }

    /// <summary>The value looked for.</summary>
    public BoundExpression Operand { get; }

    /// <summary>The list.</summary>
    public IReadOnlyList<BoundExpression> Values { get; }

    /// <summary>Whether this is NOT IN.</summary>
    public bool Negated { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Operand, .. Values];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new InExpression(operands[0], operands[1..], Negated, Type, Position);

    /// <inheritdoc />
    public override string ToString() => $"({Operand} {(Negated ? "NOT " : "")}IN ({string.Join(", ", Values)}))";
}

/// <summary><c>x [NOT] BETWEEN low AND high</c> (ASYMMETRIC, as Flink's default): <c>low &lt;= x AND x &lt;= high</c>, x evaluated once.</summary>
internal sealed class BetweenExpression : BoundExpression
{
    internal BetweenExpression(BoundExpression operand, BoundExpression low, BoundExpression high, bool negated, SqlPosition? position)
        : base(DataType.Boolean.WithNullability(operand.Type.IsNullable || low.Type.IsNullable || high.Type.IsNullable), position)
    {
        Operand = operand;
        Low = low;
        High = high;
        Negated = negated;
    }

    /// <summary>The value tested.</summary>
    public BoundExpression Operand { get; }

    /// <summary>The lower bound (inclusive).</summary>
    public BoundExpression Low { get; }

    /// <summary>The upper bound (inclusive).</summary>
    public BoundExpression High { get; }

    /// <summary>Whether this is NOT BETWEEN.</summary>
    public bool Negated { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Operand, Low, High];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new BetweenExpression(operands[0], operands[1], operands[2], Negated, Position);

    /// <inheritdoc />
    public override string ToString() => $"({Operand} {(Negated ? "NOT " : "")}BETWEEN {Low} AND {High})";
}

/// <summary>
/// <c>s [NOT] LIKE pattern [ESCAPE e]</c>: <c>%</c> any run, <c>_</c> one character, matched over the whole string,
/// case-sensitive. A constant pattern is translated once per call site.
/// </summary>
internal sealed class LikeExpression : BoundExpression
{
    internal LikeExpression(BoundExpression operand, BoundExpression pattern, BoundExpression? escape, bool negated, SqlPosition? position)
        : base(DataType.Boolean.WithNullability(operand.Type.IsNullable || pattern.Type.IsNullable || (escape?.Type.IsNullable ?? false)), position)
    {
        Operand = operand;
        Pattern = pattern;
        Escape = escape;
        Negated = negated;
    }

    /// <summary>The string matched.</summary>
    public BoundExpression Operand { get; }

    /// <summary>The LIKE pattern.</summary>
    public BoundExpression Pattern { get; }

    /// <summary>The one-character escape, if any.</summary>
    public BoundExpression? Escape { get; }

    /// <summary>Whether this is NOT LIKE.</summary>
    public bool Negated { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => Escape is null ? [Operand, Pattern] : [Operand, Pattern, Escape];

    internal override BoundExpression WithOperands(BoundExpression[] operands) =>
        new LikeExpression(operands[0], operands[1], operands.Length > 2 ? operands[2] : null, Negated, Position);

    /// <inheritdoc />
    public override string ToString() => $"({Operand} {(Negated ? "NOT " : "")}LIKE {Pattern}{(Escape is null ? "" : $" ESCAPE {Escape}")})";
}

/// <summary><c>COALESCE(a, b, …)</c>: the first non-NULL operand, evaluated left to right only as far as needed.</summary>
internal sealed class CoalesceExpression : BoundExpression
{
    internal CoalesceExpression(BoundExpression[] operands, DataType type, SqlPosition? position) : base(type, position) => Items = operands;

    /// <summary>The candidates, cast to the result type.</summary>
    public IReadOnlyList<BoundExpression> Items { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => Items;

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new CoalesceExpression(operands, Type, Position);

    /// <inheritdoc />
    public override string ToString() => $"COALESCE({string.Join(", ", Items)})";
}

/// <summary><c>r.field</c> on a ROW value: NULL when the row is NULL.</summary>
internal sealed class FieldAccessExpression : BoundExpression
{
    internal FieldAccessExpression(BoundExpression operand, int index, DataType type, SqlPosition? position) : base(type, position)
    {
        Operand = operand;
        Index = index;
    }

    /// <summary>The ROW value.</summary>
    public BoundExpression Operand { get; }

    /// <summary>The field's index in the ROW type.</summary>
    public int Index { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Operand];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new FieldAccessExpression(operands[0], Index, Type, Position);

    /// <inheritdoc />
    public override string ToString() => $"{Operand}.{Schema.QuoteName(Operand.Type.Fields![Index].Name)}";
}

/// <summary>
/// <c>a[i]</c> on an ARRAY (1-based; NULL when out of range, where Flink throws) or <c>m[k]</c> on a MAP (NULL when the
/// key is absent); NULL when the collection or index is NULL.
/// </summary>
internal sealed class ElementAccessExpression : BoundExpression
{
    internal ElementAccessExpression(BoundExpression collection, BoundExpression key, DataType type, SqlPosition? position) : base(type, position)
    {
        Collection = collection;
        Key = key;
    }

    /// <summary>The ARRAY or MAP value.</summary>
    public BoundExpression Collection { get; }

    /// <summary>The 1-based INT index or the map key.</summary>
    public BoundExpression Key { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => [Collection, Key];

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new ElementAccessExpression(operands[0], operands[1], Type, Position);

    /// <inheritdoc />
    public override string ToString() => $"{Collection}[{Key}]";
}

/// <summary>
/// <c>ARRAY[e1, …]</c>, <c>MAP[k1, v1, …]</c> or <c>ROW(e1, …)</c> (which one: <see cref="BoundExpression.Type"/>'s
/// kind): a new, never NULL, value built from <see cref="Items"/>, each already cast to its element, key, value or
/// field type. A MAP's items alternate key and value; a repeated key keeps its last value, as Flink's; a NULL key fails
/// the row (<see cref="SqlEvaluationException"/>).
/// </summary>
internal sealed class ConstructorExpression : BoundExpression
{
    internal ConstructorExpression(BoundExpression[] items, DataType type, SqlPosition? position) : base(type, position)
    {
        System.Diagnostics.Debug.Assert(type.Kind is DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Row && !type.IsNullable);
        Items = items;
    }

    /// <summary>The elements; a MAP's keys and values in turn; a ROW's fields in order.</summary>
    public IReadOnlyList<BoundExpression> Items { get; }

    /// <inheritdoc />
    public override IReadOnlyList<BoundExpression> Operands => Items;

    internal override BoundExpression WithOperands(BoundExpression[] operands) => new ConstructorExpression(operands, Type, Position);

    /// <inheritdoc />
    public override string ToString() => Type.Kind switch
    {
        DataTypeKind.Array => $"ARRAY[{string.Join(", ", Items)}]",
        DataTypeKind.Map => $"MAP[{string.Join(", ", Items)}]",
        _ => $"ROW({string.Join(", ", Items)})",
    };
}
