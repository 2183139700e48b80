using System.Diagnostics;
using Sluice.Nexmark.Generation;
using Sluice.Nexmark.Model;
using Sluice.Nexmark.Queries;
using Sluice.Nexmark.Results;
using Sluice.Nexmark.Streaming;

namespace Sluice.Nexmark.Running;

/// <summary>
/// Generates the events once and runs every (query, engine) pair over the same array, measuring wall time, process
/// CPU time, managed allocation and peak working set of each run. Runs are sequential, so process-wide counters
/// belong to the run being measured.
/// </summary>
public static class NexmarkRunner
{
    private const int WarmUpEvents = 200_000;
    private const int MinWarmUpRuns = 3;
    private const int MaxWarmUpRuns = 1_000;
    private static readonly TimeSpan s_warmUpTime = TimeSpan.FromSeconds(1);

    /// <summary>Runs the benchmark; one result per supported (query, engine), in query-then-engine order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Events or parallelism out of range.</exception>
    public static IReadOnlyList<NexmarkResult> Run(NexmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Events, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Parallelism, 1);
        var log = options.Log ?? (_ => { });

        var watch = Stopwatch.StartNew();
        var config = new GeneratorConfig { EventCount = options.Events, Seed = options.Seed };
        var events = NexmarkGenerator.GenerateAll(config);
        log($"generated {events.Length:N0} events in {watch.Elapsed.TotalSeconds:F2} s ({NexmarkResult.GcMode} GC)");
        var warmUp = options.WarmUp ? NexmarkGenerator.GenerateAll(config with { EventCount = Math.Min(WarmUpEvents, options.Events) }) : null;

        if (options.OutputDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            EventJson.Write(Path.Combine(dir, "events.jsonl"), events);
            log($"wrote {Path.Combine(dir, "events.jsonl")}");
        }

        var engines = new Dictionary<NexmarkEngine, IQueryEngine>();
        var results = new List<NexmarkResult>();
        try
        {
            foreach (var e in options.Engines.Distinct())
            {
                engines[e] = Create(e);
            }
            var prepared = new Dictionary<NexmarkEngine, double>();
            foreach (var query in options.Queries)
            {
                foreach (var (kind, engine) in engines)
                {
                    if (!engine.Supports(query))
                    {
                        log($"{query.Name()} {Name(kind)}: not expressible, skipped");
                        continue;
                    }
                    if (!prepared.TryGetValue(kind, out var prepareSeconds))
                    {
                        prepareSeconds = engine.Prepare(events, options.Parallelism);
                        prepared[kind] = prepareSeconds;
                        if (prepareSeconds > 0)
                        {
                            log($"{Name(kind)}: prepared (loaded) in {prepareSeconds:F2} s");
                        }
                    }
                    var settings = new QueryRunSettings(options.Parallelism, KeepRows: options.OutputDirectory is not null, options.CheckpointInterval, options.StateBackend);
                    QueryOutput output;
                    NexmarkResult result;
                    try
                    {
                        if (warmUp is not null && kind != NexmarkEngine.DuckDb)
                        {
                            WarmUp(engine, query, warmUp, settings with { KeepRows = false });
                            if (!WaitForJitToSettle())
                            {
                                log($"{query.Name()} {Name(kind)}: the JIT was still compiling 5 s after the warm-up; the measured CPU may include its work");
                            }
                        }
                        (output, result) = Measure(query, kind, engine, events, settings, prepareSeconds);
                    }
                    catch (NotSupportedException e)
                    {
                        log($"{query.Name()} {Name(kind)}: unsupported, skipped ({e.Message})");
                        continue;
                    }
                    results.Add(result);
                    log($"{query.Name()} {Name(kind),-11} {result.Seconds,8:F3} s  {result.EventsPerCoreSecond,14:N0} ev/core·s  {result.Results,10:N0} rows  {result.ChecksumHex}");
                    if (options.OutputDirectory is { } outDir && output.Rows is { } rows)
                    {
                        RowJson.WriteSorted(Path.Combine(outDir, $"{query.Name()}.{Name(kind)}.jsonl"), rows);
                    }
                }
            }
        }
        finally
        {
            foreach (var engine in engines.Values)
            {
                engine.Dispose();
            }
        }
        return results;
    }

    /// <summary>The engine's name as the CLI and JSON show it.</summary>
    public static string Name(NexmarkEngine engine) => engine.ToString().ToLowerInvariant();

    /// <summary>Creates an engine.</summary>
    public static IQueryEngine Create(NexmarkEngine engine) => engine switch
    {
        NexmarkEngine.Sluice => new SluiceEngine(),
        NexmarkEngine.Handwritten => new HandwrittenEngine(),
        NexmarkEngine.Rx => new RxEngine(),
        NexmarkEngine.DuckDb => new DuckDbEngine(),
        NexmarkEngine.Sql => new Sql.SqlEngine(),
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "Unknown engine."),
    };

    private static (QueryOutput, NexmarkResult) Measure(NexmarkQuery query, NexmarkEngine kind, IQueryEngine engine, Event[] events, QueryRunSettings settings, double prepareSeconds)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var peak = Environment.WorkingSet;
        using var sampling = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Environment.WorkingSet);
                sampling.Token.WaitHandle.WaitOne(10);
            }
        })
        { IsBackground = true, Name = "nexmark-peak-sampler" };
        sampler.Start();

        var cpu0 = process.TotalProcessorTime;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var pause0 = GC.GetTotalPauseDuration();
        var start = Stopwatch.GetTimestamp();
        var output = engine.Run(query, events, settings);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        var collections = new GcCollections(GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
        var pause = (GC.GetTotalPauseDuration() - pause0).TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;

        sampling.Cancel();
        sampler.Join();
        peak = Math.Max(peak, Environment.WorkingSet);
        return (output, new NexmarkResult
        {
            Query = query,
            Engine = kind,
            Events = events.LongLength,
            Parallelism = kind is NexmarkEngine.Sluice or NexmarkEngine.DuckDb or NexmarkEngine.Sql ? settings.Parallelism : 1,
            Seconds = seconds,
            CpuSeconds = cpu,
            AllocBytes = alloc,
            Collections = collections,
            GcPauseSeconds = pause,
            PeakMb = peak / (1024.0 * 1024.0),
            Results = output.Count,
            Checksum = output.Checksum,
            PrepareSeconds = prepareSeconds,
            StateBackend = kind is NexmarkEngine.Sluice or NexmarkEngine.Sql ? (settings.StateBackend ?? Sluice.State.HeapStateBackend.Instance).Name : null,
        });
    }

    /// <summary>
    /// Waits until the JIT has compiled nothing for 200 ms (at most 5 s; false then), so the tier-1 compiles the warm-up
    /// queued run before the measured run rather than on the JIT's background thread during it: for a run of 40 ms
    /// (q7 at 2M events) they doubled the process's CPU time in one run of two, while its wall-clock time stayed the
    /// same. It drains what is queued; a method still counting its calls may yet be compiled during the run.
    /// </summary>
    private static bool WaitForJitToSettle()
    {
        var count = System.Runtime.JitInfo.GetCompiledMethodCount();
        for (var wait = 0; wait < 25; wait++)
        {
            Thread.Sleep(200);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == count)
            {
                return true;
            }
            count = now;
        }
        return false;
    }

    /// <summary>
    /// Runs the query on the warm-up events until the JIT has tiered up the hot paths (at least
    /// <see cref="MinWarmUpRuns"/> runs and one second), so the measured run shows steady-state speed for
    /// every engine alike — what a long-running job (and the published Flink figures) see. Time bounds it, not a run
    /// count: the runtime starts counting calls for tier-1 only 100 ms after the last tier-0 compilation, so a cap of
    /// 20 runs ended the warm-up of fast queries (≈ 10 ms a run) while their hot paths still ran tier-0 code.
    /// <see cref="MaxWarmUpRuns"/> only guards against a pathological engine.
    /// </summary>
    private static void WarmUp(IQueryEngine engine, NexmarkQuery query, Event[] events, QueryRunSettings settings)
    {
        var watch = Stopwatch.StartNew();
        for (var run = 0; run < MaxWarmUpRuns && (run < MinWarmUpRuns || watch.Elapsed < s_warmUpTime); run++)
        {
            engine.Run(query, events, settings);
        }
    }
}
