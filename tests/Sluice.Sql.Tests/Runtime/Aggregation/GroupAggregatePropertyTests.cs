using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Aggregation.Aggregates;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary>
/// Random changelogs (inserts, and retractions of rows inserted before) through <see cref="GroupAggregateOperator"/>:
/// the materialized output equals a naive recomputation over the rows that remain.
/// </summary>
public sealed class GroupAggregatePropertyTests
{
    private static readonly Schema s_input = Schema.Parse("k STRING NOT NULL, v BIGINT NOT NULL, s STRING NOT NULL");

    private static readonly AggregateCall[] s_calls =
    [
        Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull()),
        Call(AggregateKind.Sum, "total", DataType.BigInt, 1),
        Call(AggregateKind.Min, "low", DataType.BigInt, 1),
        Call(AggregateKind.Max, "high", DataType.BigInt, 1),
        Call(AggregateKind.Count, "distinct_values", DataType.BigInt.NotNull(), 1, distinct: true),
        Call(AggregateKind.FirstValue, "first", DataType.Varchar, 2),
        Call(AggregateKind.LastValue, "last", DataType.Varchar, 2),
        Call(AggregateKind.ListAgg, "all", DataType.Varchar, 2),
    ];

    // Each step: (action 0–9: 0–5 insert, 6–9 retract an earlier row if any; key 0–2; value 0–4, or which row to retract).
    private static readonly Gen<(int Action, int Key, int Value)[]> s_steps = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 2], Gen.Int[0, 4]).Array[1, 40];

    [Fact]
    public void ProcessElement_RandomChangelog_MaterializesToTheNaiveAggregateOfTheRemainingRows()
    {
        s_steps.Sample(steps =>
        {
            var remaining = new Dictionary<string, List<long>>();
            var input = new List<Row>();
            foreach (var (action, keyIndex, value) in steps)
            {
                var key = "k" + keyIndex;
                var rows = remaining.TryGetValue(key, out var list) ? list : remaining[key] = [];
                if (action < 6 || rows.Count == 0)
                {
                    rows.Add(value);
                    input.Add(Insert(s_input, key, (long)value, value.ToString()));
                }
                else
                {
                    var retracted = rows[value % rows.Count];
                    rows.Remove(retracted); // the earliest equal row, as the operator retracts
                    input.Add(Of(s_input, action % 2 == 0 ? RowKind.Delete : RowKind.UpdateBefore, key, retracted, retracted.ToString()));
                }
            }
            using var driver = new OperatorTestDriver<Row, Row>(rows => rows.KeyBy(GroupAggregateOperator.KeySelector(s_input, [0]))
                .Transform("GroupAggregate", () => new GroupAggregateOperator(s_input, [0], s_calls, true, null)));
            foreach (var row in input)
            {
                driver.ProcessElement(row);
            }
            driver.Finish();

            var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, values) in remaining)
            {
                if (values.Count > 0)
                {
                    expected[key] = $"[{key}, {values.Count}, {values.Sum()}, {values.Min()}, {values.Max()}, {values.Distinct().Count()}, {values[0]}, {values[^1]}, {string.Join(",", values)}]";
                }
            }
            Materialize(driver.Values, 1).ShouldBe(expected);
        }, iter: 150);
    }
}
