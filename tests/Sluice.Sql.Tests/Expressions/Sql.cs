using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Tests.Expressions;

/// <summary>Shorthands for building and evaluating bound expressions in tests.</summary>
internal static class Sql
{
    public static readonly FunctionCatalog BuiltIns = FunctionCatalog.CreateBuiltIn();
    public static readonly Schema NoInput = new();

    public static BoundExpression Lit(object? value) => value switch
    {
        null => BoundExpressions.Null(),
        int i => BoundExpressions.Literal(i),
        long l => BoundExpressions.Literal(l),
        double d => BoundExpressions.Literal(d),
        decimal m => BoundExpressions.Literal(m),
        bool b => BoundExpressions.Literal(b),
        string s => BoundExpressions.Literal(s),
        BoundExpression e => e,
        DateTime t => BoundExpressions.Literal(t, DataType.Timestamp(3)),
        DateOnly d => BoundExpressions.Literal(d, DataType.Date),
        DateTimeOffset t => BoundExpressions.Literal(t, DataType.TimestampLtz(3)),
        _ => throw new ArgumentException($"No literal for {value.GetType()}."),
    };

    public static BoundExpression Typed(object? value, string type) => BoundExpressions.Literal(value, DataType.Parse(type));

    public static BoundExpression Call(string name, params object?[] arguments)
    {
        var bound = new BoundExpression[arguments.Length];
        for (var i = 0; i < bound.Length; i++)
        {
            bound[i] = Lit(arguments[i]);
        }
        return BoundExpressions.Call(BuiltIns, name, bound);
    }

    /// <summary>Evaluates through a compiled evaluator (no folding), in a UTC context unless one is given.</summary>
    public static object? Eval(BoundExpression expression, Row? row = null, SqlEvaluationContext? context = null)
    {
        var input = row?.Schema ?? NoInput;
        return ExpressionCompiler.CompileEvaluator(expression, input)(row ?? new Row(NoInput), context ?? SqlEvaluationContext.Default);
    }

    public static object? Fn(string name, params object?[] arguments) => Eval(Call(name, arguments));
}

/// <summary>A clock tests set by hand.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
