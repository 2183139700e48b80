using CsCheck;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.Sql.Runtime;
using Sluice.Testing;
using static Sluice.Sql.Tests.Runtime.Aggregation.Aggregates;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary>
/// Random out-of-order rows and watermarks through <see cref="WindowAggregateOperator"/>: the emitted windows equal a
/// naive model that drops a row when its earliest window has fired and otherwise counts it in every window containing it,
/// and no state is left once every window fired. HOP windows here are sliced (COUNT and SUM over insert-only rows).
/// </summary>
public sealed class WindowAggregatePropertyTests
{
    private static readonly Schema s_input = Schema.Parse("k STRING, v BIGINT, ts TIMESTAMP(3)");
    private static readonly AggregateCall[] s_calls = [Call(AggregateKind.CountStar, "cnt", DataType.BigInt.NotNull()), Call(AggregateKind.Sum, "total", DataType.BigInt, 1)];

    // (kind, size / slide, slide, offset: TUMBLE and HOP windows shifted by up to one period)
    private static readonly Gen<WindowSpec> s_specs = Gen.Select(Gen.Int[0, 2], Gen.Int[1, 4], Gen.Int[2, 10], Gen.Int[0, 39]).Select(static t => t.Item1 switch
    {
        0 => new WindowSpec(WindowKind.Tumble, 2, t.Item2 * t.Item3, 0, t.Item4 % (t.Item2 * t.Item3), false),
        1 => new WindowSpec(WindowKind.Hop, 2, t.Item2 * t.Item3, t.Item3, t.Item4 % t.Item3, false),
        _ => new WindowSpec(WindowKind.Cumulate, 2, t.Item2 * t.Item3, t.Item3, 0, false),
    });

    // (0: advance the watermark by Value, else a row of key Key at time Time with value Value)
    private static readonly Gen<(int Action, int Key, int Value, int Time)[]> s_steps = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 1], Gen.Int[0, 9], Gen.Int[0, 80]).Array[1, 40];

    [Fact]
    public void ProcessElement_RandomRowsAndWatermarks_TheWindowsOfTheNaiveModel()
    {
        Gen.Select(s_specs, s_steps).Sample((spec, steps) =>
        {
            var expected = new Dictionary<(string Key, long Start, long End), (long Count, long Sum)>();
            var late = 0;
            var watermark = long.MinValue;
            var windows = new SqlWindow[WindowAssignment.MaxWindowsPerRow(spec)];
            var operators = new List<WindowAggregateOperator>();
            using var driver = new OperatorTestDriver<Row, Row>(rows => rows.KeyBy(WindowAggregateOperatorBase.KeySelector(s_input, [0]))
                .Transform("WindowAggregate", () =>
                {
                    var op = new WindowAggregateOperator(s_input, [0], s_calls, spec, false);
                    operators.Add(op);
                    return op;
                }));
            foreach (var (action, keyIndex, value, time) in steps)
            {
                if (action == 0)
                {
                    watermark = Math.Max(watermark, 0) + value;
                    driver.ProcessWatermark(watermark);
                    continue;
                }
                var key = "k" + keyIndex;
                driver.ProcessElement(Insert(s_input, key, (long)value, DateTime.UnixEpoch.AddMilliseconds(time)));
                // The model: every window whose start ≤ time < end, found by trying each start.
                var containing = new List<(long Start, long End)>();
                for (var start = time - spec.SizeMillis; start <= time; start++)
                {
                    var period = spec.Kind == WindowKind.Hop ? spec.SlideMillis : spec.SizeMillis;
                    if (((start - spec.OffsetMillis) % period + period) % period != 0)
                    {
                        continue;
                    }
                    if (spec.Kind == WindowKind.Cumulate)
                    {
                        for (var end = start + spec.SlideMillis; end <= start + spec.SizeMillis; end += spec.SlideMillis)
                        {
                            if (start <= time && time < end)
                            {
                                containing.Add((start, end));
                            }
                        }
                    }
                    else if (time < start + spec.SizeMillis)
                    {
                        containing.Add((start, start + spec.SizeMillis));
                    }
                }
                if (containing.Min(static w => w.End) - 1 <= watermark)
                {
                    late++;
                    continue;
                }
                foreach (var (start, end) in containing)
                {
                    var current = expected.GetValueOrDefault((key, start, end));
                    expected[(key, start, end)] = (current.Count + 1, current.Sum + value);
                }
            }
            driver.Finish();
            driver.KeyedStateSize().ShouldBe((0, 0), "every window fired and dropped its state");

            var actual = driver.Values.Select(static r => (
                r.GetString(0)!, (long)(r.GetTimestamp(3) - DateTime.UnixEpoch).TotalMilliseconds, (long)(r.GetTimestamp(4) - DateTime.UnixEpoch).TotalMilliseconds,
                r.GetInt64(1), r.GetInt64(2))).Order().ToList();
            actual.ShouldBe([.. expected.Select(static e => (e.Key.Key, e.Key.Start, e.Key.End, e.Value.Count, e.Value.Sum)).Order()], spec.ToString());
            operators.Sum(static o => o.LateRowsDropped).ShouldBe(late);
        }, iter: 100);
    }
}
