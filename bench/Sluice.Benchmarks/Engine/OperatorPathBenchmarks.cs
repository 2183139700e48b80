using BenchmarkDotNet.Attributes;
using Sluice.Graph;
using Sluice.Runtime.Operators;
using Sluice.Runtime.Planning;
using Sluice.Runtime.Tasks;
using Sluice.Runtime.Transport;
using Sluice.Runtime.Windows;
using Sluice.Windowing;

namespace Sluice.Benchmarks.Engine;

/// <summary>
/// Per-record cost and allocation of the engine's hot paths, measured on the real operator classes wired as the
/// planner wires them: a chained map → filter → sink, and a keyed tumbling-window count. One benchmark operation
/// pushes <see cref="RecordsPerOperation"/> records, so BenchmarkDotNet's "Allocated" column is bytes per record.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("engine")]
public class OperatorPathBenchmarks
{
    /// <summary>Records pushed per benchmark operation.</summary>
    public const int RecordsPerOperation = 4096;

    private IInput<Event> _chain = null!;
    private IInput<Event> _window = null!;
    private StreamOperator _windowOperator = null!;
    private IInput<Event> _session = null!;
    private StreamOperator _sessionOperator = null!;
    private long _time;
    private long _sessionTime;

    /// <summary>A small struct record, as a user would write for a hot path.</summary>
    public readonly record struct Event(int Key, long Value);

    [GlobalSetup]
    public void Setup()
    {
        var sink = new CountingOperator();
        var filter = new FilterOperator<Event>(static e => (e.Value & 1) == 0, new ChainingOutput<Event>(sink));
        var map = new MapOperator<Event, Event>(static e => e with { Value = e.Value * 3 }, new ChainingOutput<Event>(filter));
        Open(sink, filter, map);
        _chain = map;

        var counter = new CountingOperator<(int, long, long)>();
        var window = new AlignedWindowOperator<int, Event, long, (int, long, long)>(
            TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)), 0, new KeySpec<Event, int>(static e => e.Key, KeyHasher.For<int>()),
            new AggregateWindowFunction<int, Event, long, long, (int, long, long)>(new Count(), static (k, w, n) => (k, w.Start, n)),
            null, new ChainingOutput<(int, long, long)>(counter));
        Open(counter, window);
        _window = window;
        _windowOperator = window;

        var sessionCounter = new CountingOperator<(int, long, long)>();
        var session = new SessionWindowOperator<int, Event, long, (int, long, long)>(
            EventTimeSessionWindows.WithGap(TimeSpan.FromSeconds(1)), 0, new KeySpec<Event, int>(static e => e.Key, KeyHasher.For<int>()),
            new AggregateWindowFunction<int, Event, long, long, (int, long, long)>(new Count(), static (k, w, n) => (k, w.Start, n)),
            null, new ChainingOutput<(int, long, long)>(sessionCounter));
        Open(sessionCounter, session);
        _session = session;
        _sessionOperator = session;
    }

    /// <summary>Map → filter → sink in one chain: direct calls, no queue.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerOperation)]
    public void ChainedMapFilter()
    {
        var input = _chain;
        for (var i = 0; i < RecordsPerOperation; i++)
        {
            input.ProcessElement(new Event(i & 1023, i), i);
        }
    }

    /// <summary>Keyed 1 s tumbling count over 1,000 keys, 1 ms of event time per record, a watermark every 1,024 records.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerOperation)]
    public void KeyedTumblingCount() => _time = PushKeyed(_window, _windowOperator, _time, watermarkLag: 1);

    /// <summary>
    /// Keyed 1 s-gap session count over 1,000 keys: each key sees a record every 1,000 ms of event time, so sessions
    /// keep growing (merging in place), with a watermark every 1,024 records.
    /// </summary>
    [Benchmark(OperationsPerInvoke = RecordsPerOperation)]
    public void KeyedSessionCount() => _sessionTime = PushKeyed(_session, _sessionOperator, _sessionTime, watermarkLag: 1_100);

    /// <summary>
    /// Pushes <see cref="RecordsPerOperation"/> records over 1,000 keys, 1 ms of event time apart from
    /// <paramref name="time"/>, with a watermark <paramref name="watermarkLag"/> ms behind every 1,024 records; returns
    /// the next event time.
    /// </summary>
    private static long PushKeyed(IInput<Event> input, StreamOperator op, long time, long watermarkLag)
    {
        for (var i = 0; i < RecordsPerOperation; i++)
        {
            input.ProcessElement(new Event(i % 1000, i), time++);
            if ((i & 1023) == 1023)
            {
                op.ProcessWatermark(time - watermarkLag);
            }
        }
        return time;
    }

    /// <summary>Gives each operator its context and opens it, downstream first (as a task does).</summary>
    private static void Open(params StreamOperator[] operators)
    {
        var options = new JobOptions();
        var time = new ProcessingTimeService(TimeProvider.System, static () => { });
        foreach (var op in operators)
        {
            op.Context = new OperatorContext("bench", 0, 1, options, time);
            op.Open();
        }
    }

    private sealed class Count : IAggregateFunction<Event, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, Event value) => accumulator + 1;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }

    private sealed class CountingOperator : CountingOperator<Event>;

    private class CountingOperator<T> : OneInputOperator<T>
    {
        public long Count;

        public override void ProcessElement(T value, long timestamp) => Count++;
    }
}
