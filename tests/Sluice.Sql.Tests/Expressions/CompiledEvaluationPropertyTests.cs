using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Tests.Expressions;

/// <summary>
/// Random arithmetic, comparison and boolean trees over random rows (with NULLs): the compiled delegate must give what
/// a small interpreter of SQL's rules, written here independently of the compiler, gives.
/// </summary>
public sealed class CompiledEvaluationPropertyTests
{
    private static readonly Schema s_input = Schema.Parse("a INT, b BIGINT, c DOUBLE, p BOOLEAN, q BOOLEAN, k INT NOT NULL");

    [Fact]
    public void CompiledTree_EqualsReferenceInterpreter()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var expression = random.Next(2) == 0 ? Boolean(random, 4) : Numeric(random, 4);
            var evaluate = ExpressionCompiler.CompileEvaluator(expression, s_input);
            for (var i = 0; i < 20; i++)
            {
                var values = RandomRow(random);
                var row = Row.Of(s_input, values);
                var expected = Reference(expression, values);
                var actual = evaluate(row, SqlEvaluationContext.Default);
                if (!Equals(expected, actual))
                {
                    throw new InvalidOperationException($"{expression} over {row}: compiled {actual ?? "NULL"}, reference {expected ?? "NULL"}.");
                }
            }
        }, iter: 300);
    }

    [Fact]
    public void CompiledPredicate_IsTrueExactlyWhenReferenceIsTrue()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var condition = Boolean(random, 3);
            var filter = ExpressionCompiler.CompilePredicate(condition, s_input);
            for (var i = 0; i < 20; i++)
            {
                var values = RandomRow(random);
                filter(Row.Of(s_input, values), SqlEvaluationContext.Default).ShouldBe(Reference(condition, values) is true, condition.ToString());
            }
        }, iter: 200);
    }

    private static object?[] RandomRow(Random random) =>
    [
        random.Next(4) == 0 ? null : random.Next(-50, 50),
        random.Next(4) == 0 ? null : (long)random.Next(-1000, 1000) * (random.Next(10) == 0 ? 100_000_000_000L : 1),
        random.Next(4) == 0 ? null : Math.Round((random.NextDouble() - 0.5) * 100, 2),
        random.Next(3) == 0 ? null : random.Next(2) == 0,
        random.Next(3) == 0 ? null : random.Next(2) == 0,
        random.Next(-5, 5),
    ];

    private static BoundExpression Numeric(Random random, int depth)
    {
        if (depth == 0 || random.Next(3) == 0)
        {
            return random.Next(6) switch
            {
                0 => BoundExpressions.Field(s_input, "a"),
                1 => BoundExpressions.Field(s_input, "b"),
                2 => BoundExpressions.Field(s_input, "c"),
                3 => BoundExpressions.Field(s_input, "k"),
                4 => random.Next(5) == 0 ? BoundExpressions.Literal(null, DataType.Int) : BoundExpressions.Literal(random.Next(-9, 9)),
                _ => BoundExpressions.Literal(random.Next(-9, 9) / 4.0),
            };
        }
        return random.Next(6) switch
        {
            0 or 1 or 2 => BoundExpressions.Arithmetic(
                (ArithmeticOperator)random.Next(3), Numeric(random, depth - 1), Numeric(random, depth - 1)),
            3 => BoundExpressions.Negate(Numeric(random, depth - 1)),
            4 => BoundExpressions.Case([Boolean(random, depth - 1)], [Numeric(random, depth - 1)], random.Next(2) == 0 ? null : Numeric(random, depth - 1)),
            _ => BoundExpressions.Coalesce([Numeric(random, depth - 1), Numeric(random, depth - 1)]),
        };
    }

    private static BoundExpression Boolean(Random random, int depth)
    {
        if (depth == 0 || random.Next(4) == 0)
        {
            return random.Next(3) switch
            {
                0 => BoundExpressions.Field(s_input, "p"),
                1 => BoundExpressions.Field(s_input, "q"),
                _ => random.Next(3) == 0 ? BoundExpressions.Literal(null, DataType.Boolean) : BoundExpressions.Literal(random.Next(2) == 0),
            };
        }
        return random.Next(8) switch
        {
            0 or 1 => BoundExpressions.Compare((ComparisonOperator)random.Next(6), Numeric(random, depth - 1), Numeric(random, depth - 1)),
            2 => BoundExpressions.And(Boolean(random, depth - 1), Boolean(random, depth - 1)),
            3 => BoundExpressions.Or(Boolean(random, depth - 1), Boolean(random, depth - 1)),
            4 => BoundExpressions.Not(Boolean(random, depth - 1)),
            5 => BoundExpressions.IsNull(Numeric(random, depth - 1), negated: random.Next(2) == 0),
            6 => BoundExpressions.Between(Numeric(random, depth - 1), Numeric(random, depth - 1), Numeric(random, depth - 1), negated: random.Next(2) == 0),
            _ => BoundExpressions.In(Numeric(random, depth - 1), [Numeric(random, depth - 1), Numeric(random, depth - 1)], negated: random.Next(2) == 0),
        };
    }

    /// <summary>SQL's rules, one node at a time, on boxed values.</summary>
    private static object? Reference(BoundExpression expression, object?[] row)
    {
        switch (expression)
        {
            case InputReference field:
                return row[field.Index];
            case LiteralExpression literal:
                return literal.Value;
            case CastExpression cast:
                return Reference(cast.Operand, row) is { } v ? Widen(v, cast.Type.Kind) : null;
            case NegateExpression negate:
                return Reference(negate.Operand, row) switch
                {
                    null => null,
                    int i => (object)unchecked(-i),
                    long l => (object)unchecked(-l),
                    double d => (object)(-d),
                    var other => throw new InvalidOperationException($"Unexpected {other}."),
                };
            case ArithmeticExpression arithmetic:
                {
                    var left = Reference(arithmetic.Left, row);
                    var right = Reference(arithmetic.Right, row);
                    if (left is null || right is null)
                    {
                        return null;
                    }
                    return (left, right, arithmetic.Operator) switch
                    {
                        (int x, int y, ArithmeticOperator.Add) => (object)unchecked(x + y),
                        (int x, int y, ArithmeticOperator.Subtract) => (object)unchecked(x - y),
                        (int x, int y, _) => (object)unchecked(x * y),
                        (long x, long y, ArithmeticOperator.Add) => (object)unchecked(x + y),
                        (long x, long y, ArithmeticOperator.Subtract) => (object)unchecked(x - y),
                        (long x, long y, _) => (object)unchecked(x * y),
                        (double x, double y, ArithmeticOperator.Add) => (object)(x + y),
                        (double x, double y, ArithmeticOperator.Subtract) => (object)(x - y),
                        (double x, double y, _) => (object)(x * y),
                        _ => throw new InvalidOperationException($"Operands {left.GetType()} and {right.GetType()} differ in {arithmetic} ({arithmetic.Left.Type}, {arithmetic.Right.Type})."),
                    };
                }
            case ComparisonExpression comparison:
                return Compare(comparison.Operator, Reference(comparison.Left, row), Reference(comparison.Right, row));
            case LogicalExpression logical:
                {
                    var left = (bool?)Reference(logical.Left, row);
                    var right = (bool?)Reference(logical.Right, row);
                    if (logical.IsAnd)
                    {
                        return left == false || right == false ? false : left is null || right is null ? null : true;
                    }
                    return left == true || right == true ? true : left is null || right is null ? null : false;
                }
            case NotExpression not:
                return Reference(not.Operand, row) is bool b ? !b : null;
            case IsNullExpression isNull:
                return (Reference(isNull.Operand, row) is null) != isNull.Negated;
            case BetweenExpression between:
                {
                    var x = Reference(between.Operand, row);
                    var low = Compare(ComparisonOperator.LessOrEqual, Reference(between.Low, row), x);
                    var high = Compare(ComparisonOperator.LessOrEqual, x, Reference(between.High, row));
                    bool? inside = low == false || high == false ? false : low is null || high is null ? null : true;
                    return between.Negated && inside is bool within ? !within : inside;
                }
            case InExpression @in:
                {
                    var x = Reference(@in.Operand, row);
                    var sawNull = x is null;
                    var found = false;
                    foreach (var item in @in.Values)
                    {
                        var equal = Compare(ComparisonOperator.Equal, x, Reference(item, row));
                        found |= equal == true;
                        sawNull |= equal is null;
                    }
                    return found ? !@in.Negated : sawNull ? null : @in.Negated;
                }
            case CaseExpression @case:
                for (var i = 0; i < @case.Conditions.Count; i++)
                {
                    if (Reference(@case.Conditions[i], row) is true)
                    {
                        return Reference(@case.Results[i], row);
                    }
                }
                return Reference(@case.Else, row);
            case CoalesceExpression coalesce:
                foreach (var item in coalesce.Items)
                {
                    if (Reference(item, row) is { } value)
                    {
                        return value;
                    }
                }
                return null;
            default:
                throw new InvalidOperationException($"The reference does not know {expression.GetType().Name}.");
        }
    }

    private static object Widen(object value, DataTypeKind kind) => (value, kind) switch
    {
        (int i, DataTypeKind.BigInt) => (long)i,
        (int i, DataTypeKind.Double) => (double)i,
        (long l, DataTypeKind.Double) => (double)l,
        _ => value,
    };

    private static bool? Compare(ComparisonOperator op, object? left, object? right)
    {
        if (left is null || right is null)
        {
            return null;
        }
        if (left is double x && right is double y)
        {
            // IEEE comparisons, as SQL on DOUBLE (NaN is unequal to everything).
            return op switch
            {
                ComparisonOperator.Equal => x == y,
                ComparisonOperator.NotEqual => x != y,
                ComparisonOperator.Less => x < y,
                ComparisonOperator.LessOrEqual => x <= y,
                ComparisonOperator.Greater => x > y,
                _ => x >= y,
            };
        }
        var order = ((IComparable)left).CompareTo(right);
        return op switch
        {
            ComparisonOperator.Equal => order == 0,
            ComparisonOperator.NotEqual => order != 0,
            ComparisonOperator.Less => order < 0,
            ComparisonOperator.LessOrEqual => order <= 0,
            ComparisonOperator.Greater => order > 0,
            _ => order >= 0,
        };
    }
}
