using BenchmarkDotNet.Attributes;
using Sluice.Sinks;
using Sluice.Sources;
using Sluice.Windowing;

namespace Sluice.Benchmarks.Engine;

/// <summary>
/// Whole-job throughput: a generated stream of struct events through a real job (planning, threads, exchanges),
/// chained at parallelism 1 and with a keyed exchange at parallelism 2.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("engine")]
public class JobThroughputBenchmarks
{
    /// <summary>Records per job run.</summary>
    public const int Records = 2_000_000;

    /// <summary>Subtasks per operator.</summary>
    [Params(1, 2)]
    public int Parallelism { get; set; }

    /// <summary>Source → map → filter → counting sink.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long StatelessPipeline()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = Parallelism });
        var sink = new CountingSink();
        env.FromSource(new EventSource(Records), null, "Events")
            .Map(static e => e with { Value = e.Value * 3 })
            .Filter(static e => (e.Value & 1) == 0)
            .SinkTo(sink);
        env.ExecuteAsync().GetAwaiter().GetResult();
        return sink.Count;
    }

    /// <summary>Source → keyBy → 1 s tumbling count over 10,000 keys → counting sink.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long KeyedWindowPipeline()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = Parallelism });
        var sink = new CountingSink<(int, long)>();
        env.FromSource(new EventSource(Records), WatermarkStrategy<OperatorPathBenchmarks.Event>.ForMonotonousTimestamps().WithTimestampAssigner(static e => e.Value), "Events")
            .KeyBy(static e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
            .Aggregate(new CountAggregate(), static (k, w, n) => (k, n))
            .SinkTo(sink);
        env.ExecuteAsync().GetAwaiter().GetResult();
        return sink.Count;
    }

    private sealed class CountAggregate : IAggregateFunction<OperatorPathBenchmarks.Event, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, OperatorPathBenchmarks.Event value) => accumulator + 1;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }

    /// <summary>A parallel in-memory source: subtask s of p emits indexes s, s+p, … as events with 10,000 keys.</summary>
    private sealed class EventSource(long count) : ISource<OperatorPathBenchmarks.Event>
    {
        public bool IsBounded => true;

        public int MaxParallelism => 0;

        public ISourceReader<OperatorPathBenchmarks.Event> CreateReader(SourceReaderContext context) => new Reader(count, context);

        private sealed class Reader(long count, SourceReaderContext context) : ISourceReader<OperatorPathBenchmarks.Event>
        {
            private long _next = context.SubtaskIndex;

            public int SplitCount => 1;

            public SourceStatus PollNext(ISourceOutput<OperatorPathBenchmarks.Event> output)
            {
                for (var i = 0; i < context.BatchSize; i++)
                {
                    if (_next >= count)
                    {
                        return SourceStatus.Finished;
                    }
                    output.Collect(0, new OperatorPathBenchmarks.Event((int)(_next % 10_000), _next), _next);
                    _next += context.Parallelism;
                }
                return SourceStatus.MoreAvailable;
            }

            public void Dispose() { }
        }
    }

    private sealed class CountingSink : CountingSink<OperatorPathBenchmarks.Event>;

    private class CountingSink<T> : ISink<T>
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public int MaxParallelism => 0;

        public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(this);

        private sealed class Writer(CountingSink<T> sink) : ISinkWriter<T>
        {
            private long _local;

            public void Write(T value, long timestamp) => _local++;

            public void Flush() => Interlocked.Add(ref sink._count, _local);

            public void Dispose() { }
        }
    }
}
