using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using static Sluice.Sql.Tests.Runtime.Rows;

namespace Sluice.Sql.Tests.Runtime;

/// <summary>
/// Random insert-only inputs (every row after the current watermark) and random bounds: once the watermark passes
/// everything, the output must equal the batch interval join of all rows, computed here by its definition, and no
/// output row may be behind the (delayed) output watermark.
/// </summary>
public sealed class IntervalJoinPropertyTests
{
    private static readonly Schema s_left = Schema.Parse("k INT, lt TIMESTAMP(3)");
    private static readonly Schema s_right = Schema.Parse("k INT, rt TIMESTAMP(3)");

    private static DateTime T(long ms) => DateTime.UnixEpoch.AddMilliseconds(ms);

    [Fact]
    public void RandomInputs_AfterTheLastWatermark_EqualTheBatchIntervalJoin()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var kind = (JoinKind)random.Next(4);
            long lower = random.Next(-3, 2) * 500;
            var upper = lower + (random.Next(0, 7) * 500);
            var spec = new IntervalJoinSpec(s_left, s_right, [0], [0], kind, 1, 1, lower, upper);
            var events = new List<(bool IsWatermark, long Time)>();
            using var join = new TwoInputHarness(
                (l, r) => IntervalJoinOperator.Apply(l, r, spec).Transform("Recorder", () => new WatermarkRecorder(events)).SetParallelism(1),
                parallelism: 1 + random.Next(2));
            var left = new List<(int? Key, long Time)>();
            var right = new List<(int? Key, long Time)>();
            long watermark = 0;
            for (var step = 0; step < 40; step++)
            {
                if (random.Next(5) == 0)
                {
                    watermark += random.Next(1, 6) * 250;
                    join.Watermark(watermark);
                    continue;
                }
                int? key = random.Next(8) == 0 ? null : random.Next(3);
                var time = watermark + 1 + (random.Next(0, 12) * 250);
                if (random.Next(2) == 0)
                {
                    left.Add((key, time));
                    join.PushLeft(Insert(s_left, key, T(time)), time);
                }
                else
                {
                    right.Add((key, time));
                    join.PushRight(Insert(s_right, key, T(time)), time);
                }
            }
            join.Watermark(watermark + 1_000_000);

            Materialize(join.Timestamped.Select(t => t.Value)).ShouldBe(BatchJoin(spec, left, right), $"{kind} [{lower}, {upper}] seed {seed}");
            WatermarkRecorder.LateRows(events).ShouldBeEmpty($"no output row is behind the output watermark; {kind} [{lower}, {upper}] seed {seed}");
        }, iter: 150);
    }

    private static List<string> BatchJoin(IntervalJoinSpec spec, List<(int? Key, long Time)> left, List<(int? Key, long Time)> right)
    {
        var output = spec.Output;
        bool Matches((int? Key, long Time) l, (int? Key, long Time) r) =>
            l.Key is not null && l.Key == r.Key && l.Time - r.Time >= spec.LowerBoundMs && l.Time - r.Time <= spec.UpperBoundMs;
        var result = new List<string>();
        foreach (var l in left)
        {
            foreach (var r in right.Where(r => Matches(l, r)))
            {
                result.Add(Content(Row.Of(output, l.Key, T(l.Time), r.Key, T(r.Time))));
            }
            if (spec.Kind is JoinKind.Left or JoinKind.Full && !right.Any(r => Matches(l, r)))
            {
                result.Add(Content(Row.Of(output, l.Key, T(l.Time), null, null)));
            }
        }
        if (spec.Kind is JoinKind.Right or JoinKind.Full)
        {
            foreach (var r in right.Where(r => !left.Any(l => Matches(l, r))))
            {
                result.Add(Content(Row.Of(output, null, null, r.Key, T(r.Time))));
            }
        }
        return [.. result.Order(StringComparer.Ordinal)];
    }
}
