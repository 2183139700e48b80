using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Aggregation.Aggregates;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary><see cref="OverAggregateOperator"/>: event-time OVER windows (ROWS and RANGE, bounded and unbounded).</summary>
public sealed class OverAggregateOperatorTests
{
    private static readonly Schema s_input = Schema.Parse("k STRING, v BIGINT, ts TIMESTAMP(3)");
    private static readonly AggregateCall[] s_calls = [Call(AggregateKind.Sum, "total", DataType.BigInt, 1), Call(AggregateKind.Max, "high", DataType.BigInt, 1)];

    private static Row Row(string k, long v, long seconds) => Insert(s_input, k, v, DateTime.UnixEpoch.AddMilliseconds(seconds * 1000));

    private static OperatorTestDriver<Row, Row> Driver(OverFrameSpec frame, List<OverAggregateOperator>? operators = null, JobOptions? options = null, AggregateCall[]? calls = null) =>
        new(rows => rows.KeyBy(GroupAggregateOperator.KeySelector(s_input, [0]))
            .Transform("OverAggregate", () =>
            {
                var op = new OverAggregateOperator(s_input, calls ?? s_calls, frame);
                operators?.Add(op);
                return op;
            }).Uid("over-aggregate"), options);

    private static OverFrameSpec Rows(long preceding) => new(2, true, preceding, false);

    private static OverFrameSpec Range(long precedingMs) => new(2, false, precedingMs, false);

    [Fact]
    public void ProcessElement_RowsUnboundedOutOfOrderAndLate_EmittedInTimeOrderLateRowDropped()
    {
        var operators = new List<OverAggregateOperator>();
        using var driver = Driver(Rows(OverFrameSpec.Unbounded), operators);

        driver.ProcessElement(Row("a", 1, 3)).ProcessElement(Row("a", 2, 1)).ProcessElement(Row("a", 3, 2)).ProcessElement(Row("b", 10, 1))
            .ProcessWatermark(2_000);
        Texts(driver.Values).ShouldBe([
            "+I[a, 2, 1970-01-01T00:00:01, 2, 2]",
            "+I[b, 10, 1970-01-01T00:00:01, 10, 10]",
            "+I[a, 3, 1970-01-01T00:00:02, 5, 3]",
        ]);
        driver.ProcessElement(Row("a", 100, 2)).Finish();

        Texts(driver.Values)[3..].ShouldBe(["+I[a, 1, 1970-01-01T00:00:03, 6, 3]"]);
        driver.Output.Select(static o => o.Timestamp).ShouldBe([1_000L, 1_000L, 2_000L, 3_000L]);
        operators.Sum(static o => o.LateRowsDropped).ShouldBe(1);
    }

    [Fact]
    public void ProcessElement_RangeUnboundedWithPeers_PeersShareTheResult()
    {
        using var driver = Driver(Range(OverFrameSpec.Unbounded));

        driver.ProcessElement(Row("a", 1, 1)).ProcessElement(Row("a", 2, 1)).ProcessElement(Row("a", 4, 2)).Finish();

        Texts(driver.Values).ShouldBe(["+I[a, 1, 1970-01-01T00:00:01, 3, 2]", "+I[a, 2, 1970-01-01T00:00:01, 3, 2]", "+I[a, 4, 1970-01-01T00:00:02, 7, 4]"]);
    }

    [Fact]
    public void ProcessElement_RowsOnePreceding_TheRowAndTheOneBefore()
    {
        using var driver = Driver(Rows(1));

        driver.ProcessElement(Row("a", 5, 1)).ProcessElement(Row("a", 1, 2)).ProcessElement(Row("a", 2, 3)).ProcessElement(Row("a", 8, 3)).Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 5, 1970-01-01T00:00:01, 5, 5]",
            "+I[a, 1, 1970-01-01T00:00:02, 6, 5]",
            "+I[a, 2, 1970-01-01T00:00:03, 3, 2]",
            "+I[a, 8, 1970-01-01T00:00:03, 10, 8]",
        ]);
    }

    [Fact]
    public void ProcessElement_RangeTwoSecondsPreceding_RowsWithinTheRangeAndStateFreedAfterwards()
    {
        using var driver = Driver(Range(2_000));

        driver.ProcessElement(Row("a", 1, 1)).ProcessElement(Row("a", 2, 2)).ProcessElement(Row("a", 4, 4)).ProcessElement(Row("a", 8, 4))
            .ProcessElement(Row("a", 16, 7)).Finish();

        Texts(driver.Values).ShouldBe([
            "+I[a, 1, 1970-01-01T00:00:01, 1, 1]",
            "+I[a, 2, 1970-01-01T00:00:02, 3, 2]",
            "+I[a, 4, 1970-01-01T00:00:04, 14, 8]",
            "+I[a, 8, 1970-01-01T00:00:04, 14, 8]",
            "+I[a, 16, 1970-01-01T00:00:07, 16, 16]",
        ]);
        driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void Restore_RowsOnePrecedingFromSnapshot_FrameAndBufferedRowsSurvive()
    {
        TestSnapshot snapshot;
        using (var before = Driver(Rows(1)))
        {
            before.ProcessElement(Row("a", 1, 1)).ProcessElement(Row("a", 2, 2)).ProcessWatermark(1_000);
            Texts(before.Values).ShouldBe(["+I[a, 1, 1970-01-01T00:00:01, 1, 1]"]);
            snapshot = before.Snapshot();
        }
        using var after = Driver(Rows(1), options: new JobOptions { Parallelism = 2 });

        after.InitializeState(snapshot).ProcessElement(Row("a", 4, 3)).Finish();

        Texts(after.Values).ShouldBe(["+I[a, 2, 1970-01-01T00:00:02, 3, 2]", "+I[a, 4, 1970-01-01T00:00:03, 6, 4]"]);
    }

    [Fact]
    public void Constructor_ProcessingTimeFrame_SqlExceptionNamingIt()
    {
        Should.Throw<SqlException>(() => new OverAggregateOperator(s_input, s_calls, new OverFrameSpec(2, true, 3, true)))
            .Message.ShouldBe("OVER aggregation ordered by a processing-time attribute (ROWS BETWEEN 3 PRECEDING AND CURRENT ROW ORDER BY $2) is not supported yet; order by an event-time attribute.");
    }

    [Fact]
    public void ProcessElement_RandomRowsAndFrames_TheNaiveFrameSums()
    {
        var frames = Gen.Select(Gen.Bool, Gen.Int[-1, 4]).Select(static t => new OverFrameSpec(2, t.Item1, t.Item2 < 0 ? OverFrameSpec.Unbounded : t.Item1 ? t.Item2 : t.Item2 * 1000, false));
        var rows = Gen.Select(Gen.Int[0, 1], Gen.Int[0, 20], Gen.Int[0, 6]).Array[1, 30];
        Gen.Select(frames, rows).Sample((frame, input) =>
        {
            using var driver = Driver(frame, calls: [Call(AggregateKind.Sum, "total", DataType.BigInt, 1), Call(AggregateKind.CountStar, "n", DataType.BigInt.NotNull())]);
            foreach (var (key, value, seconds) in input)
            {
                driver.ProcessElement(Row("k" + key, value, seconds));
            }
            driver.Finish();

            var expected = new List<(string, long, long, long, long)>();
            foreach (var partition in input.GroupBy(static r => r.Item1))
            {
                var ordered = partition.OrderBy(static r => r.Item3).ToList(); // stable: arrival order within a time
                for (var i = 0; i < ordered.Count; i++)
                {
                    var (key, value, seconds) = ordered[i];
                    IEnumerable<(int, int, int)> inFrame = frame.IsRows
                        ? ordered.Take(i + 1).Skip(frame.Preceding == OverFrameSpec.Unbounded ? 0 : Math.Max(0, i - (int)frame.Preceding))
                        : ordered.Where(r => r.Item3 <= seconds && (frame.Preceding == OverFrameSpec.Unbounded || r.Item3 * 1000L >= seconds * 1000L - frame.Preceding));
                    var members = inFrame.ToList();
                    expected.Add(("k" + key, value, seconds, members.Sum(static r => (long)r.Item2), members.Count));
                }
            }
            var actual = driver.Values.Select(static r => (r.GetString(0)!, r.GetInt64(1), (long)(r.GetTimestamp(2) - DateTime.UnixEpoch).TotalSeconds, r.GetInt64(3), r.GetInt64(4)));
            actual.Order().ToList().ShouldBe([.. expected.Select(static e => (e.Item1, e.Item2, e.Item3, e.Item4, e.Item5)).Order()], frame.ToString());
        }, iter: 150);
    }
}
