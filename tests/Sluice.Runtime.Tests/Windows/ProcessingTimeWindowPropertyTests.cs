using CsCheck;
using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Windows;

/// <summary>
/// Processing-time tumbling and sliding windows against a brute-force model: random keys arriving while the test clock
/// advances in random steps (small ones that land on window ends, jumps over several windows), also snapshotted and
/// restored into a new driver at a random step; at the end no pane and no timer may be left. Sliding windows have 1 to
/// 8 panes per slide and up to 141 panes per window, so the timers' pane hints (at most 64 panes) are shifted, masked
/// and, past 64 panes, not used. Runs on every state backend (the nested <see cref="Heap"/> and
/// <see cref="RocksDb"/>); RocksDB runs fewer cases, each opening databases.
/// </summary>
/// <remarks>
/// A record arriving when the clock is at end − 1 of a window that already fired fires it again at once. Tumbling, it
/// fires with that record alone (as <see cref="ProcessingTimeWindowTests"/> pins); sliding, the operator counts the
/// window's panes after its first slide (records it already emitted) and not those of its first slide, which the
/// firing released. That count is left open here (any count matches, the firing must be there) until it is settled.
/// </remarks>
public abstract class ProcessingTimeWindowPropertyTests : BackendSuite
{
    /// <summary>One step of a run: a record of <c>Key</c> at the current clock or, when <c>Key</c> is null, the clock moving forward by <c>Advance</c> ms.</summary>
    public sealed record Step(string? Key, long Advance);

    /// <summary>Tumbling (<c>Slide == Size</c>, built with <see cref="TumblingProcessingTimeWindows"/>) or sliding windows.</summary>
    public sealed record Case(long Size, long Slide, long Offset, List<Step> Steps, int SnapshotAt)
    {
        public override string ToString() =>
            $"size {Size} slide {Slide} offset {Offset} snapshot@{SnapshotAt}: " +
            string.Join(' ', Steps.Select(s => s.Key is null ? $"+{s.Advance}" : s.Key));
    }

    /// <summary>Records of four keys; the clock moves by 1–4 ms (often onto a window's end − 1) or jumps up to <paramref name="jump"/> ms.</summary>
    private static Gen<List<Step>> Steps(long jump) => Gen.Int[1, 60].SelectMany(n =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 3], Gen.Long[1, jump]).Array[n].Select(raw =>
            raw.Select(r => r.Item1 switch
            {
                0 => new Step(null, r.Item3),
                1 => new Step(null, 1 + (r.Item3 % 4)),
                _ => new Step(((char)('a' + r.Item2)).ToString(), 0),
            }).ToList()));

    private static readonly Gen<Case> s_tumbling =
        Gen.Select(Gen.Int[1, 12], Gen.Int[0, 11], Gen.Int[0, 60])
            .SelectMany((size, offset, at) => Steps(size * 3).Select(steps => new Case(size, size, offset % size, steps, at % (steps.Count + 1))));

    /// <summary>As <see cref="WindowPropertyTests"/>' many-pane cases: size m·p, slide k·p (1–8 panes per slide, pane p·gcd(m, k)).</summary>
    private static readonly Gen<Case> s_sliding =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 8], Gen.Int[0, 133], Gen.Int[0, 23], Gen.Int[0, 60])
            .SelectMany((pane, perSlide, more, offset, at) =>
            {
                var slide = (long)pane * perSlide;
                var size = slide + (long)pane * more;
                return Steps(size * 2).Select(steps => new Case(size, slide, offset % slide, steps, at % (steps.Count + 1)));
            });

    /// <summary>Random cases per property without snapshots; the snapshot-and-restore properties run two thirds as many.</summary>
    protected virtual int Iterations => 300;

    private OperatorTestDriver<Ev, Win> Driver(Case c) =>
        new(s => s.KeyBy(e => e.Key)
            .Window(c.Slide == c.Size
                ? TumblingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(c.Size), TimeSpan.FromMilliseconds(c.Offset))
                : SlidingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(c.Size), TimeSpan.FromMilliseconds(c.Slide), TimeSpan.FromMilliseconds(c.Offset)))
            .Aggregate(new CountAggregate<Ev>(), (k, w, n) => new Win(k, w.Start, w.End, n)), Options());

    /// <summary>Runs the case on the operator, restoring into a new driver at <c>SnapshotAt</c> when <paramref name="restore"/>.</summary>
    private List<string> Run(Case c, bool restore)
    {
        var output = new List<string>();
        var driver = Driver(c);
        driver.Clock.GetUtcNow().ShouldBe(DateTimeOffset.UnixEpoch, "the model starts the clock at 0");
        var now = 0L;
        try
        {
            for (var i = 0; i < c.Steps.Count; i++)
            {
                if (restore && i == c.SnapshotAt)
                {
                    var snapshot = driver.Snapshot();
                    Collect();
                    driver.Dispose();
                    driver = Driver(c);
                    driver.InitializeState(snapshot);
                }
                var step = c.Steps[i];
                if (step.Key is null)
                {
                    driver.AdvanceProcessingTime(TimeSpan.FromMilliseconds(step.Advance));
                    now += step.Advance;
                    driver.Output.ShouldAllBe(o => o.Timestamp <= now, "a window fired before the clock reached its end − 1");
                }
                else
                {
                    // The event timestamp is irrelevant to processing-time windows: give one far from the clock.
                    driver.ProcessElement(new Ev(step.Key, 1_000_000 - i), 1_000_000 - i);
                }
            }
            driver.Finish();
            driver.KeyedStateSize().ShouldBe((0, 0), "every pane and timer is released once every window fired");
            Collect();
        }
        finally
        {
            driver.Dispose();
        }
        output.Sort(StringComparer.Ordinal);
        return output;

        void Collect() => output.AddRange(driver.Output.Select(o => $"{o.Value.Key}[{o.Value.Start},{o.Value.End})={o.Value.Count}@{o.Timestamp}"));
    }

    /// <summary>
    /// Brute force over windows, by Flink's processing-time semantics: a record belongs to every window containing the
    /// clock at its arrival; nothing is late. A window fires with its key's count when the clock reaches its end − 1
    /// (at the end of input, every window not fired yet fires). A record arriving when the clock is at a window's
    /// end − 1, after the window fired, fires that window again at once, with the records it got since it fired.
    /// </summary>
    private static List<string> Model(Case c)
    {
        var output = new List<string>();
        var records = new List<(string Key, long T)>();
        var now = 0L;
        IEnumerable<long> StartsOf(long t)
        {
            for (var s = t - c.Size - c.Slide; s <= t; s++)
            {
                if (((s - c.Offset) % c.Slide + c.Slide) % c.Slide == 0 && t < s + c.Size)
                {
                    yield return s;
                }
            }
        }
        void Fire(string key, long start, long? count) => output.Add($"{key}[{start},{start + c.Size})={count?.ToString() ?? "?"}@{start + c.Size - 1}");
        long Count(string key, long start) => records.Count(r => r.Key == key && r.T >= start && r.T < start + c.Size);
        void Advance(long to)
        {
            foreach (var (key, start) in records.SelectMany(r => StartsOf(r.T).Select(s => (r.Key, s))).Distinct())
            {
                var maxTs = start + c.Size - 1;
                if (maxTs > now && maxTs <= to)
                {
                    Fire(key, start, Count(key, start));
                }
            }
            now = to;
        }

        foreach (var step in c.Steps)
        {
            if (step.Key is null)
            {
                Advance(now + step.Advance);
                continue;
            }
            records.Add((step.Key, now));
            foreach (var start in StartsOf(now).Where(s => s + c.Size - 1 == now))
            {
                // The clock is at its end − 1: it fired (or had nothing for the key) before this record. A tumbling
                // window fires with the record alone; a sliding one's count is not pinned (see the class remarks).
                Fire(step.Key, start, c.Slide == c.Size ? 1 : null);
            }
        }
        Advance(long.MaxValue - 1);
        output.Sort(StringComparer.Ordinal);
        return output;
    }

    /// <summary>The output must equal the model's, a firing whose count the model leaves open (<c>=?@</c>) matching any count.</summary>
    private void Check(Case c, bool restore)
    {
        var output = Run(c, restore);
        var expected = Model(c);
        var open = expected.Where(e => e.Contains("=?@", StringComparison.Ordinal)).ToList();
        var unmatched = new List<string>();
        foreach (var o in output)
        {
            if (!expected.Remove(o))
            {
                unmatched.Add(o);
            }
        }
        // What is left on both sides: the open firings, and operator firings each of which must take one of them.
        expected.ShouldBe(open, "a firing of the model is missing from the output: " + c);
        foreach (var o in unmatched)
        {
            var eq = o.IndexOf('=', StringComparison.Ordinal);
            var at = o.IndexOf('@', StringComparison.Ordinal);
            open.Remove($"{o[..eq]}=?{o[at..]}").ShouldBeTrue($"{o} is not in the model: {c}\nmodel: {string.Join(' ', Model(c))}\noutput: {string.Join(' ', output)}");
        }
        open.ShouldBeEmpty($"the window fired again too few times: {c}");
    }

    [Fact]
    public void Tumbling_MatchTheModel() => s_tumbling.Sample(c => Check(c, restore: false), iter: Iterations);

    [Fact]
    public void Tumbling_SnapshotAndRestoreAnywhere_MatchTheModel() => s_tumbling.Sample(c => Check(c, restore: true), iter: Iterations * 2 / 3);

    [Fact]
    public void SlidingOfManyPanes_MatchTheModel() => s_sliding.Sample(c => Check(c, restore: false), iter: Iterations);

    [Fact]
    public void SlidingOfManyPanes_SnapshotAndRestoreAnywhere_MatchTheModel() => s_sliding.Sample(c => Check(c, restore: true), iter: Iterations * 2 / 3);

    public sealed class Heap : ProcessingTimeWindowPropertyTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    /// <summary>Every case opens one or two RocksDB databases: a tenth of the heap's cases keeps this to a few seconds.</summary>
    public sealed class RocksDb : ProcessingTimeWindowPropertyTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;

        protected override int Iterations => 30;
    }
}
