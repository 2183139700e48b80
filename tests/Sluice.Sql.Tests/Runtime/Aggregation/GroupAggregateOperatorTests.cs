using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Aggregation.Aggregates;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary><see cref="GroupAggregateOperator"/>: GROUP BY producing an updating changelog, over insert-only and updating input.</summary>
public sealed class GroupAggregateOperatorTests
{
    private static readonly Schema s_input = Schema.Parse("k STRING, v BIGINT, f BOOLEAN, s STRING, i INT, d DOUBLE");

    private static OperatorTestDriver<Row, Row> Driver(IReadOnlyList<int> groups, IReadOnlyList<AggregateCall> calls, bool retracts = false, TimeSpan? ttl = null, JobOptions? options = null) =>
        new(rows => rows.KeyBy(GroupAggregateOperator.KeySelector(s_input, groups))
            .Transform("GroupAggregate", () => new GroupAggregateOperator(s_input, groups, calls, retracts, ttl)).Uid("group-aggregate"), options);

    private static Row In(string? k, long? v, bool? f = null, string? s = null, int? i = null, double? d = null) => Insert(s_input, k, v, f, s, i, d);

    private static Row Del(string? k, long? v, bool? f = null, string? s = null, int? i = null, double? d = null) => Delete(s_input, k, v, f, s, i, d);

    [Fact]
    public void ProcessElement_InsertsOfTwoGroups_InsertThenUpdatePairs()
    {
        using var driver = Driver([0], [Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull()), Call(AggregateKind.Sum, "total", DataType.BigInt, 1)]);

        driver.ProcessElement(In("a", 1), 10).ProcessElement(In("b", 2), 20).ProcessElement(In("a", 3), 30).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1, 1]", "+I[b, 1, 2]", "-U[a, 1, 1]", "+U[a, 2, 4]"]);
        driver.Output.Select(static o => o.Timestamp).ShouldBe([10L, 20L, 30L, 30L]);
    }

    [Fact]
    public void ProcessElement_RetractionsToZeroRows_UpdateThenDeleteAndTheGroupStartsAgain()
    {
        using var driver = Driver([0], [Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull()), Call(AggregateKind.Sum, "total", DataType.BigInt, 1)], retracts: true);

        driver.ProcessElement(In("a", 1)).ProcessElement(In("a", 3)).ProcessElement(Del("a", 1)).ProcessElement(Del("a", 3)).ProcessElement(In("a", 7)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1, 1]", "-U[a, 1, 1]", "+U[a, 2, 4]", "-U[a, 2, 4]", "+U[a, 1, 3]", "-D[a, 1, 3]", "+I[a, 1, 7]"]);
    }

    [Fact]
    public void ProcessElement_ResultUnchanged_EmitsNothing()
    {
        using var driver = Driver([0], [Call(AggregateKind.Max, "top", DataType.BigInt, 1)]);

        driver.ProcessElement(In("a", 5)).ProcessElement(In("a", 2)).ProcessElement(In("a", 9)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 5]", "-U[a, 5]", "+U[a, 9]"]);
    }

    [Fact]
    public void ProcessElement_RetractionOfAnUnknownGroup_Ignored()
    {
        using var driver = Driver([0], [Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull())], retracts: true);

        driver.ProcessElement(Del("x", 1)).ProcessElement(In("a", 1)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1]"]);
    }

    [Fact]
    public void ProcessElement_SumOfNoNonNullValue_SumNullSum0Zero()
    {
        using var driver = Driver([0], [Call(AggregateKind.Sum, "s", DataType.BigInt, 1), Call(AggregateKind.Sum0, "s0", DataType.BigInt.NotNull(), 1)], retracts: true);

        driver.ProcessElement(In("a", null)).ProcessElement(In("a", 5)).ProcessElement(Del("a", 5)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, null, 0]", "-U[a, null, 0]", "+U[a, 5, 5]", "-U[a, 5, 5]", "+U[a, null, 0]"]);
    }

    [Fact]
    public void ProcessElement_AverageOfInt_IntegerDivisionAsFlink()
    {
        using var driver = Driver([0], [Call(AggregateKind.Avg, "ai", DataType.Int, 4), Call(AggregateKind.Avg, "ad", DataType.Double, 5)]);

        driver.ProcessElement(In("a", 0, i: 1, d: 1.0)).ProcessElement(In("a", 0, i: 2, d: 2.0)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1, 1]", "-U[a, 1, 1]", "+U[a, 1, 1.5]"]);
    }

    [Fact]
    public void ProcessElement_VarianceAndStandardDeviation_PopulationAndSample()
    {
        using var driver = Driver([], [
            Call(AggregateKind.VarPop, "vp", DataType.Double, 5), Call(AggregateKind.VarSamp, "vs", DataType.Double, 5),
            Call(AggregateKind.StddevPop, "sp", DataType.Double, 5), Call(AggregateKind.StddevSamp, "ss", DataType.Double, 5),
        ]);

        driver.ProcessElement(In("a", 0, d: 2)).ProcessElement(In("a", 0, d: 4)).ProcessElement(In("a", 0, d: 4)).ProcessElement(In("a", 0, d: 4))
            .ProcessElement(In("a", 0, d: 5)).ProcessElement(In("a", 0, d: 5)).ProcessElement(In("a", 0, d: 7)).ProcessElement(In("a", 0, d: 9)).Finish();

        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32 → population variance 4 (σ 2), sample variance 32/7.
        driver.Values[0].ToString().ShouldBe("+I[0, null, 0, null]");
        var last = driver.Values[^1];
        last.GetDouble(0).ShouldBe(4.0, 1e-12);
        last.GetDouble(1).ShouldBe(32.0 / 7, 1e-12);
        last.GetDouble(2).ShouldBe(2.0, 1e-12);
        last.GetDouble(3).ShouldBe(Math.Sqrt(32.0 / 7), 1e-12);
    }

    [Fact]
    public void ProcessElement_GlobalAggregation_InitialInsertOnTheFirstRowThenUpdates()
    {
        using var driver = Driver([], [Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull()), Call(AggregateKind.Min, "low", DataType.BigInt, 1)], options: new JobOptions { Parallelism = 2 });

        driver.ProcessElement(In("a", 4)).ProcessElement(In("b", 2)).Finish();

        Texts(driver.Values).ShouldBe(["+I[1, 4]", "-U[1, 4]", "+U[2, 2]"]);
    }

    [Fact]
    public void ProcessElement_MinMaxWithRetraction_NextExtremeAfterTheLastCopyLeaves()
    {
        using var driver = Driver([0], [Call(AggregateKind.Min, "low", DataType.BigInt, 1), Call(AggregateKind.Max, "high", DataType.BigInt, 1)], retracts: true);

        driver.ProcessElement(In("a", 3)).ProcessElement(In("a", 1)).ProcessElement(In("a", 1)).ProcessElement(In("a", 8))
            .ProcessElement(Del("a", 1)).ProcessElement(Del("a", 1)).ProcessElement(Del("a", 8)).Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 3, 3]", "-U[a, 3, 3]", "+U[a, 1, 3]", "-U[a, 1, 3]", "+U[a, 1, 8]",
            "-U[a, 1, 8]", "+U[a, 3, 8]", "-U[a, 3, 8]", "+U[a, 3, 3]",
        ]);
    }

    [Fact]
    public void ProcessElement_CountDistinct_EachValueOnceUntilItsLastCopyLeaves()
    {
        using var driver = Driver([0], [Call(AggregateKind.Count, "n", DataType.BigInt.NotNull(), 1, distinct: true), Call(AggregateKind.Sum, "s", DataType.BigInt, 1, distinct: true)], retracts: true);

        driver.ProcessElement(In("a", 1)).ProcessElement(In("a", 1)).ProcessElement(In("a", 2)).ProcessElement(In("a", null))
            .ProcessElement(Del("a", 1)).ProcessElement(Del("a", 1)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1, 1]", "-U[a, 1, 1]", "+U[a, 2, 3]", "-U[a, 2, 3]", "+U[a, 1, 2]"]);
    }

    [Fact]
    public void ProcessElement_Filter_CountsOnlyRowsWhereTheFilterIsTrue()
    {
        using var driver = Driver([0], [Call(AggregateKind.CountStar, "all", DataType.BigInt.NotNull()), Call(AggregateKind.CountStar, "flagged", DataType.BigInt.NotNull(), filter: 2)]);

        driver.ProcessElement(In("a", 1, f: true)).ProcessElement(In("a", 1, f: false)).ProcessElement(In("a", 1, f: null)).ProcessElement(In("a", 1, f: true)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1, 1]", "-U[a, 1, 1]", "+U[a, 2, 1]", "-U[a, 2, 1]", "+U[a, 3, 1]", "-U[a, 3, 1]", "+U[a, 4, 2]"]);
    }

    [Fact]
    public void ProcessElement_FirstLastListAggInsertOnly_ArrivalOrderSkippingNulls()
    {
        using var driver = Driver([0], [
            Call(AggregateKind.FirstValue, "first", DataType.Varchar, 3), Call(AggregateKind.LastValue, "last", DataType.Varchar, 3),
            Call(AggregateKind.ListAgg, "all", DataType.Varchar, 3), Call(AggregateKind.ListAgg, "piped", DataType.Varchar, 3, separator: 0),
        ]);

        driver.ProcessElement(In("|", 0, s: "x")).ProcessElement(In("|", 0, s: null)).ProcessElement(In("|", 0, s: "y")).Finish();

        Texts(driver.Values).ShouldBe(["+I[|, x, x, x, x]", "-U[|, x, x, x, x]", "+U[|, x, y, x,y, x|y]"]);
    }

    [Fact]
    public void ProcessElement_FirstLastListAggWithRetraction_EarliestEqualValueRetracted()
    {
        using var driver = Driver([0], [
            Call(AggregateKind.FirstValue, "first", DataType.Varchar, 3), Call(AggregateKind.LastValue, "last", DataType.Varchar, 3),
            Call(AggregateKind.ListAgg, "all", DataType.Varchar, 3),
        ], retracts: true);

        driver.ProcessElement(In("a", 0, s: "x")).ProcessElement(In("a", 0, s: "y")).ProcessElement(In("a", 0, s: "x"))
            .ProcessElement(Del("a", 0, s: "x")).ProcessElement(Del("a", 0, s: "x")).Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, x, x, x]", "-U[a, x, x, x]", "+U[a, x, y, x,y]", "-U[a, x, y, x,y]", "+U[a, x, x, x,y,x]",
            "-U[a, x, x, x,y,x]", "+U[a, y, x, y,x]", "-U[a, y, x, y,x]", "+U[a, y, y, y]",
        ]);
    }

    [Fact]
    public void ProcessElement_BoolAndBoolOr_NullWithoutValues()
    {
        using var driver = Driver([0], [Call(AggregateKind.BoolAnd, "every", DataType.Boolean, 2), Call(AggregateKind.BoolOr, "some", DataType.Boolean, 2)]);

        driver.ProcessElement(In("a", 0, f: null)).ProcessElement(In("a", 0, f: true)).ProcessElement(In("a", 0, f: false)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, null, null]", "-U[a, null, null]", "+U[a, true, true]", "-U[a, true, true]", "+U[a, false, true]"]);
    }

    [Fact]
    public void ProcessElement_StateTtlPassed_GroupStartsAgainWithAnInsert()
    {
        using var driver = Driver([0], [Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull())], ttl: TimeSpan.FromMinutes(1));

        driver.ProcessElement(In("a", 1)).AdvanceProcessingTime(TimeSpan.FromSeconds(30)).ProcessElement(In("a", 1))
            .AdvanceProcessingTime(TimeSpan.FromSeconds(61)).ProcessElement(In("a", 1)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1]", "-U[a, 1]", "+U[a, 2]", "+I[a, 1]"]);
    }

    [Fact]
    public void Restore_FromSnapshotAtAnotherParallelism_GroupsContinue()
    {
        AggregateCall[] calls = [Call(AggregateKind.Sum, "total", DataType.BigInt, 1), Call(AggregateKind.Count, "n", DataType.BigInt.NotNull(), 1, distinct: true), Call(AggregateKind.Max, "high", DataType.BigInt, 1)];
        TestSnapshot snapshot;
        using (var before = Driver([0], calls, retracts: true))
        {
            before.ProcessElement(In("a", 1)).ProcessElement(In("a", 5)).ProcessElement(In("b", 2));
            snapshot = before.Snapshot();
        }
        using var after = Driver([0], calls, retracts: true, options: new JobOptions { Parallelism = 3 });

        after.InitializeState(snapshot).ProcessElement(Del("a", 5)).ProcessElement(In("b", 2)).Finish();

        Texts(after.Values).ShouldBe(["-U[a, 6, 2, 5]", "+U[a, 1, 1, 1]", "-U[b, 2, 1, 2]", "+U[b, 4, 1, 2]"]);
    }

    [Fact]
    public void Constructor_SumOfText_SqlExceptionNamingTheCall()
    {
        Should.Throw<SqlException>(() => new GroupAggregateOperator(s_input, [0], [Call(AggregateKind.Sum, "total", DataType.Varchar, 3)], false, null))
            .Message.ShouldBe("Aggregate SUM ('total') needs a numeric type, not VARCHAR.");
    }
}
