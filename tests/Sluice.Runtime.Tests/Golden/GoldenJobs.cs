using System.Text.Json;
using Sluice.Checkpoints;
using Sluice.Sinks;
using Sluice.Sources;
using Sluice.State;
using Sluice.Tests.Shared;
using Sluice.Windowing;
using Event = (string Key, long Value);

namespace Sluice.Runtime.Tests.Golden;

// The jobs of the golden checkpoints (checkpoints-v1/): compiled into the generator (tests/Tools/Sluice.GoldenCheckpoints)
// and into the restore tests, so a test builds exactly the graph (operators, uids, state names and types) that wrote its
// checkpoint. Everything here is part of the pinned data: do not rename or move the types, states, uids or input data
// — the checkpoints name them (state names, 'json:<namespace>.<type>' formats, split ids). Add new cases instead.

/// <summary>One golden checkpoint: a small job, its input, and where the checkpoint is taken.</summary>
internal sealed class GoldenCase
{
    public required string Name { get; init; }

    /// <summary>What the checkpoint holds (README).</summary>
    public required string Description { get; init; }

    /// <summary>The parallelism the checkpoint was taken at.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Records per batch (the JSON-lines source reads this many lines per poll).</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>
    /// The generator completes the checkpoint's manifest but keeps the sinks from committing (a crash between the
    /// manifest and the commit): the committable is still to be committed on restore.
    /// </summary>
    public bool PendingCommit { get; init; }

    public required Action<StreamEnvironment, GoldenJobContext> Build { get; init; }
}

/// <summary>What a job build needs: where the case lives, whether the generator runs it, and what it collects.</summary>
internal sealed class GoldenJobContext(string caseDirectory, bool generating)
{
    private readonly List<GoldenSourceBase> _sources = [];

    /// <summary>The case's directory: <c>checkpoints/</c>, and <c>sink/</c> for the JSON-lines sink case.</summary>
    public string CaseDirectory { get; } = caseDirectory;

    public bool Generating { get; } = generating;

    /// <summary>What the job's sink (a <see cref="TwoPhaseCollectSink{T}"/>: the committable is the staged lines as a JSON array) committed.</summary>
    public CommittedRecords<string> Committed { get; } = new();

    /// <summary>Sources that pause where the checkpoint is taken (generator only).</summary>
    public IReadOnlyList<GoldenSourceBase> Sources => _sources;

    /// <summary>The range sources (tests' <see cref="PausableRangeSource"/>) that pause where the checkpoint is taken.</summary>
    public List<PausableRangeSource> RangeSources { get; } = [];

    /// <summary>The hold that marks the checkpoint point of a source that cannot pause (generator only).</summary>
    public GoldenHold? Hold { get; private set; }

    public string CheckpointDirectory => Path.Combine(CaseDirectory, "checkpoints");

    public string SinkDirectory => Path.Combine(CaseDirectory, "sink");

    /// <summary>A source of <paramref name="records"/> that, when generating, pauses after <paramref name="checkpointAfter"/> of them.</summary>
    public GoldenSource<T> Source<T>(IReadOnlyList<(T Value, long Ts)> records, int checkpointAfter)
    {
        var source = new GoldenSource<T>(records, Generating ? checkpointAfter : int.MaxValue);
        _sources.Add(source);
        return source;
    }

    /// <summary>An identity map that, when generating, holds the checkpoint point after <paramref name="checkpointAfter"/> records.</summary>
    public Func<T, T> HoldAfter<T>(int checkpointAfter)
    {
        if (!Generating)
        {
            return static v => v;
        }
        var hold = Hold = new GoldenHold(checkpointAfter);
        return hold.Pass;
    }
}

/// <summary>The golden jobs, their options and input data.</summary>
internal static class GoldenJobs
{
    /// <summary>The processing-time clock of the generator (fixed: it never moves while a checkpoint is made).</summary>
    public static readonly DateTimeOffset CheckpointClock = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    public static long CheckpointClockMs => CheckpointClock.ToUnixTimeMilliseconds();

    /// <summary>The event timer <see cref="AllStatesFunction"/> and <see cref="BalanceFunction"/> emit their summary at (after all input).</summary>
    public const long FinalTime = 1_000_000;

    /// <summary>
    /// Where the JSON-lines source case reads its input. The source's split id is <c>file:</c> + the full path, so the
    /// checkpoint only restores when the file is at this exact path again.
    /// </summary>
    public const string JsonLinesInputPath = "/tmp/sluice-golden-checkpoints-v1/events.jsonl";

    public static JobOptions Options(GoldenCase golden, ICheckpointStore store, TimeProvider time, int parallelism) => new()
    {
        JobName = "golden-" + golden.Name,
        Parallelism = parallelism,
        BatchSize = golden.BatchSize,
        TimeProvider = time,
        Checkpoints = new CheckpointOptions(store, TimeSpan.FromHours(1)),
    };

    // ---- Input data. Fixed formulas; the checkpoint is taken after the first `...CheckpointAfter` records. ----

    public const int KeyedProcessCheckpointAfter = 18;

    /// <summary>30 events, ts 1,000 + 1,300·i; keys a–e before the checkpoint (e only there), a–d and f after.</summary>
    public static IReadOnlyList<(Event Value, long Ts)> KeyedProcessInput { get; } =
        [.. Enumerable.Range(0, 30).Select(static i => (((i < KeyedProcessCheckpointAfter ? "abcde" : "abcdf")[i % 5].ToString(), (long)((i * 37 % 101) + 1)), 1_000L + (i * 1_300L)))];

    public const int WindowCheckpointAfter = 22;

    /// <summary>40 events over keys a–d, ts 10,000 + 170·i, value i + 1.</summary>
    public static IReadOnlyList<(Event Value, long Ts)> WindowInput { get; } =
        [.. Enumerable.Range(0, 40).Select(static i => (("abcd"[i * 3 % 4].ToString(), (long)(i + 1)), 10_000L + (i * 170L)))];

    public const int SessionCheckpointAfter = 20;

    /// <summary>36 events over keys x–z in clusters of 12 (100 ms apart, clusters 3.1 s apart), value i + 1.</summary>
    public static IReadOnlyList<(Event Value, long Ts)> SessionInput { get; } =
        [.. Enumerable.Range(0, 36).Select(static i => (("xyz"[i % 3].ToString(), (long)(i + 1)), 10_000L + (i * 100L) + (i / 12 * 3_000L)))];

    public const int LatenessCheckpointAfter = 4;

    /// <summary>Out-of-order events of key a: late ones within and beyond the allowed lateness, before and after the checkpoint.</summary>
    public static IReadOnlyList<(Event Value, long Ts)> LatenessInput { get; } =
    [
        (("a", 1), 100), (("a", 2), 900), (("a", 4), 1_500), (("a", 8), 300),
        (("a", 16), 1_700), (("a", 32), 400), (("a", 64), 2_500), (("a", 128), 500), (("a", 256), 1_800),
    ];

    public const int OrdersCheckpointAfter = 6;

    public const int PaymentsCheckpointAfter = 5;

    /// <summary>12 orders, keys p/q alternating, ts 10,000 + 500·i.</summary>
    public static IReadOnlyList<(GoldenOrder Value, long Ts)> OrderInput { get; } =
        [.. Enumerable.Range(0, 12).Select(static i => (new GoldenOrder("pq"[i % 2].ToString(), i), 10_000L + (i * 500L)))];

    /// <summary>12 payments, ids 100+, keys p/q alternating, ts 10,300 + 450·j.</summary>
    public static IReadOnlyList<((string Key, int Id) Value, long Ts)> PaymentInput { get; } =
        [.. Enumerable.Range(0, 12).Select(static j => (("pq"[j % 2].ToString(), 100 + j), 10_300L + (j * 450L)))];

    public const int CreditsCheckpointAfter = 8;

    public const int DebitsCheckpointAfter = 5;

    /// <summary>16 credits, keys u/v alternating, amount 10·(i + 1), ts 10,000 + 400·i.</summary>
    public static IReadOnlyList<(Event Value, long Ts)> CreditInput { get; } =
        [.. Enumerable.Range(0, 16).Select(static i => (("uv"[i % 2].ToString(), 10L * (i + 1)), 10_000L + (i * 400L)))];

    /// <summary>12 debits, keys u,u,v,v,…, amount 7·(j + 1), ts 10,200 + 550·j.</summary>
    public static IReadOnlyList<(Event Value, long Ts)> DebitInput { get; } =
        [.. Enumerable.Range(0, 12).Select(static j => (("uv"[j / 2 % 2].ToString(), 7L * (j + 1)), 10_200L + (j * 550L)))];

    public const int DedupCheckpointAfter = 14;

    /// <summary>30 ids id0–id10 (id = 7·i mod 11), ts 10,000 + 400·i: repeats 4.4 s (duplicate) and 8.8 s (new again) apart.</summary>
    public static IReadOnlyList<(string Value, long Ts)> DedupInput { get; } =
        [.. Enumerable.Range(0, 30).Select(static i => ($"id{i * 7 % 11}", 10_000L + (i * 400L)))];

    public const long RangeCount = 100;

    public const long RangeCheckpointAt = 40;

    public const int JsonLinesCheckpointAfter = 13;

    /// <summary>The JSON-lines file: 24 records over keys m/n/o, value i + 1, with a blank line after the fifth.</summary>
    public static IReadOnlyList<string> JsonLinesInput { get; } =
        [.. Enumerable.Range(0, 24).SelectMany(static i => i == 5
            ? new[] { "", JsonLine(i) }
            : [JsonLine(i)])];

    private static string JsonLine(int i) => $"{{\"key\":\"{"mno"[i % 3]}\",\"value\":{i + 1}}}";

    /// <summary>Writes the JSON-lines input at <see cref="JsonLinesInputPath"/> (atomically: concurrent runs write the same bytes).</summary>
    public static void WriteJsonLinesInput()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(JsonLinesInputPath)!);
        var temp = JsonLinesInputPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, string.Join('\n', JsonLinesInput) + "\n");
        File.Move(temp, JsonLinesInputPath, overwrite: true);
    }

    public const int SinkCheckpointAfter = 12;

    /// <summary>20 events over keys a–c, value i + 1.</summary>
    public static IReadOnlyList<(Event Value, long Ts)> SinkInput { get; } =
        [.. Enumerable.Range(0, 20).Select(static i => (("abc"[i % 3].ToString(), (long)(i + 1)), 10_000L + (i * 100L)))];

    public const int RescaleCheckpointAfter = 37;

    /// <summary>64 events over keys k00–k15, ts 10,000 + 100·i.</summary>
    public static IReadOnlyList<(Event Value, long Ts)> RescaleInput { get; } =
        [.. Enumerable.Range(0, 64).Select(static i => (($"k{i * 5 % 16:D2}", (long)((i * 13 % 17) + 1)), 10_000L + (i * 100L)))];

    // The cases, after the input data they use (static initializers run in order).
    public static IReadOnlyList<GoldenCase> Cases { get; } =
    [
        new()
        {
            Name = "keyed-process-all-states",
            Description = "KeyedProcessFunction with value, list, map, reducing, aggregating state, a value state with TTL (10 min), pending event-time timers (10 s boundaries and the final one) and processing-time timers (+60 s).",
            Build = static (env, ctx) =>
                env.FromSource(ctx.Source(KeyedProcessInput, KeyedProcessCheckpointAfter), WatermarkStrategy<Event>.ForMonotonousTimestamps(), "Events").Uid("source")
                    .KeyBy(static e => e.Key).Process(new AllStatesFunction()).Uid("all-states")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink"),
        },
        new()
        {
            Name = "window-tumbling-aggregate",
            Description = "Tumbling 1 s event-time windows, aggregate with a (sum, count) accumulator; panes of several windows mid-flight.",
            Build = static (env, ctx) =>
                env.FromSource(ctx.Source(WindowInput, WindowCheckpointAfter), WatermarkStrategy<Event>.ForMonotonousTimestamps(), "Events").Uid("source")
                    .KeyBy(static e => e.Key).Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
                    .Aggregate(new SumCountAggregate(), static (k, w, r) => $"{k}@{w.Start}={r.Sum}/{r.Count}").Uid("tumbling")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink"),
        },
        new()
        {
            Name = "window-sliding-reduce",
            Description = "Sliding event-time windows, size 3 s, slide 1 s (panes merged per window), reduce.",
            Build = static (env, ctx) =>
                env.FromSource(ctx.Source(WindowInput, WindowCheckpointAfter), WatermarkStrategy<Event>.ForMonotonousTimestamps(), "Events").Uid("source")
                    .KeyBy(static e => e.Key).Window(SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1)))
                    .Reduce(static (a, b) => (a.Key, a.Value + b.Value), static (k, w, r) => $"{k}@{w.Start}={r.Value}").Uid("sliding")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink"),
        },
        new()
        {
            Name = "window-session-aggregate",
            Description = "Event-time session windows, gap 500 ms, sum aggregate; every key has an open session at the checkpoint.",
            Build = static (env, ctx) =>
                env.FromSource(ctx.Source(SessionInput, SessionCheckpointAfter), WatermarkStrategy<Event>.ForMonotonousTimestamps(), "Events").Uid("source")
                    .KeyBy(static e => e.Key).Window(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(500)))
                    .Aggregate(new SumAggregate(), static (k, w, sum) => $"{k}@{w.Start}-{w.End}={sum}").Uid("sessions")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink"),
        },
        new()
        {
            Name = "window-count-process",
            Description = "Count windows of 3 per key with a ProcessWindowFunction (list-of-elements accumulator); partial windows at the checkpoint.",
            Build = static (env, ctx) =>
                env.FromSource(ctx.Source(WindowInput, WindowCheckpointAfter), WatermarkStrategy<Event>.ForMonotonousTimestamps(), "Events").Uid("source")
                    .KeyBy(static e => e.Key).Window(GlobalWindows.OfCount(3)).Process(new ListValuesFunction()).Uid("count")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink"),
        },
        new()
        {
            Name = "window-tumbling-lateness",
            Description = "Tumbling 1 s event-time windows with 1 s allowed lateness: a fired window's pane kept for late records, and a pane in flight.",
            Build = static (env, ctx) =>
                env.FromSource(ctx.Source(LatenessInput, LatenessCheckpointAfter), WatermarkStrategy<Event>.ForMonotonousTimestamps(), "Events").Uid("source")
                    .KeyBy(static e => e.Key).Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1))).AllowedLateness(TimeSpan.FromSeconds(1))
                    .Aggregate(new SumAggregate(), static (k, w, sum) => $"{k}@{w.Start}={sum}").Uid("late-window")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink"),
        },
        new()
        {
            Name = "window-processing-time",
            Description = "Tumbling 1 min processing-time windows, sum aggregate; the panes of the generator's clock minute are pending.",
            Build = static (env, ctx) =>
                env.FromSource(ctx.Source(WindowInput, WindowCheckpointAfter), null, "Events").Uid("source")
                    .KeyBy(static e => e.Key).Window(TumblingProcessingTimeWindows.Of(TimeSpan.FromMinutes(1)))
                    .Aggregate(new SumAggregate(), static (k, w, sum) => $"{k}@{w.Start}={sum}").Uid("pt-window")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink"),
        },
        new()
        {
            Name = "interval-join",
            Description = "Interval join (payment within -1 s..+2 s of the order) with buffered left (JSON record) and right (tuple) records and cleanup timers.",
            Build = static (env, ctx) =>
            {
                var orders = env.FromSource(ctx.Source(OrderInput, OrdersCheckpointAfter), WatermarkStrategy<GoldenOrder>.ForMonotonousTimestamps(), "Orders").Uid("orders");
                var payments = env.FromSource(ctx.Source(PaymentInput, PaymentsCheckpointAfter), WatermarkStrategy<(string Key, int Id)>.ForMonotonousTimestamps(), "Payments").Uid("payments");
                orders.KeyBy(static o => o.Key).IntervalJoin(payments.KeyBy(static p => p.Key))
                    .Between(TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(2))
                    .Process(static (o, p) => $"{o.Key}:o{o.Id}-p{p.Id}").Uid("join")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink");
            },
        },
        new()
        {
            Name = "co-process",
            Description = "Two connected keyed streams (credits, debits) with value, list and map state, event-time timers (2 s boundaries, final) and processing-time timers (+30 s).",
            Build = static (env, ctx) =>
            {
                var credits = env.FromSource(ctx.Source(CreditInput, CreditsCheckpointAfter), WatermarkStrategy<Event>.ForMonotonousTimestamps(), "Credits").Uid("credits");
                var debits = env.FromSource(ctx.Source(DebitInput, DebitsCheckpointAfter), WatermarkStrategy<Event>.ForMonotonousTimestamps(), "Debits").Uid("debits");
                credits.KeyBy(static c => c.Key).Connect(debits.KeyBy(static d => d.Key)).Process(new BalanceFunction()).Uid("balance")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink");
            },
        },
        new()
        {
            Name = "deduplicate",
            Description = "Deduplicate with a 5 s horizon: first-seen state and its clearing timers.",
            Build = static (env, ctx) =>
                env.FromSource(ctx.Source(DedupInput, DedupCheckpointAfter), WatermarkStrategy<string>.ForMonotonousTimestamps(), "Ids").Uid("source")
                    .KeyBy(static id => id).Deduplicate(TimeSpan.FromSeconds(5)).Uid("dedup")
                    .Process(new WithTimestamp()).Uid("format")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink"),
        },
        new()
        {
            Name = "source-range",
            Description = "The tests' PausableRangeSource (split 'range', int64 position) at 40 of 100, feeding a stateless map.",
            Build = static (env, ctx) =>
            {
                var range = new PausableRangeSource(RangeCount) { PauseAt = ctx.Generating ? RangeCheckpointAt : long.MaxValue };
                ctx.RangeSources.Add(range);
                env.FromSource(range, null, "Range").Uid("range")
                    .Map(static v => $"n:{v}").Uid("format")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink");
            },
        },
        new()
        {
            Name = "source-jsonlines",
            Description = $"JsonLinesFileSource (split 'file:{JsonLinesInputPath}', line-number position, a blank line before it) feeding a rolling keyed sum.",
            BatchSize = 1,
            Build = static (env, ctx) =>
                env.FromSource(new JsonLinesFileSource<GoldenJsonEvent>(JsonLinesInputPath), null, "Lines").Uid("source")
                    .Map(ctx.HoldAfter<GoldenJsonEvent>(JsonLinesCheckpointAfter)).Uid("hold")
                    .KeyBy(static e => e.Key).Reduce(static (a, b) => a with { Value = a.Value + b.Value }).Uid("rolling-sum")
                    .Map(static e => $"{e.Key}:{e.Value}").Uid("format")
                    .SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink"),
        },
        new()
        {
            Name = "sink-jsonl-directory-pending",
            Description = "JsonLinesDirectorySink whose checkpoint completed (manifest written) but was never committed: sink/.staging/part-0-1.staged is committed on restore.",
            PendingCommit = true,
            Build = static (env, ctx) =>
                env.FromSource(ctx.Source(SinkInput, SinkCheckpointAfter), null, "Events").Uid("source")
                    .KeyBy(static e => e.Key).Reduce(static (a, b) => (a.Key, a.Value + b.Value)).Uid("rolling-sum")
                    .Map(static e => new GoldenLine(e.Key, e.Value)).Uid("format")
                    .SinkTo(new JsonLinesDirectorySink<GoldenLine>(ctx.SinkDirectory)).Uid("sink"),
        },
        new()
        {
            Name = "rescale-p2",
            Description = "Taken at parallelism 2 (restored at 1 and 3): the all-states keyed process function, a rolling reduce and a tumbling window over 16 keys.",
            Parallelism = 2,
            Build = static (env, ctx) =>
            {
                var events = env.FromSource(ctx.Source(RescaleInput, RescaleCheckpointAfter), WatermarkStrategy<Event>.ForMonotonousTimestamps(), "Events").Uid("source");
                var states = events.KeyBy(static e => e.Key).Process(new AllStatesFunction()).Uid("all-states");
                var rolling = events.KeyBy(static e => e.Key).Reduce(static (a, b) => (a.Key, a.Value + b.Value)).Uid("rolling-sum")
                    .Map(static e => $"rolling:{e.Key}={e.Value}").Uid("rolling-format");
                var windows = events.KeyBy(static e => e.Key).Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
                    .Aggregate(new SumCountAggregate(), static (k, w, r) => $"window:{k}@{w.Start}={r.Sum}/{r.Count}").Uid("tumbling");
                states.Union(rolling, windows).SinkTo(new TwoPhaseCollectSink<string>(ctx.Committed)).Uid("sink");
            },
        },
    ];

    public static GoldenCase Case(string name) => Cases.Single(c => c.Name == name);
}

/// <summary>An order of the interval-join case (checkpointed as JSON: <c>json:Sluice.Runtime.Tests.Golden.GoldenOrder</c>).</summary>
internal sealed record GoldenOrder(string Key, int Id);

/// <summary>A line of the JSON-lines source case.</summary>
internal sealed record GoldenJsonEvent(string Key, long Value);

/// <summary>A line the JSON-lines directory sink case writes.</summary>
internal sealed record GoldenLine(string Key, long Sum);

/// <summary>
/// Every kind of keyed state and both timer kinds. Per record: count (value), events (list of (ts, value)), sums by
/// parity (map), max (reducing), mean (aggregating), last-seen (value with a 10 min TTL); an event-time timer at the
/// record's next 10 s boundary, one at <see cref="GoldenJobs.FinalTime"/>, and on a key's first record a
/// processing-time timer 60 s later. Timers emit: <c>pt:key@time</c>; <c>et:key@boundary:sum=…</c> (values with
/// ts ≤ boundary); <c>final:key:…</c> (every state).
/// </summary>
internal sealed class AllStatesFunction : KeyedProcessFunction<string, Event, string>
{
    public const long BoundaryMs = 10_000;
    public const long ProcessingDelayMs = 60_000;
    public static readonly TimeSpan LastSeenTtl = TimeSpan.FromMinutes(10);

    private IValueState<long> _count = null!;
    private IListState<(long Ts, long Value)> _events = null!;
    private IMapState<string, long> _byParity = null!;
    private IReducingState<long> _max = null!;
    private IAggregatingState<long, string> _mean = null!;
    private IValueState<long> _lastSeen = null!;

    public override void Open(IRuntimeContext context)
    {
        _count = context.State.GetState(new ValueStateDescriptor<long>("count"));
        _events = context.State.GetListState(new ListStateDescriptor<(long, long)>("events"));
        _byParity = context.State.GetMapState(new MapStateDescriptor<string, long>("by-parity"));
        _max = context.State.GetReducingState(new ReducingStateDescriptor<long>("max", Math.Max));
        _mean = context.State.GetAggregatingState(new AggregatingStateDescriptor<long, (long Sum, long Count), string>("mean", new MeanAggregate()));
        _lastSeen = context.State.GetState(new ValueStateDescriptor<long>("last-seen") { Ttl = new StateTtlConfig(LastSeenTtl) });
    }

    public override void ProcessElement(Event value, KeyedProcessContext<string> context, ICollector<string> output)
    {
        var count = _count.Value + 1;
        _count.Update(count);
        _events.Add((context.Timestamp, value.Value));
        var parity = value.Value % 2 == 0 ? "even" : "odd";
        _byParity.Put(parity, (_byParity.TryGetValue(parity, out var sum) ? sum : 0) + value.Value);
        _max.Add(value.Value);
        _mean.Add(value.Value);
        _lastSeen.Update(context.Timestamp);
        var timers = context.TimerService;
        timers.RegisterEventTimeTimer(((context.Timestamp / BoundaryMs) + 1) * BoundaryMs);
        timers.RegisterEventTimeTimer(GoldenJobs.FinalTime);
        if (count == 1)
        {
            timers.RegisterProcessingTimeTimer(timers.CurrentProcessingTime + ProcessingDelayMs);
        }
    }

    public override void OnTimer(long timestamp, KeyedProcessContext<string> context, ICollector<string> output)
    {
        var key = context.CurrentKey;
        if (context.TimeDomain == TimeDomain.ProcessingTime)
        {
            output.Collect($"pt:{key}@{timestamp}");
            return;
        }
        if (timestamp != GoldenJobs.FinalTime)
        {
            output.Collect($"et:{key}@{timestamp}:sum={_events.Get().Where(e => e.Ts <= timestamp).Sum(static e => e.Value)}");
            return;
        }
        var events = _events.Get();
        var max = _max.TryGet(out var m) ? m.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
        var mean = _mean.TryGet(out var mv) ? mv : "none";
        var lastSeen = _lastSeen.TryGet(out var seen) ? seen.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
        var even = _byParity.TryGetValue("even", out var e) ? e : 0;
        var odd = _byParity.TryGetValue("odd", out var o) ? o : 0;
        output.Collect($"final:{key}:count={_count.Value},events={events.Count}/{events.Sum(static x => x.Value)},even={even},odd={odd},max={max},mean={mean},last-seen={lastSeen}");
    }
}

/// <summary>Sum and count, result "sum/count".</summary>
internal sealed class MeanAggregate : IAggregateFunction<long, (long Sum, long Count), string>
{
    public (long Sum, long Count) CreateAccumulator() => (0, 0);

    public (long Sum, long Count) Add((long Sum, long Count) accumulator, long value) => (accumulator.Sum + value, accumulator.Count + 1);

    public string GetResult((long Sum, long Count) accumulator) => $"{accumulator.Sum}/{accumulator.Count}";

    public (long Sum, long Count) Merge((long Sum, long Count) a, (long Sum, long Count) b) => (a.Sum + b.Sum, a.Count + b.Count);
}

/// <summary>Sum and count of event values.</summary>
internal sealed class SumCountAggregate : IAggregateFunction<Event, (long Sum, long Count), (long Sum, long Count)>
{
    public (long Sum, long Count) CreateAccumulator() => (0, 0);

    public (long Sum, long Count) Add((long Sum, long Count) accumulator, Event value) => (accumulator.Sum + value.Value, accumulator.Count + 1);

    public (long Sum, long Count) GetResult((long Sum, long Count) accumulator) => accumulator;

    public (long Sum, long Count) Merge((long Sum, long Count) a, (long Sum, long Count) b) => (a.Sum + b.Sum, a.Count + b.Count);
}

/// <summary>Sum of event values.</summary>
internal sealed class SumAggregate : IAggregateFunction<Event, long, long>
{
    public long CreateAccumulator() => 0;

    public long Add(long accumulator, Event value) => accumulator + value.Value;

    public long GetResult(long accumulator) => accumulator;

    public long Merge(long a, long b) => a + b;
}

/// <summary>Emits a count window's values in arrival order: <c>key:[v1,v2,v3]</c>.</summary>
internal sealed class ListValuesFunction : ProcessWindowFunction<string, Event, string>
{
    public override void Process(string key, TimeWindow window, IReadOnlyList<Event> elements, ICollector<string> output) =>
        output.Collect($"{key}:[{string.Join(',', elements.Select(static e => e.Value))}]");
}

/// <summary>Formats a record with its event timestamp: <c>value@ts</c>.</summary>
internal sealed class WithTimestamp : ProcessFunction<string, string>
{
    public override void ProcessElement(string value, ProcessContext context, ICollector<string> output) => output.Collect($"{value}@{context.Timestamp}");
}

/// <summary>
/// Credits (input 1) and debits (input 2) per account: balance (value), movements (list of (ts, delta)), counts by kind
/// (map); an event-time timer at each movement's next 2 s boundary and at <see cref="GoldenJobs.FinalTime"/>, and on an
/// account's first movement a processing-time timer 30 s later. Emits <c>pt:key@time</c>,
/// <c>et:key@boundary:net=…</c> (movements with ts ≤ boundary) and <c>final:key:…</c>.
/// </summary>
internal sealed class BalanceFunction : KeyedCoProcessFunction<string, Event, Event, string>
{
    public const long BoundaryMs = 2_000;
    public const long ProcessingDelayMs = 30_000;

    private IValueState<long> _balance = null!;
    private IListState<(long Ts, long Delta)> _movements = null!;
    private IMapState<string, int> _counts = null!;

    public override void Open(IRuntimeContext context)
    {
        _balance = context.State.GetState(new ValueStateDescriptor<long>("balance"));
        _movements = context.State.GetListState(new ListStateDescriptor<(long, long)>("movements"));
        _counts = context.State.GetMapState(new MapStateDescriptor<string, int>("counts"));
    }

    public override void ProcessElement1(Event value, KeyedProcessContext<string> context, ICollector<string> output) => Move(value.Value, "credit", context);

    public override void ProcessElement2(Event value, KeyedProcessContext<string> context, ICollector<string> output) => Move(-value.Value, "debit", context);

    private void Move(long delta, string kind, KeyedProcessContext<string> context)
    {
        var timers = context.TimerService;
        if (!_counts.TryGetValue("credit", out _) && !_counts.TryGetValue("debit", out _))
        {
            timers.RegisterProcessingTimeTimer(timers.CurrentProcessingTime + ProcessingDelayMs);
        }
        _counts.Put(kind, (_counts.TryGetValue(kind, out var n) ? n : 0) + 1);
        _balance.Update(_balance.Value + delta);
        _movements.Add((context.Timestamp, delta));
        timers.RegisterEventTimeTimer(((context.Timestamp / BoundaryMs) + 1) * BoundaryMs);
        timers.RegisterEventTimeTimer(GoldenJobs.FinalTime);
    }

    public override void OnTimer(long timestamp, KeyedProcessContext<string> context, ICollector<string> output)
    {
        var key = context.CurrentKey;
        if (context.TimeDomain == TimeDomain.ProcessingTime)
        {
            output.Collect($"pt:{key}@{timestamp}");
        }
        else if (timestamp != GoldenJobs.FinalTime)
        {
            output.Collect($"et:{key}@{timestamp}:net={_movements.Get().Where(m => m.Ts <= timestamp).Sum(static m => m.Delta)}");
        }
        else
        {
            output.Collect($"final:{key}:balance={_balance.Value},credits={(_counts.TryGetValue("credit", out var c) ? c : 0)},debits={(_counts.TryGetValue("debit", out var d) ? d : 0)},movements={_movements.Get().Count}");
        }
    }
}

/// <summary>A source that can pause (the generator waits for it; the checkpoint is taken there).</summary>
internal abstract class GoldenSourceBase
{
    /// <summary>Set once the source stopped at its checkpoint point.</summary>
    public ManualResetEventSlim Paused { get; } = new();
}

/// <summary>
/// A checkpointed source of fixed (value, timestamp) records, one record per poll (so the watermark — max ts − 1 with
/// monotonous timestamps — follows every record). Split "golden", position = records emitted (int64). When generating
/// it stops for good after <c>pauseAt</c> records.
/// </summary>
internal sealed class GoldenSource<T>(IReadOnlyList<(T Value, long Ts)> records, int pauseAt) : GoldenSourceBase, ISource<T>
{
    public const string SplitId = "golden";

    private IReadOnlyList<(T Value, long Ts)> Records { get; } = records;

    private int PauseAt { get; } = pauseAt;

    public bool IsBounded => true;

    public int MaxParallelism => 1;

    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        var start = SplitPositions.TryGetInt64(context.RestoredSplits, SplitId, out var position) ? (int)position : 0;
        return new Reader(this, start);
    }

    private sealed class Reader(GoldenSource<T> source, int start) : ISourceReader<T>, ICheckpointedSourceReader
    {
        private int _next = start;

        public int SplitCount => 1;

        string ICheckpointedSourceReader.SplitId(int split) => SplitId;

        public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_next);

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            if (_next >= source.PauseAt)
            {
                source.Paused.Set();
                return SourceStatus.NothingAvailable;
            }
            if (_next >= source.Records.Count)
            {
                return SourceStatus.Finished;
            }
            var (value, ts) = source.Records[_next++];
            output.Collect(0, value, ts);
            return _next >= source.Records.Count ? SourceStatus.Finished : SourceStatus.MoreAvailable;
        }

        public void Dispose() { }
    }
}

/// <summary>
/// Marks the checkpoint point of a source that cannot pause (the JSON-lines file source, read one line per poll): the
/// map chained to it blocks on record <c>n</c> until the generator has triggered the checkpoint — which the source
/// task takes before its next poll — and on record <c>n + 1</c> until the job is cancelled.
/// </summary>
internal sealed class GoldenHold(int checkpointAfter)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly ManualResetEventSlim _triggered = new();
    private readonly ManualResetEventSlim _cancelled = new();
    private int _seen;

    /// <summary>Set when record <c>n</c> arrived (the map now waits for <see cref="CheckpointTriggered"/>).</summary>
    public ManualResetEventSlim Reached { get; } = new();

    public T Pass<T>(T value)
    {
        var seen = Interlocked.Increment(ref _seen);
        if (seen == checkpointAfter)
        {
            Reached.Set();
            _triggered.Wait(s_timeout);
        }
        else if (seen == checkpointAfter + 1)
        {
            _cancelled.Wait(s_timeout);
        }
        return value;
    }

    public void CheckpointTriggered() => _triggered.Set();

    public void Cancelled()
    {
        _triggered.Set();
        _cancelled.Set();
    }
}

/// <summary>
/// A checkpoint store that writes the manifest and then never returns (until cancelled): the checkpoint is complete
/// but the coordinator never commits its sinks — a crash between the manifest and the commit.
/// </summary>
internal sealed class HoldAfterManifestStore(ICheckpointStore inner) : ForwardingCheckpointStore(inner)
{
    public ManualResetEventSlim ManifestWritten { get; } = new();

    public override async Task CommitManifestAsync(long checkpointId, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken = default)
    {
        await base.CommitManifestAsync(checkpointId, manifest, cancellationToken).ConfigureAwait(false);
        ManifestWritten.Set();
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
    }
}
