using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Rows;

namespace Sluice.Sql.Tests.Runtime;

/// <summary><c>l.lt BETWEEN r.rt - INTERVAL '2' SECOND AND r.rt + INTERVAL '1' SECOND</c> on <c>l.id = r.id</c>.</summary>
public sealed class IntervalJoinOperatorTests
{
    private static readonly Schema s_left = Schema.Parse("id INT, lt TIMESTAMP(3), lv STRING");
    private static readonly Schema s_right = Schema.Parse("id INT, rt TIMESTAMP(3), rv STRING");

    private static DateTime T(double seconds) => DateTime.UnixEpoch.AddSeconds(seconds);

    private static IntervalJoinSpec Spec(JoinKind kind) => new(s_left, s_right, [0], [0], kind, 1, 1, -2_000, 1_000);

    private static TwoInputHarness Harness(JoinKind kind, int parallelism = 1) =>
        new((l, r) => IntervalJoinOperator.Apply(l, r, Spec(kind)), parallelism);

    [Fact]
    public void Inner_RowsWithinTheInterval_JoinWithTheLaterTime()
    {
        using var join = Harness(JoinKind.Inner);

        join.PushLeft(Insert(s_left, 1, T(10), "a"), 10_000)
            .PushRight(Insert(s_right, 1, T(11), "x"), 11_000)   // 10 - 11 = -1 s: in [-2, 1]
            .PushRight(Insert(s_right, 1, T(13), "y"), 13_000)   // 10 - 13 = -3 s: out
            .PushRight(Insert(s_right, 2, T(10), "z"), 10_000)   // another key
            .PushLeft(Insert(s_left, 1, T(12), "b"), 12_000);    // 12 - 11 = 1 s and 12 - 13 = -1 s: both in

        join.Output.ShouldBe(
        [
            "+I[1, 1970-01-01T00:00:10, a, 1, 1970-01-01T00:00:11, x]",
            "+I[1, 1970-01-01T00:00:12, b, 1, 1970-01-01T00:00:11, x]",
            "+I[1, 1970-01-01T00:00:12, b, 1, 1970-01-01T00:00:13, y]",
        ]);
        join.Timestamped.Select(t => t.Timestamp).ShouldBe([11_000L, 12_000L, 13_000L]);
    }

    [Fact]
    public void Left_UnmatchedRow_PaddedOnceTheWatermarkPassesItsLastChance()
    {
        using var join = Harness(JoinKind.Left);

        join.PushLeft(Insert(s_left, 1, T(10), "a"), 10_000).Watermark(11_999);
        join.Output.ShouldBeEmpty("a right row at 12 s could still match the left row at 10 s");

        join.Watermark(12_000);

        join.Output.ShouldBe(["+I[1, 1970-01-01T00:00:10, a, null, null, null]"]);
        join.Timestamped.Single().Timestamp.ShouldBe(10_000);
        join.Driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void OutputWatermark_TrailsTheInputByTheLargerBound_SoPaddedRowsAreNotLate()
    {
        var events = new List<(bool IsWatermark, long Time)>();
        using var join = new TwoInputHarness((l, r) =>
            IntervalJoinOperator.Apply(l, r, Spec(JoinKind.Left)).Transform("Recorder", () => new WatermarkRecorder(events)));

        join.PushLeft(Insert(s_left, 1, T(10), "a"), 10_000).Watermark(11_999).Watermark(12_000);

        events.Where(e => e.Time >= 0).ShouldBe([(true, 9_999L), (false, 10_000L), (true, 10_000L)]);
    }

    [Fact]
    public void Right_UnmatchedRow_PaddedAtItsTimePlusTheUpperBound()
    {
        using var join = Harness(JoinKind.Right);

        join.PushRight(Insert(s_right, 1, T(10), "x"), 10_000)
            .PushLeft(Insert(s_left, 1, T(5), "a"), 5_000)
            .Watermark(10_999);
        join.Output.ShouldBeEmpty();

        join.Watermark(11_000);

        join.Output.ShouldBe(["+I[null, null, null, 1, 1970-01-01T00:00:10, x]"]);
    }

    [Fact]
    public void Full_MatchedRowsAreNotPadded_LateRowIsPaddedAtOnce()
    {
        using var join = Harness(JoinKind.Full);

        join.PushLeft(Insert(s_left, 1, T(10), "a"), 10_000)
            .PushRight(Insert(s_right, 1, T(11), "x"), 11_000)
            .Watermark(20_000)
            .PushLeft(Insert(s_left, 1, T(15), "late"), 15_000);

        join.Output.ShouldBe(
        [
            "+I[1, 1970-01-01T00:00:10, a, 1, 1970-01-01T00:00:11, x]",
            "+I[1, 1970-01-01T00:00:15, late, null, null, null]",
        ]);
        join.Driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void Left_NullKey_PaddedAtOnce()
    {
        using var join = Harness(JoinKind.Left);

        join.PushLeft(Insert(s_left, null, T(10), "a"), 10_000);

        join.Output.ShouldBe(["+I[null, 1970-01-01T00:00:10, a, null, null, null]"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Full_SnapshotAndRestore_KeepsRowsFlagsAndTimers(int parallelism)
    {
        TestSnapshot snapshot;
        using (var before = Harness(JoinKind.Full))
        {
            before.PushLeft(Insert(s_left, 1, T(10), "a"), 10_000).PushLeft(Insert(s_left, 2, T(10), "b"), 10_000);
            snapshot = before.Driver.Snapshot();
        }
        using var after = Harness(JoinKind.Full, parallelism);
        after.Driver.InitializeState(snapshot);

        after.PushRight(Insert(s_right, 1, T(11), "x"), 11_000).Watermark(30_000);

        after.Output.ShouldBe(
        [
            "+I[1, 1970-01-01T00:00:10, a, 1, 1970-01-01T00:00:11, x]",
            "+I[2, 1970-01-01T00:00:10, b, null, null, null]",
        ]);
    }

    [Fact]
    public void Validate_LowerAboveUpper_Rejected()
    {
        var spec = Spec(JoinKind.Inner) with { LowerBoundMs = 5, UpperBoundMs = 1 };

        Should.Throw<ArgumentException>(spec.Validate).Message
            .ShouldStartWith("The interval join's lower bound (5 ms) is above its upper bound (1 ms): no rows could match.");
    }

    [Fact]
    public void OutputDelay_IsTheLargerReachOfTheBounds()
    {
        Spec(JoinKind.Inner).OutputDelayMs.ShouldBe(2_000);
        (Spec(JoinKind.Inner) with { LowerBoundMs = 100, UpperBoundMs = 300 }).OutputDelayMs.ShouldBe(300);
        (Spec(JoinKind.Inner) with { LowerBoundMs = -50, UpperBoundMs = -10 }).OutputDelayMs.ShouldBe(50);
    }
}
