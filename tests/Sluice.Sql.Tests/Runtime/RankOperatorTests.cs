using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Rows;

namespace Sluice.Sql.Tests.Runtime;

/// <summary>Top-N of items by price per category.</summary>
public sealed class RankOperatorTests
{
    private static readonly Schema s_items = Schema.Parse("cat STRING, item STRING, price INT");

    private static RankSpec Spec(RankFunction function, long end, bool rankNumber, bool insertOnly = true, long start = 1) =>
        new(s_items, [0], [new SortKey(2, Descending: true, NullsFirst: false)], function, start, end, rankNumber, insertOnly);

    private static OperatorTestDriver<Row, Row> Driver(RankSpec spec, int parallelism = 1) =>
        new(input => RankOperator.Apply(input, spec).Uid("rank"), new JobOptions { Parallelism = parallelism });

    private static List<string> Texts(OperatorTestDriver<Row, Row> driver) => [.. driver.Values.Select(r => r.ToString())];

    [Fact]
    public void RowNumber_WithRankNumber_RankChangesAreUpdates()
    {
        using var top2 = Driver(Spec(RankFunction.RowNumber, 2, rankNumber: true));

        top2.ProcessElement(Insert(s_items, "a", "x", 10))
            .ProcessElement(Insert(s_items, "a", "y", 20))
            .ProcessElement(Insert(s_items, "a", "z", 5))
            .ProcessElement(Insert(s_items, "b", "v", 1))
            .ProcessElement(Insert(s_items, "a", "w", 15));

        Texts(top2).ShouldBe(
        [
            "+I[a, x, 10, 1]",
            "-U[a, x, 10, 1]", "+U[a, y, 20, 1]", "+I[a, x, 10, 2]",
            "+I[b, v, 1, 1]",
            "-U[a, x, 10, 2]", "+U[a, w, 15, 2]",
        ]);
    }

    [Fact]
    public void RowNumber_WithoutRankNumber_PushedOutRowsAreDeleted()
    {
        using var top2 = Driver(Spec(RankFunction.RowNumber, 2, rankNumber: false));

        top2.ProcessElement(Insert(s_items, "a", "x", 10))
            .ProcessElement(Insert(s_items, "a", "y", 20))
            .ProcessElement(Insert(s_items, "a", "z", 5))
            .ProcessElement(Insert(s_items, "a", "w", 15));

        Texts(top2).ShouldBe(["+I[a, x, 10]", "+I[a, y, 20]", "-D[a, x, 10]", "+I[a, w, 15]"]);
    }

    [Fact]
    public void RowNumber_UpdatingInput_RetractionMovesTheNextRowIn()
    {
        using var top2 = Driver(Spec(RankFunction.RowNumber, 2, rankNumber: false, insertOnly: false));

        top2.ProcessElement(Insert(s_items, "a", "x", 10))
            .ProcessElement(Insert(s_items, "a", "y", 20))
            .ProcessElement(Insert(s_items, "a", "z", 5))
            .ProcessElement(Delete(s_items, "a", "y", 20))
            .ProcessElement(Delete(s_items, "a", "q", 99));

        Texts(top2).ShouldBe(["+I[a, x, 10]", "+I[a, y, 20]", "-D[a, y, 20]", "+I[a, z, 5]"]);
    }

    [Fact]
    public void RowNumber_RangeFromTwo_SkipsTheFirst()
    {
        using var second = Driver(Spec(RankFunction.RowNumber, 2, rankNumber: true, start: 2));

        second.ProcessElement(Insert(s_items, "a", "x", 10))
            .ProcessElement(Insert(s_items, "a", "y", 20));

        Texts(second).ShouldBe(["+I[a, x, 10, 2]"]);
    }

    [Fact]
    public void Rank_TiesShareARank_NextRankSkips()
    {
        using var top2 = Driver(Spec(RankFunction.Rank, 2, rankNumber: true));

        top2.ProcessElement(Insert(s_items, "a", "x", 10))
            .ProcessElement(Insert(s_items, "a", "y", 10))
            .ProcessElement(Insert(s_items, "a", "z", 20));

        Materialize(top2.Values).ShouldBe(["[a, x, 10, 2]", "[a, y, 10, 2]", "[a, z, 20, 1]"]);
        top2.Values.Select(r => r.Kind).Distinct().ShouldBeSubsetOf([RowKind.Insert, RowKind.UpdateBefore, RowKind.UpdateAfter]);
    }

    [Fact]
    public void DenseRank_AfterTies_NextRankIsConsecutive()
    {
        using var top2 = Driver(Spec(RankFunction.DenseRank, 2, rankNumber: true));

        top2.ProcessElement(Insert(s_items, "a", "x", 20))
            .ProcessElement(Insert(s_items, "a", "y", 20))
            .ProcessElement(Insert(s_items, "a", "z", 10))
            .ProcessElement(Insert(s_items, "a", "w", 5));

        Materialize(top2.Values).ShouldBe(["[a, x, 20, 1]", "[a, y, 20, 1]", "[a, z, 10, 2]"]);
    }

    [Fact]
    public void InsertOnlyInput_KeepsOnlyRowsThatCanStillRank()
    {
        using var top2 = Driver(Spec(RankFunction.RowNumber, 2, rankNumber: false));

        for (var price = 1; price <= 50; price++)
        {
            top2.ProcessElement(Insert(s_items, "a", "i" + price, price));
        }
        var snapshot = top2.Snapshot();
        using var restored = Driver(Spec(RankFunction.RowNumber, 2, rankNumber: false));
        restored.InitializeState(snapshot).ProcessElement(Insert(s_items, "a", "top", 100));

        Texts(restored).ShouldBe(["-D[a, i49, 49]", "+I[a, top, 100]"]);
        top2.KeyedStateSize().StateEntries.ShouldBe(1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SnapshotAndRestore_ContinuesTheRanking(int parallelism)
    {
        TestSnapshot snapshot;
        using (var before = Driver(Spec(RankFunction.RowNumber, 2, rankNumber: true, insertOnly: false)))
        {
            before.ProcessElement(Insert(s_items, "a", "x", 10)).ProcessElement(Insert(s_items, "b", "y", 20));
            snapshot = before.Snapshot();
        }
        using var after = Driver(Spec(RankFunction.RowNumber, 2, rankNumber: true, insertOnly: false), parallelism);
        after.InitializeState(snapshot);

        after.ProcessElement(Insert(s_items, "a", "w", 15)).ProcessElement(Delete(s_items, "b", "y", 20));

        Texts(after).ShouldBe(["-U[a, x, 10, 1]", "+U[a, w, 15, 1]", "+I[a, x, 10, 2]", "-D[b, y, 20, 1]"]);
    }

    [Fact]
    public void Validate_RangeEndingBeforeItStarts_Rejected()
    {
        Should.Throw<ArgumentException>(Spec(RankFunction.Rank, 1, rankNumber: false, start: 3).Validate).Message
            .ShouldStartWith("A Top-N keeps ranks 3 to 1; the range must start at 1 or later and not end before it starts.");
    }

    [Fact]
    public void Output_WithRankNumber_AppendsBigIntNotNull()
    {
        Spec(RankFunction.Rank, 3, rankNumber: true).Output.ToString().ShouldBe("ROW<cat VARCHAR, item VARCHAR, price INT, rn BIGINT NOT NULL>");
    }
}
