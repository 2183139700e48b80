using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Rows;

namespace Sluice.Sql.Tests.Runtime;

/// <summary>
/// Random inputs (insert-only, or inserts and retractions of present rows) into a random Top-N: the materialized output
/// must equal a naive sort-and-cut of the final rows of each partition, written here independently of the operator
/// (a stable sort of the rows in arrival order; a retraction removes the most recent equal row) — also across a
/// checkpoint and restore at a random point.
/// </summary>
public sealed class RankPropertyTests
{
    private static readonly Schema s_items = Schema.Parse("cat INT, item INT, price INT");

    [Fact]
    public void RandomInputs_MaterializeToTheNaiveTopN()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var function = (RankFunction)random.Next(3);
            var start = 1 + random.Next(3);
            var end = start + random.Next(4);
            var rankNumber = random.Next(2) == 0;
            var insertOnly = random.Next(2) == 0;
            var key = new SortKey(2, Descending: random.Next(2) == 0, NullsFirst: random.Next(2) == 0);
            var spec = new RankSpec(s_items, [0], [key], function, start, end, rankNumber, insertOnly);
            OperatorTestDriver<Row, Row> Start() => new(input => RankOperator.Apply(input, spec).Uid("rank"), new JobOptions { Parallelism = 1 + random.Next(2) });
            var driver = Start();
            var emitted = new List<Row>();
            var restoreAt = random.Next(2) == 0 ? random.Next(40) : -1;
            var rows = new List<Row>();
            for (var step = 0; step < 40; step++)
            {
                if (step == restoreAt)
                {
                    // A checkpoint and a restore, maybe at another parallelism, must not change the result.
                    var snapshot = driver.Snapshot();
                    emitted.AddRange(driver.Values);
                    driver.Dispose();
                    driver = Start();
                    driver.InitializeState(snapshot);
                }
                if (!insertOnly && rows.Count > 0 && random.Next(3) == 0)
                {
                    var victim = rows[random.Next(rows.Count)];
                    rows.RemoveAt(rows.FindLastIndex(r => r.Equals(victim)));
                    driver.ProcessElement(Delete(s_items, victim.GetValue(0), victim.GetValue(1), victim.GetValue(2)));
                }
                else
                {
                    var row = Row.Of(s_items, random.Next(2), random.Next(3), random.Next(5) == 0 ? null : random.Next(6));
                    rows.Add(row);
                    driver.ProcessElement(Insert(s_items, row.GetValue(0), row.GetValue(1), row.GetValue(2)));
                }
            }
            emitted.AddRange(driver.Values);
            driver.Dispose();
            Materialize(emitted).ShouldBe(NaiveTopN(rows, key, function, start, end, rankNumber), $"{function} {start}..{end} {key} rank={rankNumber} insertOnly={insertOnly} seed {seed}");
        }, iter: 150);
    }

    private static List<string> NaiveTopN(List<Row> rows, SortKey key, RankFunction function, long start, long end, bool rankNumber)
    {
        int? Price(Row r) => (int?)r.GetValue(2);
        int Compare(Row a, Row b)
        {
            var (x, y) = (Price(a), Price(b));
            if (x is null || y is null)
            {
                return x is null && y is null ? 0 : (x is null) == key.NullsFirst ? -1 : 1;
            }
            return key.Descending ? y.Value.CompareTo(x.Value) : x.Value.CompareTo(y.Value);
        }
        var result = new List<string>();
        foreach (var partition in rows.GroupBy(r => (int)r.GetValue(0)!))
        {
            var sorted = partition.Order(Comparer<Row>.Create(Compare)).ToList(); // stable: ties keep arrival order
            long rank = 0;
            for (var i = 0; i < sorted.Count; i++)
            {
                var tie = i > 0 && Compare(sorted[i - 1], sorted[i]) == 0;
                rank = function switch
                {
                    RankFunction.RowNumber => i + 1,
                    RankFunction.Rank => tie ? rank : i + 1,
                    _ => tie ? rank : rank + 1,
                };
                if (rank >= start && rank <= end)
                {
                    var text = Content(sorted[i]);
                    result.Add(rankNumber ? $"{text[..^1]}, {rank}]" : text);
                }
            }
        }
        return [.. result.Order(StringComparer.Ordinal)];
    }
}
