using System.Linq.Expressions;
using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

internal sealed partial class ExpressionEmitter
{
    private Emitted EmitCast(CastExpression cast, List<Expression> body)
    {
        var operand = Emit(cast.Operand, body);
        var from = cast.Operand.Type;
        var to = cast.Type;
        var value = Variable(to.ClrType, "cast");
        var isNull = Variable(typeof(bool), "cast_null");
        body.Add(Expression.Assign(isNull, operand.IsNull));
        var compute = new List<Expression>();
        if (Infallible(operand.Value, from, to) is { } converted)
        {
            compute.Add(Expression.Assign(value, converted));
        }
        else
        {
            var attempt = Fallible(operand.Value, from, to, value);
            Expression onFailure = cast.IsTry
                ? Expression.Assign(isNull, Expression.Constant(true))
                : Expression.Throw(Expression.Call(
                    typeof(SqlCasts).GetMethod(nameof(SqlCasts.Failed))!,
                    Expression.Convert(operand.Value, typeof(object)),
                    Expression.Constant(to),
                    Expression.Constant(cast.Position, typeof(SqlPosition?))));
            compute.Add(Expression.IfThen(Expression.Not(attempt), onFailure));
        }
        body.Add(Expression.IfThen(Expression.Not(isNull), Expression.Block(compute)));
        return new Emitted(value, isNull);
    }

    /// <summary>A conversion that cannot fail, or null when the value must be checked.</summary>
    private Expression? Infallible(Expression value, DataType from, DataType to)
    {
        if (from.Kind == to.Kind)
        {
            return to.Kind switch
            {
                // A DECIMAL widening to more integer and fraction digits keeps its value: nothing to do.
                DataTypeKind.Decimal when from.Precision - from.Scale <= to.Precision - to.Scale && from.Scale <= to.Scale => value,
                DataTypeKind.Decimal => from.Precision - from.Scale <= to.Precision - to.Scale ? Call(nameof(SqlCasts.TryFitUnchecked), value, Expression.Constant(to.NotNull())) : null,
                DataTypeKind.Timestamp => to.Precision >= from.Precision ? value : Call(nameof(SqlCasts.TruncateTimestamp), value, Expression.Constant(to.Precision)),
                DataTypeKind.TimestampLtz => to.Precision >= from.Precision ? value : Call(nameof(SqlCasts.TruncateTimestampLtz), value, Expression.Constant(to.Precision)),
                DataTypeKind.Time => to.Precision >= from.Precision ? value : Call(nameof(SqlCasts.TruncateTime), value, Expression.Constant(to.Precision)),
                _ => value,
            };
        }
        if (to.Kind == DataTypeKind.Varchar)
        {
            return ToText(value, from);
        }
        switch (from.Kind, to.Kind)
        {
            case (DataTypeKind.Int, DataTypeKind.BigInt or DataTypeKind.Float or DataTypeKind.Double):
            case (DataTypeKind.BigInt, DataTypeKind.Int or DataTypeKind.Float or DataTypeKind.Double):
            case (DataTypeKind.Float, DataTypeKind.Double):
            case (DataTypeKind.Double, DataTypeKind.Float):
            case (DataTypeKind.Decimal, DataTypeKind.Float or DataTypeKind.Double):
                return Expression.Convert(value, to.ClrType);
            case (DataTypeKind.Float or DataTypeKind.Double, DataTypeKind.Int):
                return Call(nameof(SqlCasts.DoubleToInt), Expression.Convert(value, typeof(double)));
            case (DataTypeKind.Float or DataTypeKind.Double, DataTypeKind.BigInt):
                return Call(nameof(SqlCasts.DoubleToLong), Expression.Convert(value, typeof(double)));
            case (DataTypeKind.Int or DataTypeKind.BigInt, DataTypeKind.Decimal)
                when SqlTypeRules.AsDecimal(from).Precision <= to.Precision - to.Scale:
                return Expression.Convert(value, typeof(decimal));
            case (DataTypeKind.Boolean, _):
                return Expression.Convert(Expression.Condition(value, Expression.Constant(1), Expression.Constant(0)), to.ClrType);
            case (_, DataTypeKind.Boolean) when SqlTypeRules.IsNumeric(from):
                return Expression.NotEqual(value, Expression.Default(from.ClrType));
            case (DataTypeKind.Date, DataTypeKind.Timestamp):
                return Expression.Call(value, typeof(DateOnly).GetMethod(nameof(DateOnly.ToDateTime), [typeof(TimeOnly)])!, Expression.Constant(TimeOnly.MinValue));
            case (DataTypeKind.Date, DataTypeKind.TimestampLtz):
                return Expression.Call(Context, typeof(SqlEvaluationContext).GetMethod(nameof(SqlEvaluationContext.FromLocal))!,
                    Expression.Call(value, typeof(DateOnly).GetMethod(nameof(DateOnly.ToDateTime), [typeof(TimeOnly)])!, Expression.Constant(TimeOnly.MinValue)));
            case (DataTypeKind.Timestamp, DataTypeKind.Date):
                return Expression.Call(typeof(DateOnly).GetMethod(nameof(DateOnly.FromDateTime))!, value);
            case (DataTypeKind.Timestamp, DataTypeKind.Time):
                return Call(nameof(SqlCasts.TruncateTime), Expression.Call(typeof(TimeOnly).GetMethod(nameof(TimeOnly.FromDateTime))!, value), Expression.Constant(to.Precision));
            case (DataTypeKind.Timestamp, DataTypeKind.TimestampLtz):
                return Call(nameof(SqlCasts.TruncateTimestampLtz), Expression.Call(Context, typeof(SqlEvaluationContext).GetMethod(nameof(SqlEvaluationContext.FromLocal))!, value), Expression.Constant(to.Precision));
            case (DataTypeKind.TimestampLtz, DataTypeKind.Timestamp):
                return Call(nameof(SqlCasts.TruncateTimestamp), Expression.Call(Context, typeof(SqlEvaluationContext).GetMethod(nameof(SqlEvaluationContext.ToLocal))!, value), Expression.Constant(to.Precision));
            case (DataTypeKind.TimestampLtz, DataTypeKind.Date):
                return Expression.Call(typeof(DateOnly).GetMethod(nameof(DateOnly.FromDateTime))!, Expression.Call(Context, typeof(SqlEvaluationContext).GetMethod(nameof(SqlEvaluationContext.ToLocal))!, value));
            case (DataTypeKind.TimestampLtz, DataTypeKind.Time):
                return Call(nameof(SqlCasts.TruncateTime), Expression.Call(typeof(TimeOnly).GetMethod(nameof(TimeOnly.FromDateTime))!,
                    Expression.Call(Context, typeof(SqlEvaluationContext).GetMethod(nameof(SqlEvaluationContext.ToLocal))!, value)), Expression.Constant(to.Precision));
            case (DataTypeKind.Varchar, DataTypeKind.Bytes):
                return Call(nameof(SqlCasts.StringToBytes), value);
            default:
                return null;
        }
    }

    /// <summary>A boolean expression that stores the converted value in <paramref name="target"/> and says whether it converted.</summary>
    private Expression Fallible(Expression value, DataType from, DataType to, ParameterExpression target)
    {
        var decimalType = Expression.Constant(to.Kind == DataTypeKind.Decimal ? to.NotNull() : null, typeof(DataType));
        switch (from.Kind, to.Kind)
        {
            case (DataTypeKind.Varchar, DataTypeKind.Int):
                return Call(nameof(SqlCasts.TryParseInt), value, target);
            case (DataTypeKind.Varchar, DataTypeKind.BigInt):
                return Call(nameof(SqlCasts.TryParseLong), value, target);
            case (DataTypeKind.Varchar, DataTypeKind.Float):
                return Call(nameof(SqlCasts.TryParseFloat), value, target);
            case (DataTypeKind.Varchar, DataTypeKind.Double):
                return Call(nameof(SqlCasts.TryParseDouble), value, target);
            case (DataTypeKind.Varchar, DataTypeKind.Decimal):
                return Call(nameof(SqlCasts.TryParseDecimal), value, decimalType, target);
            case (DataTypeKind.Varchar, DataTypeKind.Boolean):
                return Call(nameof(SqlCasts.TryParseBoolean), value, target);
            case (DataTypeKind.Varchar, DataTypeKind.Date):
                return Call(nameof(SqlCasts.TryParseDate), value, target);
            case (DataTypeKind.Varchar, DataTypeKind.Time):
                return Call(nameof(SqlCasts.TryParseTime), value, target);
            case (DataTypeKind.Varchar, DataTypeKind.Timestamp):
                return Call(nameof(SqlCasts.TryParseTimestamp), value, Expression.Constant(to.Precision), target);
            case (DataTypeKind.Varchar, DataTypeKind.TimestampLtz):
                return Call(nameof(SqlCasts.TryParseTimestampLtz), value, Context, target);
            case (DataTypeKind.Decimal, DataTypeKind.Decimal):
                return Call(nameof(SqlCasts.TryFit), value, decimalType, target);
            case (DataTypeKind.Int or DataTypeKind.BigInt, DataTypeKind.Decimal):
                return Call(nameof(SqlCasts.TryFit), Expression.Convert(value, typeof(decimal)), decimalType, target);
            case (DataTypeKind.Float or DataTypeKind.Double, DataTypeKind.Decimal):
                return Call(nameof(SqlCasts.TryDoubleToDecimal), Expression.Convert(value, typeof(double)), decimalType, target);
            case (DataTypeKind.Decimal, DataTypeKind.Int):
                return Call(nameof(SqlCasts.TryDecimalToInt), value, target);
            case (DataTypeKind.Decimal, DataTypeKind.BigInt):
                return Call(nameof(SqlCasts.TryDecimalToLong), value, target);
            default:
                throw new NotSupportedException($"CAST from {from} to {to} has no conversion.");
        }
    }

    private Expression ToText(Expression value, DataType from) => from.Kind switch
    {
        DataTypeKind.Boolean => Call(nameof(SqlCasts.BooleanToString), value),
        DataTypeKind.Int => Call(nameof(SqlCasts.IntToString), value),
        DataTypeKind.BigInt => Call(nameof(SqlCasts.LongToString), value),
        DataTypeKind.Float => Call(nameof(SqlCasts.FloatToString), value),
        DataTypeKind.Double => Call(nameof(SqlCasts.DoubleToString), value),
        DataTypeKind.Decimal => Call(nameof(SqlCasts.DecimalToString), value, Expression.Constant("F" + from.Scale.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        DataTypeKind.Bytes => Call(nameof(SqlCasts.BytesToString), value),
        DataTypeKind.Date => Call(nameof(SqlCasts.DateToString), value),
        DataTypeKind.Time => Call(nameof(SqlCasts.TimeToString), value, Expression.Constant(from.Precision)),
        DataTypeKind.Timestamp => Call(nameof(SqlCasts.TimestampToString), value, Expression.Constant(from.Precision)),
        DataTypeKind.TimestampLtz => Call(nameof(SqlCasts.TimestampLtzToString), value, Expression.Constant(from.Precision), Context),
        _ => Call(nameof(SqlCasts.CompositeToString), Expression.Convert(value, typeof(object))),
    };

    private static Expression Call(string method, params Expression[] arguments)
    {
        var types = new Type[arguments.Length];
        for (var i = 0; i < types.Length; i++)
        {
            types[i] = arguments[i] is ParameterExpression { IsByRef: false } parameter && IsOutTarget(method, i) ? parameter.Type.MakeByRefType() : arguments[i].Type;
        }
        return Expression.Call(Method(method, types), arguments);
    }

    /// <summary>Whether argument <paramref name="index"/> of a SqlCasts method is its trailing out parameter.</summary>
    private static bool IsOutTarget(string method, int index)
    {
        foreach (var candidate in typeof(SqlCasts).GetMethods())
        {
            if (candidate.Name == method)
            {
                var parameters = candidate.GetParameters();
                return index < parameters.Length && parameters[index].IsOut;
            }
        }
        return false;
    }
}
