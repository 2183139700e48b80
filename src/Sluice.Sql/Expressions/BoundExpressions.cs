using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>
/// Builds bound expressions: the binder's one entry point. Each factory checks its operands' types as Flink does,
/// inserts the implicit casts as <see cref="CastExpression"/> nodes and computes the result type (nullability
/// included); a mismatch is a <see cref="SqlException"/> at the given position naming the operator and both types.
/// Thread-safe (no state).
/// </summary>
internal static partial class BoundExpressions
{
    /// <summary>A reference to field <paramref name="index"/> of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a field of the schema.</exception>
    public static InputReference Field(Schema input, int index, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, input.Count);
        return new InputReference(index, input[index].Name, input[index].Type, position);
    }

    /// <summary>A reference to the field named <paramref name="name"/> of <paramref name="input"/> (case-sensitive).</summary>
    /// <exception cref="SqlException">No field has that name; the message lists the fields.</exception>
    public static InputReference Field(Schema input, string name, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = input.IndexOf(name);
        if (index < 0)
        {
            throw new SqlException(input.Count == 0 ? $"Column '{name}' not found; the input has no columns." : $"Column '{name}' not found.{NameSuggestions.DidYouMean(name, FieldNames(input), orNearest: true)}", position);
        }
        return Field(input, index, position);
    }

    /// <summary>
    /// A constant of <paramref name="type"/>: <paramref name="value"/> is the CLR value <see cref="DataTypeKind"/> lists
    /// for the kind, or null. A non-null constant's type is made NOT NULL.
    /// </summary>
    /// <exception cref="ArgumentException">The value's CLR type is not the kind's.</exception>
    public static LiteralExpression Literal(object? value, DataType type, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (value is null)
        {
            return new LiteralExpression(null, type.Nullable(), false, position);
        }
        if (!type.ClrType.IsInstanceOfType(value))
        {
            throw new ArgumentException($"A {type} literal holds a {type.ClrType.Name}, not a {value.GetType().Name}.", nameof(value));
        }
        if (type.Kind == DataTypeKind.Decimal)
        {
            if (!type.TryRoundDecimal((decimal)value, out var rounded))
            {
                throw new ArgumentException($"The literal {value} does not fit {type}.", nameof(value));
            }
            value = rounded;
        }
        return new LiteralExpression(value, type.NotNull(), false, position);
    }

    /// <summary>An INT literal.</summary>
    public static LiteralExpression Literal(int value, SqlPosition? position = null) => new(value, DataType.Int.NotNull(), false, position);

    /// <summary>A BIGINT literal.</summary>
    public static LiteralExpression Literal(long value, SqlPosition? position = null) => new(value, DataType.BigInt.NotNull(), false, position);

    /// <summary>A DOUBLE literal (<c>1.5E0</c>).</summary>
    public static LiteralExpression Literal(double value, SqlPosition? position = null) => new(value, DataType.Double.NotNull(), false, position);

    /// <summary>A BOOLEAN literal.</summary>
    public static LiteralExpression Literal(bool value, SqlPosition? position = null) => new(value, DataType.Boolean.NotNull(), false, position);

    /// <summary>A string literal, typed VARCHAR NOT NULL (Flink types it CHAR(n); Sluice has one string type).</summary>
    public static LiteralExpression Literal(string value, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, DataType.Varchar.NotNull(), false, position);
    }

    /// <summary>An exact numeric literal (<c>1.50</c>), typed DECIMAL(p, s) with the digits written: 1.50 is DECIMAL(3, 2).</summary>
    public static LiteralExpression Literal(decimal value, SqlPosition? position = null)
    {
        var scale = value.Scale;
        var digits = decimal.Truncate(Math.Abs(value)) == 0m ? 0 : decimal.Truncate(Math.Abs(value)).ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        return new(value, DataType.Decimal(Math.Max(1, digits + scale), scale).NotNull(), false, position);
    }

    /// <summary>A bare <c>NULL</c>, typed by what it meets (an operator's other operand, a CASE's other branches, a parameter).</summary>
    public static LiteralExpression Null(SqlPosition? position = null) => new(null, DataType.Varchar, true, position);

    /// <summary>An interval constant: months for YEAR TO MONTH, milliseconds for DAY TO SECOND.</summary>
    public static IntervalLiteral Interval(long value, IntervalKind kind, SqlPosition? position = null) => new(value, kind, position);

    /// <summary>
    /// <c>CAST(operand AS type)</c> or, with <paramref name="isTry"/>, <c>TRY_CAST</c>. The result is nullable when the
    /// operand is, and always for TRY_CAST.
    /// </summary>
    /// <exception cref="SqlException">Flink does not allow the cast (<see cref="SqlTypeRules.CanCast"/>); the message names both types.</exception>
    public static BoundExpression Cast(BoundExpression operand, DataType type, bool isTry = false, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(operand);
        ArgumentNullException.ThrowIfNull(type);
        var name = isTry ? "TRY_CAST" : "CAST";
        RequireValue(operand, name);
        var result = type.WithNullability(operand.Type.IsNullable || isTry);
        if (operand is LiteralExpression { IsUntypedNull: true })
        {
            return new LiteralExpression(null, type.Nullable(), false, position ?? operand.Position);
        }
        if (!SqlTypeRules.CanCast(operand.Type, type))
        {
            throw new SqlException($"{name} from {operand.TypeName} to {type} is not supported; {CastHint(operand.Type, type)}", position ?? operand.Position);
        }
        return new CastExpression(operand, result, isTry, position ?? operand.Position);
    }

    /// <summary><c>left AND right</c>, three-valued; both operands must be BOOLEAN.</summary>
    public static BoundExpression And(BoundExpression left, BoundExpression right, SqlPosition? position = null) =>
        new LogicalExpression(true, Boolean(left, "AND"), Boolean(right, "AND"), position ?? left.Position);

    /// <summary><c>left OR right</c>, three-valued; both operands must be BOOLEAN.</summary>
    public static BoundExpression Or(BoundExpression left, BoundExpression right, SqlPosition? position = null) =>
        new LogicalExpression(false, Boolean(left, "OR"), Boolean(right, "OR"), position ?? left.Position);

    /// <summary><c>NOT operand</c>; the operand must be BOOLEAN.</summary>
    public static BoundExpression Not(BoundExpression operand, SqlPosition? position = null) =>
        new NotExpression(Boolean(operand, "NOT"), position ?? operand.Position);

    /// <summary><c>operand IS [NOT] NULL</c>.</summary>
    public static BoundExpression IsNull(BoundExpression operand, bool negated = false, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(operand);
        RequireValue(operand, negated ? "IS NOT NULL" : "IS NULL");
        return new IsNullExpression(operand, negated, position ?? operand.Position);
    }

    /// <summary>
    /// A comparison. Both operands are cast to their common type (<see cref="SqlTypeRules.CommonType"/>); ARRAY, MAP
    /// and ROW values support only = and &lt;&gt;.
    /// </summary>
    /// <exception cref="SqlException">The types have no common type, or the type has no order.</exception>
    public static BoundExpression Compare(ComparisonOperator op, BoundExpression left, BoundExpression right, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var text = OperatorText.Of(op);
        RequireValue(left, text);
        RequireValue(right, text);
        var common = Common(left, right) ?? throw Mismatch(text, left, right, position);
        if (op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual)
            && common.Kind is DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Row)
        {
            throw new SqlException($"The operator '{text}' cannot order {common} values; only = and <> compare them.", position ?? left.Position);
        }
        return new ComparisonExpression(op, Coerce(left, common), Coerce(right, common), position ?? left.Position);
    }

    /// <summary>
    /// Arithmetic: numbers are cast to the operation's type (<see cref="SqlTypeRules.ArithmeticType"/>); TIMESTAMP,
    /// TIMESTAMP_LTZ, DATE and TIME ± an <see cref="IntervalLiteral"/> keep their type (interval + timestamp too).
    /// </summary>
    /// <exception cref="SqlException">The operator does not apply to the two types.</exception>
    public static BoundExpression Arithmetic(ArithmeticOperator op, BoundExpression left, BoundExpression right, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var text = OperatorText.Of(op);
        position ??= left.Position;
        if (op == ArithmeticOperator.Add && left is IntervalLiteral && right is not IntervalLiteral)
        {
            (left, right) = (right, left);
        }
        if (right is IntervalLiteral interval && left is not IntervalLiteral && op is ArithmeticOperator.Add or ArithmeticOperator.Subtract)
        {
            var temporal = left.Type.Kind is DataTypeKind.Timestamp or DataTypeKind.TimestampLtz or DataTypeKind.Date
                || (left.Type.Kind == DataTypeKind.Time && interval.Kind == IntervalKind.DayToSecond);
            if (temporal && left is not LiteralExpression { IsUntypedNull: true })
            {
                return new ArithmeticExpression(op, left, right, left.Type, position);
            }
            throw Mismatch(text, left, right, position);
        }
        if (left is IntervalLiteral || right is IntervalLiteral)
        {
            throw Mismatch(text, left, right, position);
        }
        var leftType = UntypedNullAs(left, right);
        var rightType = UntypedNullAs(right, left);
        var type = SqlTypeRules.ArithmeticType(op, leftType, rightType) ?? throw Mismatch(text, left, right, position);
        var operandType = type.Kind == DataTypeKind.Decimal ? null : type;
        return new ArithmeticExpression(
            op,
            Coerce(left, operandType ?? SqlTypeRules.AsDecimal(leftType)),
            Coerce(right, operandType ?? SqlTypeRules.AsDecimal(rightType)),
            type,
            position);
    }

    /// <summary>Unary minus on a number.</summary>
    /// <exception cref="SqlException">The operand is not numeric.</exception>
    public static BoundExpression Negate(BoundExpression operand, SqlPosition? position = null)
    {
        ArgumentNullException.ThrowIfNull(operand);
        if (!SqlTypeRules.IsNumeric(operand.Type) || operand is IntervalLiteral || operand is LiteralExpression { IsUntypedNull: true })
        {
            throw new SqlException($"The operator '-' cannot be applied to {operand.TypeName}; it takes a number.", position ?? operand.Position);
        }
        return new NegateExpression(operand, position ?? operand.Position);
    }

    /// <summary>Casts <paramref name="expression"/> to <paramref name="type"/> (keeping its own nullability) unless it already has that type; a bare NULL becomes a typed NULL.</summary>
    internal static BoundExpression Coerce(BoundExpression expression, DataType type)
    {
        if (expression is LiteralExpression { IsUntypedNull: true })
        {
            return new LiteralExpression(null, type.Nullable(), false, expression.Position);
        }
        var target = type.WithNullability(expression.Type.IsNullable);
        return expression.Type.Equals(target) ? expression : new CastExpression(expression, target, false, expression.Position);
    }

    internal static void RequireValue(BoundExpression operand, string op)
    {
        ArgumentNullException.ThrowIfNull(operand);
        if (operand is IntervalLiteral interval)
        {
            throw new SqlException($"The operator '{op}' does not take an {interval.TypeName}; intervals only add to or subtract from dates and timestamps.", operand.Position);
        }
    }

    internal static SqlException Mismatch(string op, BoundExpression left, BoundExpression right, SqlPosition? position) =>
        new($"The operator '{op}' cannot be applied to {left.TypeName} and {right.TypeName}; CAST one operand to the other's type.", position ?? left.Position);

    private static BoundExpression Boolean(BoundExpression operand, string op)
    {
        ArgumentNullException.ThrowIfNull(operand);
        RequireValue(operand, op);
        if (operand is LiteralExpression { IsUntypedNull: true })
        {
            return Coerce(operand, DataType.Boolean);
        }
        if (operand.Type.Kind != DataTypeKind.Boolean)
        {
            throw new SqlException($"The operator '{op}' takes BOOLEAN operands, not {operand.TypeName}.", operand.Position);
        }
        return operand;
    }

    /// <summary>The common type of two operands, where a bare NULL takes the other's type.</summary>
    private static DataType? Common(BoundExpression left, BoundExpression right)
    {
        var leftNull = left is LiteralExpression { IsUntypedNull: true };
        var rightNull = right is LiteralExpression { IsUntypedNull: true };
        if (leftNull && rightNull)
        {
            return null;
        }
        return leftNull ? right.Type.Nullable() : rightNull ? left.Type.Nullable() : SqlTypeRules.CommonType(left.Type, right.Type);
    }

    private static DataType UntypedNullAs(BoundExpression operand, BoundExpression other) =>
        operand is LiteralExpression { IsUntypedNull: true } && other is not LiteralExpression { IsUntypedNull: true } ? other.Type.Nullable() : operand.Type;

    private static string CastHint(DataType from, DataType to) =>
        SqlTypeRules.IsNumeric(from) && to.Kind is DataTypeKind.Timestamp or DataTypeKind.TimestampLtz
            ? "use TO_TIMESTAMP_LTZ(epoch, precision) to read a number as an instant."
            : "cast through VARCHAR or use a function that converts explicitly.";

    private static string[] FieldNames(Schema schema)
    {
        var names = new string[schema.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = schema[i].Name;
        }
        return names;
    }
}
