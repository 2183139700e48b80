using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Aggregation.Aggregates;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary><see cref="SessionWindowAggregateOperator"/>: sessions per key that merge, fire on the watermark, and drop late rows.</summary>
public sealed class SessionWindowAggregateOperatorTests
{
    private static readonly Schema s_input = Schema.Parse("k STRING, v BIGINT, ts TIMESTAMP(3)");
    private static readonly WindowSpec s_gap5 = new(WindowKind.Session, 2, 5_000, 0, 0, false);

    private static Row Row(string k, long v, long seconds, RowKind kind = RowKind.Insert) =>
        Of(s_input, kind, k, v, DateTime.UnixEpoch.AddMilliseconds(seconds * 1000));

    private static OperatorTestDriver<Row, Row> Driver(AggregateCall[] calls, List<SessionWindowAggregateOperator>? operators = null, bool retracts = false, JobOptions? options = null, WindowSpec? window = null) =>
        new(rows => rows.KeyBy(WindowAggregateOperatorBase.KeySelector(s_input, [0]))
            .Transform("SessionAggregate", () =>
            {
                var op = new SessionWindowAggregateOperator(s_input, [0], calls, window ?? s_gap5, retracts);
                operators?.Add(op);
                return op;
            }).Uid("session-aggregate"), options);

    private static readonly AggregateCall[] s_countSum = [Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull()), Call(AggregateKind.Sum, "total", DataType.BigInt, 1)];

    [Fact]
    public void Finish_ProcessingTimeSessionsOpen_FireAtTheEndOfInput()
    {
        using var driver = Driver(s_countSum, window: new WindowSpec(WindowKind.Session, 2, 5_000, 0, 0, IsProcessingTime: true));

        driver.AdvanceProcessingTime(TimeSpan.FromSeconds(1)).ProcessElement(Row("a", 1, 0)).AdvanceProcessingTime(TimeSpan.FromSeconds(3))
            .ProcessElement(Row("a", 2, 0)).ProcessElement(Row("b", 4, 0));
        Texts(driver.Values).ShouldBeEmpty("both sessions are open until 9 s of processing time");
        driver.Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 2, 3, 1970-01-01T00:00:01, 1970-01-01T00:00:09, 1970-01-01T00:00:08.999]",
            "+I[b, 1, 4, 1970-01-01T00:00:04, 1970-01-01T00:00:09, 1970-01-01T00:00:08.999]",
        ], ignoreOrder: true);
    }

    [Fact]
    public void ProcessElement_OverlappingAndTouchingRows_MergeIntoOneSessionPerGap()
    {
        using var driver = Driver(s_countSum);

        driver.ProcessElement(Row("a", 1, 1)).ProcessElement(Row("a", 2, 3)).ProcessElement(Row("a", 4, 20)).ProcessElement(Row("b", 8, 2))
            .ProcessElement(Row("a", 16, 7)).ProcessElement(Row("a", 32, 12)).Finish();

        // a: [1, 6) + [3, 8) + [7, 12) + [12, 17) (touching) = [1, 17); [20, 25) alone. b: [2, 7).
        Texts(driver.Values).ShouldBe([
            "+I[b, 1, 8, 1970-01-01T00:00:02, 1970-01-01T00:00:07, 1970-01-01T00:00:06.999]",
            "+I[a, 4, 51, 1970-01-01T00:00:01, 1970-01-01T00:00:17, 1970-01-01T00:00:16.999]",
            "+I[a, 1, 4, 1970-01-01T00:00:20, 1970-01-01T00:00:25, 1970-01-01T00:00:24.999]",
        ]);
    }

    [Fact]
    public void ProcessElement_RowBridgingTwoSessions_MergesThemBeforeEitherFires()
    {
        using var driver = Driver(s_countSum);

        driver.ProcessElement(Row("a", 1, 0)).ProcessElement(Row("a", 2, 10)).ProcessWatermark(4_000).ProcessElement(Row("a", 4, 5)).ProcessWatermark(14_998);
        Texts(driver.Values).ShouldBeEmpty("the merged session [0, 15) fires at 14.999 s, not at the old ends");
        driver.Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 3, 7, 1970-01-01T00:00:00, 1970-01-01T00:00:15, 1970-01-01T00:00:14.999]"]);
    }

    [Fact]
    public void ProcessWatermark_SessionGrewPastItsFirstTimer_FiresOnceAtItsCurrentEnd()
    {
        // Timers are armed lazily: the session's first timer (4.999 s) fires, finds it now ends at 13 s, and re-arms.
        using var driver = Driver(s_countSum);

        driver.ProcessElement(Row("a", 1, 0)).ProcessElement(Row("a", 2, 4)).ProcessElement(Row("a", 4, 8)).ProcessWatermark(6_000).ProcessWatermark(12_998);
        Texts(driver.Values).ShouldBeEmpty("the session [0, 13) fires at 12.999 s, not at its earlier ends");
        driver.ProcessWatermark(12_999);
        Texts(driver.Values).ShouldBe(["+I[a, 3, 7, 1970-01-01T00:00:00, 1970-01-01T00:00:13, 1970-01-01T00:00:12.999]"]);
        driver.Finish();

        driver.Values.Count.ShouldBe(1);
    }

    [Fact]
    public void ProcessWatermark_JumpsPastEveryTimerOfAGrownAndMergedSession_FiresItOnce()
    {
        using var driver = Driver(s_countSum);

        // [0, 5) grows to [0, 9); [12, 17) opens; the row at 9 bridges them into [0, 17): a keeps the timers of [0, 5) and [12, 17).
        driver.ProcessElement(Row("a", 1, 0)).ProcessElement(Row("a", 2, 4)).ProcessElement(Row("a", 4, 12)).ProcessElement(Row("a", 8, 9))
            .ProcessElement(Row("b", 16, 10)).ProcessWatermark(100_000);
        var fired = Texts(driver.Values);
        driver.Finish();

        // In order of their ends, though a's first timer (4.999 s) is earlier than b's (14.999 s).
        fired.ShouldBe([
            "+I[b, 1, 16, 1970-01-01T00:00:10, 1970-01-01T00:00:15, 1970-01-01T00:00:14.999]",
            "+I[a, 4, 15, 1970-01-01T00:00:00, 1970-01-01T00:00:17, 1970-01-01T00:00:16.999]",
        ]);
        driver.Values.Count.ShouldBe(2);
    }

    [Fact]
    public void ProcessWatermark_TimerOfASessionRetractedAway_LeavesTheKeysNextSessionToItsOwnEnd()
    {
        using var driver = Driver(s_countSum, retracts: true);

        // [0, 5) grows to [0, 8) and is retracted away; its timer at 4.999 s stays. A new session [4, 9) contains 5 s.
        driver.ProcessElement(Row("a", 1, 0)).ProcessElement(Row("a", 2, 3)).ProcessElement(Row("a", 1, 0, RowKind.Delete))
            .ProcessElement(Row("a", 2, 3, RowKind.Delete)).ProcessElement(Row("a", 4, 4)).ProcessWatermark(5_000);
        Texts(driver.Values).ShouldBeEmpty("the old timer finds [4, 9), which is not due");
        driver.ProcessWatermark(8_999).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1, 4, 1970-01-01T00:00:04, 1970-01-01T00:00:09, 1970-01-01T00:00:08.999]"]);
    }

    [Fact]
    public void AdvanceProcessingTime_SessionGrewPastItsFirstTimer_FiresOnceAtItsCurrentEnd()
    {
        using var driver = Driver(s_countSum, window: new WindowSpec(WindowKind.Session, 2, 5_000, 0, 0, IsProcessingTime: true));

        driver.AdvanceProcessingTime(TimeSpan.FromSeconds(1)).ProcessElement(Row("a", 1, 0)).AdvanceProcessingTime(TimeSpan.FromSeconds(3))
            .ProcessElement(Row("a", 2, 0)).AdvanceProcessingTime(TimeSpan.FromSeconds(3));
        Texts(driver.Values).ShouldBeEmpty("at 7 s the session [1, 9) is open: its first timer (5.999 s) re-armed");
        driver.AdvanceProcessingTime(TimeSpan.FromSeconds(2));
        Texts(driver.Values).ShouldBe(["+I[a, 2, 3, 1970-01-01T00:00:01, 1970-01-01T00:00:09, 1970-01-01T00:00:08.999]"]);
        driver.Finish();

        driver.Values.Count.ShouldBe(1);
    }

    [Fact]
    public void ProcessElement_RowAfterItsSessionFired_LateAndDropped()
    {
        var operators = new List<SessionWindowAggregateOperator>();
        using var driver = Driver(s_countSum, operators);

        driver.ProcessElement(Row("a", 1, 0)).ProcessWatermark(30_000).ProcessElement(Row("a", 2, 2)).ProcessElement(Row("a", 4, 28)).Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 1, 1, 1970-01-01T00:00:00, 1970-01-01T00:00:05, 1970-01-01T00:00:04.999]",
            "+I[a, 1, 4, 1970-01-01T00:00:28, 1970-01-01T00:00:33, 1970-01-01T00:00:32.999]",
        ]);
        operators.Sum(static o => o.LateRowsDropped).ShouldBe(1);
    }

    [Fact]
    public void ProcessElement_MergedSessionsWithDistinctAndOrderedValues_ValuesCountOnceInArrivalOrder()
    {
        using var driver = Driver([
            Call(AggregateKind.Count, "n", DataType.BigInt.NotNull(), 1, distinct: true), Call(AggregateKind.FirstValue, "first", DataType.BigInt, 1),
            Call(AggregateKind.LastValue, "last", DataType.BigInt, 1), Call(AggregateKind.Max, "high", DataType.BigInt, 1),
        ]);

        // Arrival order 7, 7, 3: the sessions [10, 15) and [0, 5) merge through the row at 5.
        driver.ProcessElement(Row("a", 7, 10)).ProcessElement(Row("a", 7, 0)).ProcessElement(Row("a", 3, 5)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 2, 7, 3, 7, 1970-01-01T00:00:00, 1970-01-01T00:00:15, 1970-01-01T00:00:14.999]"]);
    }

    [Fact]
    public void ProcessElement_RetractionInsideAnOpenSession_RemovedAndAnEmptiedSessionForgotten()
    {
        using var driver = Driver(s_countSum, retracts: true);

        driver.ProcessElement(Row("a", 1, 0)).ProcessElement(Row("a", 2, 2)).ProcessElement(Row("a", 2, 2, RowKind.Delete))
            .ProcessElement(Row("b", 5, 0)).ProcessElement(Row("b", 5, 0, RowKind.UpdateBefore)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1, 1, 1970-01-01T00:00:00, 1970-01-01T00:00:07, 1970-01-01T00:00:06.999]"]);
    }

    [Fact]
    public void Restore_SessionsFromSnapshot_MergeWithRowsAfterTheRestore()
    {
        TestSnapshot snapshot;
        using (var before = Driver(s_countSum))
        {
            before.ProcessElement(Row("a", 1, 0)).ProcessElement(Row("a", 2, 10)).ProcessElement(Row("b", 4, 1)).ProcessWatermark(3_000);
            snapshot = before.Snapshot();
        }
        using var after = Driver(s_countSum, options: new JobOptions { Parallelism = 2 });

        after.InitializeState(snapshot).ProcessElement(Row("a", 8, 5)).Finish();

        Texts(after.Values).ShouldBe([
            "+I[b, 1, 4, 1970-01-01T00:00:01, 1970-01-01T00:00:06, 1970-01-01T00:00:05.999]",
            "+I[a, 3, 11, 1970-01-01T00:00:00, 1970-01-01T00:00:15, 1970-01-01T00:00:14.999]",
        ], ignoreOrder: true);
    }
}
