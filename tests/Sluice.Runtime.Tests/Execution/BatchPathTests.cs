using Sluice.Runtime.Tests.Support;
using Sluice.Sources;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>The batch-at-a-time paths: sources handing over spans, filters forwarding runs, flat maps buffering.</summary>
public class BatchPathTests
{
    [Theory]
    [InlineData(ExecutionMode.Deterministic, 1)]
    [InlineData(ExecutionMode.Parallel, 3)]
    public async Task Filter_RunsOfKeptAndDroppedRecords_KeepsOrderAndTimestamps(ExecutionMode mode, int parallelism)
    {
        var values = Enumerable.Range(0, 10_000).ToArray();
        var timestamps = values.Select(v => 1_000_000L + v).ToArray();
        // Keep pattern mixes single records, long runs and gaps, and crosses batch boundaries.
        static bool Keep(int v) => v % 7 == 0 || (v / 100) % 3 == 1;
        var env = StreamEnvironment.Create(new JobOptions { Mode = mode, Parallelism = parallelism, BatchSize = 97 });
        var sink = env.FromSource(new SpanSource<int>(values, timestamps, 97), null, "Spans")
            .Filter(Keep)
            .Map(v => v * 2)
            .Collect();
        await env.ExecuteAsync();

        var expected = values.Where(Keep).Select(v => (v * 2, 1_000_000L + v)).ToList();
        var actual = sink.TimestampedItems.ToList();
        if (parallelism == 1)
        {
            actual.ShouldBe(expected);
        }
        else
        {
            actual.OrderBy(x => x.Item2).ShouldBe(expected);
        }
    }

    [Fact]
    public async Task CollectBatch_WithTimestampAssigner_AssignsEveryRecordAndFiresWindows()
    {
        var values = Enumerable.Range(0, 1_000).Select(i => (long)i * 10).ToArray();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic });
        var sink = env.FromSource(new SpanSource<long>(values, [], 64), WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(v => v), "Spans")
            .KeyBy(_ => 0)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
            .Reduce((a, b) => a + b, (k, w, sum) => (w.Start, sum))
            .Collect();
        await env.ExecuteAsync();

        var expected = values.GroupBy(v => v / 1000 * 1000).Select(g => (g.Key, g.Sum())).ToList();
        sink.Items.ShouldBe(expected);
    }

    [Fact]
    public async Task CollectBatch_TimestampCountMismatch_FailsTheJobNamingBothCounts()
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic });
        env.FromSource(new SpanSource<int>([1, 2, 3], [1, 2], 10), null, "Broken").Collect();
        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync());
        error.Message.ShouldContain("3 records but 2 timestamps");
        error.Message.ShouldContain("Broken");
    }

    [Fact]
    public async Task FlatMap_ManyOutputsPerRecord_KeepsOrderAcrossBufferFlushes()
    {
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, BatchSize = 8 });
        var sink = env.FromCollection(new[] { 0, 1, 2 })
            .FlatMap<(int, int)>((v, output) =>
            {
                for (var i = 0; i < 5_000; i++)
                {
                    output.Collect((v, i));
                }
            })
            .Collect();
        await env.ExecuteAsync();

        sink.Items.ShouldBe(Enumerable.Range(0, 3).SelectMany(v => Enumerable.Range(0, 5_000).Select(i => (v, i))));
    }

    [Fact]
    public async Task ProcessingTimeWindow_OneBatch_ReadsTheClockOnceSoEveryRecordLandsInOneWindow()
    {
        // The clock moves a second per reading: read per record, 64 records would land in 64 windows of 10 ms.
        var values = Enumerable.Range(0, 64).ToArray();
        var env = StreamEnvironment.Create(new JobOptions { Mode = ExecutionMode.Deterministic, TimeProvider = new TickingClock() });
        var sink = env.FromSource(new SpanSource<int>(values, [], 64), null, "OneBatch")
            .KeyBy(_ => 0)
            .Window(TumblingProcessingTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Aggregate(new CountAggregate<int>(), (k, w, count) => count)
            .Collect();
        await env.ExecuteAsync();

        sink.Items.ShouldBe([64L]);
    }

    /// <summary>A clock that moves on by one second every time it is read.</summary>
    private sealed class TickingClock : TimeProvider
    {
        private long _ms = 1_000_000;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Add(ref _ms, 1_000));
    }

    /// <summary>A non-parallel source handing slices of arrays to <see cref="ISourceOutput{T}.CollectBatch"/>.</summary>
    private sealed class SpanSource<T>(T[] values, long[] timestamps, int slice) : ISource<T>
    {
        public bool IsBounded => true;

        public int MaxParallelism => 1;

        public ISourceReader<T> CreateReader(SourceReaderContext context) => new Reader(values, timestamps, slice);

        private sealed class Reader(T[] values, long[] timestamps, int slice) : ISourceReader<T>
        {
            private int _next;

            public int SplitCount => 1;

            public SourceStatus PollNext(ISourceOutput<T> output)
            {
                var n = Math.Min(slice, values.Length - _next);
                var times = timestamps.Length == 0 ? default
                    : timestamps.Length == values.Length ? timestamps.AsSpan(_next, n)
                    : timestamps.AsSpan();
                output.CollectBatch(0, values.AsSpan(_next, n), times);
                _next += n;
                return _next >= values.Length ? SourceStatus.Finished : SourceStatus.MoreAvailable;
            }

            public void Dispose() { }
        }
    }
}
