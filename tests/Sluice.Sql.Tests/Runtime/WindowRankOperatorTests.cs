using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Rows;

namespace Sluice.Sql.Tests.Runtime;

/// <summary>Window Top-N over a TUMBLE output (10 s windows): the most expensive items per category.</summary>
public sealed class WindowRankOperatorTests
{
    private static readonly Schema s_items = Schema.Parse("cat STRING, ws TIMESTAMP(3), we TIMESTAMP(3), item STRING, price INT");

    private static DateTime T(int seconds) => DateTime.UnixEpoch.AddSeconds(seconds);

    private static Row Item(string cat, int start, string item, int? price) => Insert(s_items, cat, T(start), T(start + 10), item, price);

    private static WindowRankSpec Spec(RankFunction function, long end, bool rankNumber) =>
        new(s_items, [0], 1, 2, [new SortKey(4, Descending: true, NullsFirst: false)], function, 1, end, rankNumber);

    private static OperatorTestDriver<Row, Row> Driver(WindowRankSpec spec, int parallelism = 1) =>
        new(input => WindowRankOperator.Apply(input, spec).Uid("window-rank"), new JobOptions { Parallelism = parallelism });

    private static List<string> Texts(OperatorTestDriver<Row, Row> driver) => [.. driver.Values.Select(r => r.ToString())];

    [Fact]
    public void RowNumber_EachWindowEmitsItsTopNOnceAtItsEnd()
    {
        using var top2 = Driver(Spec(RankFunction.RowNumber, 2, rankNumber: true));

        top2.ProcessElement(Item("a", 0, "x", 10))
            .ProcessElement(Item("a", 0, "y", 30))
            .ProcessElement(Item("a", 0, "z", 20))
            .ProcessElement(Item("a", 10, "w", 1))
            .ProcessWatermark(9_998);
        Texts(top2).ShouldBeEmpty();

        top2.ProcessWatermark(9_999);
        Texts(top2).ShouldBe(
        [
            "+I[a, 1970-01-01T00:00:00, 1970-01-01T00:00:10, y, 30, 1]",
            "+I[a, 1970-01-01T00:00:00, 1970-01-01T00:00:10, z, 20, 2]",
        ]);

        top2.ProcessWatermark(19_999);
        Texts(top2)[2..].ShouldBe(["+I[a, 1970-01-01T00:00:10, 1970-01-01T00:00:20, w, 1, 1]"]);
        top2.Output.Select(o => o.Timestamp).ShouldBe([9_999L, 9_999L, 19_999L]);
        top2.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void Rank_TiesShareRanks_WithoutRankNumber()
    {
        using var top1 = Driver(Spec(RankFunction.Rank, 1, rankNumber: false));

        top1.ProcessElement(Item("a", 0, "x", 10))
            .ProcessElement(Item("a", 0, "y", 10))
            .ProcessElement(Item("a", 0, "z", 5))
            .ProcessWatermark(9_999);

        Texts(top1).ShouldBe(
        [
            "+I[a, 1970-01-01T00:00:00, 1970-01-01T00:00:10, x, 10]",
            "+I[a, 1970-01-01T00:00:00, 1970-01-01T00:00:10, y, 10]",
        ]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SnapshotAndRestore_KeepsPendingWindows(int parallelism)
    {
        TestSnapshot snapshot;
        using (var before = Driver(Spec(RankFunction.RowNumber, 1, rankNumber: false)))
        {
            before.ProcessElement(Item("a", 0, "x", 10)).ProcessElement(Item("b", 0, "y", 1));
            snapshot = before.Snapshot();
        }
        using var after = Driver(Spec(RankFunction.RowNumber, 1, rankNumber: false), parallelism);
        after.InitializeState(snapshot);

        after.ProcessElement(Item("a", 0, "z", 20)).ProcessWatermark(9_999);

        Texts(after).Order(StringComparer.Ordinal).ShouldBe(
        [
            "+I[a, 1970-01-01T00:00:00, 1970-01-01T00:00:10, z, 20]",
            "+I[b, 1970-01-01T00:00:00, 1970-01-01T00:00:10, y, 1]",
        ]);
    }

    [Fact]
    public void RandomInputs_EqualTheNaiveTopNOfEachWindow()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var function = (RankFunction)random.Next(3);
            var end = 1 + random.Next(3);
            var spec = Spec(function, end, rankNumber: true);
            using var driver = Driver(spec, 1 + random.Next(2));
            var rows = new List<Row>();
            var firstOpenWindow = 0;
            for (var step = 0; step < 40; step++)
            {
                if (random.Next(6) == 0)
                {
                    firstOpenWindow++;
                    driver.ProcessWatermark((firstOpenWindow * 10_000) - 1);
                    continue;
                }
                var row = Item(random.Next(2) == 0 ? "a" : "b", (firstOpenWindow + random.Next(2)) * 10, "i" + step, random.Next(5) == 0 ? null : random.Next(4));
                rows.Add(row);
                driver.ProcessElement(row);
            }
            driver.ProcessWatermark(1_000_000);

            Materialize(driver.Values).ShouldBe(Naive(rows, function, end), $"{function} 1..{end} seed {seed}");
        }, iter: 150);
    }

    private static List<string> Naive(List<Row> rows, RankFunction function, long end)
    {
        // price DESC, nulls last; stable, so ties keep arrival order.
        static int Compare(Row a, Row b) => ((int?)b.GetValue(4) ?? int.MinValue).CompareTo((int?)a.GetValue(4) ?? int.MinValue);
        var result = new List<string>();
        foreach (var group in rows.GroupBy(r => (r.GetString(0), r.GetTimestamp(1))))
        {
            var sorted = group.Order(Comparer<Row>.Create(Compare)).ToList();
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
                if (rank <= end)
                {
                    result.Add($"{Content(sorted[i])[..^1]}, {rank}]");
                }
            }
        }
        return [.. result.Order(StringComparer.Ordinal)];
    }
}
