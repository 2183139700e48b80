using System.Linq.Expressions;
using System.Reflection;
using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

internal sealed partial class ExpressionEmitter
{
    private Emitted EmitComparison(ComparisonExpression comparison, List<Expression> body)
    {
        var left = Emit(comparison.Left, body);
        var right = Emit(comparison.Right, body);
        return Guarded(body, AnyNull(left, right), Compare(comparison.Operator, left.Value, right.Value, comparison.Left.Type), "compare");
    }

    /// <summary>The comparison of two non-null values of one kind.</summary>
    internal static Expression Compare(ComparisonOperator op, Expression left, Expression right, DataType type)
    {
        switch (type.Kind)
        {
            case DataTypeKind.Varchar:
                if (op is ComparisonOperator.Equal or ComparisonOperator.NotEqual)
                {
                    Expression equal = Expression.Call(typeof(string).GetMethod(nameof(string.Equals), [typeof(string), typeof(string)])!, left, right);
                    return op == ComparisonOperator.Equal ? equal : Expression.Not(equal);
                }
                return Ordered(op, Expression.Call(typeof(SqlRuntime).GetMethod(nameof(SqlRuntime.CompareStrings))!, left, right));
            case DataTypeKind.Bytes:
                if (op is ComparisonOperator.Equal or ComparisonOperator.NotEqual)
                {
                    Expression equal = Expression.Call(typeof(SqlRuntime).GetMethod(nameof(SqlRuntime.BytesEqual))!, left, right);
                    return op == ComparisonOperator.Equal ? equal : Expression.Not(equal);
                }
                return Ordered(op, Expression.Call(typeof(SqlRuntime).GetMethod(nameof(SqlRuntime.CompareBytes))!, left, right));
            case DataTypeKind.Boolean:
                return op is ComparisonOperator.Equal or ComparisonOperator.NotEqual
                    ? Ordered(op, left, right)
                    : Ordered(op, Expression.Call(typeof(SqlRuntime).GetMethod(nameof(SqlRuntime.CompareBooleans))!, left, right));
            case DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map:
                Expression nested = Expression.Call(typeof(SqlRuntime).GetMethod(nameof(SqlRuntime.NestedEqual))!, left, right);
                return op == ComparisonOperator.Equal ? nested : Expression.Not(nested);
            default:
                return Ordered(op, left, right);
        }
    }

    private static Expression Ordered(ComparisonOperator op, Expression compared) => Ordered(op, compared, Expression.Constant(0));

    private static Expression Ordered(ComparisonOperator op, Expression left, Expression right) => op switch
    {
        ComparisonOperator.Equal => Expression.Equal(left, right),
        ComparisonOperator.NotEqual => Expression.NotEqual(left, right),
        ComparisonOperator.Less => Expression.LessThan(left, right),
        ComparisonOperator.LessOrEqual => Expression.LessThanOrEqual(left, right),
        ComparisonOperator.Greater => Expression.GreaterThan(left, right),
        _ => Expression.GreaterThanOrEqual(left, right),
    };

    private Emitted EmitArithmetic(ArithmeticExpression arithmetic, List<Expression> body)
    {
        var left = Emit(arithmetic.Left, body);
        var right = Emit(arithmetic.Right, body);
        Expression value;
        if (arithmetic.Right is IntervalLiteral interval)
        {
            var amount = arithmetic.Operator == ArithmeticOperator.Subtract ? Expression.Negate(right.Value) : right.Value;
            var method = typeof(SqlRuntime).GetMethod(nameof(SqlRuntime.AddInterval), [left.Value.Type, typeof(long), typeof(bool)])!;
            value = Expression.Call(method, left.Value, amount, Expression.Constant(interval.Kind == IntervalKind.YearToMonth));
        }
        else
        {
            value = Arithmetic(arithmetic.Operator, left.Value, right.Value, arithmetic.Type, arithmetic.Left.Type, arithmetic.Right.Type);
        }
        return Guarded(body, AnyNull(left, right), value, "arith");
    }

    private static Expression Arithmetic(ArithmeticOperator op, Expression left, Expression right, DataType type, DataType leftType, DataType rightType)
    {
        switch (type.Kind)
        {
            case DataTypeKind.Decimal when IsExact(op, type, leftType, rightType):
                // The exact result already has at most the type's scale: only its integer digits need checking.
                var exactMethod = typeof(SqlRuntime).GetMethod(op + "Exact", [typeof(decimal), typeof(decimal), typeof(decimal), typeof(DataType)])!;
                return Expression.Call(exactMethod, left, right, Expression.Constant(SqlRuntime.Limit(type)), Expression.Constant(type.NotNull()));
            case DataTypeKind.Decimal:
                var decimalMethod = typeof(SqlRuntime).GetMethod(op.ToString(), [typeof(decimal), typeof(decimal), typeof(DataType)])!;
                return Expression.Call(decimalMethod, left, right, Expression.Constant(type.NotNull()));
            case DataTypeKind.Int or DataTypeKind.BigInt when op is ArithmeticOperator.Divide or ArithmeticOperator.Modulo:
                var integerMethod = typeof(SqlRuntime).GetMethod(op.ToString(), [left.Type, right.Type])!;
                return Expression.Call(integerMethod, left, right);
            default:
                return op switch
                {
                    ArithmeticOperator.Add => Expression.Add(left, right),
                    ArithmeticOperator.Subtract => Expression.Subtract(left, right),
                    ArithmeticOperator.Multiply => Expression.Multiply(left, right),
                    ArithmeticOperator.Divide => Expression.Divide(left, right),
                    _ => Expression.Modulo(left, right),
                };
        }
    }

    private static bool IsExact(ArithmeticOperator op, DataType type, DataType left, DataType right) => op switch
    {
        ArithmeticOperator.Add or ArithmeticOperator.Subtract => Math.Max(left.Scale, right.Scale) <= type.Scale,
        ArithmeticOperator.Multiply => left.Scale + right.Scale <= type.Scale,
        _ => false,
    };

    private Emitted EmitNegate(NegateExpression negate, List<Expression> body)
    {
        var operand = Emit(negate.Operand, body);
        return Guarded(body, operand.IsNull, Expression.Negate(operand.Value), "negate");
    }

    private Emitted EmitBetween(BetweenExpression between, List<Expression> body)
    {
        var operand = Emit(between.Operand, body);
        var low = Emit(between.Low, body);
        var high = Emit(between.High, body);
        var type = between.Operand.Type;
        // low <= x AND x <= high in three-valued logic: FALSE if either known comparison is false, else NULL if any NULL.
        var lowFalse = Expression.AndAlso(Expression.Not(AnyNull(low, operand)), Expression.Not(Compare(ComparisonOperator.LessOrEqual, low.Value, operand.Value, type)));
        var highFalse = Expression.AndAlso(Expression.Not(AnyNull(operand, high)), Expression.Not(Compare(ComparisonOperator.LessOrEqual, operand.Value, high.Value, type)));
        var isFalse = Variable(typeof(bool), "between_false");
        body.Add(Expression.Assign(isFalse, Expression.OrElse(lowFalse, highFalse)));
        var isNull = Variable(typeof(bool), "between_null");
        body.Add(Expression.Assign(isNull, Expression.AndAlso(Expression.Not(isFalse), AnyNull(operand, low, high))));
        var value = Variable(typeof(bool), "between");
        body.Add(Expression.Assign(value, between.Negated ? isFalse : Expression.Not(isFalse)));
        return new Emitted(value, isNull);
    }

    private Emitted EmitIn(InExpression @in, List<Expression> body)
    {
        var operand = Emit(@in.Operand, body);
        var type = @in.Operand.Type;
        var found = Variable(typeof(bool), "in_found");
        var sawNull = Variable(typeof(bool), "in_null");
        body.Add(Expression.Assign(found, Expression.Constant(false)));
        body.Add(Expression.Assign(sawNull, operand.IsNull));
        var constants = ConstantSet(@in, type);
        if (constants is not null)
        {
            var contains = constants.GetType().GetMethod("Contains")!;
            body.Add(Expression.IfThen(Expression.Not(operand.IsNull), Expression.Assign(found, Expression.Call(Expression.Constant(constants), contains, operand.Value))));
        }
        else
        {
            var search = new List<Expression>();
            foreach (var item in @in.Values)
            {
                var one = new List<Expression>();
                var value = Emit(item, one);
                one.Add(Expression.IfThenElse(
                    value.IsNull,
                    Expression.Assign(sawNull, Expression.Constant(true)),
                    Expression.IfThen(Compare(ComparisonOperator.Equal, operand.Value, value.Value, type), Expression.Assign(found, Expression.Constant(true)))));
                search.Add(Expression.IfThen(Expression.Not(found), Expression.Block(one)));
            }
            search.Add(Expression.Empty());
            body.Add(Expression.IfThen(Expression.Not(operand.IsNull), Expression.Block(search)));
        }
        var isNull = Variable(typeof(bool), "in_result_null");
        body.Add(Expression.Assign(isNull, Expression.AndAlso(Expression.Not(found), sawNull)));
        return new Emitted(@in.Negated ? Expression.Not(found) : found, isNull);
    }

    /// <summary>A HashSet of the list's values when all are non-null constants of a hashable kind and there are more than a few.</summary>
    private static object? ConstantSet(InExpression @in, DataType type)
    {
        if (@in.Values.Count < 6 || type.Kind is DataTypeKind.Bytes or DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Float or DataTypeKind.Double)
        {
            return null;
        }
        var clr = type.ClrType;
        var set = Activator.CreateInstance(typeof(HashSet<>).MakeGenericType(clr))!;
        var add = set.GetType().GetMethod("Add")!;
        foreach (var value in @in.Values)
        {
            if (value is not LiteralExpression { Value: { } constant })
            {
                return null;
            }
            add.Invoke(set, [constant]);
        }
        return set;
    }

    private Emitted EmitCall(CallExpression call, List<Expression> body)
    {
        var function = call.Function;
        var arguments = new Emitted[call.Arguments.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = call.Function.Parameters[Math.Min(i, function.Parameters.Count - 1)].Shape == ParameterShape.Unit
                ? default
                : Emit(call.Arguments[i], body);
        }
        var sources = function.Sources;
        var parameters = function.Method.GetParameters();
        var callArguments = new Expression[parameters.Length];
        var strictNulls = new List<Emitted>();
        ParameterExpression? nullFlag = null;
        var sqlIndex = 0;
        for (var p = 0; p < parameters.Length; p++)
        {
            switch (sources[p])
            {
                case ParameterSource.Context:
                    callArguments[p] = Context;
                    break;
                case ParameterSource.Regex:
                    callArguments[p] = Expression.Constant(new RegexCallSite());
                    break;
                case ParameterSource.NullFlag:
                    nullFlag = Variable(typeof(bool), "call_result_null");
                    callArguments[p] = nullFlag;
                    break;
                case ParameterSource.Variadic:
                    var items = new List<Expression>();
                    var acceptsNull = function.Parameters[^1].AcceptsNull;
                    for (; sqlIndex < arguments.Length; sqlIndex++)
                    {
                        items.Add(acceptsNull ? NullableReference(arguments[sqlIndex], typeof(string)) : arguments[sqlIndex].Value);
                        if (!acceptsNull)
                        {
                            strictNulls.Add(arguments[sqlIndex]);
                        }
                    }
                    callArguments[p] = Expression.NewArrayInit(typeof(string), items);
                    break;
                default:
                    var parameter = function.Parameters[sqlIndex];
                    if (parameter.Shape == ParameterShape.Unit)
                    {
                        FunctionOverload.TryParseUnit((string)((LiteralExpression)call.Arguments[sqlIndex]).Value!, out var unit);
                        callArguments[p] = Expression.Constant(unit);
                    }
                    else if (parameter.AcceptsNull)
                    {
                        callArguments[p] = NullableReference(arguments[sqlIndex], parameters[p].ParameterType);
                    }
                    else
                    {
                        callArguments[p] = Convert(arguments[sqlIndex].Value, parameters[p].ParameterType);
                        strictNulls.Add(arguments[sqlIndex]);
                    }
                    sqlIndex++;
                    break;
            }
        }
        Expression invoke = function.Target is null
            ? Expression.Call(function.Method, callArguments)
            : Expression.Call(Expression.Constant(function.Target), function.Method, callArguments);
        var resultType = call.Type.ClrType;
        var value = Variable(resultType, function.Name.ToLowerInvariant());
        var isNull = Variable(typeof(bool), function.Name.ToLowerInvariant() + "_null");
        body.Add(Expression.Assign(isNull, AnyNull([.. strictNulls])));
        var compute = new List<Expression>();
        var returned = function.Method.ReturnType;
        if (Nullable.GetUnderlyingType(returned) is not null)
        {
            var raw = Variable(returned, "call_raw");
            compute.Add(Expression.Assign(raw, invoke));
            compute.Add(Expression.Assign(isNull, Expression.Not(Expression.Property(raw, "HasValue"))));
            compute.Add(Expression.Assign(value, Convert(Expression.Call(raw, returned.GetMethod("GetValueOrDefault", Type.EmptyTypes)!), resultType)));
        }
        else
        {
            compute.Add(Expression.Assign(value, Convert(invoke, resultType)));
            if (nullFlag is not null)
            {
                compute.Add(Expression.Assign(isNull, nullFlag));
            }
            else if (!returned.IsValueType && function.ReturnsNullable)
            {
                compute.Add(Expression.Assign(isNull, Expression.Equal(value, Expression.Constant(null, resultType))));
            }
        }
        body.Add(Expression.IfThen(Expression.Not(isNull), Expression.Block(compute)));
        return new Emitted(value, isNull);
    }

    /// <summary>The argument for a parameter that accepts NULL: null when the value is NULL.</summary>
    private static Expression NullableReference(Emitted argument, Type parameterType) =>
        Expression.Condition(argument.IsNull, Expression.Default(parameterType), Convert(argument.Value, parameterType));

    private static Expression Convert(Expression value, Type type) => value.Type == type ? value : Expression.Convert(value, type);

    internal static MethodInfo Method(string name, params Type[] parameters) =>
        typeof(SqlCasts).GetMethod(name, parameters) ?? throw new InvalidOperationException($"SqlCasts.{name} is missing.");
}
