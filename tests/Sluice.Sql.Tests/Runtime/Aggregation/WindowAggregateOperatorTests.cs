using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Aggregation.Aggregates;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary><see cref="WindowAggregateOperator"/>: TUMBLE, HOP and CUMULATE aggregation, out-of-order and late rows.</summary>
public sealed class WindowAggregateOperatorTests
{
    private static readonly Schema s_input = Schema.Parse("k STRING, v BIGINT, ts TIMESTAMP(3)");
    private static readonly AggregateCall[] s_calls = [Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull()), Call(AggregateKind.Sum, "total", DataType.BigInt, 1)];

    internal static Row Row(string k, long v, long seconds, RowKind kind = RowKind.Insert) =>
        Of(s_input, kind, k, v, DateTime.UnixEpoch.AddMilliseconds(seconds * 1000));

    private static OperatorTestDriver<Row, Row> Driver(WindowSpec window, List<WindowAggregateOperator>? operators = null, bool retracts = false, JobOptions? options = null,
        AggregateCall[]? calls = null) =>
        new(rows => rows.KeyBy(WindowAggregateOperatorBase.KeySelector(s_input, [0]))
            .Transform("WindowAggregate", () =>
            {
                var op = new WindowAggregateOperator(s_input, [0], calls ?? s_calls, window, retracts);
                operators?.Add(op);
                return op;
            }).Uid("window-aggregate"), options);

    private static WindowSpec Tumble(long seconds) => new(WindowKind.Tumble, 2, seconds * 1000, 0, 0, false);

    [Fact]
    public void ProcessElement_TumbleOutOfOrderThenLate_OneRowPerWindowAndKeyLateRowDropped()
    {
        var operators = new List<WindowAggregateOperator>();
        using var driver = Driver(Tumble(10), operators);

        driver.ProcessElement(Row("a", 1, 1)).ProcessElement(Row("b", 2, 3)).ProcessElement(Row("a", 3, 12)).ProcessElement(Row("a", 4, 4))
            .ProcessWatermark(9_998);
        Texts(driver.Values).ShouldBeEmpty("the windows end at 10 s: nothing fires before the watermark reaches 9.999 s");
        driver.ProcessWatermark(9_999).ProcessElement(Row("a", 100, 5)).ProcessWatermark(20_000).Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 2, 5, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[b, 1, 2, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[a, 1, 3, 1970-01-01T00:00:10, 1970-01-01T00:00:20, 1970-01-01T00:00:19.999]",
        ]);
        driver.Output.Select(static o => o.Timestamp).ShouldBe([9_999L, 9_999L, 19_999L]);
        operators.Sum(static o => o.LateRowsDropped).ShouldBe(1);
    }

    [Fact]
    public void ProcessElement_TumbleWithOffset_WindowsShifted()
    {
        using var driver = Driver(new WindowSpec(WindowKind.Tumble, 2, 10_000, 0, 3_000, false));

        driver.ProcessElement(Row("a", 1, 2)).ProcessElement(Row("a", 1, 3)).Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 1, 1, 1969-12-31T23:59:53, 1970-01-01T00:00:03, 1970-01-01T00:00:02.999]",
            "+I[a, 1, 1, 1970-01-01T00:00:03, 1970-01-01T00:00:13, 1970-01-01T00:00:12.999]",
        ]);
    }

    [Fact]
    public void ProcessElement_Hop_EachRowInSizeOverSlideWindows()
    {
        using var driver = Driver(new WindowSpec(WindowKind.Hop, 2, 10_000, 5_000, 0, false));

        driver.ProcessElement(Row("a", 1, 7)).ProcessElement(Row("a", 2, 12));
        // Sliced: one accumulator per slice, [5, 10) and [10, 15), not one per window; a timer per window end 10, 15, 20.
        driver.KeyedStateSize().ShouldBe((2, 3));
        driver.Finish();
        driver.KeyedStateSize().ShouldBe((0, 0));

        Texts(driver.Values).ShouldBe([
            "+I[a, 1, 1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[a, 2, 3, 1970-01-01T00:00:05, 1970-01-01T00:00:15, 1970-01-01T00:00:14.999]",
            "+I[a, 1, 2, 1970-01-01T00:00:10, 1970-01-01T00:00:20, 1970-01-01T00:00:19.999]",
        ]);
    }

    [Fact]
    public void ProcessElement_HopRowWhoseFirstWindowFired_DroppedFromEveryWindow()
    {
        var operators = new List<WindowAggregateOperator>();
        using var driver = Driver(new WindowSpec(WindowKind.Hop, 2, 10_000, 5_000, 0, false), operators);

        driver.ProcessElement(Row("a", 1, 12)).ProcessWatermark(10_000).ProcessElement(Row("a", 5, 9)).Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 1, 1, 1970-01-01T00:00:05, 1970-01-01T00:00:15, 1970-01-01T00:00:14.999]",
            "+I[a, 1, 1, 1970-01-01T00:00:10, 1970-01-01T00:00:20, 1970-01-01T00:00:19.999]",
        ]);
        operators.Sum(static o => o.LateRowsDropped).ShouldBe(1);
    }

    [Fact]
    public void ProcessElement_Cumulate_WindowsGrowByStepFromOneStart()
    {
        using var driver = Driver(new WindowSpec(WindowKind.Cumulate, 2, 15_000, 5_000, 0, false));

        driver.ProcessElement(Row("a", 1, 2)).ProcessElement(Row("a", 10, 7)).ProcessElement(Row("a", 100, 11)).ProcessElement(Row("a", 1000, 16)).Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 1, 1, 1970-01-01T00:00:00, 1970-01-01T00:00:05, 1970-01-01T00:00:04.999]",
            "+I[a, 2, 11, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[a, 3, 111, 1970-01-01T00:00:00, 1970-01-01T00:00:15, 1970-01-01T00:00:14.999]",
            "+I[a, 1, 1000, 1970-01-01T00:00:15, 1970-01-01T00:00:20, 1970-01-01T00:00:19.999]",
            "+I[a, 1, 1000, 1970-01-01T00:00:15, 1970-01-01T00:00:25, 1970-01-01T00:00:24.999]",
            "+I[a, 1, 1000, 1970-01-01T00:00:15, 1970-01-01T00:00:30, 1970-01-01T00:00:29.999]",
        ]);
    }

    [Fact]
    public void ProcessElement_TumbleOverUpdatingInput_RetractionsLeaveTheWindowAndAnEmptiedWindowEmitsNothing()
    {
        using var driver = Driver(Tumble(10), retracts: true);

        driver.ProcessElement(Row("a", 1, 1)).ProcessElement(Row("a", 5, 2)).ProcessElement(Row("a", 5, 2, RowKind.UpdateBefore))
            .ProcessElement(Row("b", 7, 3)).ProcessElement(Row("b", 7, 3, RowKind.Delete)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1, 1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]"]);
    }

    [Fact]
    public void ProcessElement_ProcessingTimeTumble_FiresWhenTheClockPassesTheWindowEnd()
    {
        using var driver = Driver(new WindowSpec(WindowKind.Tumble, 2, 10_000, 0, 0, IsProcessingTime: true));

        driver.AdvanceProcessingTime(TimeSpan.FromSeconds(3)).ProcessElement(Row("a", 1, 999)).ProcessElement(Row("a", 2, 0))
            .AdvanceProcessingTime(TimeSpan.FromSeconds(5)).ProcessElement(Row("a", 4, 0));
        Texts(driver.Values).ShouldBeEmpty();
        driver.AdvanceProcessingTime(TimeSpan.FromSeconds(2));

        Texts(driver.Values).ShouldBe(["+I[a, 3, 7, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]"]);
    }

    [Fact]
    public void Finish_ProcessingTimeWindowsPending_FireAtTheEndOfInput()
    {
        using var driver = Driver(new WindowSpec(WindowKind.Tumble, 2, 10_000, 0, 0, IsProcessingTime: true));

        driver.AdvanceProcessingTime(TimeSpan.FromSeconds(3)).ProcessElement(Row("a", 1, 0)).ProcessElement(Row("b", 2, 0))
            .AdvanceProcessingTime(TimeSpan.FromSeconds(8)).ProcessElement(Row("a", 4, 0));
        Texts(driver.Values).ShouldBe([
            "+I[a, 1, 1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[b, 1, 2, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
        ], ignoreOrder: true);
        driver.Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 1, 1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[b, 1, 2, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[a, 1, 4, 1970-01-01T00:00:10, 1970-01-01T00:00:20, 1970-01-01T00:00:19.999]",
        ], ignoreOrder: true);
    }

    [Fact]
    public void Restore_TumbleFromSnapshotAtAnotherParallelism_WindowsKeepTheirRows()
    {
        TestSnapshot snapshot;
        using (var before = Driver(Tumble(10)))
        {
            before.ProcessElement(Row("a", 1, 1)).ProcessElement(Row("b", 2, 2)).ProcessElement(Row("a", 4, 11)).ProcessWatermark(5_000);
            snapshot = before.Snapshot();
        }
        var operators = new List<WindowAggregateOperator>();
        using var after = Driver(Tumble(10), operators, options: new JobOptions { Parallelism = 2 });

        after.InitializeState(snapshot).ProcessElement(Row("a", 10, 9)).ProcessWatermark(10_000).ProcessElement(Row("b", 1, 8)).Finish();

        Texts(after.Values).ShouldBe([
            "+I[a, 2, 11, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[b, 1, 2, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[a, 1, 4, 1970-01-01T00:00:10, 1970-01-01T00:00:20, 1970-01-01T00:00:19.999]",
        ], ignoreOrder: true);
        operators.Sum(static o => o.LateRowsDropped).ShouldBe(1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Restore_HopIntoSlices_EachWindowHasTheRowsOfBothSides(bool wholeWindows)
    {
        // wholeWindows: a checkpoint taken before HOP windows were sliced holds every window whole in the 'windows'
        // state, as an operator over updating input still does; restored into a sliced one, each window adds its later
        // slices. Otherwise the checkpoint holds slices, restored at another parallelism.
        var hop = new WindowSpec(WindowKind.Hop, 2, 10_000, 5_000, 0, false);
        TestSnapshot snapshot;
        using (var before = Driver(hop, retracts: wholeWindows))
        {
            before.ProcessElement(Row("a", 1, 7)).ProcessElement(Row("a", 2, 12)).ProcessWatermark(4_000);
            snapshot = before.Snapshot();
        }
        using var after = Driver(hop, options: new JobOptions { Parallelism = 2 });

        after.InitializeState(snapshot).ProcessElement(Row("a", 10, 8)).ProcessElement(Row("a", 100, 13)).Finish();

        // [0, 10): 1 and 10; [5, 15): 1, 2, 10 and 100; [10, 20): 2 and 100.
        Texts(after.Values).ShouldBe([
            "+I[a, 2, 11, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[a, 4, 113, 1970-01-01T00:00:05, 1970-01-01T00:00:15, 1970-01-01T00:00:14.999]",
            "+I[a, 2, 102, 1970-01-01T00:00:10, 1970-01-01T00:00:20, 1970-01-01T00:00:19.999]",
        ]);
        after.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void ProcessElement_HopWithLastValue_WindowsKeptWholeInArrivalOrder()
    {
        // LAST_VALUE follows arrival order, which merged slices would not keep: such a HOP is not sliced.
        using var driver = Driver(new WindowSpec(WindowKind.Hop, 2, 10_000, 5_000, 0, false), calls: [Call(AggregateKind.LastValue, "last", DataType.BigInt, 1)]);

        driver.ProcessElement(Row("a", 1, 12)).ProcessElement(Row("a", 2, 7));
        driver.KeyedStateSize().StateEntries.ShouldBe(3, "one accumulator per window: [0, 10), [5, 15), [10, 20)");
        driver.Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 2, 1970-01-01T00:00:00, 1970-01-01T00:00:10, 1970-01-01T00:00:09.999]",
            "+I[a, 2, 1970-01-01T00:00:05, 1970-01-01T00:00:15, 1970-01-01T00:00:14.999]",
            "+I[a, 1, 1970-01-01T00:00:10, 1970-01-01T00:00:20, 1970-01-01T00:00:19.999]",
        ]);
    }

    [Fact]
    public void ProcessElement_HopInSlices_ExtremaAndAverageMergedPerWindow()
    {
        AggregateCall[] calls =
        [
            Call(AggregateKind.Min, "lo", DataType.BigInt, 1),
            Call(AggregateKind.Max, "hi", DataType.BigInt, 1),
            Call(AggregateKind.Avg, "mean", DataType.BigInt, 1),
        ];
        using var driver = Driver(new WindowSpec(WindowKind.Hop, 2, 9_000, 3_000, 0, false), calls: calls);

        driver.ProcessElement(Row("a", 4, 1)).ProcessElement(Row("a", 10, 4)).ProcessElement(Row("a", 1, 7)).ProcessElement(Row("a", 7, 8)).Finish();

        // Slices [0, 3): 4; [3, 6): 10; [6, 9): 1, 7. Windows of 9 s every 3 s, from -6 s to 6 s.
        Texts(driver.Values).ShouldBe([
            "+I[a, 4, 4, 4, 1969-12-31T23:59:54, 1970-01-01T00:00:03, 1970-01-01T00:00:02.999]",
            "+I[a, 4, 10, 7, 1969-12-31T23:59:57, 1970-01-01T00:00:06, 1970-01-01T00:00:05.999]",
            "+I[a, 1, 10, 5, 1970-01-01T00:00:00, 1970-01-01T00:00:09, 1970-01-01T00:00:08.999]",
            "+I[a, 1, 10, 6, 1970-01-01T00:00:03, 1970-01-01T00:00:12, 1970-01-01T00:00:11.999]",
            "+I[a, 1, 7, 4, 1970-01-01T00:00:06, 1970-01-01T00:00:15, 1970-01-01T00:00:14.999]",
        ]);
    }

    [Fact]
    public void Constructor_HopSizeNotAMultipleOfTheSlide_SqlExceptionNamingTheWindow()
    {
        Should.Throw<SqlException>(() => new WindowAggregateOperator(s_input, [0], s_calls, new WindowSpec(WindowKind.Hop, 2, 10_000, 3_000, 0, false), false))
            .Message.ShouldBe("The size of window HOP($2, slide=3000ms, size=10000ms) must be a whole multiple of its slide.");
    }

    [Fact]
    public void Constructor_TimeFieldNotATimestamp_SqlExceptionNamingTheWindow()
    {
        Should.Throw<SqlException>(() => new WindowAggregateOperator(s_input, [0], s_calls, new WindowSpec(WindowKind.Tumble, 1, 10_000, 0, 0, false), false))
            .Message.ShouldBe("The time attribute of window TUMBLE($1, size=10000ms) must be a TIMESTAMP or TIMESTAMP_LTZ field, not 'v' of type BIGINT.");
    }
}
