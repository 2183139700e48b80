using System.Linq.Expressions;
using System.Reflection;
using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>An emitted value: side-effect-free reads of its value and its is-null flag (locals or constants).</summary>
internal readonly record struct Emitted(Expression Value, Expression IsNull);

/// <summary>
/// Turns a bound tree into statements over typed locals: each node appends the statements that compute it to a list
/// and returns where its value and null flag are. Operands that may be skipped (CASE branches, the right of AND/OR,
/// later COALESCE items) are emitted into nested blocks. An input field read twice in one statement list is read once.
/// Not thread-safe; one per compilation.
/// </summary>
internal sealed partial class ExpressionEmitter
{
    private static readonly MethodInfo s_isNull = typeof(Row).GetMethod(nameof(Row.IsNull))!;
    private readonly Schema _input;
    private readonly List<ParameterExpression> _variables = [];

    // The input fields each statement list has read: a later read in the same list reuses the locals (a projection
    // reading six fields of one nested row reads that row once). Never across lists: a read in a nested block (a CASE
    // branch) may not have run, and a nested block reads for itself what its enclosing list read before it.
    private readonly Dictionary<(List<Expression> Body, int Field), Emitted> _fieldReads = [];

    public ExpressionEmitter(Schema input) => _input = input;

    public ParameterExpression RowParameter { get; } = Expression.Parameter(typeof(Row), "row");

    public ParameterExpression Context { get; } = Expression.Parameter(typeof(SqlEvaluationContext), "context");

    public IReadOnlyList<ParameterExpression> Variables => _variables;

    public static Type ClrType(DataType type) => type.ClrType;

    public static MethodInfo Getter(DataTypeKind kind) => typeof(Row).GetMethod(kind switch
    {
        DataTypeKind.Boolean => nameof(Schemas.Row.GetBoolean),
        DataTypeKind.Int => nameof(Schemas.Row.GetInt32),
        DataTypeKind.BigInt => nameof(Schemas.Row.GetInt64),
        DataTypeKind.Float => nameof(Schemas.Row.GetSingle),
        DataTypeKind.Double => nameof(Schemas.Row.GetDouble),
        DataTypeKind.Decimal => nameof(Schemas.Row.GetDecimal),
        DataTypeKind.Varchar => nameof(Schemas.Row.GetString),
        DataTypeKind.Bytes => nameof(Schemas.Row.GetBytes),
        DataTypeKind.Date => nameof(Schemas.Row.GetDate),
        DataTypeKind.Time => nameof(Schemas.Row.GetTime),
        DataTypeKind.Timestamp => nameof(Schemas.Row.GetTimestamp),
        DataTypeKind.TimestampLtz => nameof(Schemas.Row.GetTimestampLtz),
        DataTypeKind.Row => nameof(Schemas.Row.GetRow),
        DataTypeKind.Array => nameof(Schemas.Row.GetArray),
        _ => nameof(Schemas.Row.GetMap),
    })!;

    public static MethodInfo Setter(DataTypeKind kind) => typeof(Row).GetMethod(kind switch
    {
        DataTypeKind.Boolean => nameof(Schemas.Row.SetBoolean),
        DataTypeKind.Int => nameof(Schemas.Row.SetInt32),
        DataTypeKind.BigInt => nameof(Schemas.Row.SetInt64),
        DataTypeKind.Float => nameof(Schemas.Row.SetSingle),
        DataTypeKind.Double => nameof(Schemas.Row.SetDouble),
        DataTypeKind.Decimal => nameof(Schemas.Row.SetDecimal),
        DataTypeKind.Varchar => nameof(Schemas.Row.SetString),
        DataTypeKind.Bytes => nameof(Schemas.Row.SetBytes),
        DataTypeKind.Date => nameof(Schemas.Row.SetDate),
        DataTypeKind.Time => nameof(Schemas.Row.SetTime),
        DataTypeKind.Timestamp => nameof(Schemas.Row.SetTimestamp),
        DataTypeKind.TimestampLtz => nameof(Schemas.Row.SetTimestampLtz),
        DataTypeKind.Row => nameof(Schemas.Row.SetRow),
        DataTypeKind.Array => nameof(Schemas.Row.SetArray),
        _ => nameof(Schemas.Row.SetMap),
    })!;

    public Emitted Emit(BoundExpression expression, List<Expression> body) => expression switch
    {
        LiteralExpression literal => EmitLiteral(literal),
        IntervalLiteral interval => new Emitted(Expression.Constant(interval.Value), Expression.Constant(false)),
        InputReference field => EmitField(field, body),
        CastExpression cast => EmitCast(cast, body),
        CallExpression call => EmitCall(call, body),
        CaseExpression @case => EmitCase(@case, body),
        LogicalExpression logical => EmitLogical(logical, body),
        NotExpression not => EmitNot(not, body),
        IsNullExpression isNull => EmitIsNull(isNull, body),
        ComparisonExpression comparison => EmitComparison(comparison, body),
        ArithmeticExpression arithmetic => EmitArithmetic(arithmetic, body),
        NegateExpression negate => EmitNegate(negate, body),
        InExpression @in => EmitIn(@in, body),
        BetweenExpression between => EmitBetween(between, body),
        LikeExpression like => EmitLike(like, body),
        CoalesceExpression coalesce => EmitCoalesce(coalesce, body),
        FieldAccessExpression access => EmitFieldAccess(access, body),
        ElementAccessExpression element => EmitElement(element, body),
        ConstructorExpression constructor => EmitConstructor(constructor, body),
        _ => throw new NotSupportedException($"The compiler does not handle {expression.GetType().Name}."),
    };

    private ParameterExpression Variable(Type type, string name)
    {
        var variable = Expression.Variable(type, name);
        _variables.Add(variable);
        return variable;
    }

    /// <summary>Computes <paramref name="value"/> only when <paramref name="isNull"/> is false, into a new local.</summary>
    private Emitted Guarded(List<Expression> body, Expression isNull, Expression value, string name)
    {
        var result = Variable(value.Type, name);
        var flag = Variable(typeof(bool), name + "_null");
        body.Add(Expression.Assign(flag, isNull));
        body.Add(Expression.Assign(result, Expression.Condition(flag, Expression.Default(value.Type), value)));
        return new Emitted(result, flag);
    }

    private static Expression AnyNull(params Emitted[] values)
    {
        Expression? any = null;
        foreach (var value in values)
        {
            if (value.IsNull is ConstantExpression { Value: false })
            {
                continue;
            }
            any = any is null ? value.IsNull : Expression.OrElse(any, value.IsNull);
        }
        return any ?? Expression.Constant(false);
    }

    private static Emitted EmitLiteral(LiteralExpression literal)
    {
        var type = literal.Type.ClrType;
        return literal.Value is null
            ? new Emitted(Expression.Default(type), Expression.Constant(true))
            : new Emitted(Expression.Constant(literal.Value, type), Expression.Constant(false));
    }

    private Emitted EmitField(InputReference field, List<Expression> body)
    {
        if (field.Index >= _input.Count || _input[field.Index].Type.Kind != field.Type.Kind)
        {
            throw new ArgumentException($"Field reference {field} (#{field.Index}, {field.Type}) does not match the input schema {_input}.");
        }
        if (_fieldReads.TryGetValue((body, field.Index), out var read))
        {
            return read;
        }
        var value = Variable(field.Type.ClrType, field.Name);
        body.Add(Expression.Assign(value, Expression.Call(RowParameter, Getter(field.Type.Kind), Expression.Constant(field.Index))));
        Emitted emitted;
        if (!_input[field.Index].Type.IsNullable)
        {
            emitted = new Emitted(value, Expression.Constant(false));
        }
        else
        {
            var isNull = Variable(typeof(bool), field.Name + "_null");
            body.Add(Expression.Assign(isNull, Expression.Call(RowParameter, s_isNull, Expression.Constant(field.Index))));
            emitted = new Emitted(value, isNull);
        }
        _fieldReads[(body, field.Index)] = emitted;
        return emitted;
    }

    private Emitted EmitCase(CaseExpression @case, List<Expression> body)
    {
        var type = @case.Type.ClrType;
        var value = Variable(type, "case");
        var isNull = Variable(typeof(bool), "case_null");
        body.Add(BuildCase(@case, 0, value, isNull));
        return new Emitted(value, isNull);
    }

    private Expression BuildCase(CaseExpression @case, int branch, ParameterExpression value, ParameterExpression isNull)
    {
        var block = new List<Expression>();
        if (branch == @case.Conditions.Count)
        {
            var otherwise = Emit(@case.Else, block);
            block.Add(Expression.Assign(value, otherwise.Value));
            block.Add(Expression.Assign(isNull, otherwise.IsNull));
            return Expression.Block(block);
        }
        var condition = Emit(@case.Conditions[branch], block);
        var then = new List<Expression>();
        var result = Emit(@case.Results[branch], then);
        then.Add(Expression.Assign(value, result.Value));
        then.Add(Expression.Assign(isNull, result.IsNull));
        block.Add(Expression.IfThenElse(
            Expression.AndAlso(Expression.Not(condition.IsNull), condition.Value),
            Expression.Block(then),
            BuildCase(@case, branch + 1, value, isNull)));
        return Expression.Block(block);
    }

    private Emitted EmitCoalesce(CoalesceExpression coalesce, List<Expression> body)
    {
        var value = Variable(coalesce.Type.ClrType, "coalesce");
        var isNull = Variable(typeof(bool), "coalesce_null");
        body.Add(BuildCoalesce(coalesce, 0, value, isNull));
        return new Emitted(value, isNull);
    }

    private Expression BuildCoalesce(CoalesceExpression coalesce, int index, ParameterExpression value, ParameterExpression isNull)
    {
        var block = new List<Expression>();
        var item = Emit(coalesce.Items[index], block);
        block.Add(Expression.Assign(value, item.Value));
        block.Add(Expression.Assign(isNull, item.IsNull));
        if (index + 1 < coalesce.Items.Count)
        {
            block.Add(Expression.IfThen(isNull, BuildCoalesce(coalesce, index + 1, value, isNull)));
        }
        return Expression.Block(block);
    }

    private Emitted EmitLogical(LogicalExpression logical, List<Expression> body)
    {
        var value = Variable(typeof(bool), logical.IsAnd ? "and" : "or");
        var isNull = Variable(typeof(bool), logical.IsAnd ? "and_null" : "or_null");
        var left = Emit(logical.Left, body);
        // AND is decided by a FALSE operand, OR by a TRUE one; otherwise NULL if either is NULL.
        var decisive = Expression.Constant(!logical.IsAnd);
        Expression Decides(Emitted operand) => Expression.AndAlso(Expression.Not(operand.IsNull), Expression.Equal(operand.Value, decisive));
        var decided = Expression.Block(Expression.Assign(value, decisive), Expression.Assign(isNull, Expression.Constant(false)));
        var rightBlock = new List<Expression>();
        var right = Emit(logical.Right, rightBlock);
        rightBlock.Add(Expression.IfThenElse(
            Decides(right),
            decided,
            Expression.Block(
                Expression.Assign(isNull, AnyNull(left, right)),
                Expression.Assign(value, Expression.Constant(logical.IsAnd)))));
        body.Add(Expression.IfThenElse(Decides(left), decided, Expression.Block(rightBlock)));
        return new Emitted(value, isNull);
    }

    private Emitted EmitNot(NotExpression not, List<Expression> body)
    {
        var operand = Emit(not.Operand, body);
        return Guarded(body, operand.IsNull, Expression.Not(operand.Value), "not");
    }

    private Emitted EmitIsNull(IsNullExpression isNull, List<Expression> body)
    {
        var operand = Emit(isNull.Operand, body);
        var value = Variable(typeof(bool), "is_null");
        body.Add(Expression.Assign(value, isNull.Negated ? Expression.Not(operand.IsNull) : operand.IsNull));
        return new Emitted(value, Expression.Constant(false));
    }

    private Emitted EmitLike(LikeExpression like, List<Expression> body)
    {
        var operand = Emit(like.Operand, body);
        var pattern = Emit(like.Pattern, body);
        var escape = like.Escape is null ? new Emitted(Expression.Constant(null, typeof(string)), Expression.Constant(false)) : Emit(like.Escape, body);
        var site = Expression.Constant(new RegexCallSite());
        var regex = Expression.Call(site, typeof(RegexCallSite).GetMethod(nameof(RegexCallSite.GetLike))!, pattern.Value, escape.Value);
        Expression match = Expression.Call(regex, typeof(System.Text.RegularExpressions.Regex).GetMethod("IsMatch", [typeof(string)])!, operand.Value);
        if (like.Negated)
        {
            match = Expression.Not(match);
        }
        return Guarded(body, AnyNull(operand, pattern, escape), match, "like");
    }

    private Emitted EmitFieldAccess(FieldAccessExpression access, List<Expression> body)
    {
        var row = Emit(access.Operand, body);
        var field = access.Operand.Type.Fields![access.Index];
        var value = Variable(access.Type.ClrType, field.Name);
        var isNull = Variable(typeof(bool), field.Name + "_null");
        body.Add(Expression.IfThenElse(
            row.IsNull,
            Expression.Assign(isNull, Expression.Constant(true)),
            Expression.Block(
                Expression.Assign(isNull, Expression.Call(row.Value, s_isNull, Expression.Constant(access.Index))),
                Expression.Assign(value, Expression.Call(row.Value, Getter(field.Type.Kind), Expression.Constant(access.Index))))));
        return new Emitted(value, isNull);
    }

    private Emitted EmitElement(ElementAccessExpression element, List<Expression> body)
    {
        var collection = Emit(element.Collection, body);
        var key = Emit(element.Key, body);
        Expression lookup = element.Collection.Type.Kind == DataTypeKind.Array
            ? Expression.Call(typeof(SqlRuntime).GetMethod(nameof(SqlRuntime.ArrayElement))!, collection.Value, key.Value)
            : Expression.Call(typeof(SqlRuntime).GetMethod(nameof(SqlRuntime.MapValue))!, collection.Value, Expression.Convert(key.Value, typeof(object)));
        var boxed = Variable(typeof(object), "element");
        var isNull = Variable(typeof(bool), "element_null");
        var value = Variable(element.Type.ClrType, "element_value");
        body.Add(Expression.Assign(boxed, Expression.Condition(AnyNull(collection, key), Expression.Constant(null), lookup)));
        body.Add(Expression.Assign(isNull, Expression.Equal(boxed, Expression.Constant(null))));
        var type = element.Type.ClrType;
        body.Add(Expression.Assign(value, Expression.Condition(isNull, Expression.Default(type), Expression.Convert(boxed, type))));
        return new Emitted(value, isNull);
    }

    private Emitted EmitConstructor(ConstructorExpression constructor, List<Expression> body)
    {
        var boxed = new Expression[constructor.Items.Count];
        for (var i = 0; i < boxed.Length; i++)
        {
            var item = Emit(constructor.Items[i], body);
            boxed[i] = Expression.Condition(item.IsNull, Expression.Constant(null), Expression.Convert(item.Value, typeof(object)));
        }
        var values = Expression.NewArrayInit(typeof(object), boxed);
        Expression built = constructor.Type.Kind switch
        {
            DataTypeKind.Array => Expression.Convert(values, typeof(IReadOnlyList<object?>)),
            DataTypeKind.Map => Expression.Call(typeof(SqlRuntime).GetMethod(nameof(SqlRuntime.NewMap))!, values),
            _ => Expression.Call(typeof(Schemas.Row).GetMethod(nameof(Schemas.Row.Of))!, Expression.Constant(constructor.Type.Fields!), values),
        };
        var value = Variable(constructor.Type.ClrType, "constructed");
        body.Add(Expression.Assign(value, built));
        return new Emitted(value, Expression.Constant(false));
    }
}
