using BenchmarkDotNet.Attributes;
using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Benchmarks.Sql;

/// <summary>
/// A SQL filter + projection compiled by <see cref="ExpressionCompiler"/> against the same logic written by hand in C#
/// over the same rows with the same typed accessors and NULL checks:
/// <c>WHERE qty &gt; 3 AND price * qty &lt; 500.50 SELECT id, price + 1, qty * 2, ratio * 1.5</c>.
/// An invocation runs <see cref="RowsPerOperation"/> rows and counts each as an operation, so the columns are per row.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("sql")]
public class SqlExpressionBenchmarks
{
    /// <summary>Rows per benchmark operation.</summary>
    public const int RowsPerOperation = 4096;

    private static readonly Schema s_input = Schema.Parse("id BIGINT NOT NULL, price DECIMAL(10, 2), qty INT, ratio DOUBLE");
    private Row[] _rows = null!;
    private Row _output = null!;
    private RowPredicate _filter = null!;
    private RowProjector _project = null!;
    private Func<Row, bool> _handFilter = null!;
    private Action<Row, Row> _handProject = null!;
    private SqlEvaluationContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        BoundExpression F(string name) => BoundExpressions.Field(s_input, name);
        var condition = BoundExpressions.And(
            BoundExpressions.Compare(ComparisonOperator.Greater, F("qty"), BoundExpressions.Literal(3)),
            BoundExpressions.Compare(ComparisonOperator.Less, BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, F("price"), F("qty")), BoundExpressions.Literal(500.50m)));
        BoundExpression[] projection =
        [
            F("id"),
            BoundExpressions.Arithmetic(ArithmeticOperator.Add, F("price"), BoundExpressions.Literal(1)),
            BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, F("qty"), BoundExpressions.Literal(2)),
            BoundExpressions.Arithmetic(ArithmeticOperator.Multiply, F("ratio"), BoundExpressions.Literal(1.5)),
        ];
        // Bound queries are folded before they are compiled, as the planner does.
        condition = BoundExpressions.Fold(condition);
        for (var i = 0; i < projection.Length; i++)
        {
            projection[i] = BoundExpressions.Fold(projection[i]);
        }
        var output = ExpressionCompiler.ProjectionSchema(projection, ["id", "price", "qty", "ratio"]);
        _filter = ExpressionCompiler.CompilePredicate(condition, s_input);
        _project = ExpressionCompiler.CompileProjection(projection, s_input, output);
        _output = new Row(output);
        _context = SqlEvaluationContext.Default;
        var total = output[1].Type;
        _handFilter = static row =>
            !row.IsNull(2) && row.GetInt32(2) > 3
            && !row.IsNull(1) && row.GetDecimal(1) * row.GetInt32(2) < 500.50m;
        _handProject = (input, target) =>
        {
            target.SetInt64(0, input.GetInt64(0));
            if (input.IsNull(1))
            {
                target.SetNull(1);
            }
            else
            {
                // The same DECIMAL rounding and precision check the compiled code runs.
                target.SetDecimal(1, total.TryRoundDecimal(input.GetDecimal(1) + 1, out var rounded) ? rounded : throw new OverflowException());
            }
            if (input.IsNull(2))
            {
                target.SetNull(2);
            }
            else
            {
                target.SetInt32(2, input.GetInt32(2) * 2);
            }
            if (input.IsNull(3))
            {
                target.SetNull(3);
            }
            else
            {
                target.SetDouble(3, input.GetDouble(3) * 1.5);
            }
        };
        _rows = new Row[RowsPerOperation];
        var random = new Random(42);
        for (var i = 0; i < _rows.Length; i++)
        {
            _rows[i] = Row.Of(s_input, (long)i, random.Next(10) == 0 ? null : random.Next(1, 20_000) / 100m,
                random.Next(10) == 0 ? null : random.Next(0, 60), random.Next(10) == 0 ? null : random.NextDouble());
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = RowsPerOperation)]
    public int HandWrittenLambda()
    {
        var passed = 0;
        foreach (var row in _rows)
        {
            if (_handFilter(row))
            {
                _handProject(row, _output);
                passed++;
            }
        }
        return passed;
    }

    [Benchmark(OperationsPerInvoke = RowsPerOperation)]
    public int HandWrittenFilterOnly()
    {
        var passed = 0;
        foreach (var row in _rows)
        {
            if (_handFilter(row))
            {
                passed++;
            }
        }
        return passed;
    }

    [Benchmark(OperationsPerInvoke = RowsPerOperation)]
    public int CompiledFilterOnly()
    {
        var passed = 0;
        foreach (var row in _rows)
        {
            if (_filter(row, _context))
            {
                passed++;
            }
        }
        return passed;
    }

    [Benchmark(OperationsPerInvoke = RowsPerOperation)]
    public int CompiledSql()
    {
        var passed = 0;
        foreach (var row in _rows)
        {
            if (_filter(row, _context))
            {
                _project(row, _output, _context);
                passed++;
            }
        }
        return passed;
    }
}
