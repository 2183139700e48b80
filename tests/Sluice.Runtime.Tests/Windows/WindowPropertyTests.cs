using CsCheck;
using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Windows;

/// <summary>
/// Window semantics against a plain reference model: random keys, timestamps (out of order), watermarks, assigners
/// and allowed lateness; the operator's output (main and late) must equal what the model computes by brute force,
/// also when the operator is snapshotted and restored into a new driver at a random point; aligned windows must hold
/// no pane and no timer at the end. Runs on every state
/// backend (the nested <see cref="Heap"/> and <see cref="RocksDb"/>); RocksDB runs fewer cases, each opening databases.
/// </summary>
public abstract class WindowPropertyTests : BackendSuite
{
    private static readonly OutputTag<Ev> s_late = new("late");

    /// <summary>One step of a run: a record (key, timestamp) or, when <c>Key</c> is null, a watermark at <c>Time</c>.</summary>
    public sealed record Step(string? Key, long Time);

    /// <summary>A window assigner: tumbling/sliding (Gap 0) or session (Size 0).</summary>
    public sealed record Case(long Size, long Slide, long Offset, long Gap, long Lateness, List<Step> Steps, int SnapshotAt)
    {
        public override string ToString() =>
            $"{(Gap > 0 ? $"session gap {Gap}" : $"size {Size} slide {Slide} offset {Offset}")} lateness {Lateness} snapshot@{SnapshotAt}: " +
            string.Join(' ', Steps.Select(s => s.Key is null ? $"W{s.Time}" : $"{s.Key}{s.Time}"));
    }

    private static readonly Gen<List<Step>> s_steps = Gen.Int[1, 60].SelectMany(n =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 3], Gen.Int[-12, 6]).Array[n].Select(raw =>
        {
            // Time moves forward in small steps; records land around it (out of order), watermarks trail it.
            var steps = new List<Step>();
            var now = 0L;
            var watermark = long.MinValue;
            foreach (var (kind, key, jitter) in raw)
            {
                now += kind;
                if (kind == 0 && now - 3 > watermark)
                {
                    watermark = now - 3;
                    steps.Add(new Step(null, watermark));
                }
                else
                {
                    steps.Add(new Step(((char)('a' + key)).ToString(), Math.Max(0, now + jitter)));
                }
            }
            return steps;
        }));

    private static readonly Gen<Case> s_aligned =
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 4], Gen.Int[0, 3], Gen.Int[0, 6], s_steps, Gen.Int[0, 60])
            .Select((a, b, offset, lateness, steps, at) =>
            {
                var slide = (long)Math.Min(a, b) * 2;
                var size = slide * (Math.Max(a, b) % 3 + 1) + (a == b ? 0 : slide / 2);
                return new Case(size, slide, offset % slide, 0, lateness, steps, at % (steps.Count + 1));
            });

    /// <summary>
    /// Sliding windows of many panes (up to 141, so also past the 64 a timer's hint covers) and of 1 to 8 panes per slide
    /// (size m·p, slide k·p: the pane is p·gcd(m, k)): a key's panes lie sparse in its windows, so each firing reads only
    /// the panes its timer's hint names, and hands on to the next window's timer the ones it keeps (a shift by the
    /// panes of a slide).
    /// </summary>
    private static readonly Gen<Case> s_manyPanes =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 8], Gen.Int[0, 133], Gen.Int[0, 23], Gen.Int[0, 6], s_steps, Gen.Int[0, 60])
            .Select((pane, perSlide, more, offset, lateness, steps, at) =>
            {
                var slide = (long)pane * perSlide;
                var size = slide + (long)pane * more;
                return new Case(size, slide, offset % slide, 0, lateness, steps, at % (steps.Count + 1));
            });

    private static readonly Gen<Case> s_session =
        Gen.Select(Gen.Int[1, 8], Gen.Int[0, 6], s_steps, Gen.Int[0, 60])
            .Select((gap, lateness, steps, at) => new Case(0, 0, 0, gap, lateness, steps, at % (steps.Count + 1)));

    /// <summary>Random cases per property without snapshots; the snapshot-and-restore properties run two thirds as many.</summary>
    protected virtual int Iterations => 300;

    private OperatorTestDriver<Ev, Win> Driver(Case c) =>
        new(s =>
        {
            var keyed = s.KeyBy(e => e.Key);
            var windowed = c.Gap > 0
                ? keyed.Window(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(c.Gap)))
                : keyed.Window(SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(c.Size), TimeSpan.FromMilliseconds(c.Slide), TimeSpan.FromMilliseconds(c.Offset)));
            return windowed.AllowedLateness(TimeSpan.FromMilliseconds(c.Lateness)).SideOutputLateData(s_late)
                .Aggregate(new CountAggregate<Ev>(), (k, w, n) => new Win(k, w.Start, w.End, n));
        }, Options());

    /// <summary>Runs the case on the operator, restoring into a new driver at <c>SnapshotAt</c> when <paramref name="restore"/>.</summary>
    private (List<string> Output, List<string> Late) Run(Case c, bool restore)
    {
        var output = new List<string>();
        var late = new List<string>();
        var driver = Driver(c);
        var lateSink = driver.SideOutput(s_late);
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
                    lateSink = driver.SideOutput(s_late);
                    driver.InitializeState(snapshot);
                }
                var step = c.Steps[i];
                if (step.Key is null)
                {
                    driver.ProcessWatermark(step.Time);
                    driver.Output.ShouldAllBe(o => o.Timestamp <= step.Time, "a window fired before the watermark reached its end");
                }
                else
                {
                    driver.ProcessElement(new Ev(step.Key, step.Time), step.Time);
                }
            }
            driver.Finish();
            if (c.Gap == 0)
            {
                driver.KeyedStateSize().ShouldBe((0, 0), "every pane and timer is released once every window is past its lateness");
            }
            Collect();
        }
        finally
        {
            driver.Dispose();
        }
        output.Sort(StringComparer.Ordinal);
        late.Sort(StringComparer.Ordinal);
        return (output, late);

        void Collect()
        {
            output.AddRange(driver.Output.Select(o => $"{o.Value.Key}[{o.Value.Start},{o.Value.End})={o.Value.Count}@{o.Timestamp}"));
            late.AddRange(lateSink.TimestampedItems.Select(l => $"{l.Value.Key}{l.Value.Ts}"));
        }
    }

    /// <summary>
    /// Brute force over windows: a record is late when its last window is past its lateness at arrival; otherwise it
    /// counts in every window containing it. A window fires with its count when the watermark reaches its end − 1,
    /// and again for each record arriving while it is within its lateness.
    /// </summary>
    private static (List<string> Output, List<string> Late) AlignedModel(Case c)
    {
        var output = new List<string>();
        var late = new List<string>();
        var accepted = new List<(string Key, long T)>();
        var watermark = long.MinValue;
        IEnumerable<long> StartsOf(long t)
        {
            for (var s = t - c.Size - c.Slide; s <= t; s++)
            {
                if (((s - c.Offset) % c.Slide + c.Slide) % c.Slide == 0 && s <= t && t < s + c.Size)
                {
                    yield return s;
                }
            }
        }
        long Count(string key, long start) => accepted.Count(r => r.Key == key && r.T >= start && r.T < start + c.Size);
        void Fire(string key, long start) => output.Add($"{key}[{start},{start + c.Size})={Count(key, start)}@{start + c.Size - 1}");

        foreach (var step in c.Steps.Append(new Step(null, long.MaxValue)))
        {
            if (step.Key is null)
            {
                if (step.Time <= watermark)
                {
                    continue;
                }
                foreach (var (key, start) in accepted.SelectMany(r => StartsOf(r.T).Select(s => (r.Key, s))).Distinct())
                {
                    var maxTs = start + c.Size - 1;
                    if (maxTs > watermark && maxTs <= step.Time)
                    {
                        Fire(key, start);
                    }
                }
                watermark = step.Time;
                continue;
            }
            var lastStart = StartsOf(step.Time).Max();
            if (lastStart + c.Size - 1 + c.Lateness <= watermark)
            {
                late.Add($"{step.Key}{step.Time}");
                continue;
            }
            accepted.Add((step.Key, step.Time));
            foreach (var start in StartsOf(step.Time))
            {
                var maxTs = start + c.Size - 1;
                if (maxTs <= watermark && maxTs + c.Lateness > watermark)
                {
                    Fire(step.Key, start);
                }
            }
        }
        output.Sort(StringComparer.Ordinal);
        late.Sort(StringComparer.Ordinal);
        return (output, late);
    }

    /// <summary>
    /// Brute force over sessions: after each step, a key's sessions are its accepted records cut where the next one is
    /// more than the gap after the previous one. A record is late when the session it would join is past its
    /// lateness; a session fires (once) when the watermark reaches its end − 1 and fires again, grown, for each record
    /// that joins it while it is within its lateness; a fired session past its lateness is forgotten.
    /// </summary>
    private static (List<string> Output, List<string> Late) SessionModel(Case c)
    {
        var output = new List<string>();
        var late = new List<string>();
        // Per key: live sessions as (start, end, count, fired); records in a dropped session are forgotten.
        var sessions = new Dictionary<string, List<(long Start, long End, long Count, bool Fired)>>();
        var watermark = long.MinValue;
        foreach (var step in c.Steps.Append(new Step(null, long.MaxValue)))
        {
            if (step.Key is null)
            {
                if (step.Time <= watermark)
                {
                    continue;
                }
                watermark = step.Time;
                foreach (var (key, list) in sessions.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    for (var i = 0; i < list.Count; i++)
                    {
                        var s = list[i];
                        if (!s.Fired && s.End - 1 <= watermark)
                        {
                            output.Add($"{key}[{s.Start},{s.End})={s.Count}@{s.End - 1}");
                            list[i] = s = (s.Start, s.End, s.Count, true);
                        }
                        if (s.Fired && (watermark == long.MaxValue || s.End - 1 + c.Lateness <= watermark))
                        {
                            list.RemoveAt(i--);
                        }
                    }
                }
                continue;
            }
            var mine = sessions.TryGetValue(step.Key, out var existing) ? existing : sessions[step.Key] = [];
            var (start, end, count, fired) = (step.Time, step.Time + c.Gap, 1L, false);
            var touched = mine.Where(s => s.Start <= end && s.End >= start).ToList();
            foreach (var s in touched)
            {
                (start, end, count, fired) = (Math.Min(start, s.Start), Math.Max(end, s.End), count + s.Count, fired | s.Fired);
            }
            if (end - 1 + c.Lateness <= watermark)
            {
                late.Add($"{step.Key}{step.Time}");
                continue;
            }
            mine.RemoveAll(touched.Contains);
            var firesNow = end - 1 <= watermark;
            mine.Add((start, end, count, firesNow));
            if (firesNow)
            {
                output.Add($"{step.Key}[{start},{end})={count}@{end - 1}");
            }
        }
        output.Sort(StringComparer.Ordinal);
        late.Sort(StringComparer.Ordinal);
        return (output, late);
    }

    private void Check(Case c, bool restore)
    {
        var (output, late) = Run(c, restore);
        var (expectedOutput, expectedLate) = c.Gap > 0 ? SessionModel(c) : AlignedModel(c);
        output.ShouldBe(expectedOutput, c.ToString());
        late.ShouldBe(expectedLate, c.ToString());
    }

    [Fact]
    public void TumblingAndSliding_MatchTheModel() => s_aligned.Sample(c => Check(c, restore: false), iter: Iterations);

    [Fact]
    public void SlidingOfManyPanes_MatchTheModel() => s_manyPanes.Sample(c => Check(c, restore: false), iter: Iterations);

    [Fact]
    public void SlidingOfManyPanes_SnapshotAndRestoreAnywhere_MatchTheModel() => s_manyPanes.Sample(c => Check(c, restore: true), iter: Iterations * 2 / 3);

    [Fact]
    public void Sessions_MatchTheModel() => s_session.Sample(c => Check(c, restore: false), iter: Iterations);

    [Fact]
    public void TumblingAndSliding_SnapshotAndRestoreAnywhere_MatchTheModel() => s_aligned.Sample(c => Check(c, restore: true), iter: Iterations * 2 / 3);

    [Fact]
    public void Sessions_SnapshotAndRestoreAnywhere_MatchTheModel() => s_session.Sample(c => Check(c, restore: true), iter: Iterations * 2 / 3);

    public sealed class Heap : WindowPropertyTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    /// <summary>Every case opens one or two RocksDB databases: a tenth of the heap's cases keeps this to a few seconds.</summary>
    public sealed class RocksDb : WindowPropertyTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;

        protected override int Iterations => 30;
    }
}
