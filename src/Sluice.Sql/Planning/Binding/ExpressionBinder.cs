using System.Globalization;
using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

/// <summary>
/// Binds syntax expressions to <see cref="BoundExpression"/>s over a <see cref="Scope"/>, through the
/// <see cref="BoundExpressions"/> factories (which check types and insert Flink's implicit casts). Aggregates, window
/// functions and grouped references are the query binder's business: it sees every sub-expression first through
/// <see cref="Intercept"/>. Not thread-safe (one binder per clause being bound).
/// </summary>
internal sealed class ExpressionBinder
{
    private static readonly HashSet<string> s_aggregates = new(StringComparer.OrdinalIgnoreCase)
    {
        "COUNT", "SUM", "SUM0", "AVG", "MIN", "MAX", "FIRST_VALUE", "LAST_VALUE", "LISTAGG", "STDDEV_POP", "STDDEV_SAMP",
        "STDDEV", "VAR_POP", "VAR_SAMP", "VARIANCE", "BOOL_AND", "BOOL_OR", "COLLECT",
    };

    private static readonly HashSet<string> s_windowProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        "TUMBLE_START", "TUMBLE_END", "TUMBLE_ROWTIME", "TUMBLE_PROCTIME", "HOP_START", "HOP_END", "HOP_ROWTIME", "HOP_PROCTIME",
        "SESSION_START", "SESSION_END", "SESSION_ROWTIME", "SESSION_PROCTIME",
    };

    /// <summary>Creates a binder over <paramref name="scope"/> for the clause named <paramref name="clause"/> (for messages).</summary>
    public ExpressionBinder(Scope scope, FunctionCatalog functions, string clause)
    {
        Scope = scope;
        Functions = functions;
        Clause = clause;
    }

    /// <summary>The names visible.</summary>
    public Scope Scope { get; }

    /// <summary>The functions callable.</summary>
    public FunctionCatalog Functions { get; }

    /// <summary>The clause being bound (<c>WHERE</c>, <c>SELECT</c>, …), for messages.</summary>
    public string Clause { get; }

    /// <summary>
    /// Sees each sub-expression before it is bound; returns its binding to take over, or null to bind it normally. Aggregates
    /// and OVER calls reaching the default binding are errors (not allowed in this clause).
    /// </summary>
    public Func<SqlExpression, BoundExpression?>? Intercept { get; set; }

    /// <summary>Whether <paramref name="name"/> is an aggregate function's name.</summary>
    public static bool IsAggregate(string name) => s_aggregates.Contains(name);

    /// <summary>Whether <paramref name="name"/> is a legacy group window's property function (<c>TUMBLE_START</c>, …).</summary>
    public static bool IsWindowProperty(string name) => s_windowProperties.Contains(name);

    /// <summary>Whether <paramref name="expression"/> contains an aggregate call (outside OVER).</summary>
    public static bool ContainsAggregate(SqlExpression? expression) => expression switch
    {
        null => false,
        SqlFunctionCall { Over: null } call when IsAggregate(call.Name.Name) => true,
        SqlFunctionCall { Over: not null } => false,
        _ => Children(expression).Any(ContainsAggregate),
    };

    /// <summary>Whether <paramref name="expression"/> contains a call with OVER.</summary>
    public static bool ContainsOver(SqlExpression? expression) => expression switch
    {
        null => false,
        SqlFunctionCall { Over: not null } => true,
        _ => Children(expression).Any(ContainsOver),
    };

    /// <summary>The direct sub-expressions of <paramref name="expression"/>.</summary>
    public static IEnumerable<SqlExpression> Children(SqlExpression expression) => expression switch
    {
        SqlUnaryExpression u => [u.Operand],
        SqlBinaryExpression b => [b.Left, b.Right],
        SqlIsExpression i => [i.Operand],
        SqlBetweenExpression b => [b.Operand, b.Low, b.High],
        SqlInListExpression i => [i.Operand, .. i.Values],
        SqlLikeExpression l => l.Escape is null ? [l.Operand, l.Pattern] : [l.Operand, l.Pattern, l.Escape],
        SqlCaseExpression c => [.. c.Operand is null ? [] : new[] { c.Operand }, .. c.Whens.SelectMany(static w => new[] { w.When, w.Then }), .. c.Else is null ? [] : new[] { c.Else }],
        SqlCastExpression c => [c.Operand],
        SqlExtractExpression e => [e.Operand],
        SqlTrimExpression t => t.Characters is null ? [t.Operand] : [t.Characters, t.Operand],
        SqlFunctionCall f => [.. f.Arguments, .. f.Filter is null ? [] : new[] { f.Filter }],
        SqlItemExpression i => [i.Operand, i.Index],
        SqlFieldAccess f => [f.Operand],
        SqlNamedArgument n => [n.Value],
        _ => [],
    };

    /// <summary>Binds <paramref name="expression"/>.</summary>
    /// <exception cref="SqlException">An unknown name or function, a type mismatch, or an unsupported construct; positioned.</exception>
    public BoundExpression Bind(SqlExpression expression)
    {
        if (Intercept?.Invoke(expression) is { } intercepted)
        {
            return intercepted;
        }

        var position = expression.Position;
        switch (expression)
        {
            case SqlIdentifier identifier:
                return Scope.Resolve(identifier);
            case SqlNumberLiteral number:
                return Number(number);
            case SqlStringLiteral text:
                return BoundExpressions.Literal(text.Value, position);
            case SqlBinaryLiteral binary:
                return BoundExpressions.Literal(binary.ToBytes(), DataType.Bytes, position);
            case SqlBooleanLiteral boolean:
                return boolean.Value is { } value ? BoundExpressions.Literal(value, position) : BoundExpressions.Literal(null, DataType.Boolean, position);
            case SqlNullLiteral:
                return BoundExpressions.Null(position);
            case SqlDateTimeLiteral dateTime:
                return DateTimeLiteral(dateTime);
            case SqlIntervalLiteral interval:
                return interval.IsYearMonth
                    ? BoundExpressions.Interval(interval.Months, IntervalKind.YearToMonth, position)
                    : BoundExpressions.Interval((long)interval.Time.TotalMilliseconds, IntervalKind.DayToSecond, position);
            case SqlUnaryExpression unary:
                {
                    var operand = Bind(unary.Operand);
                    return unary.Operator switch
                    {
                        SqlUnaryOperator.Not => BoundExpressions.Not(operand, position),
                        SqlUnaryOperator.Negate => operand is IntervalLiteral i ? BoundExpressions.Interval(-i.Value, i.Kind, position) : BoundExpressions.Negate(operand, position),
                        _ => operand,
                    };
                }

            case SqlBinaryExpression binary:
                return Binary(binary);
            case SqlIsExpression test:
                return Is(test);
            case SqlBetweenExpression between:
                {
                    var operand = Bind(between.Operand);
                    var low = Bind(between.Low);
                    var high = Bind(between.High);
                    if (between.Symmetric)
                    {
                        var plain = BoundExpressions.Between(operand, low, high, false, position);
                        var swapped = BoundExpressions.Between(operand, high, low, false, position);
                        var either = BoundExpressions.Or(plain, swapped, position);
                        return between.Negated ? BoundExpressions.Not(either, position) : either;
                    }

                    return BoundExpressions.Between(operand, low, high, between.Negated, position);
                }

            case SqlInListExpression list:
                {
                    var operand = Bind(list.Operand);
                    var values = new BoundExpression[list.Values.Count];
                    for (var i = 0; i < values.Length; i++)
                    {
                        values[i] = Bind(list.Values[i]);
                    }

                    return BoundExpressions.In(operand, values, list.Negated, position);
                }

            case SqlLikeExpression like when !like.Similar:
                return BoundExpressions.Like(Bind(like.Operand), Bind(like.Pattern), like.Escape is null ? null : Bind(like.Escape), like.Negated, position);
            case SqlLikeExpression:
                throw Unsupported("SIMILAR TO", position);
            case SqlCaseExpression @case:
                return Case(@case);
            case SqlCastExpression cast:
                return BoundExpressions.Cast(Bind(cast.Operand), cast.Type, cast.Try, position);
            case SqlExtractExpression extract:
                return BoundExpressions.Call(Functions, "EXTRACT", [BoundExpressions.Literal(extract.Unit.ToString().ToUpperInvariant(), position), Bind(extract.Operand)], position);
            case SqlTrimExpression trim:
                {
                    var name = trim.Mode switch { SqlTrimMode.Leading => "LTRIM", SqlTrimMode.Trailing => "RTRIM", _ => "TRIM" };
                    var operand = Bind(trim.Operand);
                    return trim.Characters is null
                        ? BoundExpressions.Call(Functions, name, [operand], position)
                        : BoundExpressions.Call(Functions, name, [operand, Bind(trim.Characters)], position);
                }

            case SqlFunctionCall call:
                return Call(call);
            case SqlItemExpression item:
                return BoundExpressions.Element(Bind(item.Operand), Bind(item.Index), position);
            case SqlFieldAccess access:
                return BoundExpressions.FieldAccess(Bind(access.Operand), access.Field, position);
            case SqlStar:
                throw new SqlException($"'*' is not allowed in {Clause}; it stands for all columns only in a SELECT list and for all rows in COUNT(*).", position);
            case SqlInQueryExpression:
                throw Unsupported("IN with a subquery anywhere but a WHERE condition joined with AND", position);
            case SqlExistsExpression:
                throw Unsupported("EXISTS anywhere but a WHERE condition joined with AND", position);
            case SqlSubqueryExpression:
                throw Unsupported("A scalar subquery", position);
            case SqlArrayConstructor array:
                return BoundExpressions.ArrayOf(BindAll(array.Elements), position);
            case SqlMapConstructor map:
                return BoundExpressions.MapOf(BindAll(map.KeysAndValues), position);
            case SqlRowConstructor row:
                return BoundExpressions.RowOf(BindAll(row.Fields), position);
            case SqlTableArgument or SqlDescriptor or SqlNamedArgument:
                throw new SqlException($"{SqlFormatter.Format(expression)} is an argument of a window table function (TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), …)) in FROM), not a value.", position);
            default:
                throw Unsupported(expression.GetType().Name, position);
        }
    }

    private BoundExpression[] BindAll(IReadOnlyList<SqlExpression> expressions)
    {
        var bound = new BoundExpression[expressions.Count];
        for (var i = 0; i < bound.Length; i++)
        {
            bound[i] = Bind(expressions[i]);
        }
        return bound;
    }

    /// <summary>A "… is not supported" error naming the feature.</summary>
    public static SqlException Unsupported(string feature, SqlPosition? position) =>
        new($"{feature} is not supported yet.", position);

    private BoundExpression Call(SqlFunctionCall call)
    {
        var name = call.Name.Name;
        var position = call.Position;
        if (call.Over is not null)
        {
            throw new SqlException($"The window function {name.ToUpperInvariant()}(…) OVER (…) is not allowed in {Clause}; OVER calls belong in the SELECT list.", position);
        }

        if (IsAggregate(name))
        {
            throw new SqlException($"The aggregate function {name.ToUpperInvariant()} is not allowed in {Clause}.", position);
        }

        if (IsWindowProperty(name))
        {
            throw new SqlException($"{name.ToUpperInvariant()} is allowed only in the SELECT list of a query grouped by the matching group window ({name.ToUpperInvariant()[..name.IndexOf('_', StringComparison.Ordinal)]}(…) in GROUP BY).", position);
        }

        if (name.ToUpperInvariant() is "TUMBLE" or "HOP" or "SESSION" or "CUMULATE")
        {
            throw new SqlException($"The group window {name.ToUpperInvariant()}(…) is allowed only in GROUP BY (or as a window table function in FROM: TABLE({name.ToUpperInvariant()}(TABLE t, DESCRIPTOR(ts), …))).", position);
        }

        if (name.ToUpperInvariant() is "ROW_NUMBER" or "RANK" or "DENSE_RANK")
        {
            throw new SqlException($"{name.ToUpperInvariant()}() needs an OVER clause.", position);
        }

        if (call.Distinct || call.Filter is not null)
        {
            throw new SqlException($"DISTINCT and FILTER apply to aggregate functions only, not to {name.ToUpperInvariant()}.", position);
        }

        if (call.Name.Names.Count > 1)
        {
            throw Unsupported($"The qualified function name '{string.Join('.', call.Name.Names)}'", position);
        }

        var upper = name.ToUpperInvariant();
        var arguments = new BoundExpression[call.Arguments.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            // TIMESTAMPADD(DAY, …) and TIMESTAMPDIFF(HOUR, …) name their unit with a bare word, and so does
            // FLOOR(ts TO MINUTE), which the parser reads as FLOOR(ts, MINUTE).
            if (i == 0 && upper is "TIMESTAMPADD" or "TIMESTAMPDIFF" && call.Arguments[0] is SqlIdentifier { Names.Count: 1 } unit)
            {
                arguments[0] = BoundExpressions.Literal(unit.Name.ToUpperInvariant(), unit.Position);
                continue;
            }

            if (i == 1 && upper is "FLOOR" or "CEIL" or "CEILING" && call.Arguments[1] is SqlIdentifier { Names.Count: 1 } roundTo
                && Enum.TryParse<SqlTimeUnit>(roundTo.Name, ignoreCase: true, out _))
            {
                arguments[1] = BoundExpressions.Literal(roundTo.Name.ToUpperInvariant(), roundTo.Position);
                continue;
            }

            arguments[i] = Bind(call.Arguments[i]);
        }

        return BoundExpressions.Call(Functions, name, arguments, position);
    }

    private BoundExpression Binary(SqlBinaryExpression binary)
    {
        var position = binary.Position;
        var left = Bind(binary.Left);
        var right = Bind(binary.Right);
        return binary.Operator switch
        {
            SqlBinaryOperator.And => BoundExpressions.And(left, right, position),
            SqlBinaryOperator.Or => BoundExpressions.Or(left, right, position),
            SqlBinaryOperator.Equal => BoundExpressions.Compare(ComparisonOperator.Equal, left, right, position),
            SqlBinaryOperator.NotEqual => BoundExpressions.Compare(ComparisonOperator.NotEqual, left, right, position),
            SqlBinaryOperator.Less => BoundExpressions.Compare(ComparisonOperator.Less, left, right, position),
            SqlBinaryOperator.LessOrEqual => BoundExpressions.Compare(ComparisonOperator.LessOrEqual, left, right, position),
            SqlBinaryOperator.Greater => BoundExpressions.Compare(ComparisonOperator.Greater, left, right, position),
            SqlBinaryOperator.GreaterOrEqual => BoundExpressions.Compare(ComparisonOperator.GreaterOrEqual, left, right, position),
            SqlBinaryOperator.Add => BoundExpressions.Arithmetic(ArithmeticOperator.Add, left, right, position),
            SqlBinaryOperator.Subtract => BoundExpressions.Arithmetic(ArithmeticOperator.Subtract, left, right, position),
            SqlBinaryOperator.Multiply => BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, left, right, position),
            SqlBinaryOperator.Divide => BoundExpressions.Arithmetic(ArithmeticOperator.Divide, left, right, position),
            SqlBinaryOperator.Modulo => BoundExpressions.Arithmetic(ArithmeticOperator.Modulo, left, right, position),
            SqlBinaryOperator.Concat => BoundExpressions.Call(Functions, "CONCAT", [left, right], position),
            SqlBinaryOperator.IsDistinctFrom => BoundExpressions.Not(NotDistinct(left, right, position), position),
            _ => NotDistinct(left, right, position),
        };
    }

    /// <summary><c>a IS NOT DISTINCT FROM b</c>: equal, or both null; never null.</summary>
    private static BoundExpression NotDistinct(BoundExpression left, BoundExpression right, SqlPosition position)
    {
        var equal = BoundExpressions.Compare(ComparisonOperator.Equal, left, right, position);
        var leftNull = BoundExpressions.IsNull(left, false, position);
        var rightNull = BoundExpressions.IsNull(right, false, position);
        return BoundExpressions.Case(
            [leftNull, rightNull],
            [rightNull, BoundExpressions.Literal(false, position)],
            BoundExpressions.Coalesce([equal, BoundExpressions.Literal(false, position)], position),
            position);
    }

    private BoundExpression Is(SqlIsExpression test)
    {
        var operand = Bind(test.Operand);
        var position = test.Position;
        BoundExpression result = test.Test switch
        {
            SqlIsTest.Null => BoundExpressions.IsNull(operand, test.Negated, position),
            SqlIsTest.Unknown => BoundExpressions.IsNull(BooleanOperand(operand, "IS UNKNOWN"), test.Negated, position),
            SqlIsTest.True => Truth(BooleanOperand(operand, "IS TRUE"), true, test.Negated, position),
            _ => Truth(BooleanOperand(operand, "IS FALSE"), false, test.Negated, position),
        };
        return result;
    }

    private static BoundExpression BooleanOperand(BoundExpression operand, string test) =>
        operand.Type.Kind == DataTypeKind.Boolean || operand is LiteralExpression { IsUntypedNull: true }
            ? operand
            : throw new SqlException($"{test} takes a BOOLEAN operand, not {operand.TypeName}.", operand.Position);

    /// <summary><c>x IS [NOT] TRUE|FALSE</c>: never null.</summary>
    private static BoundExpression Truth(BoundExpression operand, bool value, bool negated, SqlPosition position)
    {
        var test = value ? operand : BoundExpressions.Not(operand, position);
        var holds = BoundExpressions.Coalesce([test, BoundExpressions.Literal(false, position)], position);
        return negated ? BoundExpressions.Not(holds, position) : holds;
    }

    private BoundExpression Case(SqlCaseExpression @case)
    {
        var operand = @case.Operand is null ? null : Bind(@case.Operand);
        var conditions = new BoundExpression[@case.Whens.Count];
        var results = new BoundExpression[@case.Whens.Count];
        for (var i = 0; i < conditions.Length; i++)
        {
            var when = Bind(@case.Whens[i].When);
            conditions[i] = operand is null ? when : BoundExpressions.Compare(ComparisonOperator.Equal, operand, when, @case.Whens[i].Position);
            results[i] = Bind(@case.Whens[i].Then);
        }

        return BoundExpressions.Case(conditions, results, @case.Else is null ? null : Bind(@case.Else), @case.Position);
    }

    private static BoundExpression Number(SqlNumberLiteral number)
    {
        var text = number.Text;
        var position = number.Position;
        switch (number.Kind)
        {
            case SqlNumberKind.Integer:
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
                {
                    return BoundExpressions.Literal(i, position);
                }

                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var l))
                {
                    return BoundExpressions.Literal(l, position);
                }

                goto case SqlNumberKind.Decimal;
            case SqlNumberKind.Decimal:
                if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
                {
                    throw new SqlException($"The number {text} is out of range for DECIMAL(38, …).", position);
                }

                return BoundExpressions.Literal(d, position);
            default:
                return BoundExpressions.Literal(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), position);
        }
    }

    private static BoundExpression DateTimeLiteral(SqlDateTimeLiteral literal)
    {
        var text = literal.Text.Trim();
        var position = literal.Position;
        var fraction = text.LastIndexOf('.') is var dot && dot >= 0 && literal.Kind != SqlDateTimeKind.Date ? text.Length - dot - 1 : 0;
        try
        {
            return literal.Kind switch
            {
                SqlDateTimeKind.Date => BoundExpressions.Literal(DateOnly.Parse(text, CultureInfo.InvariantCulture), DataType.Date, position),
                SqlDateTimeKind.Time => BoundExpressions.Literal(TimeOnly.Parse(text, CultureInfo.InvariantCulture), DataType.Time(Math.Min(fraction, 9)), position),
                SqlDateTimeKind.Timestamp => BoundExpressions.Literal(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.None), DataType.Timestamp(Math.Min(fraction, 9)), position),
                _ => BoundExpressions.Literal(new DateTimeOffset(DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.None), DateTimeKind.Utc)), DataType.TimestampLtz(Math.Min(fraction, 9)), position),
            };
        }
        catch (FormatException)
        {
            throw new SqlException($"'{literal.Text}' is not a valid {literal.Kind.ToString().ToUpperInvariant()} literal.", position);
        }
    }
}
