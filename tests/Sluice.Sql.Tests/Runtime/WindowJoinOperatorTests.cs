using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Rows;

namespace Sluice.Sql.Tests.Runtime;

/// <summary>Window joins of two TUMBLE outputs (10 s windows) on <c>id</c>.</summary>
public sealed class WindowJoinOperatorTests
{
    private static readonly Schema s_left = Schema.Parse("id INT, ws TIMESTAMP(3), we TIMESTAMP(3), lv STRING");
    private static readonly Schema s_right = Schema.Parse("id INT, ws TIMESTAMP(3), we TIMESTAMP(3), rv STRING");

    private static DateTime T(int seconds) => DateTime.UnixEpoch.AddSeconds(seconds);

    private static WindowJoinSpec Spec(JoinKind kind) => new(s_left, s_right, [0], [0], kind, 1, 2, 1, 2);

    private static TwoInputHarness Harness(JoinKind kind, int parallelism = 1) =>
        new((l, r) => WindowJoinOperator.Apply(l, r, Spec(kind)), parallelism);

    private static Row L(int? id, int start, string value) => Insert(s_left, id, T(start), T(start + 10), value);

    private static Row R(int? id, int start, string value) => Insert(s_right, id, T(start), T(start + 10), value);

    [Fact]
    public void Full_WindowFiresAtItsEnd_WithPairsThenPaddedRows()
    {
        using var join = Harness(JoinKind.Full);

        join.PushLeft(L(1, 0, "a")).PushLeft(L(2, 0, "b")).PushRight(R(1, 0, "x")).PushRight(R(3, 0, "y"))
            .PushLeft(L(1, 10, "c"))
            .Watermark(9_998);
        join.Output.ShouldBeEmpty();

        join.Watermark(9_999);

        join.Output.ShouldBe(
        [
            "+I[1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, a, 1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, x]",
            "+I[2, 1970-01-01T00:00:00, 1970-01-01T00:00:10, b, null, null, null, null]",
            "+I[null, null, null, null, 3, 1970-01-01T00:00:00, 1970-01-01T00:00:10, y]",
        ]);
        join.Timestamped.Select(t => t.Timestamp).Distinct().ShouldBe([9_999L]);
    }

    [Fact]
    public void Inner_RowsOfDifferentWindows_DoNotJoin()
    {
        using var join = Harness(JoinKind.Inner);

        join.PushLeft(L(1, 0, "a")).PushRight(R(1, 10, "x")).PushRight(R(1, 0, "y")).Watermark(30_000);

        join.Output.ShouldBe(["+I[1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, a, 1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, y]"]);
        join.Driver.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void Semi_EachLeftRowWithAMatchOnce_AntiTheOthers()
    {
        using var semi = Harness(JoinKind.Semi);
        using var anti = Harness(JoinKind.Anti);

        foreach (var join in new[] { semi, anti })
        {
            join.PushLeft(L(1, 0, "a")).PushLeft(L(2, 0, "b")).PushRight(R(1, 0, "x")).PushRight(R(1, 0, "y")).Watermark(9_999);
        }

        semi.Output.ShouldBe(["+I[1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, a]"]);
        anti.Output.ShouldBe(["+I[2, 1970-01-01T00:00:00, 1970-01-01T00:00:10, b]"]);
    }

    [Fact]
    public void LateRow_GoesToTheLateSideOutput()
    {
        var late = new OutputTag<Row>("late-left");
        using var driver = new JobTestDriver(new JobOptions { Parallelism = 1 });
        var left = driver.CreateInput<Row>(name: "Left");
        var right = driver.CreateInput<Row>(name: "Right");
        var joined = WindowJoinOperator.Apply(left.Stream, right.Stream, Spec(JoinKind.Left) with { LateLeftRows = late });
        var output = joined.Collect("Output");
        var lateRows = joined.GetSideOutput(late).Collect("Late");

        left.PushWatermark(10_000);
        right.PushWatermark(10_000);
        left.Push(L(1, 0, "too late"), 5_000);
        driver.RunUntilIdle();

        output.Items.ShouldBeEmpty();
        lateRows.Items.Select(r => r.ToString()).ShouldBe(["+I[1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, too late]"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SnapshotAndRestore_KeepsPendingWindows(int parallelism)
    {
        TestSnapshot snapshot;
        using (var before = Harness(JoinKind.Left))
        {
            before.PushLeft(L(1, 0, "a")).PushLeft(L(2, 0, "b"));
            snapshot = before.Driver.Snapshot();
        }
        using var after = Harness(JoinKind.Left, parallelism);
        after.Driver.InitializeState(snapshot);

        after.PushRight(R(1, 0, "x")).Watermark(9_999);

        after.Output.Order(StringComparer.Ordinal).ShouldBe(
        [
            "+I[1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, a, 1, 1970-01-01T00:00:00, 1970-01-01T00:00:10, x]",
            "+I[2, 1970-01-01T00:00:00, 1970-01-01T00:00:10, b, null, null, null, null]",
        ]);
    }

    [Fact]
    public void RandomInputs_EqualTheBatchJoinOfEachWindow()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var kind = (JoinKind)random.Next(6);
            var spec = Spec(kind);
            using var join = new TwoInputHarness((l, r) => WindowJoinOperator.Apply(l, r, spec), parallelism: 1 + random.Next(2));
            var lefts = new List<Row>();
            var rights = new List<Row>();
            var firstOpenWindow = 0;
            for (var step = 0; step < 40; step++)
            {
                if (random.Next(6) == 0)
                {
                    firstOpenWindow++;
                    join.Watermark((firstOpenWindow * 10_000) - 1);
                    continue;
                }
                int? id = random.Next(8) == 0 ? null : random.Next(3);
                var start = (firstOpenWindow + random.Next(3)) * 10;
                if (random.Next(2) == 0)
                {
                    var row = L(id, start, "l" + step);
                    lefts.Add(row);
                    join.PushLeft(row);
                }
                else
                {
                    var row = R(id, start, "r" + step);
                    rights.Add(row);
                    join.PushRight(row);
                }
            }
            join.Watermark(1_000_000);

            Materialize(join.Timestamped.Select(t => t.Value)).ShouldBe(BatchJoin(spec, lefts, rights), $"{kind} seed {seed}");
        }, iter: 150);
    }

    private static List<string> BatchJoin(WindowJoinSpec spec, List<Row> lefts, List<Row> rights)
    {
        var output = spec.Output;
        static bool Matches(Row l, Row r) => l.GetValue(0) is int id && Equals(id, r.GetValue(0)) && Equals(l.GetValue(1), r.GetValue(1));
        string Joined(Row? l, Row? r) => Content(Row.Of(output, [.. Values(l, 4), .. Values(r, 4)]));
        var result = new List<string>();
        foreach (var l in lefts)
        {
            var matches = rights.Where(r => Matches(l, r)).ToList();
            switch (spec.Kind)
            {
                case JoinKind.Semi when matches.Count > 0:
                case JoinKind.Anti when matches.Count == 0:
                    result.Add(Content(l));
                    break;
                case JoinKind.Semi or JoinKind.Anti:
                    break;
                default:
                    result.AddRange(matches.Select(r => Joined(l, r)));
                    if (matches.Count == 0 && spec.Kind is JoinKind.Left or JoinKind.Full)
                    {
                        result.Add(Joined(l, null));
                    }
                    break;
            }
        }
        if (spec.Kind is JoinKind.Right or JoinKind.Full)
        {
            result.AddRange(rights.Where(r => !lefts.Any(l => Matches(l, r))).Select(r => Joined(null, r)));
        }
        return [.. result.Order(StringComparer.Ordinal)];
    }

    private static object?[] Values(Row? row, int count) => row is null ? new object?[count] : [.. Enumerable.Range(0, count).Select(row.GetValue)];
}
