using CsCheck;
using Sluice.Quality.Rules;

namespace Sluice.Quality.Tests;

/// <summary>
/// The volume rule's window counts against a plain model of its contract, on generated streams of out-of-order and late
/// records, watermarks, and checkpoints restored into a fresh check. The rule is given bounds no count meets, so every
/// window it judges is reported with its count.
/// </summary>
public class VolumePropertyTests
{
    public sealed record Reading(long Ts);

    private const long Window = 100;

    /// <summary>One step: a record at a time, a watermark (advanced by <c>Value</c>), or a snapshot restored into a new check.</summary>
    private readonly record struct Step(int Kind, long Value);

    private static readonly Gen<Step> s_step = Gen.Frequency(
        (12, Gen.Long[0, 1_000].Select(t => new Step(0, t))),
        (3, Gen.Long[0, 150].Select(d => new Step(1, d))),
        (1, Gen.Const(new Step(2, 0))));

    [Fact]
    public void Volume_CountsPerWindow_AgreeWithTheModelAcrossLateRecordsAndRestores() =>
        s_step.Array[0, 200].Sample(steps =>
        {
            StreamRule<Reading>[] rules = [new VolumeRule<Reading>("volume", TimeSpan.FromMilliseconds(Window), long.MaxValue, long.MaxValue, 0, 1, RuleAction.Warn)];
            var check = rules[0].CreateCheck();
            var verdicts = new Verdicts();
            var model = new Model();
            long watermark = -1;
            foreach (var step in steps)
            {
                switch (step.Kind)
                {
                    case 0:
                        check.Observe(step.Value);
                        model.Observe(step.Value);
                        break;
                    case 1:
                        watermark += step.Value;
                        check.OnWatermark(watermark, verdicts);
                        model.OnWatermark(watermark);
                        break;
                    default:
                        var state = StreamRuleState.Write(rules, [check]);
                        check = rules[0].CreateCheck();
                        StreamRuleState.Restore([state], rules, [check], "readings");
                        break;
                }
            }
            check.EndInput(verdicts);
            model.OnWatermark(long.MaxValue);
            verdicts.Judged.ShouldBe(model.Judged);
        }, iter: 300);

    /// <summary>
    /// The contract, written plainly: a record counts in the window of its event time unless that window is older than the
    /// first window or was judged already; a watermark judges, in order, every window from the first up to the latest
    /// window with a record whose last millisecond it reached.
    /// </summary>
    private sealed class Model
    {
        private readonly Dictionary<long, long> _counts = [];
        private long? _next;
        private long _latest = long.MinValue;

        public List<(long Start, double Count)> Judged { get; } = [];

        public void Observe(long time)
        {
            var start = time / Window * Window;
            _next ??= start;
            if (start < _next)
            {
                return;
            }
            _latest = Math.Max(_latest, start);
            _counts[start] = _counts.GetValueOrDefault(start) + 1;
        }

        public void OnWatermark(long watermark)
        {
            while (_next is { } next && next <= _latest && (watermark == long.MaxValue || next + Window - 1 <= watermark))
            {
                Judged.Add((next, _counts.GetValueOrDefault(next)));
                _next = next + Window;
            }
        }
    }

    private sealed class Verdicts : IStreamVerdicts
    {
        public List<(long Start, double Count)> Judged { get; } = [];

        public void Pass() => throw new InvalidOperationException("No count meets the bounds, so no window passes.");

        public void Fail(long start, long end, double observed, string reason) => Judged.Add((start, observed));
    }
}
