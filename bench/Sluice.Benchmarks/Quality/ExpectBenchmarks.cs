using BenchmarkDotNet.Attributes;
using Sluice.Quality;
using Sluice.Sinks;
using Sluice.Sources;
using Sluice.Windowing;

namespace Sluice.Benchmarks.Quality;

/// <summary>
/// The cost of data-quality rules in a whole job: the same pipeline (source → keyBy customer → 1 s tumbling count over
/// 5,000 customers → counting sink) without rules, and with an expectation of 10 rules before the keyBy. Every record
/// passes (the hot path); the records are 65,536 pre-built sales cycled by the source, so the source allocates nothing.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("quality")]
public class ExpectBenchmarks
{
    /// <summary>Records per job run.</summary>
    public const int Records = 1_000_000;

    private static readonly Sale[] s_sales = [.. Enumerable.Range(0, 65_536).Select(i => new Sale(i, "c" + i % 5_000, 1m + i % 997, 1 + i % 7, "u" + i % 10_000 + "@example.com", i % 3 == 0 ? "new" : "paid", i % 2 == 0 ? "DE" : "FR"))];

    /// <summary>A sale as the benchmark's records.</summary>
    public sealed record Sale(long Id, string Customer, decimal Amount, int Qty, string Email, string Status, string Country);

    /// <summary>The pipeline without rules.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long WithoutRules() => Run(static s => s);

    /// <summary>The same pipeline with 10 rules (all of which every record passes).</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long WithTenRules() => Run(static s => s.Expect(e => e
        .NotNull("customer_present", "customer", x => x.Customer)
        .NotNull("email_present", "email", x => x.Email)
        .Range("amount_range", "amount", x => x.Amount, 0m, 10_000m)
        .Range("qty_range", "qty", x => x.Qty, 1, 100)
        .Matches("email_format", "email", x => x.Email, @"^[a-z0-9]+@[a-z]+\.[a-z]+$")
        .AcceptedValues("status_known", "status", x => x.Status, ["new", "paid", "shipped"])
        .References("country_known", "country", x => x.Country, "countries", () => ["DE", "FR", "NL"])
        .Satisfies("id_positive", "id", x => x.Id >= 0)
        .Freshness("fresh", TimeSpan.FromDays(365 * 100))
        .Volume("volume", TimeSpan.FromSeconds(1), trailingWindows: 10, sigmas: 1_000), "sales"));

    private static long Run(Func<DataStream<Sale>, DataStream<Sale>> rules)
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        var sink = new CountingSink();
        var sales = env.FromSource(new SaleSource(Records), WatermarkStrategy<Sale>.ForMonotonousTimestamps(), "Sales");
        rules(sales)
            .KeyBy(static s => s.Customer)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
            .Aggregate(new CountAggregate(), static (k, w, n) => n)
            .SinkTo(sink);
        env.ExecuteAsync().GetAwaiter().GetResult();
        return sink.Count;
    }

    private sealed class CountAggregate : IAggregateFunction<Sale, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, Sale value) => accumulator + 1;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }

    /// <summary>Emits record i as sales[i mod 65,536] at event time i ms.</summary>
    private sealed class SaleSource(long count) : ISource<Sale>
    {
        public bool IsBounded => true;

        public int MaxParallelism => 1;

        public ISourceReader<Sale> CreateReader(SourceReaderContext context) => new Reader(count, context);

        private sealed class Reader(long count, SourceReaderContext context) : ISourceReader<Sale>
        {
            private long _next;

            public int SplitCount => 1;

            public SourceStatus PollNext(ISourceOutput<Sale> output)
            {
                for (var i = 0; i < context.BatchSize; i++)
                {
                    if (_next >= count)
                    {
                        return SourceStatus.Finished;
                    }
                    output.Collect(0, s_sales[_next & 0xFFFF], _next);
                    _next++;
                }
                return SourceStatus.MoreAvailable;
            }

            public void Dispose() { }
        }
    }

    private sealed class CountingSink : ISink<long>
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public int MaxParallelism => 0;

        public ISinkWriter<long> CreateWriter(SinkContext context) => new Writer(this);

        private sealed class Writer(CountingSink sink) : ISinkWriter<long>
        {
            private long _local;

            public void Write(long value, long timestamp) => _local++;

            public void Flush() => Interlocked.Add(ref sink._count, _local);

            public void Dispose() { }
        }
    }
}
