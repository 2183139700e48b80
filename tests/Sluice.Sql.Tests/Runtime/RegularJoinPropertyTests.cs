using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using static Sluice.Sql.Tests.Runtime.Rows;

namespace Sluice.Sql.Tests.Runtime;

/// <summary>
/// Random changelogs on both inputs (inserts, and retractions of rows currently present, as -D or -U/+U pairs): the
/// materialized output of the streaming join must equal a nested-loop batch join of the final inputs, written here
/// independently of the operator, and never retract a row it does not hold — also across a checkpoint and restore
/// at a random point.
/// </summary>
public sealed class RegularJoinPropertyTests
{
    private static readonly Schema s_left = Schema.Parse("k INT, v INT");
    private static readonly Schema s_right = Schema.Parse("k INT, w INT");

    [Fact]
    public void RandomChangelogs_MaterializeToTheBatchJoinOfTheFinalInputs()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var kind = (JoinKind)random.Next(6);
            var withCondition = random.Next(2) == 0;
            var condition = JoinRows.ConditionSchema(s_left, s_right);
            var spec = new RegularJoinSpec(s_left, s_right, [0], [0], kind)
            {
                Condition = withCondition
                    ? ExpressionCompiler.CompilePredicate(BoundExpressions.Compare(ComparisonOperator.LessOrEqual, BoundExpressions.Field(condition, "v"), BoundExpressions.Field(condition, "w")), condition)
                    : null,
            };
            var join = new TwoInputHarness((l, r) => RegularJoinOperator.Apply(l, r, spec), parallelism: 1 + random.Next(2));
            var emitted = new List<Row>();
            var restoreAt = random.Next(2) == 0 ? random.Next(30) : -1;
            var left = new List<Row>();
            var right = new List<Row>();
            for (var step = 0; step < 30; step++)
            {
                if (step == restoreAt)
                {
                    // A checkpoint and a restore, maybe at another parallelism, must not change the result.
                    var snapshot = join.Driver.Snapshot();
                    emitted.AddRange(CollectAll(join));
                    join.Dispose();
                    join = new TwoInputHarness((l, r) => RegularJoinOperator.Apply(l, r, spec), parallelism: 1 + random.Next(2));
                    join.Driver.InitializeState(snapshot);
                }
                var isLeft = random.Next(2) == 0;
                var rows = isLeft ? left : right;
                var schema = isLeft ? s_left : s_right;
                void Push(Row row)
                {
                    if (isLeft)
                    {
                        join.PushLeft(row);
                    }
                    else
                    {
                        join.PushRight(row);
                    }
                }
                if (rows.Count > 0 && random.Next(3) == 0)
                {
                    var victim = rows[random.Next(rows.Count)];
                    rows.Remove(victim);
                    var values = new object?[] { victim.GetValue(0), victim.GetValue(1) };
                    if (random.Next(2) == 0)
                    {
                        Push(Delete(schema, values));
                    }
                    else
                    {
                        Push(Before(schema, values));
                        var replacement = RandomRow(random, schema);
                        rows.Add(replacement);
                        Push(After(schema, replacement.GetValue(0), replacement.GetValue(1)));
                    }
                }
                else
                {
                    var row = RandomRow(random, schema);
                    rows.Add(row);
                    Push(Insert(schema, row.GetValue(0), row.GetValue(1)));
                }
            }
            emitted.AddRange(CollectAll(join));
            join.Dispose();
            var actual = Materialize(emitted);
            actual.ShouldBe(BatchJoin(kind, withCondition, left, right), $"{kind}{(withCondition ? " with v <= w" : "")}, seed {seed}");
        }, iter: 150);
    }

    private static List<Row> CollectAll(TwoInputHarness join) => [.. join.Timestamped.Select(t => t.Value)];

    private static Row RandomRow(Random random, Schema schema) =>
        Row.Of(schema, random.Next(6) == 0 ? null : random.Next(3), random.Next(4));

    /// <summary>The join by definition: every pair of rows with equal non-null keys (and v &lt;= w), plus padding.</summary>
    private static List<string> BatchJoin(JoinKind kind, bool withCondition, List<Row> left, List<Row> right)
    {
        bool Matches(Row l, Row r) =>
            !l.IsNull(0) && !r.IsNull(0) && l.GetInt32(0) == r.GetInt32(0) && (!withCondition || l.GetInt32(1) <= r.GetInt32(1));
        static string Text(object? value) => value?.ToString() ?? "null";
        var result = new List<string>();
        foreach (var l in left)
        {
            var matches = right.Count(r => Matches(l, r));
            switch (kind)
            {
                case JoinKind.Semi when matches > 0:
                case JoinKind.Anti when matches == 0:
                    result.Add($"[{Text(l.GetValue(0))}, {Text(l.GetValue(1))}]");
                    break;
                case JoinKind.Semi or JoinKind.Anti:
                    break;
                default:
                    foreach (var r in right.Where(r => Matches(l, r)))
                    {
                        result.Add($"[{Text(l.GetValue(0))}, {Text(l.GetValue(1))}, {Text(r.GetValue(0))}, {Text(r.GetValue(1))}]");
                    }
                    if (matches == 0 && kind is JoinKind.Left or JoinKind.Full)
                    {
                        result.Add($"[{Text(l.GetValue(0))}, {Text(l.GetValue(1))}, null, null]");
                    }
                    break;
            }
        }
        if (kind is JoinKind.Right or JoinKind.Full)
        {
            foreach (var r in right.Where(r => !left.Any(l => Matches(l, r))))
            {
                result.Add($"[null, null, {Text(r.GetValue(0))}, {Text(r.GetValue(1))}]");
            }
        }
        return [.. result.Order(StringComparer.Ordinal)];
    }
}
