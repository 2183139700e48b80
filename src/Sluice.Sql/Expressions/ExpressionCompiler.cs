using System.Linq.Expressions;
using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>A compiled filter: whether <paramref name="row"/> passes (a NULL condition does not). Thread-safe.</summary>
internal delegate bool RowPredicate(Row row, SqlEvaluationContext context);

/// <summary>A compiled projection: writes each expression of the projection into its field of <paramref name="output"/>. Thread-safe; the rows are the caller's.</summary>
internal delegate void RowProjector(Row input, Row output, SqlEvaluationContext context);

/// <summary>
/// Compiles bound expressions to delegates over <see cref="Row"/> with System.Linq.Expressions. The generated code
/// reads fields with the row's typed accessors, keeps every intermediate value unboxed in a local with a separate
/// is-null flag, and allocates nothing per row except what a value needs (a new string, a parsed JSON document) —
/// see docs/sql.md for the exceptions. Compilation is slow (milliseconds): compile once per operator, call per row.
/// </summary>
/// <remarks>
/// The delegates are thread-safe: they keep no per-row state (user function instances must be thread-safe
/// themselves). A row whose value cannot be computed throws <see cref="SqlEvaluationException"/> from the call.
/// </remarks>
internal static class ExpressionCompiler
{
    /// <summary>Compiles a filter condition (BOOLEAN) over rows of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">The condition is not BOOLEAN, or a field reference does not match the schema.</exception>
    public static RowPredicate CompilePredicate(BoundExpression condition, Schema input)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(input);
        if (condition.Type.Kind != DataTypeKind.Boolean)
        {
            throw new ArgumentException($"A filter condition must be BOOLEAN, not {condition.TypeName}: {condition}.", nameof(condition));
        }
        var emitter = new ExpressionEmitter(input);
        var body = new List<Expression>();
        var result = emitter.Emit(condition, body);
        body.Add(Expression.AndAlso(Expression.Not(result.IsNull), result.Value));
        return Expression.Lambda<RowPredicate>(Expression.Block(emitter.Variables, body), emitter.RowParameter, emitter.Context).Compile();
    }

    /// <summary>
    /// Compiles a projection: expression i is written to field i of the output row, which must be of
    /// <paramref name="output"/> (see <see cref="ProjectionSchema"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The counts differ, an expression's kind is not its field's, a nullable expression
    /// goes into a NOT NULL field, or a field reference does not match the input schema.</exception>
    public static RowProjector CompileProjection(IReadOnlyList<BoundExpression> expressions, Schema input, Schema output)
    {
        ArgumentNullException.ThrowIfNull(expressions);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (expressions.Count != output.Count)
        {
            throw new ArgumentException($"The projection has {expressions.Count} expressions but the output schema {output.Count} fields.", nameof(output));
        }
        var emitter = new ExpressionEmitter(input);
        var target = Expression.Parameter(typeof(Row), "output");
        var body = new List<Expression>();
        for (var i = 0; i < expressions.Count; i++)
        {
            var expression = expressions[i];
            var field = output[i];
            if (field.Type.Kind != expression.Type.Kind || expression is IntervalLiteral)
            {
                throw new ArgumentException($"Output field '{field.Name}' is {field.Type} but expression {i + 1} ({expression}) is {expression.TypeName}.", nameof(output));
            }
            if (expression.Type.IsNullable && !field.Type.IsNullable)
            {
                throw new ArgumentException($"Output field '{field.Name}' is {field.Type} but expression {i + 1} ({expression}) may be NULL.", nameof(output));
            }
            var value = emitter.Emit(expression, body);
            var set = Expression.Call(target, ExpressionEmitter.Setter(field.Type.Kind), Expression.Constant(i), value.Value);
            body.Add(expression.Type.IsNullable
                ? Expression.IfThenElse(value.IsNull, Expression.Call(target, typeof(Row).GetMethod(nameof(Row.SetNull))!, Expression.Constant(i)), set)
                : set);
        }
        body.Add(Expression.Empty());
        return Expression.Lambda<RowProjector>(Expression.Block(emitter.Variables, body), emitter.RowParameter, target, emitter.Context).Compile();
    }

    /// <summary>The output schema of a projection: field i named <paramref name="names"/>[i], typed as expression i.</summary>
    /// <exception cref="ArgumentException">The counts differ, a name repeats, or an expression is an interval.</exception>
    public static Schema ProjectionSchema(IReadOnlyList<BoundExpression> expressions, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(expressions);
        ArgumentNullException.ThrowIfNull(names);
        if (expressions.Count != names.Count)
        {
            throw new ArgumentException($"{expressions.Count} expressions but {names.Count} names.", nameof(names));
        }
        var fields = new Field[expressions.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            if (expressions[i] is IntervalLiteral interval)
            {
                throw new ArgumentException($"Output field '{names[i]}' would be an {interval.TypeName}, which a row cannot hold.", nameof(expressions));
            }
            fields[i] = new Field(names[i], expressions[i].Type);
        }
        return new Schema(fields);
    }

    /// <summary>
    /// Compiles an expression to a delegate returning its value boxed (null for NULL): for tools, tests and constant
    /// folding, not for per-row paths.
    /// </summary>
    public static Func<Row, SqlEvaluationContext, object?> CompileEvaluator(BoundExpression expression, Schema input)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(input);
        var emitter = new ExpressionEmitter(input);
        var body = new List<Expression>();
        var result = emitter.Emit(expression, body);
        body.Add(Expression.Condition(result.IsNull, Expression.Constant(null, typeof(object)), Expression.Convert(result.Value, typeof(object))));
        return Expression.Lambda<Func<Row, SqlEvaluationContext, object?>>(Expression.Block(emitter.Variables, body), emitter.RowParameter, emitter.Context).Compile();
    }
}
