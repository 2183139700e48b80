using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>
/// Flink SQL's type rules for scalar expressions: numeric widening, the result types of arithmetic (DECIMAL precision
/// and scale included), the common type of comparisons, CASE and COALESCE, and which casts are implicit or allowed at
/// all. Pure functions; thread-safe.
/// </summary>
/// <remarks>
/// <para>Numeric widening is INT → BIGINT → DECIMAL → FLOAT → DOUBLE (Core has no TINYINT or SMALLINT). An integer
/// meeting a DECIMAL becomes <c>DECIMAL(10, 0)</c> (INT) or <c>DECIMAL(19, 0)</c> (BIGINT); FLOAT meeting DECIMAL or
/// DOUBLE gives DOUBLE, as Flink's type merging does.</para>
/// <para>DECIMAL results follow Flink (Sluice's largest precision is 28, not 38): <c>+ −</c>: scale max(s1, s2),
/// precision max(p1 − s1, p2 − s2) + scale + 1; <c>*</c>: p1 + p2, s1 + s2; <c>/</c>: scale max(6, s1 + p2 + 1),
/// precision p1 − s1 + s2 + scale; <c>%</c>: scale max(s1, s2), precision min(p1 − s1, p2 − s2) + scale. A precision
/// over 28 is cut to 28 and the scale reduced to keep the integer digits, but to no less than min(scale, 6).</para>
/// <para>Integer <c>/</c> is integer division (INT / INT is INT), as in Flink. Strings and numbers never convert
/// implicitly: <c>'1' = 1</c> is a type error; use CAST.</para>
/// </remarks>
internal static class SqlTypeRules
{
    private const int MinimumDivisionScale = 6;

    /// <summary>Whether <paramref name="type"/> is INT, BIGINT, DECIMAL, FLOAT or DOUBLE.</summary>
    public static bool IsNumeric(DataType type) =>
        type.Kind is DataTypeKind.Int or DataTypeKind.BigInt or DataTypeKind.Decimal or DataTypeKind.Float or DataTypeKind.Double;

    /// <summary>Whether <paramref name="type"/> is INT or BIGINT.</summary>
    public static bool IsIntegral(DataType type) => type.Kind is DataTypeKind.Int or DataTypeKind.BigInt;

    /// <summary>Whether <paramref name="type"/> is FLOAT or DOUBLE.</summary>
    public static bool IsApproximate(DataType type) => type.Kind is DataTypeKind.Float or DataTypeKind.Double;

    /// <summary>Whether <paramref name="type"/> is DATE, TIME, TIMESTAMP or TIMESTAMP_LTZ.</summary>
    public static bool IsTemporal(DataType type) =>
        type.Kind is DataTypeKind.Date or DataTypeKind.Time or DataTypeKind.Timestamp or DataTypeKind.TimestampLtz;

    /// <summary>The DECIMAL an integer or DECIMAL type is exact in: INT → DECIMAL(10, 0), BIGINT → DECIMAL(19, 0); nullability kept.</summary>
    /// <exception cref="ArgumentException">The type is not INT, BIGINT or DECIMAL.</exception>
    public static DataType AsDecimal(DataType type) => type.Kind switch
    {
        DataTypeKind.Int => DataType.Decimal(10, 0).WithNullability(type.IsNullable),
        DataTypeKind.BigInt => DataType.Decimal(19, 0).WithNullability(type.IsNullable),
        DataTypeKind.Decimal => type,
        _ => throw new ArgumentException($"{type} has no exact DECIMAL form.", nameof(type)),
    };

    /// <summary>
    /// The type both numeric types widen to (nullable when either is), or null when one is not numeric.
    /// </summary>
    public static DataType? CommonNumericType(DataType left, DataType right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (!IsNumeric(left) || !IsNumeric(right))
        {
            return null;
        }
        var nullable = left.IsNullable || right.IsNullable;
        DataType common;
        if (left.Kind == DataTypeKind.Double || right.Kind == DataTypeKind.Double)
        {
            common = DataType.Double;
        }
        else if (left.Kind == DataTypeKind.Float || right.Kind == DataTypeKind.Float)
        {
            common = left.Kind == DataTypeKind.Decimal || right.Kind == DataTypeKind.Decimal ? DataType.Double : DataType.Float;
        }
        else if (left.Kind == DataTypeKind.Decimal || right.Kind == DataTypeKind.Decimal)
        {
            var a = AsDecimal(left);
            var b = AsDecimal(right);
            var scale = Math.Max(a.Scale, b.Scale);
            var integerDigits = Math.Max(a.Precision - a.Scale, b.Precision - b.Scale);
            common = Adjust(integerDigits + scale, scale);
        }
        else
        {
            common = left.Kind == DataTypeKind.BigInt || right.Kind == DataTypeKind.BigInt ? DataType.BigInt : DataType.Int;
        }
        return common.WithNullability(nullable);
    }

    /// <summary>
    /// The type two operands of a comparison, CASE, COALESCE or IN list meet in (nullable when either is), or null
    /// when they have none: numbers widen to their common numeric type; DATE meets TIMESTAMP as TIMESTAMP;
    /// TIMESTAMP and TIME take the larger precision; otherwise the kinds must be equal (ARRAY, MAP and ROW types equal
    /// apart from nullability).
    /// </summary>
    public static DataType? CommonType(DataType left, DataType right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var nullable = left.IsNullable || right.IsNullable;
        if (CommonNumericType(left, right) is { } numeric)
        {
            return numeric;
        }
        if (left.Kind != right.Kind)
        {
            if ((left.Kind, right.Kind) is (DataTypeKind.Date, DataTypeKind.Timestamp))
            {
                return right.WithNullability(nullable);
            }
            if ((left.Kind, right.Kind) is (DataTypeKind.Timestamp, DataTypeKind.Date))
            {
                return left.WithNullability(nullable);
            }
            return null;
        }
        return left.Kind switch
        {
            DataTypeKind.Time => DataType.Time(Math.Max(left.Precision, right.Precision)).WithNullability(nullable),
            DataTypeKind.Timestamp => DataType.Timestamp(Math.Max(left.Precision, right.Precision)).WithNullability(nullable),
            DataTypeKind.TimestampLtz => DataType.TimestampLtz(Math.Max(left.Precision, right.Precision)).WithNullability(nullable),
            DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Row =>
                left.WithNullability(true).Equals(right.WithNullability(true)) ? left.WithNullability(nullable) : null,
            _ => left.WithNullability(nullable),
        };
    }

    /// <summary>
    /// The result type of <paramref name="op"/> on two numeric operands (nullable when either is), or null when one
    /// is not numeric. Operands are first widened to their common type, except that DECIMAL results follow the
    /// precision and scale rules in the remarks of <see cref="SqlTypeRules"/>.
    /// </summary>
    public static DataType? ArithmeticType(ArithmeticOperator op, DataType left, DataType right)
    {
        if (CommonNumericType(left, right) is not { } common)
        {
            return null;
        }
        if (common.Kind != DataTypeKind.Decimal)
        {
            return common;
        }
        var a = AsDecimal(left);
        var b = AsDecimal(right);
        (int precision, int scale) = op switch
        {
            ArithmeticOperator.Add or ArithmeticOperator.Subtract =>
                (Math.Max(a.Precision - a.Scale, b.Precision - b.Scale) + Math.Max(a.Scale, b.Scale) + 1, Math.Max(a.Scale, b.Scale)),
            ArithmeticOperator.Multiply => (a.Precision + b.Precision, a.Scale + b.Scale),
            ArithmeticOperator.Divide => DivisionType(a, b),
            _ => (Math.Min(a.Precision - a.Scale, b.Precision - b.Scale) + Math.Max(a.Scale, b.Scale), Math.Max(a.Scale, b.Scale)),
        };
        return Adjust(precision, scale).WithNullability(common.IsNullable);
    }

    /// <summary>
    /// Whether a value of <paramref name="from"/> converts to <paramref name="to"/> without a CAST (when an operator or
    /// function needs it): numeric widening, DECIMAL to a DECIMAL with at least as many integer and fraction digits,
    /// DATE to TIMESTAMP, TIME, TIMESTAMP and TIMESTAMP_LTZ to any precision, and equal types. Nullability is ignored.
    /// </summary>
    public static bool CanImplicitlyCast(DataType from, DataType to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (IsNumeric(from) && IsNumeric(to))
        {
            var rank = NumericRank(to.Kind) - NumericRank(from.Kind);
            if (rank > 0)
            {
                return to.Kind != DataTypeKind.Decimal
                    || (AsDecimal(from) is var d && d.Precision - d.Scale <= to.Precision - to.Scale);
            }
            if (rank < 0)
            {
                return false;
            }
            return from.Kind != DataTypeKind.Decimal || (from.Precision - from.Scale <= to.Precision - to.Scale && from.Scale <= to.Scale);
        }
        if (from.Kind != to.Kind)
        {
            return from.Kind == DataTypeKind.Date && to.Kind == DataTypeKind.Timestamp;
        }
        return from.Kind switch
        {
            DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Row => from.WithNullability(true).Equals(to.WithNullability(true)),
            _ => true,
        };
    }

    /// <summary>
    /// Whether <c>CAST(x AS to)</c> is allowed for <c>x</c> of type <paramref name="from"/> (it may still fail for a
    /// particular value): between numbers; numbers and BOOLEAN; anything to VARCHAR; VARCHAR to numbers, BOOLEAN,
    /// BYTES, DATE, TIME, TIMESTAMP and TIMESTAMP_LTZ; BYTES and VARCHAR (UTF-8); among DATE, TIME (from TIMESTAMP),
    /// TIMESTAMP and TIMESTAMP_LTZ (through the session time zone); equal kinds. Numbers never cast to timestamps
    /// (use TO_TIMESTAMP_LTZ), as in Flink.
    /// </summary>
    public static bool CanCast(DataType from, DataType to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (CanImplicitlyCast(from, to) || to.Kind == DataTypeKind.Varchar)
        {
            return true;
        }
        if (IsNumeric(from))
        {
            return IsNumeric(to) || to.Kind == DataTypeKind.Boolean;
        }
        return from.Kind switch
        {
            DataTypeKind.Boolean => IsNumeric(to),
            DataTypeKind.Varchar => to.Kind is not (DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Row),
            DataTypeKind.Bytes => to.Kind == DataTypeKind.Bytes,
            DataTypeKind.Date => to.Kind is DataTypeKind.Date or DataTypeKind.Timestamp or DataTypeKind.TimestampLtz,
            DataTypeKind.Time => to.Kind == DataTypeKind.Time,
            DataTypeKind.Timestamp or DataTypeKind.TimestampLtz =>
                to.Kind is DataTypeKind.Date or DataTypeKind.Time or DataTypeKind.Timestamp or DataTypeKind.TimestampLtz,
            _ => false,
        };
    }

    private static int NumericRank(DataTypeKind kind) => kind switch
    {
        DataTypeKind.Int => 0,
        DataTypeKind.BigInt => 1,
        DataTypeKind.Decimal => 2,
        DataTypeKind.Float => 3,
        _ => 4,
    };

    private static (int Precision, int Scale) DivisionType(DataType a, DataType b)
    {
        var scale = Math.Max(MinimumDivisionScale, a.Scale + b.Precision + 1);
        return (a.Precision - a.Scale + b.Scale + scale, scale);
    }

    /// <summary>Flink's precision adjustment, with Sluice's maximum of 28 digits.</summary>
    private static DataType Adjust(int precision, int scale)
    {
        if (precision > DataType.MaxDecimalPrecision)
        {
            var integerDigits = precision - scale;
            scale = Math.Max(DataType.MaxDecimalPrecision - integerDigits, Math.Min(scale, MinimumDivisionScale));
            precision = DataType.MaxDecimalPrecision;
            scale = Math.Min(scale, precision);
        }
        return DataType.Decimal(Math.Max(precision, 1), scale);
    }
}
